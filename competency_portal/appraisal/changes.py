"""Appraisal (PDR) pages that change a review: objectives, progress, agreeing, the year-end summary
and signing. Each acts on the review as the page showed it (its version); a page gone stale is
refused, and the person is sent back to the review as it stands now."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.appraisal import bp
from competency_portal.appraisal.forms import ObjectiveForm, ProgressForm, SummaryForm, VersionForm
from competency_portal.appraisal.views import REOPEN_WARNING
from competency_portal.extensions import db
from competency_portal.models import Appraisal, AppraisalState, Objective, ObjectiveStatus
from competency_portal.services import appraisal as service
from competency_portal.services import appraisal_objectives as objectives
from competency_portal.services import appraisal_queries as queries
from competency_portal.services.appraisal_rules import AppraisalConflict, AppraisalError

REOPENED = " The objectives went back to draft: both of you need to agree them again."


def _objective(appraisal: Appraisal, objective_id: int) -> Objective:
    found = next((o for o in appraisal.objectives if o.id == objective_id), None)
    policy.require(found is not None)
    return found


def _seen(form) -> int:
    raw = form.version.data or ""
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 10 else -1  # unreadable: treat as stale


def _done(message: str, appraisal: Appraisal, anchor: str | None = None):
    """Say what happened, and go back to the review (at `anchor`)."""
    return web.done(message, "appraisal.show", appraisal_id=appraisal.id, _anchor=anchor)


def _back(outcome: web.Outcome, appraisal_id: int):
    """Say why the change was refused (or that the page was stale), and show the review as it stands."""
    return web.refused(outcome, "appraisal.show", appraisal_id=appraisal_id)


def _readonly(appraisal: Appraisal):
    """Redirect (with the reason) if the review can no longer be changed, else None."""
    if appraisal.state == AppraisalState.SIGNED:
        return _done("This review has been signed by both of you, so it can no longer be changed.", appraisal)
    return None


def _not_agreed(appraisal: Appraisal, message: str):
    """Redirect (with `message`) unless the objectives are agreed, else None."""
    return None if appraisal.state == AppraisalState.AGREED else _done(message, appraisal)


def _action_form() -> VersionForm:
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    return form


def _objective_page(appraisal: Appraisal, objective: Objective | None):
    result = queries.readiness(db.session, appraisal.person, clock.today())
    if request.method == "GET":
        form = ObjectiveForm(
            formdata=None,
            data={
                "title": objective.title if objective else "",
                "description": objective.description if objective else "",
                "due_on": objective.due_on if objective else None,
                "items": list(objective.item_ids or []) if objective else [],
                "version": str(appraisal.lock_version),
            },
        )
    else:
        form = ObjectiveForm()
    linked = list(objective.item_ids or []) if objective else []
    form.items.choices = queries.item_choices(db.session, appraisal, result, linked)
    valid = request.method == "POST" and form.validate_on_submit()
    if form.items.errors:
        form.items.errors = ["Choose items from the list: those already linked and the person's current gaps"]
    if valid:
        fields = dict(
            title=form.title.data,
            description=form.description.data,
            due_on=form.due_on.data,
            item_ids=form.items.data or [],
        )
        if objective is None:
            outcome = web.attempt(
                objectives.add_objective,
                db.session,
                appraisal,
                current_user,
                _seen(form),
                refusals=AppraisalError,
                **fields,
            )
        else:
            outcome = web.attempt(
                objectives.edit_objective,
                db.session,
                appraisal,
                objective,
                current_user,
                _seen(form),
                refusals=AppraisalError,
                **fields,
            )
        if outcome:
            saved, reopened = (
                ("Objective added.", outcome.value[1]) if objective is None else ("Objective saved.", outcome.value)
            )
            return _done(saved + (REOPENED if reopened else ""), appraisal, "objectives")
        if isinstance(outcome.refusal, AppraisalConflict):
            return _back(outcome, appraisal.id)
        form.title.errors = [outcome.error]
    return render_template(
        "appraisal/objective.html",
        appraisal=appraisal,
        objective=objective,
        form=form,
        reopen_warning=REOPEN_WARNING if appraisal.state == AppraisalState.AGREED else None,
    ), 400 if form.errors else 200


@bp.route("/appraisals/<int:appraisal_id>/objectives/new", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def add_objective(appraisal_id: int):
    """Add an objective (the person or the appraiser, until the review is signed)."""
    appraisal = policy.appraisal_to_change(db.session, current_user, appraisal_id)
    return _readonly(appraisal) or _objective_page(appraisal, None)


@bp.route("/appraisals/<int:appraisal_id>/objectives/<int:objective_id>", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def edit_objective(appraisal_id: int, objective_id: int):
    """Change an objective's title, description, due date and linked items."""
    appraisal = policy.appraisal_to_change(db.session, current_user, appraisal_id)
    objective = _objective(appraisal, objective_id)
    return _readonly(appraisal) or _objective_page(appraisal, objective)


