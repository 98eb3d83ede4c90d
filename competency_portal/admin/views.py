"""Administration: people, roles, teams, supervision, the staff CSV import and the audit trail.

Views stay thin: check a form, call a service, commit once, redirect with a message.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as flask_session,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from competency_portal import clock, policy
from competency_portal.admin import bp
from competency_portal.admin.forms import (
    ActionForm,
    AuditFilterForm,
    ConfirmImportForm,
    EditPersonForm,
    ImportForm,
    NewPersonForm,
    PasswordForm,
    PeopleFilterForm,
    SupervisionForm,
)
from competency_portal.extensions import db
from competency_portal.forms import id_arg
from competency_portal.models import Role, Supervision, User
from competency_portal.services import catalogue, people, people_admin, staff_import, staff_import_store

TOKEN = re.compile(r"^[0-9a-f]{32}$")
IMPORT_KEEP_SECONDS = 24 * 60 * 60
DUPLICATE_EMAIL = "Someone already has this email address. Use a different one, or find and change that person."


# -- helpers ----------------------------------------------------------------------------


def _fields(form) -> people_admin.PersonFields:
    return people_admin.PersonFields(
        name=form.name.data.strip(),
        email=form.email.data,
        roles={Role(v) for v in form.roles.data or []},
        job_title=form.job_title.data,
        band=form.band.data,
        team=form.team.data,
        target_role=form.target_role.data or None,
    )


def _target_role_choices(current: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", "No target role")] + [
        SelectChoice(p.slug, p.title) for p in catalogue.role_profiles(db.session)
    ]
    if current and current not in {c.value for c in choices}:
        choices.append(SelectChoice(current, f"{current} (no longer a role profile)"))
    return choices


def _supervision_form(person: User, formdata=None) -> SupervisionForm:
    form = (
        SupervisionForm(formdata=formdata, starts_on=clock.today())
        if formdata is not None
        else SupervisionForm(starts_on=clock.today())
    )
    form.supervisor_id.choices = [SelectChoice("", "Choose a supervisor")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.email})")
        for u in people_admin.supervisor_choices(db.session)
        if u.id != person.id
    ]
    return form


def _person_page(
    person: User,
    *,
    form: EditPersonForm | None = None,
    password_form: PasswordForm | None = None,
    supervision_form: SupervisionForm | None = None,
    status: int = 200,
):
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
        form.target_role.choices = _target_role_choices(person.target_role)
    today = clock.today()
    return render_template(
        "admin/person.html",
        person=person,
        form=form,
        password_form=password_form or PasswordForm(formdata=None),
        supervision_form=supervision_form or _supervision_form(person),
        supervisors=people_admin.supervision_of(db.session, person.id),
        supervising=people_admin.supervising(db.session, person.id, today),
        deputies=people_admin.deputies_for(db.session, person.id),
        action_form=ActionForm(formdata=None),
        today=today,
    ), status


def _person_or_404(person_id: int) -> User:
    return db.session.get(User, person_id) or abort(404)


def _imports_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _forget_old_imports(folder: Path) -> None:
    """Uploads previewed but never confirmed are removed after a day."""
    cutoff = time.time() - IMPORT_KEEP_SECONDS
    for old in folder.glob("*.csv"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


# -- people -----------------------------------------------------------------------------


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
    teams = people_admin.all_teams(db.session)
    form.team.choices = [SelectChoice("", "All teams")] + [SelectChoice(str(t.id), t.name) for t in teams]
    page = id_arg(request.args.get("page")) or 1
    valid = form.validate() if request.args else True
    result = people_admin.list_people(
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
    form.target_role.choices = _target_role_choices()
    if form.validate_on_submit():
        if people_admin.email_taken(db.session, form.email.data):
            form.email.errors.append(DUPLICATE_EMAIL)
        else:
            try:
                user = people_admin.create(
                    db.session, current_user.id, _fields(form), password=form.password.data or None
                )
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.email.errors.append(DUPLICATE_EMAIL)
            else:
                extra = "" if form.password.data else " They cannot sign in until you set a password."
                flash(f"{user.name} has been added.{extra}")
                return redirect(url_for("admin.edit_person", person_id=user.id))
    status = 400 if form.errors else 200
    return render_template("admin/new_person.html", form=form), status


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def edit_person(person_id: int):
    """A person's details, roles, password and supervision."""
    person = _person_or_404(person_id)
    if request.method == "GET":
        return _person_page(person)
    form = EditPersonForm()
    form.target_role.choices = _target_role_choices(person.target_role)
    if form.validate_on_submit():
        if people_admin.email_taken(db.session, form.email.data, except_id=person.id):
            form.email.errors.append(DUPLICATE_EMAIL)
        else:
            try:
                changed = people_admin.update(
                    db.session, current_user, person, _fields(form), active=bool(form.active.data)
                )
                db.session.commit()
            except people_admin.AdminRuleError as problem:
                db.session.rollback()
                form[problem.field].errors.append(problem.message)
                person = _person_or_404(person_id)
            except IntegrityError:
                db.session.rollback()
                form.email.errors.append(DUPLICATE_EMAIL)
                person = _person_or_404(person_id)
            else:
                if not changed:
                    flash("Nothing was changed.")
                elif "active" in changed and not person.active:
                    flash(f"Changes to {person.name} have been saved. They have been deactivated and signed out.")
                else:
                    flash(f"Changes to {person.name} have been saved.")
                return redirect(url_for("admin.edit_person", person_id=person.id))
    return _person_page(person, form=form, status=400)


