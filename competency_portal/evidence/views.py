"""A person's portfolio: evidence (record, change, submit, download), self-assessment, notifications."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, send_file
from flask_login import current_user

from competency_portal import clock, credential_context, policy, storage, web
from competency_portal.evidence import bp
from competency_portal.evidence.forms import ConfirmForm, EvidenceForm, SelfAssessmentForm
from competency_portal.extensions import db
from competency_portal.main.links import notification_links
from competency_portal.models import EvidenceRevision, EvidenceType
from competency_portal.services import evidence as evidence_service
from competency_portal.services import notify, self_assessment
from competency_portal.services.attachments import ACCEPTED_DESCRIPTION, AttachmentRefused, check
from competency_portal.services.notify import mail_settings

DAMAGED = (
    "The stored copy of this file does not match the one that was uploaded, so it was not sent. "
    "Tell your portal administrator which evidence and file it was."
)


def _form(groups, evidence=None) -> EvidenceForm:
    form = EvidenceForm(obj=None)
    form.activity_date.today = clock.today()
    form.items.choices = [(item.id, f"{item.code} {item.statement}") for g in groups for item in g.items]
    if evidence is not None:
        form.remove_attachments.choices = [(a.id, a.filename) for a in evidence.current.attachments]
    return form


def _prefill(form: EvidenceForm, revision: EvidenceRevision) -> None:
    form.title.data = revision.title
    form.evidence_type.data = revision.evidence_type.value
    form.activity_date.process(None, revision.activity_date)
    form.activity_date.today = clock.today()
    form.description.data = revision.description
    form.items.data = [link.item_id for link in revision.links]


def _input(form: EvidenceForm) -> evidence_service.EvidenceInput | None:
    """The form's data with uploads checked by content; None (with field errors) if any is refused."""
    files, errors = [], []
    for upload in request.files.getlist(form.attachments.name):
        if not upload or not upload.filename:
            continue
        try:
            files.append(
                check(
                    upload.filename,
                    upload.read(current_app.config["MAX_ATTACHMENT_BYTES"] + 1),
                    current_app.config["MAX_ATTACHMENT_BYTES"],
                )
            )
        except AttachmentRefused as exc:
            errors.append(str(exc))
    if errors:
        form.attachments.errors = list(form.attachments.errors) + errors
        return None
    return evidence_service.EvidenceInput(
        title=form.title.data,
        evidence_type=EvidenceType(form.evidence_type.data),
        activity_date=form.activity_date.data,
        description=form.description.data,
        item_ids=list(form.items.data or []),
        files=files,
        remove_attachment_ids=list(form.remove_attachments.data or []),
    )


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdecimal() and len(text) < 10


def _evidence(evidence_id: int, purpose: str = "see"):
    """The evidence the signed-in person may open for `purpose` (see policy.evidence_for), loaded whole, else 404."""
    return policy.evidence_for(
        db.session, current_user, evidence_id, clock.today(), purpose=purpose, options=evidence_service.WHOLE
    )


@bp.get("/portfolio")
@policy.rule(policy.SIGNED_IN)
def index():
    """My evidence and where each piece stands."""
    return render_template(
        "evidence/index.html",
        evidence=evidence_service.my_evidence(db.session, current_user.id),
        supervisor=evidence_service.current_supervisor(db.session, current_user.id, clock.today()),
    )


