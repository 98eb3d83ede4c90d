"""Appraisal (PDR) pages: my appraisals, starting one, the review with its gap analysis, the PDR pack
(PDF) and the team matrix (XLSX). The pages that change a review are in `changes`."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user

from competency_portal import charts, clock, exports, jobs, policy, web
from competency_portal.appraisal import bp
from competency_portal.appraisal.forms import PackForm, StartForm, VersionForm
from competency_portal.extensions import db
from competency_portal.jobs.handlers import PDR_PACK
from competency_portal.readiness import data
from competency_portal.services import appraisal as service
from competency_portal.services import appraisal_queries as queries
from competency_portal.services import appraisal_rules as rules
from competency_portal.services import team_xlsx as team_workbook
from competency_portal.text import plural

REOPEN_WARNING = (
    "These objectives have been agreed. Changing, adding or removing one sends them back to draft: "
    "both of you will need to agree them again, and any signature already given is withdrawn."
)


@bp.get("/appraisal")
@policy.rule(policy.SIGNED_IN)
def mine():
    """My appraisals, the appraisals I hold, and (for supervisors) whom I can start one for."""
    today = clock.today()
    own, holding = queries.for_user(db.session, current_user)
    return render_template(
        "appraisal/mine.html",
        own=own,
        holding=holding,
        supervisees=queries.active_supervisees(db.session, current_user, today),
        supervising=policy.allowed(db.session, current_user, policy.SUPERVISING, today),
    )


@bp.route("/people/<int:person_id>/appraisal/new", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def start(person_id: int):
    """Start a review cycle for a person (their supervisor, or an administrator)."""
    today = clock.today()
    person = policy.appraisee_for(db.session, current_user, person_id, today)
    form = StartForm()
    chooses = policy.chooses_appraiser(current_user)
    candidates = queries.appraiser_choices(db.session, person) if chooses else [current_user]
    form.appraiser.choices = [(0, "Choose the appraiser")] + [
        (u.id, f"{u.name} ({u.job_title or u.email})") for u in candidates
    ]
    if request.method == "GET":
        form.year.data = rules.year_label(today)
        default = queries.default_appraiser(db.session, person, current_user, today)
        form.appraiser.data = default.id if default is not None and default in candidates else 0
    elif form.validate_on_submit():
        appraiser = next((u for u in candidates if u.id == form.appraiser.data), None) if chooses else current_user
        if appraiser is None:
            form.appraiser.errors = ["Choose the appraiser"]
        else:
            outcome = web.attempt(
                service.start,
                db.session,
                person,
                appraiser,
                form.year.data,
                current_user,
                today,
                refusals=rules.AppraisalError,
            )
            if outcome:
                appraisal = outcome.value
                return web.done(
                    f"The {appraisal.year} appraisal has started with "
                    f"{plural(len(appraisal.objectives), 'objective')} proposed from the gap analysis. "
                    "Change them as you both see fit, then each of you agrees them.",
                    "appraisal.show",
                    appraisal_id=appraisal.id,
                )
            form.year.errors = [outcome.error]
    result = queries.readiness(db.session, person, today)
    return render_template(
        "appraisal/start.html",
        person=person,
        form=form,
        chooses_appraiser=chooses,
        proposals=queries.propose(db.session, person, result, today),
        role_title=queries.role_title(db.session, person),
    ), 400 if form.errors else 200


@bp.get("/appraisals/<int:appraisal_id>")
@policy.rule(policy.SIGNED_IN)
def show(appraisal_id: int):
    """The review: objectives and their items, progress, agreement and signatures, and the gap analysis."""
    today = clock.today()
    appraisal = policy.appraisal_for(db.session, current_user, appraisal_id)
    result = queries.readiness(db.session, appraisal.person, today)
    return render_template(
        "appraisal/show.html",
        appraisal=appraisal,
        result=result,
        charts=[charts.radar(result), charts.gaps_bar(result)] if result else [],
        form=VersionForm(data={"version": str(appraisal.lock_version)}),
        rights=policy.appraisal_rights(db.session, current_user, appraisal, today),
        linked=queries.linked_items(db.session, appraisal, result),
        role_title=queries.role_title(db.session, appraisal.person),
        headline=rules.headline(result),
        stale_signature=rules.signature_stale(appraisal),
        reopen_warning=REOPEN_WARNING,
        pack_form=PackForm(),
    )


@bp.post("/appraisals/<int:appraisal_id>/pdr-pack")
@policy.rule(policy.SIGNED_IN)
def pdf(appraisal_id: int):
    """Ask for the PDR pack as a PDF: made in the background, then downloaded from the job's page."""
    appraisal = policy.appraisal_for(db.session, current_user, appraisal_id)
    if not PackForm().validate_on_submit():
        return web.done(
            "That request had expired. Ask for the pack again.", "appraisal.show", appraisal_id=appraisal.id
        )
    job = jobs.submit(
        db.session,
        PDR_PACK,
        f"PDR pack: {appraisal.person.name}, {appraisal.year}",
        {"appraisal_id": appraisal.id},
        started_by=current_user,
        max_attempts=3,
    )
    db.session.commit()
    return redirect(url_for("main.job", job_id=job.id))


@bp.get("/team/matrix.xlsx")
@policy.rule(policy.SUPERVISING)
def team_xlsx():
    """My supervisees' readiness by domain, and item by item, as an XLSX workbook."""
    today = clock.today()
    people = queries.active_supervisees(db.session, current_user, today)
    results = data.readiness_for(db.session, people, today)
    titles = data.role_titles(db.session, {p.target_role for p in people if p.target_role})
    return Response(
        team_workbook.build(people, results, titles),
        mimetype=exports.XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="team-matrix-{today.isoformat()}.xlsx"'},
    )
