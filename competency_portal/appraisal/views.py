"""Appraisal (PDR) pages: my appraisals, starting one, the review with its gap analysis, objectives,
progress, agreeing, the year-end summary, signing, the PDR pack (PDF) and the team matrix (XLSX)."""

from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from competency_portal import charts, clock, policy
from competency_portal.appraisal import bp
from competency_portal.appraisal.forms import ObjectiveForm, ProgressForm, StartForm, SummaryForm, VersionForm
from competency_portal.extensions import db
from competency_portal.models import Appraisal, AppraisalState, Objective, ObjectiveStatus, Role, User
from competency_portal.readiness import data
from competency_portal.readiness.model import Readiness
from competency_portal.services import appraisal as service
from competency_portal.services import pdr_pdf
from competency_portal.services import team_xlsx as team_workbook
from competency_portal.text import plural

REOPEN_WARNING = (
    "These objectives have been agreed. Changing, adding or removing one sends them back to draft: "
    "both of you will need to agree them again, and any signature already given is withdrawn."
)


# -- helpers ------------------------------------------------------------------------------


def _visible(appraisal_id: int) -> Appraisal:
    """The appraisal, if the signed-in person may see it; otherwise 404."""
    appraisal = service.load(db.session, appraisal_id)
    policy.require(appraisal is not None and service.can_view(current_user, appraisal))
    return appraisal


def _taking_part(appraisal_id: int) -> Appraisal:
    """The appraisal, for its person or appraiser: 404 to those who may not see it, 403 to others who may."""
    appraisal = _visible(appraisal_id)
    if not service.is_party(current_user, appraisal):
        abort(403)
    return appraisal


def _objective(appraisal: Appraisal, objective_id: int) -> Objective:
    found = next((o for o in appraisal.objectives if o.id == objective_id), None)
    policy.require(found is not None)
    return found


def _seen(form) -> int:
    raw = form.version.data or ""
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 10 else -1  # unreadable: treat as stale


def _show(appraisal: Appraisal, anchor: str | None = None):
    return redirect(url_for("appraisal.show", appraisal_id=appraisal.id) + (f"#{anchor}" if anchor else ""))


def _conflict(appraisal_id: int, exc: Exception):
    db.session.rollback()
    flash(str(exc))
    return redirect(url_for("appraisal.show", appraisal_id=appraisal_id))


def _readonly(appraisal: Appraisal):
    """Redirect (with the reason) if the review can no longer be changed, else None."""
    if appraisal.state == AppraisalState.SIGNED:
        flash("This review has been signed by both of you, so it can no longer be changed.")
        return _show(appraisal)
    return None


def _readiness(person: User) -> Readiness | None:
    return data.readiness_for(db.session, [person], clock.today()).get(person.id)


def _role_title(person: User) -> str | None:
    if not person.target_role:
        return None
    return data.role_titles(db.session, {person.target_role}).get(person.target_role, person.target_role)


def _linked(appraisal: Appraisal, result: Readiness | None) -> dict[int, list[pdr_pdf.LinkedItem]]:
    """Each objective's linked items, with where the person stands on each now."""
    keys = service.item_keys(db.session, {i for o in appraisal.objectives for i in (o.item_ids or [])})
    status = {i.required.key: i.status.label for i in result.items} if result else {}
    out = {}
    for o in appraisal.objectives:
        out[o.id] = [
            pdr_pdf.LinkedItem(keys[i][1].code, keys[i][1].statement, status.get(keys[i][0], "Not in the target role"))
            for i in (o.item_ids or [])
            if i in keys
        ]
    return out


def _headline(result: Readiness | None) -> str | None:
    if result is None:
        return None
    return (
        f"{round(result.share * 100)}% ready: {result.met} of {result.required} required items verified at target, "
        f"{len(result.lapsing())} lapsing within 90 days."
        + (" Ready for the role." if result.ready else " Not yet ready for the role.")
    )


