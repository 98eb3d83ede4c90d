"""Administering supervision: assigning a supervisor to someone, and ending an assignment."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.admin import bp
from competency_portal.admin.forms import ActionForm
from competency_portal.admin.pages import person_or_404, person_page, supervision_form
from competency_portal.extensions import db
from competency_portal.models import Supervision
from competency_portal.services import people_admin


@bp.post("/people/<int:person_id>/supervision")
@policy.rule(policy.ADMIN)
def add_supervision(person_id: int):
    """Assign a supervisor to someone."""
    person = person_or_404(person_id)
    form = supervision_form(person, formdata=request.form)
    if form.validate_on_submit():
        outcome = web.attempt(
            people_admin.start_supervision,
            db.session,
            current_user.id,
            person,
            form.supervisor_id.data,
            form.starts_on.data,
            refusals=people_admin.AdminRuleError,
        )
        if outcome:
            supervisor = outcome.value.supervisor
            return web.done(
                f"{supervisor.name} now supervises {person.name} from {form.starts_on.data:%-d %B %Y}.",
                "admin.edit_person",
                person_id=person.id,
                _anchor="supervision",
            )
        form.supervisor_id.errors.append(outcome.error)
        person = person_or_404(person_id)
    return person_page(person, supervision_form_=form, status=400)


@bp.post("/supervision/<int:assignment_id>/end")
@policy.rule(policy.ADMIN)
def end_supervision(assignment_id: int):
    """End a supervision assignment today."""
    assignment = db.session.get(Supervision, assignment_id) or abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    back = {"person_id": assignment.supervisee_id, "_anchor": "supervision"}
    outcome = web.attempt(
        people_admin.end_supervision,
        db.session,
        current_user.id,
        assignment,
        clock.today(),
        refusals=people_admin.AdminRuleError,
    )
    if not outcome:
        return web.refused(outcome, "admin.edit_person", **back)
    return web.done(
        f"{assignment.supervisor.name} no longer supervises {assignment.supervisee.name}, from today.",
        "admin.edit_person",
        **back,
    )
