"""The staff import: upload a CSV, see what it would do, then confirm it (every row, or none).

Between preview and confirmation the uploaded file waits in the staging folder
(services/import_staging.py) under a token, so the confirmation applies exactly the file previewed.
The confirmation hands the file to a background job (competency_portal/jobs), which checks it
again and writes it; the result page follows the job.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, render_template
from flask_login import current_user

from competency_portal import clock, exports, jobs, policy, web
from competency_portal.admin import bp
from competency_portal.admin.forms import ConfirmImportForm, ImportForm
from competency_portal.extensions import db
from competency_portal.jobs.handlers import STAFF_IMPORT
from competency_portal.services import import_staging, staff_import, staff_import_store

SCOPE = "staff"


def _staging() -> import_staging.Staging:
    return import_staging.Staging(Path(current_app.instance_path) / "imports")


def _preview(data: bytes) -> staff_import.ImportPreview:
    """What the file would do, checked against the people held now."""
    return staff_import_store.preview(db.session, data, current_user.email)


def _import_docs() -> dict:
    """What the import page says the file must hold."""
    return {
        "max_rows": staff_import.MAX_ROWS,
        "columns": staff_import.REQUIRED,
        "optional": staff_import.OPTIONAL,
        "role_profiles": staff_import_store.role_profiles(db.session),
    }


@bp.route("/import", methods=["GET", "POST"])
@policy.rule(policy.ADMIN)
def import_staff():
    """Step 1: upload a CSV, and see what it would do, row by row, before anything is written."""
    form = ImportForm()
    preview = None
    token = None
    if form.validate_on_submit():
        data = form.file.data.stream.read(staff_import.MAX_BYTES + 1)
        preview = _preview(data)
        if preview.problem:
            form.file.errors.append(preview.problem)
            preview = None
        elif preview.ok:
            token = _staging().put(SCOPE, data)
    status = 400 if form.errors or (preview is not None and not preview.ok) else 200
    return render_template(
        "admin/import.html",
        form=form,
        preview=preview,
        token=token,
        confirm_form=ConfirmImportForm(formdata=None, token=token) if token else None,
        **_import_docs(),
    ), status


@bp.get("/import/sample.csv")
@policy.rule(policy.ADMIN)
def import_sample():
    """A sample staff file, with every column the import reads."""
    return Response(
        staff_import.sample_csv(staff_import_store.role_profiles(db.session)),
        mimetype=exports.CSV_MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="staff-import-sample.csv"'},
    )


@bp.post("/import/confirm")
@policy.rule(policy.ADMIN)
def confirm_import():
    """Step 2: check the same file again, and hand it to a background job that writes every row, or none."""
    form = ConfirmImportForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not import_staging.TOKEN.match(token):
        return web.done("That upload could not be found. Upload the file again.", "admin.import_staff")
    staging = _staging()
    data = staging.get(SCOPE, token)
    if data is None:
        return web.done(
            "That upload has already been imported or has expired. Upload the file again.", "admin.import_staff"
        )
    preview = _preview(data)
    if not preview.ok:
        staging.discard(SCOPE, token)
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
    job = jobs.submit(
        db.session,
        STAFF_IMPORT,
        "Import staff",
        {"reference": token, "today": clock.today().isoformat()},
        started_by=current_user,
        data=data,
        max_attempts=3,
    )
    db.session.commit()
    staging.discard(SCOPE, token)
    return web.done(None, "admin.import_result", job_id=job.id)


@bp.get("/import/<int:job_id>")
@policy.rule(policy.ADMIN)
def import_result(job_id: int):
    """How the import is getting on, and then what it did."""
    job = policy.job_for(db.session, current_user, job_id)
    policy.require(job.kind == STAFF_IMPORT)
    return render_template("admin/import_done.html", job=job, result=job.result or {})
