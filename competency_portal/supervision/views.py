"""The sign-off queue, reviewing and deciding, revoking, and naming a deputy."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from competency_portal import clock, credential_context, policy, web
from competency_portal.extensions import db
from competency_portal.models import Decision
from competency_portal.services import evidence as evidence_service
from competency_portal.services import signoff
from competency_portal.services.catalogue import scale_labels
from competency_portal.services.notify import mail_settings
from competency_portal.supervision import bp
from competency_portal.supervision.forms import DecisionForm, DeputyForm, RevokeForm


@bp.get("/")
@policy.rule(policy.SUPERVISING)
def queue():
    """Supervisees' submitted evidence, oldest first."""
    return render_template("supervision/queue.html", rows=signoff.queue(db.session, current_user, clock.today()))


def _levels_from(form_data, evidence, labels, signing: bool) -> tuple[dict, dict, list[str]]:
    """The level and comment given for each linked item, and what to fix. Levels are read only to
    sign off: a return or a rejection confirms no level, so it asks for none."""
    levels, comments, errors = {}, {}, []
    for link in evidence.current.links:
        raw = form_data.get(f"level-{link.item_id}", "")
        scale = labels.get(link.item.version.scale_slug, {})
        if signing and raw == "none":
            levels[link.item_id] = None
        elif signing and raw.isascii() and raw.isdecimal() and int(raw) in scale:
            levels[link.item_id] = int(raw)
        elif signing:
            errors.append(
                (f"level-{link.item_id}", f"Choose a level, or not demonstrated, for {link.item.code}, to sign off")
            )
        comment = form_data.get(f"comment-{link.item_id}", "")
        if len(comment) > 2000:
            errors.append(
                (f"comment-{link.item_id}", f"Keep the comment on {link.item.code} to 2,000 characters or fewer")
            )
        comments[link.item_id] = comment
    return levels, comments, errors


@bp.route("/evidence/<int:evidence_id>", methods=["GET", "POST"])
@policy.rule(policy.SUPERVISING)
def review(evidence_id: int):
    """See the evidence and attachments; confirm a level per linked item; sign off, return or reject."""
    evidence = policy.evidence_for(
        db.session, current_user, evidence_id, clock.today(), purpose="review", options=evidence_service.WHOLE
    )
    for link in evidence.current.links:  # each item's version tells which scale it is rated on
        link.item.version  # noqa: B018 - loaded here, not in the template
    labels = scale_labels(db.session)
    form = DecisionForm()
    problems: list[tuple[str, str]] = []  # (id of the field to fix, what to do)
    if request.method == "GET":
        form.version.data = str(evidence.lock_version)
    elif form.validate_on_submit():
        levels, comments, problems = _levels_from(
            request.form, evidence, labels, form.decision.data == Decision.SIGNED_OFF.value
        )
        if (
            form.decision.data in (Decision.RETURNED.value, Decision.REJECTED.value)
            and not (form.comment.data or "").strip()
        ):
            problems.append(("comment", "Say why in the comment, so the person knows what to do next"))
        if not problems:
            version = form.version.data or ""
            seen = int(version) if version.isascii() and version.isdecimal() else -1  # unreadable: treat as stale
            outcome = web.attempt(
                signoff.decide,
                db.session,
                evidence,
                current_user,
                Decision(form.decision.data),
                levels,
                comments,
                form.comment.data,
                seen,
                clock.now(),
                mail_settings(current_app.config),
                refusals=evidence_service.EvidenceError,
            )
            if outcome:
                label = outcome.value.decision.label
                return web.done(f"{label}: {evidence.current.title} ({evidence.owner.name}).", "supervision.queue")
            if isinstance(outcome.refusal, signoff.DecisionConflict):
                return web.refused(outcome, "evidence.show", evidence_id=evidence_id)
            problems = [("decision-signed_off", outcome.error)]
    field_ids = {
        "decision": "decision-signed_off",
        "comment": "comment",
        "version": "decision-signed_off",
        "csrf_token": "decision-signed_off",
    }
    problems = [(field_ids.get(name, name), e) for name, errs in form.errors.items() for e in errs] + problems
    status = 400 if problems else 200
    if not policy.can_decide(db.session, current_user, evidence, clock.today()) and request.method == "GET":
        return web.done("This evidence is not waiting for your decision.", "evidence.show", evidence_id=evidence_id)
    received, recheck = credential_context.received_with_check(evidence.id, clock.now())
    return render_template(
        "supervision/review.html",
        evidence=evidence,
        received=received,
        recheck=recheck,
        form=form,
        labels=labels,
        problems=problems,
        errors=dict(reversed(problems)),
        chosen=request.form,
    ), status


@bp.route("/sign-offs/<int:sign_off_id>/revoke", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def revoke(sign_off_id: int):
    """Withdraw a sign-off, with a reason (its signer or an administrator)."""
    sign_off = policy.sign_off_for_revoking(db.session, current_user, sign_off_id)
    form = RevokeForm()
    if form.validate_on_submit():
        outcome = web.attempt(
            signoff.revoke,
            db.session,
            sign_off,
            current_user,
            form.reason.data,
            clock.now(),
            mail_settings(current_app.config),
            refusals=evidence_service.EvidenceError,
        )
        if outcome:
            return web.done(
                "The sign-off has been revoked. The record of it is kept.",
                "evidence.show",
                evidence_id=sign_off.evidence_id,
            )
        form.reason.errors = [outcome.error]
    return render_template("supervision/revoke.html", sign_off=sign_off, form=form), 400 if form.errors else 200


@bp.route("/deputy", methods=["GET", "POST"])
@policy.rule(policy.SUPERVISING)
def deputy():
    """Name a deputy to cover your supervisees for a period."""
    form = DeputyForm()
    candidates = policy.deputy_candidates(db.session, current_user)
    form.deputy.choices = [(0, "Choose a person")] + [
        (u.id, f"{u.name} ({u.job_title or u.email})") for u in candidates
    ]
    if request.method == "GET":
        form.starts_on.process(None, clock.today())
    if form.validate_on_submit():
        chosen = next((u for u in candidates if u.id == form.deputy.data), None)
        if chosen is None:
            form.deputy.errors = ["Choose who will cover"]
        else:
            starts_on, ends_on = form.starts_on.data, form.ends_on.data
            outcome = web.attempt(
                signoff.name_deputy,
                db.session,
                current_user,
                chosen,
                starts_on,
                ends_on,
                clock.today(),
                mail_settings(current_app.config),
                refusals=evidence_service.EvidenceError,
            )
            if outcome:
                return web.done(
                    f"{chosen.name} will cover your supervisees from {starts_on:%-d %B %Y} to {ends_on:%-d %B %Y}.",
                    "supervision.deputy",
                )
            form.ends_on.errors = [outcome.error]
    covers = signoff.covers_named_by(db.session, current_user.id)
    return render_template(
        "supervision/deputy.html", form=form, covers=covers, today=clock.today()
    ), 400 if form.errors else 200