def _item_choices(appraisal: Appraisal, result: Readiness | None, linked: list[int]) -> list[tuple[int, str]]:
    """Items an objective may address: those linked already and the person's current gaps."""
    ids = service.role_item_ids(db.session, appraisal.person.target_role)
    wanted = list(
        dict.fromkeys(
            list(linked)
            + [
                ids[g.required.key]
                for g in (result.gaps() if result else [])[: service.GAPS_CONSIDERED]
                if g.required.key in ids
            ]
        )
    )
    keys = service.item_keys(db.session, set(wanted))
    return [(i, f"{keys[i][1].code}: {_clip(keys[i][1].statement)}") for i in wanted if i in keys]


def _clip(statement: str, limit: int = 140) -> str:
    return statement if len(statement) <= limit else statement[: limit - 1] + "…"


# -- pages --------------------------------------------------------------------------------


@bp.get("/appraisal")
@policy.rule(policy.SIGNED_IN)
def mine():
    """My appraisals, the appraisals I hold, and (for supervisors) whom I can start one for."""
    today = clock.today()
    own, holding = service.for_user(db.session, current_user)
    supervisees = db.session.scalars(
        select(User)
        .where(User.id.in_(policy.supervisees(db.session, current_user.id, today)), User.active.is_(True))
        .order_by(User.name)
    ).all()
    supervising = Role.SUPERVISOR in current_user.roles or policy.is_covering(db.session, current_user.id, today)
    return render_template(
        "appraisal/mine.html", own=own, holding=holding, supervisees=supervisees, supervising=supervising
    )


