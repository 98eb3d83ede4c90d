"""Recruitment views: vacancies, applications (by form or CSV import) and the application as the
panel sees it.

Every route needs the recruiter role; a vacancy is seen only by its lead and panel (others get
404, so as not to reveal it exists). Candidates' names and emails are never shown to the panel,
lead included, until the shortlist is agreed: pages show reference codes.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from competency_portal import clock, policy
from competency_portal.extensions import db
from competency_portal.models import Application, Vacancy, VacancyStatus
from competency_portal.recruitment import bp
from competency_portal.recruitment.forms_vacancies import (
    AdvanceForm,
    ApplicationForm,
    ConfirmImportForm,
    ImportForm,
    VacancyForm,
)
from competency_portal.services import application_import, portfolio_share, recruitment_steps, vacancies
from competency_portal.services.notify import mail_settings

TOKEN = re.compile(r"^[0-9a-f]{32}$")
IMPORT_KEEP_SECONDS = 24 * 60 * 60
BUSY = "Someone else changed this vacancy at the same moment, so nothing was saved. Try again."


# -- helpers ----------------------------------------------------------------------------


def _vacancy_or_404(vacancy_id: int) -> Vacancy:
    vacancy = db.session.get(Vacancy, vacancy_id)
    policy.require(vacancy is not None and policy.can_see_vacancy(current_user, vacancy))
    return vacancy


def _lead_or_403(vacancy: Vacancy) -> None:
    if not policy.is_vacancy_lead(current_user, vacancy):
        abort(403)


def _rights(vacancy: Vacancy) -> policy.VacancyRights:
    member = next((m for m in vacancy.panel if m.user_id == current_user.id), None)
    return policy.vacancy_rights(current_user, vacancy, member)


def _application_or_404(vacancy: Vacancy, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    policy.require(application is not None and application.vacancy_id == vacancy.id)
    return application


def _imports_dir() -> Path:
    path = Path(current_app.instance_path) / "application_imports"
    path.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - IMPORT_KEEP_SECONDS
    for old in path.glob("*.csv"):  # previewed, never confirmed: removed after a day
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    return path


def _stored(vacancy: Vacancy, token: str) -> Path:
    # The vacancy id is part of the name, so a token cannot be confirmed against another vacancy.
    return _imports_dir() / f"{vacancy.id}-{token}.csv"


def _vacancy_form(formdata=None) -> VacancyForm:
    form = VacancyForm(formdata=formdata) if formdata is not None else VacancyForm()
    form.closing_on.today = None
    form.team_id.choices = [SelectChoice("", "No team")] + [
        SelectChoice(str(t.id), t.name) for t in vacancies.team_choices(db.session)
    ]
    form.spec_version_id.choices = [SelectChoice("", "Choose a person specification")] + [
        SelectChoice(str(v.id), f"{v.title} (version {v.version_label})") for v in vacancies.spec_choices(db.session)
    ]
    form.panel.choices = [
        SelectChoice(str(u.id), f"{u.name} ({u.email})")
        for u in vacancies.recruiter_choices(db.session)
        if u.id != current_user.id
    ]
    return form


# -- vacancies --------------------------------------------------------------------------


@bp.get("/recruitment", endpoint="vacancies")
@policy.rule(policy.RECRUITER)
def vacancies_list():
    """The vacancies I lead or sit on, each with my part and my next step."""
    found = vacancies.visible(db.session, current_user)
    facts = recruitment_steps.progress_for_list(db.session, found, current_user.id)
    today = clock.today()
    rows = []
    for v in found:
        rights = _rights(v)
        rows.append(
            (
                v,
                facts[v.id].applications,
                "Lead" if rights.lead else "Panel member",
                recruitment_steps.next_step(facts[v.id], rights, today),
            )
        )
    return render_template("recruitment/vacancies.html", rows=rows)


@bp.route("/recruitment/vacancies/new", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def new_vacancy():
    """Open a vacancy against a person specification, with its panel; the creator leads it."""
    form = _vacancy_form()
    if form.validate_on_submit():
        fields = vacancies.VacancyFields(
            title=form.title.data.strip(),
            band=(form.band.data or "").strip() or None,
            team_id=form.team_id.data,
            closing_on=form.closing_on.data,
            spec_version_id=form.spec_version_id.data,
            panel_ids=list(form.panel.data or []),
        )
        try:
            vacancy = vacancies.create_vacancy(db.session, current_user, fields)
            db.session.commit()
        except vacancies.VacancyError as problem:
            db.session.rollback()
            form[problem.field or "title"].errors.append(problem.message)
        else:
            flash(f"The vacancy {vacancy.title} has been opened. Add applications when they arrive.")
            return redirect(url_for("recruitment.vacancy", vacancy_id=vacancy.id))
    status = 400 if form.errors else 200
    return render_template(
        "recruitment/vacancy_new.html",
        form=form,
        has_specs=len(form.spec_version_id.choices) > 1,
        has_panel=bool(form.panel.choices),
    ), status


@bp.get("/recruitment/vacancies/<int:vacancy_id>")
@policy.rule(policy.RECRUITER)
def vacancy(vacancy_id: int):
    """A vacancy: what to do next, every step of the recruitment, details, panel and applications."""
    found = _vacancy_or_404(vacancy_id)
    rights = _rights(found)
    upcoming = vacancies.next_status(found)
    advance_form = AdvanceForm(formdata=None, to=upcoming.value if upcoming else "", version=str(found.lock_version))
    facts = recruitment_steps.progress(db.session, found, current_user.id, rights)
    return render_template(
        "recruitment/vacancy.html",
        vacancy=found,
        rights=rights,
        next_status=upcoming,
        advance_form=advance_form,
        applications=vacancies.applications(db.session, found.id),
        criteria=vacancies.criteria(db.session, found.spec_version_id),
        interview_criteria=vacancies.criteria(db.session, found.spec_version_id, "interview"),
        panel=[(m.user.name, m.user_id == found.lead_id) for m in found.panel],
        facts=facts,
        step=recruitment_steps.next_step(facts, rights, clock.today()),
        tasks=recruitment_steps.journey(facts, rights),
    )


@bp.post("/recruitment/vacancies/<int:vacancy_id>/advance")
@policy.rule(policy.RECRUITER)
def advance(vacancy_id: int):
    """Move the vacancy to its next status (the lead only)."""
    found = _vacancy_or_404(vacancy_id)
    _lead_or_403(found)
    form = AdvanceForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        to = VacancyStatus(form.to.data or "")
        version = int(form.version.data or "")
    except ValueError:
        abort(400)
    back = redirect(url_for("recruitment.vacancy", vacancy_id=found.id))
    try:
        vacancies.advance(db.session, found, current_user, to, version)
        db.session.commit()
    except vacancies.VacancyError as problem:
        db.session.rollback()
        flash(problem.message)
        return back
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        flash(BUSY)
        return back
    flash(f"The vacancy is now {to.label.lower()}.")
    return back


# -- applications -----------------------------------------------------------------------


def _answers(criteria) -> tuple[dict[int, str], dict[int, str]]:
    """The per-criterion answers in the form, and any too long."""
    answers, errors = {}, {}
    limit = vacancies.LIMITS["answer"]
    for c in criteria:
        text = (request.form.get(f"answer-{c.id}") or "").strip()
        if len(text) > limit:
            errors[c.id] = f"Enter an answer for {c.code} of {limit:,} characters or fewer"
        if text:
            answers[c.id] = text
    return answers, errors


@bp.route("/recruitment/vacancies/<int:vacancy_id>/applications/new", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def new_application(vacancy_id: int):
    """Enter one application (the lead, while the vacancy is open or shortlisting)."""
    found = _vacancy_or_404(vacancy_id)
    _lead_or_403(found)
    criteria = vacancies.criteria(db.session, found.spec_version_id)
    if found.status not in vacancies.ADDING_STATUSES:
        return render_template("recruitment/application_closed.html", vacancy=found), 409
    form = ApplicationForm()
    answers, answer_errors = ({}, {})
    if request.method == "POST":
        answers, answer_errors = _answers(criteria)
    if form.validate_on_submit() and not answer_errors:
        fields = vacancies.ApplicationFields(
            candidate_name=form.candidate_name.data.strip(),
            email=form.email.data,
            supporting_statement=form.supporting_statement.data.strip(),
            internal=bool(form.internal.data),
            guaranteed_interview=bool(form.guaranteed_interview.data),
            portfolio_consent=bool(form.portfolio_consent.data),
            answers=answers,
        )
        try:
            application = vacancies.add_application(
                db.session, found, current_user, fields, mail_settings(current_app.config)
            )
            db.session.commit()
        except vacancies.VacancyError as problem:
            db.session.rollback()
            form[problem.field or "candidate_name"].errors.append(problem.message)
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            form.candidate_name.errors.append(BUSY)
        else:
            flash(f"Application {application.reference} has been added.")
            return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))
        found = _vacancy_or_404(vacancy_id)
    status = 400 if (form.errors or answer_errors) else 200
    return render_template(
        "recruitment/application_new.html",
        vacancy=found,
        form=form,
        criteria=criteria,
        answers={c.id: request.form.get(f"answer-{c.id}", "") for c in criteria},
        answer_errors=answer_errors,
    ), status


@bp.route("/recruitment/vacancies/<int:vacancy_id>/applications/import", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def import_applications(vacancy_id: int):
    """Step 1: upload a CSV of applications and see every row's problems before anything is written."""
    found = _vacancy_or_404(vacancy_id)
    _lead_or_403(found)
    criteria = vacancies.criteria(db.session, found.spec_version_id)
    if found.status not in vacancies.ADDING_STATUSES:
        return render_template("recruitment/application_closed.html", vacancy=found), 409
    form = ImportForm()
    preview, token = None, None
    if form.validate_on_submit():
        data = form.file.data.stream.read(application_import.MAX_BYTES + 1)
        preview = application_import.preview_for(db.session, found, data)
        if preview.problem:
            form.file.errors.append(preview.problem)
            preview = None
        elif preview.ok:
            token = secrets.token_hex(16)
            _stored(found, token).write_bytes(data)
    status = 400 if form.errors or (preview is not None and not preview.ok) else 200
    return render_template(
        "recruitment/import_applications.html",
        vacancy=found,
        form=form,
        preview=preview,
        token=token,
        confirm_form=ConfirmImportForm(formdata=None, token=token) if token else None,
        criteria=criteria,
        columns=application_import.REQUIRED,
        max_rows=application_import.MAX_ROWS,
    ), status


