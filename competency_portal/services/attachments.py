"""Judging an uploaded file by its content, not its name, and cleaning its name for display."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import puremagic

# Detected extension -> (content type, the extensions a name may honestly carry, what to call it)
ALLOWED = {
    ".pdf": ("application/pdf", {".pdf"}, "a PDF"),
    ".png": ("image/png", {".png"}, "a PNG image"),
    ".jpg": ("image/jpeg", {".jpg", ".jpeg"}, "a JPEG image"),
    ".gif": ("image/gif", {".gif"}, "a GIF image"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}, "a Word document"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}, "an Excel workbook"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        {".pptx"},
        "a PowerPoint presentation",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", {".odt"}, "an OpenDocument text"),
    ".txt": ("text/plain", {".txt", ".text", ".md", ".csv"}, "a plain text file"),
}
_OOXML_PART = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
ACCEPTED_DESCRIPTION = "PDF, PNG, JPEG or GIF images, Word, Excel, PowerPoint or OpenDocument files, or plain text"


class AttachmentRefused(ValueError):
    """The file cannot be accepted; the message says why and what to do."""


@dataclass(frozen=True)
class Checked:
    """A file that passed: its clean display name, content type and bytes."""

    filename: str
    content_type: str
    data: bytes


def clean_filename(raw: str | None) -> str:
    """A display name with no path, control or odd Unicode characters, at most 120 characters."""
    name = unicodedata.normalize("NFKC", raw or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] not in ("C",) and c not in '<>:"|?*')
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > 120:
        stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix[:10]
        name = stem[: 120 - len(suffix)] + suffix
    return name or "attachment"


def _detect(data: bytes) -> str | None:
    if data[:4] == b"PK\x03\x04":  # a zip: what it holds says what it is (puremagic guesses among them)
        return _zip_kind(data)
    try:
        kind = puremagic.from_string(data)
    except (puremagic.PureError, ValueError):
        kind = None
    if kind == ".jpeg":
        kind = ".jpg"
    if kind in ALLOWED:
        return kind
    if kind is None and _is_text(data):
        return ".txt"
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # read at most a line: never inflate a bomb
                    if member.read(100).strip() == b"application/vnd.oasis.opendocument.text":
                        return ".odt"
    except (zipfile.BadZipFile, ValueError, KeyError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in _OOXML_PART.items() if any(n.startswith(part) for n in names)), None)


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = text[:2048].lstrip().lower()
    return not head.startswith(("<!doctype html", "<html", "<script", "<svg", "<?xml"))


def check(raw_name: str | None, data: bytes, max_bytes: int) -> Checked:
    """Accept a file only if its content is an allowed type that its name does not contradict."""
    name = clean_filename(raw_name)
    if not data:
        raise AttachmentRefused(f"{name} is empty; choose the file again")
    if len(data) > max_bytes:
        raise AttachmentRefused(f"{name} is larger than {max_bytes // (1024 * 1024)} MB; reduce its size or split it")
    kind = _detect(data)
    if kind is None:
        raise AttachmentRefused(f"{name} is not a type the portal accepts; upload {ACCEPTED_DESCRIPTION}")
    content_type, honest, what = ALLOWED[kind]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix and suffix not in honest:
        raise AttachmentRefused(
            f"{name} is named as a {suffix} file but its content is {what}; rename it or upload the right file"
        )
    if not suffix:
        name = f"{name}{kind}"
    return Checked(name, content_type, data)
