"""Framework YAML files uploaded in the browser are checked by file, line and key, then loaded."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select
from test_admin import csrf_from, events

from competency_portal.extensions import db
from competency_portal.models import DraftState, Framework, FrameworkDraft

GOOD = b"""kind: job_description
id: uploaded-duties
title: Uploaded duties
version: "1"
source:
  document: uploaded.docx
  organisation: Northfield Community NHS Trust
domains:
  - code: A
    title: Assessment
    items:
      - code: A.1
        statement: Assess each person's needs with them.
"""


token = csrf_from  # the CSRF token on the form at a path


def upload(client, *files: tuple[str, bytes]):
    data = {"csrf_token": token(client, "/admin/frameworks/files"), "files": [(io.BytesIO(b), n) for n, b in files]}
    return client.post("/admin/frameworks/files", data=data, content_type="multipart/form-data")


def zipped(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_of_a_folder_is_checked_shown_as_a_diff_then_loaded(as_admin):
    response = upload(as_admin, ("frameworks.zip", zipped(**{"frameworks/uploaded.yaml": GOOD, "README.txt": b"x"})))
    assert response.status_code == 302
    plan = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "framework uploaded-duties</strong>: new" in plan and "Load these files" in plan
    draft = db.session.scalars(select(FrameworkDraft)).one()
    loaded = as_admin.post(
        f"/admin/drafts/{draft.id}/load",
        data={"csrf_token": token(as_admin, "/admin/frameworks"), "revision": draft.revision},
    )
    assert loaded.status_code == 302 and loaded.headers["Location"].endswith("/admin/frameworks")
    assert db.session.scalar(select(Framework).where(Framework.slug == "uploaded-duties"))
    db.session.expire_all()
    assert db.session.get(FrameworkDraft, draft.id).state is DraftState.LOADED
    assert [e.detail["source"] for e in events(db.session, "framework_loaded")] == [f"draft {draft.id}"]


def test_problems_are_shown_by_file_line_and_key_and_nothing_is_loaded(as_admin):
    bad = GOOD.replace(b"statement: Assess", b"statment: Assess")
    response = upload(as_admin, ("one.yaml", bad), ("two.yml", b"kind: scale\nid: Not A Slug\n"))
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "to fix before loading" in page
    assert "one.yaml, line 13, domains[0].items[0].statment" in page
    assert "two.yml, line 2" in page
    assert "Load these files" not in page
    assert db.session.scalar(select(Framework).where(Framework.slug == "uploaded-duties")) is None


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("notes.docx", b"PK\x03\x04not really", "is not a zip file that can be opened"),
        ("notes.pdf", b"%PDF-1.4", "is not a .yaml, .yml, .json (CASE) or .zip file"),
        ("empty.zip", zipped(**{"README.txt": b"nothing here"}), "No .yaml, .yml or .json files were found"),
        ("big.zip", zipped(**{"big.yaml": b"#" * (1024 * 1024 + 10)}), "is larger than 1 MB"),
    ],
)
def test_uploads_that_hold_no_framework_files_are_refused(as_admin, name, data, says):
    response = upload(as_admin, (name, data))
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)


def test_uploaded_files_not_loaded_can_be_discarded(as_admin):
    response = upload(as_admin, ("one.yaml", b"kind: scale\n"))
    draft = db.session.scalars(select(FrameworkDraft)).one()
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Discard these files" in page
    assert "Framework files, checked but not loaded" in as_admin.get("/admin/frameworks").get_data(as_text=True)
    discarded = as_admin.post(
        f"/admin/drafts/{draft.id}/discard",
        data={"csrf_token": token(as_admin, "/admin/frameworks"), "revision": draft.revision},
    )
    assert discarded.status_code == 302
    db.session.expire_all()
    assert db.session.get(FrameworkDraft, draft.id).state is DraftState.DISCARDED


def test_with_a_queue_the_load_goes_on_to_follow_the_readiness_recompute(app, as_admin):
    from competency_portal.jobs import dispatch
    from loadtest.server import free_port

    response = upload(as_admin, ("uploaded.yaml", GOOD))
    draft = db.session.scalars(select(FrameworkDraft)).one()
    # A queue no worker has reached yet (here: one that cannot be reached, so the job waits).
    dispatch.register(db.engine, {**app.config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    try:
        loaded = as_admin.post(
            f"/admin/drafts/{draft.id}/load",
            data={"csrf_token": token(as_admin, response.headers["Location"]), "revision": draft.revision},
        )
        assert "/jobs/" in loaded.headers["Location"]
        page = as_admin.get(loaded.headers["Location"]).get_data(as_text=True)
        assert "Everyone&#39;s readiness is being recomputed." in page and "Waiting to start" in page
        assert "Recompute everyone" in page and 'http-equiv="refresh"' in page
    finally:
        dispatch.register(db.engine, app.config)
