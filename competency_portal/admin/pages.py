"""What the administration views share: the person page, its forms, and reading a person form.

The person page shows a person's details, password, supervision and whom they supervise; every
form on it is shown again here with its errors when it is refused.
"""

from __future__ import annotations

from flask import abort, render_template
from wtforms import SelectChoice

from competency_portal import clock, policy
from competency_portal.admin.forms import ActionForm, EditPersonForm, PasswordForm, SupervisionForm
from competency_portal.auth import oidc_client
from competency_portal.extensions import db
from competency_portal.models import Role, User
from competency_portal.services import catalogue, external_sign_in, people_admin, people_queries, two_factor


def provider_label(name: str) -> str:
    """How a provider is named to administrators: its label if still configured, else its name."""
    provider, _client = oidc_client.lookup(name)
    return (provider.label or provider.name) if provider else name


def person_fields(form) -> people_admin.PersonFields:
    """What a new-person or edit-person form says about the person."""
    return people_admin.PersonFields(
        name=form.name.data.strip(),
        email=form.email.data,
        roles={Role(v) for v in form.roles.data or []},
        job_title=form.job_title.data,
        band=form.band.data,
        team=form.team.data,
        target_role=form.target_role.data or None,
    )


def target_role_choices(current: str | None = None) -> list[SelectChoice]:
    """The role profiles a person may work towards (and their current one, if it is no longer one)."""
    choices = [SelectChoice("", "No target role")] + [
        SelectChoice(p.slug, p.title) for p in catalogue.role_profiles(db.session)
    ]
    if current and current not in {c.value for c in choices}:
        choices.append(SelectChoice(current, f"{current} (no longer a role profile)"))
    return choices


def supervision_form(person: User, formdata=None) -> SupervisionForm:
    """The form to add a supervisor, offering whom the policy allows."""
    form = (
        SupervisionForm(formdata=formdata, starts_on=clock.today())
        if formdata is not None
        else SupervisionForm(starts_on=clock.today())
    )
    form.supervisor_id.choices = [SelectChoice("", "Choose a supervisor")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in policy.supervisor_candidates(db.session, person)
    ]
    return form


def person_or_404(person_id: int) -> User:
    """The person with this id, else 404."""
    return db.session.get(User, person_id) or abort(404)


def person_page(
    person: User,
    *,
    form: EditPersonForm | None = None,
    password_form: PasswordForm | None = None,
    supervision_form_: SupervisionForm | None = None,
    status: int = 200,
):
    """The person page, with any refused form shown again with its errors."""
    if form is None:
        form = EditPersonForm(
            formdata=None,
            name=person.name,
            email=person.email,
            job_title=person.job_title or "",
            band=person.band or "",
            team=person.team.name if person.team else "",
            target_role=person.target_role or "",
            roles=sorted(r.value for r in person.roles),
            active=bool(person.active),
        )
        form.target_role.choices = target_role_choices(person.target_role)
    today = clock.today()
    links = external_sign_in.links_of(db.session, person)
    return render_template(
        "admin/person.html",
        person=person,
        form=form,
        password_form=password_form or PasswordForm(formdata=None),
        supervision_form=supervision_form_ or supervision_form(person),
        supervisors=people_queries.supervision_of(db.session, person.id),
        supervising=people_queries.supervising(db.session, person.id, today),
        deputies=people_queries.deputies_for(db.session, person.id),
        may_supervise=policy.can_supervise(person),
        action_form=ActionForm(formdata=None),
        has_second_factor=two_factor.is_enrolled(db.session, person),
        provider_links=[(link, provider_label(link.provider)) for link in links],
        today=today,
    ), status
