"""Administering people: the people list, adding a person, changing their details and password."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from competency_portal import policy, throttling, web
from competency_portal.admin import bp
from competency_portal.admin.forms import ActionForm, EditPersonForm, NewPersonForm, PasswordForm, PeopleFilterForm
from competency_portal.admin.pages import person_fields, person_or_404, person_page, target_role_choices
from competency_portal.extensions import db
from competency_portal.forms import id_arg
from competency_portal.models import Role, User
from competency_portal.services import notify, people_admin, people_queries

DUPLICATE_EMAIL = "Someone already has this email address. Use a different one, or find and change that person."
REFUSALS = (people_admin.AdminRuleError, IntegrityError)


def _show_refusal(form, refusal: Exception) -> None:
    """A refused change, on the field it concerns (a taken email when the database refused it)."""
    if isinstance(refusal, people_admin.AdminRuleError):
        form[refusal.field].errors.append(refusal.message)
    else:
        form.email.errors.append(DUPLICATE_EMAIL)


def _saved(person: User, changed: list[str]) -> str:
    """What saving a person's changes did, in words."""
    if not changed:
        return "Nothing was changed."
    if "active" in changed and not person.active:
        return f"Changes to {person.name} have been saved. They have been deactivated and signed out."
    return f"Changes to {person.name} have been saved."


@bp.get("/")
@policy.rule(policy.ADMIN)
def index():
    """The administration home is the people list."""
    return redirect(url_for("admin.people"))


@bp.get("/people", endpoint="people")
@policy.rule(policy.ADMIN)
def people_list():
    """Everyone, 100 to a page, filtered by name or email, team and role."""
    form = PeopleFilterForm(request.args)
    teams = people_queries.all_teams(db.session)
    form.team.choices = [SelectChoice("", "All teams")] + [SelectChoice(str(t.id), t.name) for t in teams]
    page = id_arg(request.args.get("page")) or 1
    valid = form.validate() if request.args else True
    result = people_queries.list_people(
        db.session,
        q=form.q.data if valid else None,
        team_id=int(form.team.data) if valid and form.team.data else None,
        role=Role(form.role.data) if valid and form.role.data else None,
        page=page,
    )
    filters = {k: v for k, v in (("q", form.q.data), ("team", form.team.data), ("role", form.role.data)) if valid and v}
    return render_template("admin/people.html", form=form, result=result, filters=filters, filtered=bool(filters)), (
        200 if valid else 400
    )


@bp.route("/people/new", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def new_person():
    """Add a person."""
    form = NewPersonForm()
    form.target_role.choices = target_role_choices()
    if form.validate_on_submit():
        if people_queries.email_taken(db.session, form.email.data):
            form.email.errors.append(DUPLICATE_EMAIL)
        else:
            password = form.password.data or None
            outcome = web.attempt(
                people_admin.create,
                db.session,
                current_user.id,
                person_fields(form),
                password=password,
                refusals=REFUSALS,
            )
            if outcome:
                extra = "" if password else " They cannot sign in until you set a password."
                user = outcome.value
                return web.done(f"{user.name} has been added.{extra}", "admin.edit_person", person_id=user.id)
            _show_refusal(form, outcome.refusal)
    status = 400 if form.errors else 200
    return render_template("admin/new_person.html", form=form), status


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def edit_person(person_id: int):
    """A person's details, roles, password and supervision."""
    person = person_or_404(person_id)
    if request.method == "GET":
        return person_page(person)
    form = EditPersonForm()
    form.target_role.choices = target_role_choices(person.target_role)
    if form.validate_on_submit():
        if people_queries.email_taken(db.session, form.email.data, except_id=person.id):
            form.email.errors.append(DUPLICATE_EMAIL)
        else:
            outcome = web.attempt(
                people_admin.update,
                db.session,
                current_user,
                person,
                person_fields(form),
                active=bool(form.active.data),
                refusals=REFUSALS,
            )
            if outcome:
                return web.done(_saved(person, outcome.value), "admin.edit_person", person_id=person.id)
            _show_refusal(form, outcome.refusal)
            person = person_or_404(person_id)
    return person_page(person, form=form, status=400)


@bp.post("/people/<int:person_id>/password")
@policy.rule(policy.ADMIN)
def reset_password(person_id: int):
    """Set a new password for someone (they are signed out everywhere)."""
    person = person_or_404(person_id)
    form = PasswordForm()
    if form.validate_on_submit():
        outcome = web.attempt(
            people_admin.reset_password,
            db.session,
            current_user.id,
            person,
            form.new_password.data,
            refusals=people_admin.AdminRuleError,
        )
        if outcome:
            throttling.gate().clear_account(person.email, str(person.id))  # they may sign in at once
            if policy.is_own(current_user, person.id):
                message = "Your password has been changed. Sign in again with the new password."
            else:
                message = (
                    f"A new password has been set for {person.name}. They have been signed out everywhere; "
                    "tell them the new password securely."
                )
            return web.done(message, "admin.edit_person", person_id=person.id)
        form.new_password.errors.append(outcome.error)
        person = person_or_404(person_id)
    return person_page(person, password_form=form, status=400)


@bp.post("/people/<int:person_id>/two-factor")
@policy.rule(policy.ADMIN)
def reset_second_factor(person_id: int):
    """Remove someone's authenticator and recovery codes (a lost phone): they set it up again at next sign-in."""
    person = person_or_404(person_id)
    if not ActionForm().validate_on_submit():
        return person_page(person, status=400)
    mail = notify.mail_settings(current_app.config)
    web.attempt(people_admin.reset_second_factor, db.session, current_user.id, person, mail, refusals=())
    throttling.gate().clear_account(person.email, str(person.id))
    return web.done(
        f"{person.name}'s two-factor sign-in has been reset, and they have been told. They set up a new "
        "authenticator when they next sign in with their password.",
        "admin.edit_person",
        person_id=person.id,
    )
