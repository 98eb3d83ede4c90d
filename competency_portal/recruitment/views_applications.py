"""Recruitment views: adding applications (one by form, or many from a CSV file, previewed first)
and an application as the panel sees it.

Every route needs the recruiter role; a vacancy is seen only by its lead and panel (others get
404), and only its lead adds applications. The panel, lead included, sees applications by
reference until the shortlist is agreed.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from competency_portal import jobs, policy, web
from competency_portal.extensions import db
from competency_portal.jobs.handlers import APPLICATION_IMPORT
from competency_portal.models import Vacancy
from competency_portal.recruitment import VACANCY, bp
from competency_portal.recruitment.forms_vacancies import ApplicationForm, ConfirmImportForm, ImportForm
from competency_portal.services import application_import, import_staging, portfolio_share, vacancies
from competency_portal.services.notify import mail_settings


def _staging() -> import_staging.Staging:
    """Where uploaded application files wait between their preview and their confirmation."""
    return import_staging.Staging(Path(current_app.instance_path) / "application_imports")


def _scope(vacancy: Vacancy) -> str:
    # A staged file belongs to its vacancy, so a token cannot be confirmed against another.
    return f"vacancy-{vacancy.id}"


def _closed(vacancy: Vacancy):
    return render_template("recruitment/application_closed.html", vacancy=vacancy), 409


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


@bp.route(VACANCY + "/applications/new", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def new_application(vacancy_id: int):
    """Enter one application (the lead, while the vacancy is open or shortlisting)."""
    found = policy.vacancy_for(db.session, current_user, vacancy_id)
    policy.require(policy.is_vacancy_lead(current_user, found), 403)
    criteria = vacancies.criteria(db.session, found.spec_version_id)
    if found.status not in vacancies.ADDING_STATUSES:
        return _closed(found)
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
        added = web.attempt(
            vacancies.add_application,
            db.session,
            found,
            current_user,
            fields,
            mail_settings(current_app.config),
            refusals=vacancies.VacancyError,
        )
        if added:
            return web.done(
                f"Application {added.value.reference} has been added.", "recruitment.vacancy", vacancy_id=vacancy_id
            )
        form[added.refusal.field or "candidate_name"].errors.append(added.refusal.message)
        found = policy.vacancy_for(db.session, current_user, vacancy_id)
    status = 400 if (form.errors or answer_errors) else 200
    return render_template(
        "recruitment/application_new.html",
        vacancy=found,
        form=form,
        criteria=criteria,
        answers={c.id: request.form.get(f"answer-{c.id}", "") for c in criteria},
        answer_errors=answer_errors,
    ), status


def _render_import(vacancy: Vacancy, status: int, **page):
    return render_template(
        "recruitment/import_applications.html",
        vacancy=vacancy,
        criteria=vacancies.criteria(db.session, vacancy.spec_version_id),
        columns=application_import.REQUIRED,
        max_rows=application_import.MAX_ROWS,
        **page,
    ), status


@bp.route(VACANCY + "/applications/import", methods=["GET", "POST"])
@policy.rule(policy.RECRUITER)
def import_applications(vacancy_id: int):
    """Step 1: upload a CSV of applications and see every row's problems before anything is written."""
    found = policy.vacancy_for(db.session, current_user, vacancy_id)
    policy.require(policy.is_vacancy_lead(current_user, found), 403)
    if found.status not in vacancies.ADDING_STATUSES:
        return _closed(found)
    form = ImportForm()
    preview, token = None, None
    if form.validate_on_submit():
        data = form.file.data.stream.read(application_import.MAX_BYTES + 1)
        preview = application_import.preview_for(db.session, found, data)
        if preview.problem:
            form.file.errors.append(preview.problem)
            preview = None
        elif preview.ok:
            token = _staging().put(_scope(found), data)
    status = 400 if form.errors or (preview is not None and not preview.ok) else 200
    return _render_import(
        found,
        status,
        form=form,
        preview=preview,
        token=token,
        confirm_form=ConfirmImportForm(formdata=None, token=token) if token else None,
    )


@bp.post(VACANCY + "/applications/import/confirm")
@policy.rule(policy.RECRUITER)
def confirm_import(vacancy_id: int):
    """Step 2: check the same file again, and hand it to a background job that adds every application, or none."""
    found = policy.vacancy_for(db.session, current_user, vacancy_id)
    policy.require(policy.is_vacancy_lead(current_user, found), 403)
    form = ConfirmImportForm()
    token = form.token.data or ""
    again = redirect(url_for("recruitment.import_applications", vacancy_id=vacancy_id))
    if not form.validate_on_submit() or not import_staging.TOKEN.match(token):
        flash("That upload could not be found. Upload the file again.")
        return again
    staging, scope = _staging(), _scope(found)
    data = staging.get(scope, token)
    if data is None:
        flash("That upload has already been imported or has expired. Upload the file again.")
        return again
    if found.status not in vacancies.ADDING_STATUSES:
        staging.discard(scope, token)
        return _closed(found)
    preview = application_import.preview_for(db.session, found, data)
    if not preview.ok:
        staging.discard(scope, token)
        return _render_import(
            found,
            409,
            form=ImportForm(formdata=None),
            preview=preview,
            token=None,
            confirm_form=None,
            changed_since=True,
            problem=preview.problem,
        )
    job = jobs.submit(
        db.session,
        APPLICATION_IMPORT,
        f"Import applications for {found.title}",
        {"vacancy_id": found.id, "reference": token, "mail": mail_settings(current_app.config)},
        started_by=current_user,
        data=data,
        max_attempts=3,
    )
    db.session.commit()
    staging.discard(scope, token)
    return redirect(url_for("main.job", job_id=job.id))


@bp.get(VACANCY + "/applications/<int:application_id>")
@policy.rule(policy.RECRUITER)
def application(vacancy_id: int, application_id: int):
    """An application as the panel sees it, with any verified portfolio the candidate shares."""
    found = policy.vacancy_for(db.session, current_user, vacancy_id)
    app_ = policy.application_for(db.session, found, application_id)
    criteria = vacancies.criteria(db.session, found.spec_version_id)
    shared = portfolio_share.evidence_by_criterion(db.session, app_, criteria)
    return render_template(
        "recruitment/application.html",
        vacancy=found,
        application=app_,
        criteria=criteria,
        answers={a.item_id: a.text for a in app_.answers},
        shared=shared,
        sharing=portfolio_share.shares(app_),
        rights=policy.rights_on(current_user, found),
    )
