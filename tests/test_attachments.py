"""Attachments are judged by content, stored under generated names, and served only as downloads."""

from __future__ import annotations

import io
import zipfile

import pytest
from world import PDF

from competency_portal.services.attachments import AttachmentRefused, check, clean_filename
from competency_portal.storage import LocalStorage

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