@bp.route("/people/<int:person_id>/appraisal/new", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def start(person_id: int):
    """Start a review cycle for a person (their supervisor, or an administrator)."""
    today = clock.today()
    person = db.session.get(User, person_id)
    policy.require(person is not None and service.can_start(db.session, current_user, person, today))
    form = StartForm()
    is_admin = Role.ADMIN in current_user.roles
    candidates = service.appraiser_choices(db.session, person) if is_admin else [current_user]
    form.appraiser.choices = [(0, "Choose the appraiser")] + [
        (u.id, f"{u.name} ({u.job_title or u.email})") for u in candidates
    ]
    if request.method == "GET":
        form.year.data = service.year_label(today)
        default = service.default_appraiser(db.session, person, current_user, today)
        form.appraiser.data = default.id if default is not None and default in candidates else 0
    elif form.validate_on_submit():
        appraiser = current_user if not is_admin else next((u for u in candidates if u.id == form.appraiser.data), None)
        if appraiser is None:
            form.appraiser.errors = ["Choose the appraiser"]
        else:
            try:
                appraisal = service.start(db.session, person, appraiser, form.year.data, current_user, today)
            except service.AppraisalError as exc:
                db.session.rollback()
                form.year.errors = [str(exc)]
            else:
                db.session.commit()
                flash(
                    f"The {appraisal.year} appraisal has started with {plural(len(appraisal.objectives), 'objective')} proposed from the gap analysis. "
                    "Change them as you both see fit, then each of you agrees them."
                )
                return _show(appraisal)
    result = _readiness(person)
    proposals = service.propose(db.session, person, result, today)
    return render_template(
        "appraisal/start.html",
        person=person,
        form=form,
        is_admin=is_admin,
        proposals=proposals,
        role_title=_role_title(person),
    ), 400 if form.errors else 200


@bp.get("/appraisals/<int:appraisal_id>")
@policy.rule(policy.SIGNED_IN)
def show(appraisal_id: int):
    """The review: objectives and their items, progress, agreement and signatures, and the gap analysis."""
    appraisal = _visible(appraisal_id)
    result = _readiness(appraisal.person)
    figures = [charts.radar(result), charts.gaps_bar(result)] if result else []
    form = VersionForm(data={"version": str(appraisal.lock_version)})
    party = service.is_party(current_user, appraisal)
    side = ("person" if current_user.id == appraisal.user_id else "appraiser") if party else None
    return render_template(
        "appraisal/show.html",
        appraisal=appraisal,
        result=result,
        charts=figures,
        form=form,
        party=party,
        side=side,
        linked=_linked(appraisal, result),
        role_title=_role_title(appraisal.person),
        headline=_headline(result),
        stale_signature=service.signature_stale(appraisal),
        reopen_warning=REOPEN_WARNING,
        can_see_dashboard=policy.can_view_person(db.session, current_user, appraisal.user_id, clock.today()),
    )


def _objective_page(appraisal: Appraisal, objective: Objective | None):
    result = _readiness(appraisal.person)
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
    form.items.choices = _item_choices(appraisal, result, list(objective.item_ids or []) if objective else [])
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
        try:
            if objective is None:
                _, reopened = service.add_objective(db.session, appraisal, current_user, _seen(form), **fields)
            else:
                reopened = service.edit_objective(db.session, appraisal, objective, current_user, _seen(form), **fields)
        except service.AppraisalConflict as exc:
            return _conflict(appraisal.id, exc)
        except service.AppraisalError as exc:
            db.session.rollback()
            form.title.errors = [str(exc)]
        else:
            db.session.commit()
            flash(
                ("Objective added." if objective is None else "Objective saved.")
                + (" The objectives went back to draft: both of you need to agree them again." if reopened else "")
            )
            return _show(appraisal, "objectives")
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
    appraisal = _taking_part(appraisal_id)
    return _readonly(appraisal) or _objective_page(appraisal, None)


@bp.route("/appraisals/<int:appraisal_id>/objectives/<int:objective_id>", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def edit_objective(appraisal_id: int, objective_id: int):
    """Change an objective's title, description, due date and linked items."""
    appraisal = _taking_part(appraisal_id)
    objective = _objective(appraisal, objective_id)
    return _readonly(appraisal) or _objective_page(appraisal, objective)


@bp.post("/appraisals/<int:appraisal_id>/objectives/<int:objective_id>/remove")
@policy.rule(policy.SIGNED_IN)
def remove_objective(appraisal_id: int, objective_id: int):
    """Remove an objective."""
    appraisal = _taking_part(appraisal_id)
    objective = _objective(appraisal, objective_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    title = objective.title
    try:
        reopened = service.remove_objective(db.session, appraisal, objective, current_user, _seen(form))
    except service.AppraisalError as exc:
        return _conflict(appraisal_id, exc)
    db.session.commit()
    flash(
        f"Objective removed: {title}."
        + (" The objectives went back to draft: both of you need to agree them again." if reopened else "")
    )
    return _show(appraisal, "objectives")


@bp.route("/appraisals/<int:appraisal_id>/objectives/<int:objective_id>/progress", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def progress(appraisal_id: int, objective_id: int):
    """Record progress on an objective and set its status, once the objectives are agreed."""
    appraisal = _taking_part(appraisal_id)
    objective = _objective(appraisal, objective_id)
    if (stop := _readonly(appraisal)) is not None:
        return stop
    if appraisal.state != AppraisalState.AGREED:
        flash("Progress can be recorded once both of you have agreed the objectives.")
        return _show(appraisal)
    if request.method == "GET":
        form = ProgressForm(
            formdata=None,
            data={"status": ObjectiveStatus(objective.status).value, "version": str(appraisal.lock_version)},
        )
    else:
        form = ProgressForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.record_progress(
                db.session,
                appraisal,
                objective,
                current_user,
                _seen(form),
                note=form.note.data,
                status=ObjectiveStatus(form.status.data),
            )
        except service.AppraisalConflict as exc:
            return _conflict(appraisal_id, exc)
        except service.AppraisalError as exc:
            db.session.rollback()
            form.note.errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"Progress recorded: {objective.title}.")
            return _show(appraisal, f"objective-{objective.id}")
    return render_template(
        "appraisal/progress.html", appraisal=appraisal, objective=objective, form=form
    ), 400 if form.errors else 200


@bp.post("/appraisals/<int:appraisal_id>/agree")
@policy.rule(policy.SIGNED_IN)
def agree(appraisal_id: int):
    """Agree the objectives (each side once)."""
    appraisal = _taking_part(appraisal_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.agree(db.session, appraisal, current_user, _seen(form), clock.now())
    except service.AppraisalError as exc:
        return _conflict(appraisal_id, exc)
    db.session.commit()
    flash(
        "The objectives are agreed by both of you."
        if appraisal.state == AppraisalState.AGREED
        else "You have agreed the objectives. They are agreed once the other side agrees too."
    )
    return _show(appraisal)


@bp.route("/appraisals/<int:appraisal_id>/summary", methods=["GET", "POST"])
@policy.rule(policy.SIGNED_IN)
def summary(appraisal_id: int):
    """The appraiser writes the year-end summary."""
    appraisal = _taking_part(appraisal_id)
    if current_user.id != appraisal.appraiser_id:
        abort(403)
    if (stop := _readonly(appraisal)) is not None:
        return stop
    if appraisal.state != AppraisalState.AGREED:
        flash("The year-end summary can be written once both of you have agreed the objectives.")
        return _show(appraisal)
    if request.method == "GET":
        form = SummaryForm(
            formdata=None, data={"summary": appraisal.summary or "", "version": str(appraisal.lock_version)}
        )
    else:
        form = SummaryForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.write_summary(db.session, appraisal, current_user, _seen(form), form.summary.data)
        except service.AppraisalConflict as exc:
            return _conflict(appraisal_id, exc)
        except service.AppraisalError as exc:
            db.session.rollback()
            form.summary.errors = [str(exc)]
        else:
            db.session.commit()
            flash("Year-end summary saved.")
            return _show(appraisal, "review")
    return render_template("appraisal/summary.html", appraisal=appraisal, form=form), 400 if form.errors else 200


@bp.post("/appraisals/<int:appraisal_id>/sign")
@policy.rule(policy.SIGNED_IN)
def sign(appraisal_id: int):
    """Sign the year-end review."""
    appraisal = _taking_part(appraisal_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.sign(db.session, appraisal, current_user, _seen(form), clock.now())
    except service.AppraisalError as exc:
        return _conflict(appraisal_id, exc)
    db.session.commit()
    flash(
        "The review is signed by both of you and can no longer be changed."
        if appraisal.state == AppraisalState.SIGNED
        else "You have signed the review. It is complete once the other side signs too."
    )
    return _show(appraisal, "review")


@bp.get("/appraisals/<int:appraisal_id>/pdr.pdf")
@policy.rule(policy.SIGNED_IN)
def pdf(appraisal_id: int):
    """The PDR pack as a PDF."""
    appraisal = _visible(appraisal_id)
    result = _readiness(appraisal.person)
    pack = pdr_pdf.Pack(
        appraisal=appraisal,
        role_title=_role_title(appraisal.person),
        headline=_headline(result),
        domains=charts.radar(result) if result else None,
        gaps=charts.gaps_bar(result) if result else None,
        linked=_linked(appraisal, result),
        generated=clock.now(),
        digest=service.digest(appraisal),
    )
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"pdr-{appraisal.person.name}-{appraisal.year}").strip("-").lower()
    return Response(
        pdr_pdf.build(pack),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@bp.get("/team/matrix.xlsx")
@policy.rule(policy.SUPERVISING)
def team_xlsx():
    """My supervisees' readiness by domain, and item by item, as an XLSX workbook."""
    today = clock.today()
    people = db.session.scalars(
        select(User)
        .where(User.id.in_(policy.supervisees(db.session, current_user.id, today)), User.active.is_(True))
        .order_by(User.name)
    ).all()
    results = data.readiness_for(db.session, people, today)
    titles = data.role_titles(db.session, {p.target_role for p in people if p.target_role})
    return Response(
        team_workbook.build(people, results, titles),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="team-matrix-{today.isoformat()}.xlsx"'},
    )
