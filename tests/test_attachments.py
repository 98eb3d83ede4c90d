"""Attachments are judged by content, stored under generated names, and served only as downloads."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from world import PDF

from competency_portal.extensions import db
from competency_portal.models import Attachment
from competency_portal.services.attachments import AttachmentRefused, check, clean_filename
from competency_portal.storage import CorruptFile, LocalStorage
from competency_portal.storage.integrity import ChunkReader, held_back
from tests.portal_helpers import PDF as WORLD_PDF
from tests.portal_helpers import body, signed_in

LIMIT = 1024 * 1024


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("reflection.pdf", PDF, "application/pdf"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
        ("notes.txt", "Plain notes, with ünïcode.".encode(), "text/plain"),
        ("account.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("account.odt", odt(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_allowed_types_pass(name, data, kind):
    assert check(name, data, LIMIT).content_type == kind


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, "not a type the portal accepts"),
        ("page.txt", b"<!DOCTYPE html><script>alert(1)</script>", "not a type the portal accepts"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "named as a .pdf file but its content is a PNG image"),
        ("fake.docx", b"PK\x03\x04" + b"\x00" * 40, "not a type the portal accepts"),
        ("empty.pdf", b"", "is empty"),
        ("account.docx", odt(), "named as a .docx file but its content is an OpenDocument text"),
    ],
)
def test_files_that_lie_or_are_not_allowed_are_refused(name, data, message):
    with pytest.raises(AttachmentRefused, match=message):
        check(name, data, LIMIT)


def test_oversize_files_are_refused():
    with pytest.raises(AttachmentRefused, match="larger than 1 MB"):
        check("big.pdf", PDF + b"0" * LIMIT, LIMIT)


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("re\u202eport\x00.pdf", "report.pdf"),
        ("  ..  ", "attachment"),
        ("ﬁle.pdf", "file.pdf"),
    ],
)
def test_names_are_cleaned_for_display(raw, clean):
    assert clean_filename(raw) == clean


def test_a_name_without_an_extension_gets_the_true_one():
    assert check("scan", PDF, LIMIT).filename == "scan.pdf"


def test_storage_uses_generated_names_and_refuses_paths(tmp_path):
    store = LocalStorage(tmp_path)
    name = store.save(b"data")
    assert len(name) == 32 and store.read(name) == b"data"
    assert not list(tmp_path.rglob("*.part"))
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


def test_a_stored_file_whose_bytes_changed_is_refused_not_served(tmp_path):
    store = LocalStorage(tmp_path)
    name, sha = store.save(b"original notes"), hashlib.sha256(b"original notes").hexdigest()
    assert store.read(name, sha) == b"original notes"
    with store.open(name, sha) as stream:
        assert stream.read() == b"original notes"
    (tmp_path / name[:2] / name).write_bytes(b"tampered notes")
    with pytest.raises(CorruptFile, match="damaged or was replaced"):
        store.read(name, sha)
    with pytest.raises(CorruptFile):
        store.open(name, sha)


def _read_all(reader) -> bytes:
    got = b""
    while chunk := reader.read(7):
        got += chunk
    return got


def test_a_stream_found_damaged_at_its_end_never_releases_its_last_chunk():
    chunks = [b"a" * 10, b"b" * 10, b"c" * 10]
    whole = ChunkReader(held_back("x", iter(chunks), hashlib.sha256(b"".join(chunks)).digest()))
    assert _read_all(whole) == b"".join(chunks)
    damaged = ChunkReader(held_back("x", iter(chunks), hashlib.sha256(b"a" * 10 + b"b" * 10 + b"X" * 10).digest()))
    got = b""
    with pytest.raises(CorruptFile):
        while chunk := damaged.read(7):
            got += chunk
    assert got == b"a" * 10 + b"b" * 10  # the download stops short: the browser reports it failed


def test_a_download_whose_stored_file_was_changed_is_refused_with_a_reason(app, world):
    owner = signed_in(app, world, "owner")
    url = f"/portfolio/evidence/{world.draft}/attachments/{world.draft_attachment}"
    good = owner.get(url)
    assert good.status_code == 200 and good.data == WORLD_PDF
    stored = db.session.get(Attachment, world.draft_attachment).stored_name
    db.session.rollback()
    (Path(app.config["UPLOAD_FOLDER"]) / stored[:2] / stored).write_bytes(WORLD_PDF.replace(b"Catalog", b"Catalox"))
    refused = owner.get(url)
    assert refused.status_code == 500
    assert "does not match the one that was uploaded" in body(refused)
    assert b"Catalox" not in refused.data