@bp.post("/people/<int:person_id>/password")
@policy.rule(policy.ADMIN)
def reset_password(person_id: int):
    """Set a new password for someone (they are signed out everywhere)."""
    person = _person_or_404(person_id)
    form = PasswordForm()
    if form.validate_on_submit():
        people_admin.reset_password(db.session, current_user.id, person, form.new_password.data)
        db.session.commit()
        if person.id == current_user.id:
            flash("Your password has been changed. Sign in again with the new password.")
        else:
            flash(
                f"A new password has been set for {person.name}. They have been signed out everywhere; tell them the new password securely."
            )
        return redirect(url_for("admin.edit_person", person_id=person.id))
    return _person_page(person, password_form=form, status=400)


@bp.post("/people/<int:person_id>/supervision")
@policy.rule(policy.ADMIN)
def add_supervision(person_id: int):
    """Assign a supervisor to someone."""
    person = _person_or_404(person_id)
    form = _supervision_form(person, formdata=request.form)
    if form.validate_on_submit():
        try:
            people_admin.start_supervision(
                db.session, current_user.id, person, form.supervisor_id.data, form.starts_on.data
            )
            db.session.commit()
        except people_admin.AdminRuleError as problem:
            db.session.rollback()
            form.supervisor_id.errors.append(problem.message)
            person = _person_or_404(person_id)
        else:
            supervisor = db.session.get(User, form.supervisor_id.data)
            flash(f"{supervisor.name} now supervises {person.name} from {form.starts_on.data:%-d %B %Y}.")
            return redirect(url_for("admin.edit_person", person_id=person.id) + "#supervision")
    return _person_page(person, supervision_form=form, status=400)


@bp.post("/supervision/<int:assignment_id>/end")
@policy.rule(policy.ADMIN)
def end_supervision(assignment_id: int):
    """End a supervision assignment today."""
    assignment = db.session.get(Supervision, assignment_id) or abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("admin.edit_person", person_id=assignment.supervisee_id) + "#supervision"
    try:
        people_admin.end_supervision(db.session, current_user.id, assignment, clock.today())
        db.session.commit()
    except people_admin.AdminRuleError as problem:
        db.session.rollback()
        flash(problem.message)
        return redirect(back)
    flash(f"{assignment.supervisor.name} no longer supervises {assignment.supervisee.name}, from today.")
    return redirect(back)


@bp.get("/teams")
@policy.rule(policy.ADMIN)
def teams():
    """Teams and how many people are in each."""
    return render_template("admin/teams.html", teams=people_admin.teams_with_counts(db.session))


