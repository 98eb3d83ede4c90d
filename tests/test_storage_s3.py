"""Attachments in S3 (STORAGE_BACKEND=s3), against a real S3-compatible server on 127.0.0.1 (moto's).

The store keeps each file with its SHA-256 and serves only bytes that match it; markers of uploads
whose process died are settled only once their lease has run out; and through the web app an
attachment goes to the bucket, comes back to those allowed to see it, and to nobody else.
Pending-until-commit and the start-up sweep on S3 are in test_crash_safety.py, which runs on both
backends.
"""

from __future__ import annotations

import base64
import hashlib
import time

import pytest
from sqlalchemy import select

from competency_portal import storage
from competency_portal.extensions import db
from competency_portal.models import Attachment
from loadtest.server import free_port
from tests.portal_helpers import (
    PDF,
    Browser,
    body,
    build_world,
    diff,
    evidence_form,
    location,
    signed_in,
    snapshot,
    upload,
)
from tests.s3_server import Backend, saved_by_a_process_that_dies


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def s3(app, s3_server, tmp_path, monkeypatch) -> Backend:
    """The portal configured for a fresh bucket (with a key prefix), the bucket seen directly."""
    backend = Backend("s3", tmp_path / "uploads", server=s3_server, bucket=s3_server.new_bucket())
    for name, value in backend.config.items():
        monkeypatch.setitem(app.config, name, value)
    return backend


@pytest.fixture
def s3_world(app, seeded, s3):
    """The permission tests' world, its attachments stored in the bucket."""
    return build_world(app, db.session)


