"""The audit trail, for administrators: every record, newest first, filtered by person and object."""

from __future__ import annotations

from flask import render_template, request
from wtforms import SelectChoice

from competency_portal import policy
from competency_portal.admin import bp
from competency_portal.admin.forms import AuditFilterForm
from competency_portal.extensions import db
from competency_portal.forms import id_arg
from competency_portal.models import User
from competency_portal.services import audit_trail as trail
from competency_portal.services import people


@bp.get("/audit")
@policy.rule(policy.ADMIN)
def audit_trail():
    """The audit trail, newest first, filtered by person (as actor or subject) and by object."""
    form = AuditFilterForm(request.args)
    form.object_type.choices = [SelectChoice("", "Any")] + [
        SelectChoice(t, t.replace("_", " ")) for t in trail.audit_object_types(db.session)
    ]
    valid = form.validate() if request.args else True
    person = None
    person_id = None
    if valid and form.person.data and form.person.data.strip():
        person = people.find_by_email(db.session, form.person.data)
        if person is None:
            form.person.errors.append("No one has that email address. Check it and try again.")
            valid = False
    elif (wanted := id_arg(request.args.get("person_id"))) is not None:
        person = db.session.get(User, wanted)
        if person is not None:
            form.person.data = person.email
    if person is not None:
        person_id = person.id
    before = id_arg(request.args.get("before"))
    page = (
        trail.audit_trail(
            db.session,
            person_id=person_id if valid else None,
            object_type=form.object_type.data if valid and form.object_type.data else None,
            object_id=form.object_id.data if valid and form.object_id.data else None,
            before=before,
        )
        if valid
        else trail.AuditPage([])
    )
    filters = {
        k: v
        for k, v in (
            ("person", form.person.data),
            ("object_type", form.object_type.data),
            ("object_id", form.object_id.data),
        )
        if valid and v
    }
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        filters=filters,
        person=person if valid else None,
        describe=trail.describe_detail,
        paged=before is not None,
    ), (200 if valid else 400)