@bp.route("/portfolio/evidence/new", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def new():
    """Record new evidence (saved as a draft)."""
    groups = evidence_service.picker_groups(db.session, current_user)
    form = _form(groups)
    if form.validate_on_submit() and (data := _input(form)) is not None:
        outcome = web.attempt(
            evidence_service.create,
            db.session,
            current_user,
            data,
            storage.from_config(current_app.config),
            refusals=(),
        )
        return web.done(
            "Evidence saved as a draft. Submit it when it is ready for sign-off.",
            "evidence.show",
            evidence_id=outcome.value.id,
        )
    return render_template(
        "evidence/form.html", form=form, groups=groups, evidence=None, accepted=ACCEPTED_DESCRIPTION
    ), 400 if form.errors else 200


@bp.get("/portfolio/evidence/<int:evidence_id>")
@policy.rule(policy.SIGNED_IN)
def show(evidence_id: int):
    """One piece of evidence: its revisions, attachments, and which sign-off covers which revision."""
    evidence = _evidence(evidence_id)
    received, recheck = credential_context.received_with_check(evidence.id, clock.now())
    return render_template(
        "evidence/show.html",
        evidence=evidence,
        received=received,
        recheck=recheck,
        form=ConfirmForm(),
        can_decide=policy.can_decide(db.session, current_user, evidence, clock.today()),
        can_edit=policy.can_edit_evidence(current_user, evidence),
        can_submit=policy.can_submit_evidence(current_user, evidence),
        revocable={s.id for s in evidence.sign_offs if policy.can_revoke(current_user, s)},
        unchanged={s.id: evidence_service.unchanged_since_decided(s) for s in evidence.sign_offs},
    )


@bp.route("/portfolio/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def edit(evidence_id: int):
    """Change evidence: in place while a draft, else as a new revision that needs its own sign-off."""
    evidence = _evidence(evidence_id, "own")
    if not evidence.editable:
        return web.done(
            f"Evidence that is {evidence.state.label.lower()} cannot be changed.",
            "evidence.show",
            evidence_id=evidence.id,
        )
    groups = evidence_service.picker_groups(db.session, current_user)
    form = _form(groups, evidence)
    # Keep items already linked selectable, even if the role profile has since moved on.
    known = {value for value, _ in form.items.choices}
    form.items.choices += [
        (link.item_id, f"{link.item.code} {link.item.statement}")
        for link in evidence.current.links
        if link.item_id not in known
    ]
    if request.method == "GET":
        _prefill(form, evidence.current)
    elif form.validate_on_submit() and (data := _input(form)) is not None:
        outcome = web.attempt(
            evidence_service.update,
            db.session,
            evidence,
            current_user,
            data,
            storage.from_config(current_app.config),
            refusals=evidence_service.EvidenceError,
        )
        if not outcome:
            return web.refused(outcome, "evidence.show", evidence_id=evidence_id)
        number = outcome.value.number
        return web.done(
            f"Changes saved as revision {number}." if number > 1 else "Changes saved.",
            "evidence.show",
            evidence_id=evidence_id,
        )
    return render_template(
        "evidence/form.html", form=form, groups=groups, evidence=evidence, accepted=ACCEPTED_DESCRIPTION
    ), 400 if form.errors else 200


@bp.post("/portfolio/evidence/<int:evidence_id>/submit")
@policy.rule(policy.SIGNED_IN)
def submit(evidence_id: int):
    """Send evidence to the supervisor for sign-off."""
    evidence = _evidence(evidence_id, "own")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = web.attempt(
        evidence_service.submit,
        db.session,
        evidence,
        current_user,
        clock.now(),
        mail_settings(current_app.config),
        refusals=(evidence_service.EvidenceError, ValueError),
    )
    if not outcome:
        return web.refused(outcome, "evidence.show", evidence_id=evidence_id)
    return web.done(f"Submitted to {outcome.value.name} for sign-off.", "evidence.show", evidence_id=evidence_id)


@bp.get("/portfolio/evidence/<int:evidence_id>/attachments/<int:attachment_id>")
@policy.rule(policy.SIGNED_IN)
def download(evidence_id: int, attachment_id: int):
    """An attachment, as a download, to people allowed to see the evidence."""
    evidence = _evidence(evidence_id)
    attachment = evidence_service.attachment(db.session, evidence, attachment_id) or abort(404)
    try:
        stream = storage.from_config(current_app.config).open(attachment.stored_name, attachment.sha256)
    except storage.CorruptFile as error:
        current_app.logger.error("attachment %s not served: %s", attachment.id, error)
        abort(500, description=DAMAGED)
    # Streamed in chunks, the last only once the whole has matched its SHA-256 (storage.integrity).
    response = send_file(
        stream, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.filename
    )
    response.content_length = attachment.size
    return response


@bp.route("/portfolio/self-assessment", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def self_assess():
    """Rate yourself against each item of your role profile."""
    role = self_assessment.role_for(db.session, current_user)
    form = SelfAssessmentForm()
    if role is not None and form.validate_on_submit():
        ratings = {}
        for key, value in request.form.items():
            if key.startswith("rating-") and value != "":
                if not (_is_number(key[7:]) and _is_number(value)):
                    return web.done("Choose a level from the scale for each item you rate.", "evidence.self_assess")
                item_id = int(key[7:])
                ratings[item_id] = (int(value), request.form.get(f"note-{item_id}"))
        outcome = web.attempt(
            self_assessment.rate, db.session, current_user, role, ratings, refusals=self_assessment.SelfAssessmentError
        )
        if not outcome:
            return web.refused(outcome, "evidence.self_assess")
        saved = outcome.value
        return web.done(
            f"{saved} rating{'s' if saved != 1 else ''} saved."
            if saved
            else "Nothing had changed, so nothing was saved.",
            "evidence.self_assess",
        )
    groups = self_assessment.groups(db.session, current_user, role) if role else []
    return render_template("evidence/self_assessment.html", role=role, groups=groups, form=form)


@bp.get("/notifications")
@policy.rule(policy.SIGNED_IN)
def notifications():
    """My notifications, newest first."""
    notes = notify.latest(db.session, current_user.id)
    return render_template(
        "evidence/notifications.html", notes=notes, links=notification_links(notes), form=ConfirmForm()
    )


@bp.post("/notifications/read")
@policy.rule(policy.SIGNED_IN)
def mark_read():
    """Mark all my notifications read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    web.attempt(notify.mark_all_read, db.session, current_user.id, clock.now(), refusals=())
    return web.done(None, "evidence.notifications")