# -- the staff import -------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def import_staff():
    """Step 1: upload a CSV, and see what it would do, row by row, before anything is written."""
    form = ImportForm()
    preview = None
    token = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(staff_import.MAX_BYTES + 1)
        preview = staff_import.parse(
            data,
            staff_import_store.snapshot(db.session),
            actor_email=current_user.email,
            role_profiles=staff_import_store.role_profiles(db.session),
        )
        if preview.problem:
            form.file.errors.append(preview.problem)
            preview = None
        elif preview.ok:
            token = secrets.token_hex(16)
            folder = _imports_dir()
            _forget_old_imports(folder)
            (folder / f"{token}.csv").write_bytes(data)
    status = 400 if form.errors or (preview is not None and not preview.ok) else 200
    return render_template(
        "admin/import.html",
        form=form,
        preview=preview,
        token=token,
        confirm_form=ConfirmImportForm(formdata=None, token=token) if token else None,
        **_import_docs(),
    ), status


def _import_docs() -> dict:
    """What the import page says the file must hold."""
    return {
        "max_rows": staff_import.MAX_ROWS,
        "columns": staff_import.REQUIRED,
        "optional": staff_import.OPTIONAL,
        "role_profiles": staff_import_store.role_profiles(db.session),
    }


@bp.get("/import/sample.csv")
@policy.rule(policy.ADMIN)
def import_sample():
    """A sample staff file, with every column the import reads."""
    return Response(
        staff_import.sample_csv(staff_import_store.role_profiles(db.session)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="staff-import-sample.csv"'},
    )


@bp.post("/import/confirm")
@policy.rule(policy.ADMIN)
def confirm_import():
    """Step 2: check the same file again and write every row in one transaction, or none."""
    form = ConfirmImportForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not TOKEN.match(token):
        flash("That upload could not be found. Upload the file again.")
        return redirect(url_for("admin.import_staff"))
    stored = _imports_dir() / f"{token}.csv"
    if not stored.is_file():
        flash("That upload has already been imported or has expired. Upload the file again.")
        return redirect(url_for("admin.import_staff"))
    data = stored.read_bytes()
    preview = staff_import.parse(
        data,
        staff_import_store.snapshot(db.session),
        actor_email=current_user.email,
        role_profiles=staff_import_store.role_profiles(db.session),
    )
    if not preview.ok:
        stored.unlink(missing_ok=True)
        return render_template(
            "admin/import.html",
            form=ImportForm(formdata=None),
            preview=preview,
            token=None,
            confirm_form=None,
            changed_since=True,
            problem=preview.problem,
            **_import_docs(),
        ), 409
    try:
        result = staff_import_store.apply(
            db.session, preview, actor_id=current_user.id, today=clock.today(), reference=token
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash("Nothing was imported: someone changed the same people while the import ran. Upload the file again.")
        return redirect(url_for("admin.import_staff"))
    stored.unlink(missing_ok=True)
    flask_session["last_import"] = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    return redirect(url_for("admin.import_result"))


@bp.get("/import/done")
@policy.rule(policy.ADMIN)
def import_result():
    """What the last import did."""
    result = flask_session.pop("last_import", None)
    if result is None:
        return redirect(url_for("admin.import_staff"))
    return render_template("admin/import_done.html", result=result)


# -- the audit trail --------------------------------------------------------------------


@bp.get("/audit")
@policy.rule(policy.ADMIN)
def audit_trail():
    """The audit trail, newest first, filtered by person (as actor or subject) and by object."""
    form = AuditFilterForm(request.args)
    form.object_type.choices = [SelectChoice("", "Any")] + [
        SelectChoice(t, t.replace("_", " ")) for t in people_admin.audit_object_types(db.session)
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
        people_admin.audit_trail(
            db.session,
            person_id=person_id if valid else None,
            object_type=form.object_type.data if valid and form.object_type.data else None,
            object_id=form.object_id.data if valid and form.object_id.data else None,
            before=before,
        )
        if valid
        else people_admin.AuditPage([])
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
        describe=people_admin.describe_detail,
        paged=before is not None,
    ), (200 if valid else 400)
