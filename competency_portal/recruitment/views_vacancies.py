"""Recruitment views: the vacancies I lead or sit on, opening one, a vacancy's page, and moving it on.

Every route needs the recruiter role; a vacancy is seen only by its lead and panel (others get
404, so as not to reveal it exists). Candidates' names and emails are never shown to the panel,
lead included, until the shortlist is agreed: pages show reference codes.
"""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user
from wtforms import SelectChoice

from competency_portal import clock, policy, web
from competency_portal.extensions import db
from competency_portal.models import VacancyStatus
from competency_portal.recruitment import VACANCY, bp
from competency_portal.recruitment.forms_vacancies import AdvanceForm, VacancyForm
from competency_portal.services import recruitment_journey, recruitment_progress, recruitment_steps, vacancies


def _vacancy_form() -> VacancyForm:
    form = VacancyForm()
    form.closing_on.today = None
    form.team_id.choices = [SelectChoice("", "No team")] + [
        SelectChoice(str(t.id), t.name) for t in vacancies.team_choices(db.session)
    ]
    form.spec_version_id.choices = [SelectChoice("", "Choose a person specification")] + [
        SelectChoice(str(v.id), f"{v.title} (version {v.version_label})") for v in vacancies.spec_choices(db.session)
    ]
    form.panel.choices = [
        SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in policy.panel_candidates(db.session, current_user)
    ]
    return form


@bp.get("/recruitment", endpoint="vacancies")
@policy.rule(policy.RECRUITER)
def vacancies_list():
    """The vacancies I lead or sit on, each with my part and my next step."""
    found = vacancies.visible(db.session, current_user)
    facts = recruitment_progress.progress_for_list(db.session, found, current_user.id)
    today = clock.today()
    rows = []
    for v in found:
        rights = policy.rights_on(current_user, v)
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
        opened = web.attempt(
            vacancies.create_vacancy, db.session, current_user, fields, refusals=vacancies.VacancyError
        )
        if opened:
            return web.done(
                f"The vacancy {opened.value.title} has been opened. Add applications when they arrive.",
                "recruitment.vacancy",
                vacancy_id=opened.value.id,
            )
        form[opened.refusal.field or "title"].errors.append(opened.refusal.message)
    status = 400 if form.errors else 200
    return render_template(
        "recruitment/vacancy_new.html",
        form=form,
        has_specs=len(form.spec_version_id.choices) > 1,
        has_panel=bool(form.panel.choices),
    ), status


@bp.get(VACANCY)
@policy.rule(policy.RECRUITER)
def vacancy(vacancy_id: int):
    """A vacancy: what to do next, every step of the recruitment, details, panel and applications."""
    found = policy.vacancy_for(db.session, current_user, vacancy_id)
    rights = policy.rights_on(current_user, found)
    upcoming = vacancies.next_status(found)
    advance_form = AdvanceForm(formdata=None, to=upcoming.value if upcoming else "", version=str(found.lock_version))
    facts = recruitment_progress.progress(db.session, found, current_user.id, rights)
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
        tasks=recruitment_journey.journey(facts, rights),
    )


@bp.post(VACANCY + "/advance")
@policy.rule(policy.RECRUITER)
def advance(vacancy_id: int):
    """Move the vacancy to its next status (the lead only)."""
    found = policy.vacancy_for(db.session, current_user, vacancy_id)
    policy.require(policy.is_vacancy_lead(current_user, found), 403)
    form = AdvanceForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        to = VacancyStatus(form.to.data or "")
        version = int(form.version.data or "")
    except ValueError:
        abort(400)
    moved = web.attempt(
        vacancies.advance, db.session, found, current_user, to, version, refusals=vacancies.VacancyError
    )
    if moved:
        return web.done(f"The vacancy is now {to.label.lower()}.", "recruitment.vacancy", vacancy_id=vacancy_id)
    return web.refused(moved, "recruitment.vacancy", vacancy_id=vacancy_id)
