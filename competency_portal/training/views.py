"""Mandatory training, professional registration and DBS checks: my own, and (read-only) my supervisees'."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from competency_portal import clock, policy, web
from competency_portal.extensions import db
from competency_portal.models import User
from competency_portal.services import training as training_service
from competency_portal.services import training_records, training_rules
from competency_portal.training import bp
from competency_portal.training.forms import DbsForm, RecordForm, RegistrationForm


def _record_form(subjects) -> RecordForm:
    form = RecordForm()
    form.subject.choices = [("", "Choose a subject")] + [(s.slug, s.title) for s in subjects]
    form.completed_on.today = clock.today()
    return form


def _date_forms():
    registration, dbs = RegistrationForm(), DbsForm()
    dbs.checked_on.today = clock.today()
    return registration, dbs


def _page(person: User, record_form=None, registration_form=None, dbs_form=None, status: int = 200):
    today = clock.today()
    rights = policy.training_rights(current_user, person)
    record = training_service.history(db.session, person, today)
    if record_form is None and rights.add_record:
        record_form = _record_form(record.subjects)
    if rights.own and (registration_form is None or dbs_form is None):
        blank_registration, blank_dbs = _date_forms()
        registration_form, dbs_form = registration_form or blank_registration, dbs_form or blank_dbs
    add_url = url_for("training.add_record") if rights.own else url_for("training.add_record_for", person_id=person.id)
    return render_template(
        "training/person.html",
        person=person,
        own=rights.own,
        record=record,
        today=today,
        can_add=rights.add_record,
        add_url=add_url,
        record_form=record_form,
        registration_form=registration_form,
        dbs_form=dbs_form,
        counts=training_rules.summary_counts(record.status.all_rows),
        dbs_months=training_rules.DBS_RENEWAL_MONTHS,
    ), status


def _save_record(person: User):
    policy.require(policy.can_add_training(current_user, person), 403)
    subjects = training_service.current_subjects(db.session)
    form = _record_form(subjects)
    if form.validate_on_submit():
        outcome = web.attempt(
            training_records.add_record,
            db.session,
            person,
            form.subject.data,
            form.completed_on.data,
            form.expires_on.data,
            form.note.data,
            current_user,
            clock.today(),
            refusals=training_records.TrainingError,
        )
        if outcome:
            title = next(s.title for s in subjects if s.slug == form.subject.data)
            message = f"{title}: completion on {form.completed_on.data:%-d %B %Y} recorded."
            if policy.training_rights(current_user, person).own:
                return web.done(message, "training.mine")
            return web.done(message, "training.person", person_id=person.id)
        form.subject.errors = [*form.subject.errors, outcome.error]
    return _page(person, record_form=form, status=400)


@bp.get("/training")
@policy.rule(policy.SIGNED_IN)
def mine():
    """My mandatory training, registration and DBS check, with what needs renewing."""
    return _page(current_user)


@bp.post("/training/records")
@policy.rule(policy.SIGNED_IN)
def add_record():
    """Record that I completed a training subject (a new record; earlier ones are kept)."""
    return _save_record(current_user)


@bp.post("/training/registration")
@policy.rule(policy.SIGNED_IN)
def registration():
    """Record my professional registration (the newest entry is the current one)."""
    form, dbs_form = _date_forms()
    if form.validate_on_submit():
        outcome = web.attempt(
            training_records.add_registration,
            db.session,
            current_user,
            form.body.data,
            form.number.data,
            form.renewal_on.data,
            current_user,
            refusals=training_records.TrainingError,
        )
        if outcome:
            return web.done(
                f"Registration with {form.body.data.strip()} recorded, renewal due {form.renewal_on.data:%-d %B %Y}.",
                "training.mine",
            )
        form.body.errors = [*form.body.errors, outcome.error]
    return _page(current_user, registration_form=form, dbs_form=dbs_form, status=400)


@bp.post("/training/dbs")
@policy.rule(policy.SIGNED_IN)
def dbs():
    """Record a DBS check (the latest check is the current one)."""
    registration_form, form = _date_forms()
    if form.validate_on_submit():
        outcome = web.attempt(
            training_records.add_dbs_check,
            db.session,
            current_user,
            form.checked_on.data,
            form.level.data,
            form.certificate_number.data,
            current_user,
            clock.today(),
            refusals=training_records.TrainingError,
        )
        if outcome:
            return web.done(f"DBS check of {form.checked_on.data:%-d %B %Y} recorded.", "training.mine")
        form.level.errors = [*form.level.errors, outcome.error]
    return _page(current_user, registration_form=registration_form, dbs_form=form, status=400)


@bp.get("/people/<int:person_id>/training")
@policy.rule(policy.SIGNED_IN)
def person(person_id: int):
    """A supervisee's training (read-only), or anyone's for administrators."""
    who = policy.trainee_for(db.session, current_user, person_id, clock.today())
    if policy.training_rights(current_user, who).own:
        return web.done(None, "training.mine")
    return _page(who)


@bp.post("/people/<int:person_id>/training/records")
@policy.rule(policy.ADMIN)
def add_record_for(person_id: int):
    """An administrator records a completion for someone (from a certificate or the learning system)."""
    return _save_record(policy.trainee_for(db.session, current_user, person_id, clock.today()))