def test_a_file_goes_to_the_bucket_with_its_sha_256_and_comes_back(s3):
    store = s3.store()
    data = b"Supervision notes, 3 March.\n" * 5000
    name = store.save(data)

    head = s3.server.client().head_object(Bucket=s3.bucket, Key=f"portal/files/{name}", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert s3.files() == {name} and not s3.pending()  # saved without a transaction: nothing pending
    assert store.read(name, _sha(data)) == data
    with store.open(name, _sha(data)) as stream:
        assert stream.read() == data

    store.delete(name)
    assert not s3.files()
    with pytest.raises(FileNotFoundError):
        store.read(name)
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


def test_a_file_replaced_in_the_bucket_is_refused_before_any_byte(s3):
    store = s3.store()
    name = store.save(b"what was uploaded")
    s3.replace(name, b"what someone put there instead")

    with pytest.raises(storage.CorruptFile, match="different SHA-256"):
        store.read(name, _sha(b"what was uploaded"))
    with pytest.raises(storage.CorruptFile):
        store.open(name, _sha(b"what was uploaded"))
    with pytest.raises(storage.CorruptFile, match="no SHA-256"):  # even without the row's SHA-256 to hand
        store.read(name)


def test_bytes_damaged_behind_an_intact_checksum_are_never_released_whole(s3):
    store = s3.store()
    data = bytes(range(256)) * 1024  # 256 KiB: several chunks
    name = store.save(data)
    # Damage at rest: other bytes under the original checksum. moto keeps them as given (AWS S3 would
    # refuse the upload), which lets the test show the portal's own check as the bytes stream.
    s3.server.client().put_object(
        Bucket=s3.bucket,
        Key=f"portal/files/{name}",
        Body=data[:-1] + b"X",
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=base64.b64encode(hashlib.sha256(data).digest()).decode(),
    )

    with pytest.raises(storage.CorruptFile):
        store.read(name, _sha(data))
    stream, received = store.open(name, _sha(data)), b""
    with pytest.raises(storage.CorruptFile):
        while chunk := stream.read(8192):
            received += chunk
    assert 0 < len(received) < len(data)  # the download stops short, so the browser reports it failed


def test_the_sweep_settles_only_markers_that_outlived_their_lease(s3):
    store = s3.store()
    lost = saved_by_a_process_that_dies(s3, "never committed")
    kept = saved_by_a_process_that_dies(s3, "committed just before the crash")
    asked: list[list[str]] = []

    def referenced(names):
        asked.append(sorted(names))
        return {kept}

    early = store.sweep(referenced)
    assert (early.kept, early.deleted) == (0, 0) and not asked  # too young: their writers may be alive
    assert 0 < early.retry_after <= s3.lease_seconds + 3
    assert s3.files() == {lost, kept} and s3.pending() == {lost, kept}

    time.sleep(early.retry_after + 0.5)
    settled = store.sweep(referenced)

    assert (settled.kept, settled.deleted, settled.retry_after) == (1, 1, None)
    assert asked == [sorted([lost, kept])]
    assert s3.files() == {kept} and not s3.pending()
    assert store.read(kept) == b"committed just before the crash"


def test_an_attachment_uploaded_through_the_portal_is_stored_in_the_bucket_and_downloads(app, s3_world, s3):
    owner = signed_in(app, s3_world, "owner")
    sent = PDF + b"% minutes of the team meeting\n"
    response = owner.post(
        "/portfolio/evidence/new",
        {**evidence_form(s3_world.item_ids[:1]), "attachments": [upload(sent, "minutes.pdf")]},
    )
    assert response.status_code == 302
    evidence_id = int(location(response).rsplit("/", 1)[-1])
    attachment = db.session.scalars(select(Attachment).order_by(Attachment.id.desc()).limit(1)).one()
    stored_name, attachment_id = attachment.stored_name, attachment.id
    db.session.rollback()
    assert stored_name in s3.files() and not s3.pending()
    assert not s3.root.exists()  # nothing went to a local folder

    download = owner.get(f"/portfolio/evidence/{evidence_id}/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == sent
    assert download.headers["Content-Disposition"] == "attachment; filename=minutes.pdf"
    assert download.headers["Content-Length"] == str(len(sent))


@pytest.mark.parametrize("kind", ["anonymous", "other_staff", "unrelated_supervisor", "recruiter"])
def test_people_without_access_get_no_bytes_and_no_address_of_the_bucket(app, s3_world, s3, kind):
    url = f"/portfolio/evidence/{s3_world.submitted}/attachments/{s3_world.attachment}"
    assert signed_in(app, s3_world, "supervisor").get(url).data == PDF  # the file is there, for those allowed
    browser = Browser(app) if kind == "anonymous" else signed_in(app, s3_world, kind)
    response = browser.get(url)
    assert response.status_code in (302, 403, 404)
    if kind == "anonymous":
        assert location(response).startswith("/sign-in")
    seen = response.data + str(response.headers).encode()
    assert PDF not in seen
    for leak in (s3.server.url.encode(), s3.bucket.encode(), b"X-Amz", b"Signature="):
        assert leak not in seen


def test_a_download_of_a_file_replaced_in_the_bucket_is_refused_with_a_reason(app, s3_world, s3):
    owner = signed_in(app, s3_world, "owner")
    stored = db.session.get(Attachment, s3_world.draft_attachment).stored_name
    db.session.rollback()
    s3.replace(stored, b"%PDF-1.4 someone else's document")

    response = owner.get(f"/portfolio/evidence/{s3_world.draft}/attachments/{s3_world.draft_attachment}")
    assert response.status_code == 500
    assert "does not match the one that was uploaded" in body(response)
    assert b"someone else" not in response.data


def test_a_download_while_the_bucket_does_not_answer_says_to_try_again(app, s3_world, s3, monkeypatch):
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens
    owner = signed_in(app, s3_world, "owner")
    response = owner.get(f"/portfolio/evidence/{s3_world.draft}/attachments/{s3_world.draft_attachment}")
    assert response.status_code == 503
    assert "did not answer" in body(response) and PDF not in response.data


def test_the_sweep_command_settles_what_a_dead_process_left_once_its_lease_ran_out(app, s3, runner):
    lost = saved_by_a_process_that_dies(s3, "never committed")

    early = runner.invoke(args=["storage", "sweep"])
    assert early.exit_code == 0 and "0 deleted" in early.output and "too recent to judge" in early.output
    assert s3.pending() == {lost}

    s3.wait_for_leases()
    later = runner.invoke(args=["storage", "sweep"])
    assert later.exit_code == 0 and "0 kept (their records were saved), 1 deleted (never saved)" in later.output
    assert not s3.files() and not s3.pending()


def test_an_upload_while_the_bucket_does_not_answer_saves_nothing_and_says_to_try_again(app, s3_world, s3, monkeypatch):
    owner = signed_in(app, s3_world, "owner")
    before, stored = snapshot(), s3.files()
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    response = owner.post(
        "/portfolio/evidence/new",
        {**evidence_form(s3_world.item_ids[:1]), "attachments": [upload(PDF, "minutes.pdf")]},
    )
    assert response.status_code == 503
    assert "nothing was saved" in body(response)
    assert not diff(before, snapshot()) and s3.files() == stored and not s3.pending()