@bp.post("/recruitment/vacancies/<int:vacancy_id>/applications/import/confirm")
@policy.rule(policy.RECRUITER)
def confirm_import(vacancy_id: int):
    """Step 2: check the same file again and add every application in one transaction, or none."""
    found = _vacancy_or_404(vacancy_id)
    _lead_or_403(found)
    form = ConfirmImportForm()
    token = form.token.data or ""
    again = redirect(url_for("recruitment.import_applications", vacancy_id=found.id))
    if not form.validate_on_submit() or not TOKEN.match(token):
        flash("That upload could not be found. Upload the file again.")
        return again
    stored = _stored(found, token)
    if not stored.is_file():
        flash("That upload has already been imported or has expired. Upload the file again.")
        return again
    if found.status not in vacancies.ADDING_STATUSES:
        stored.unlink(missing_ok=True)
        return render_template("recruitment/application_closed.html", vacancy=found), 409
    preview = application_import.preview_for(db.session, found, stored.read_bytes())
    if not preview.ok:
        stored.unlink(missing_ok=True)
        return render_template(
            "recruitment/import_applications.html",
            vacancy=found,
            form=ImportForm(formdata=None),
            preview=preview,
            token=None,
            confirm_form=None,
            changed_since=True,
            problem=preview.problem,
            criteria=vacancies.criteria(db.session, found.spec_version_id),
            columns=application_import.REQUIRED,
            max_rows=application_import.MAX_ROWS,
        ), 409
    try:
        made = application_import.apply(
            db.session, found, current_user, preview, token, mail_settings(current_app.config)
        )
        db.session.commit()
    except (IntegrityError, StaleDataError, ValueError, vacancies.VacancyError):
        db.session.rollback()
        flash("Nothing was imported: the vacancy changed while the import ran. Upload the file again.")
        return again
    stored.unlink(missing_ok=True)
    flash(
        f"{len(made)} application{'' if len(made) == 1 else 's'} imported: {made[0].reference} to {made[-1].reference}."
    )
    return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))


@bp.get("/recruitment/vacancies/<int:vacancy_id>/applications/<int:application_id>")
@policy.rule(policy.RECRUITER)
def application(vacancy_id: int, application_id: int):
    """An application as the panel sees it, with any verified portfolio the candidate shares."""
    found = _vacancy_or_404(vacancy_id)
    app_ = _application_or_404(found, application_id)
    criteria = vacancies.criteria(db.session, found.spec_version_id)
    answers = {a.item_id: a.text for a in app_.answers}
    shared = portfolio_share.evidence_by_criterion(db.session, app_, criteria)
    return render_template(
        "recruitment/application.html",
        vacancy=found,
        application=app_,
        criteria=criteria,
        answers=answers,
        shared=shared,
        sharing=portfolio_share.shares(app_),
        rights=_rights(found),
    )