@bp.post("/appraisals/<int:appraisal_id>/objectives/<int:objective_id>/remove")
@policy.rule(policy.SIGNED_IN)
def remove_objective(appraisal_id: int, objective_id: int):
    """Remove an objective."""
    appraisal = policy.appraisal_to_change(db.session, current_user, appraisal_id)
    objective = _objective(appraisal, objective_id)
    form = _action_form()
    title = objective.title
    outcome = web.attempt(
        objectives.remove_objective,
        db.session,
        appraisal,
        objective,
        current_user,
        _seen(form),
        refusals=AppraisalError,
    )
    if not outcome:
        return _back(outcome, appraisal_id)
    return _done(f"Objective removed: {title}." + (REOPENED if outcome.value else ""), appraisal, "objectives")


@bp.route("/appraisals/<int:appraisal_id>/objectives/<int:objective_id>/progress", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def progress(appraisal_id: int, objective_id: int):
    """Record progress on an objective and set its status, once the objectives are agreed."""
    appraisal = policy.appraisal_to_change(db.session, current_user, appraisal_id)
    objective = _objective(appraisal, objective_id)
    stop = _readonly(appraisal) or _not_agreed(
        appraisal, "Progress can be recorded once both of you have agreed the objectives."
    )
    if stop is not None:
        return stop
    if request.method == "GET":
        form = ProgressForm(
            formdata=None,
            data={"status": ObjectiveStatus(objective.status).value, "version": str(appraisal.lock_version)},
        )
    else:
        form = ProgressForm()
    if request.method == "POST" and form.validate_on_submit():
        outcome = web.attempt(
            objectives.record_progress,
            db.session,
            appraisal,
            objective,
            current_user,
            _seen(form),
            note=form.note.data,
            status=ObjectiveStatus(form.status.data),
            refusals=AppraisalError,
        )
        if outcome:
            return _done(f"Progress recorded: {objective.title}.", appraisal, f"objective-{objective.id}")
        if isinstance(outcome.refusal, AppraisalConflict):
            return _back(outcome, appraisal_id)
        form.note.errors = [outcome.error]
    return render_template(
        "appraisal/progress.html", appraisal=appraisal, objective=objective, form=form
    ), 400 if form.errors else 200


@bp.post("/appraisals/<int:appraisal_id>/agree")
@policy.rule(policy.SIGNED_IN)
def agree(appraisal_id: int):
    """Agree the objectives (each side once)."""
    appraisal = policy.appraisal_to_change(db.session, current_user, appraisal_id)
    form = _action_form()
    outcome = web.attempt(
        service.agree, db.session, appraisal, current_user, _seen(form), clock.now(), refusals=AppraisalError
    )
    if not outcome:
        return _back(outcome, appraisal_id)
    return _done(
        "The objectives are agreed by both of you."
        if appraisal.state == AppraisalState.AGREED
        else "You have agreed the objectives. They are agreed once the other side agrees too.",
        appraisal,
    )


@bp.route("/appraisals/<int:appraisal_id>/summary", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def summary(appraisal_id: int):
    """The appraiser writes the year-end summary."""
    appraisal = policy.appraisal_to_change(db.session, current_user, appraisal_id)
    policy.require(policy.is_appraiser(current_user, appraisal), 403)
    stop = _readonly(appraisal) or _not_agreed(
        appraisal, "The year-end summary can be written once both of you have agreed the objectives."
    )
    if stop is not None:
        return stop
    if request.method == "GET":
        form = SummaryForm(
            formdata=None, data={"summary": appraisal.summary or "", "version": str(appraisal.lock_version)}
        )
    else:
        form = SummaryForm()
    if request.method == "POST" and form.validate_on_submit():
        outcome = web.attempt(
            service.write_summary,
            db.session,
            appraisal,
            current_user,
            _seen(form),
            form.summary.data,
            refusals=AppraisalError,
        )
        if outcome:
            return _done("Year-end summary saved.", appraisal, "review")
        if isinstance(outcome.refusal, AppraisalConflict):
            return _back(outcome, appraisal_id)
        form.summary.errors = [outcome.error]
    return render_template("appraisal/summary.html", appraisal=appraisal, form=form), 400 if form.errors else 200


@bp.post("/appraisals/<int:appraisal_id>/sign")
@policy.rule(policy.SIGNED_IN)
def sign(appraisal_id: int):
    """Sign the year-end review."""
    appraisal = policy.appraisal_to_change(db.session, current_user, appraisal_id)
    form = _action_form()
    outcome = web.attempt(
        service.sign, db.session, appraisal, current_user, _seen(form), clock.now(), refusals=AppraisalError
    )
    if not outcome:
        return _back(outcome, appraisal_id)
    return _done(
        "The review is signed by both of you and can no longer be changed."
        if appraisal.state == AppraisalState.SIGNED
        else "You have signed the review. It is complete once the other side signs too.",
        appraisal,
        "review",
    )
