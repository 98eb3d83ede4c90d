"""Upload abuse through the real evidence form: lying types, polyglots, hostile and odd file names.

tests/test_attachments.py checks the content sniffing and name cleaning as functions, and
tests/test_bad_input.py the form's messages for a few lying files and one oversize file. Here each
hostile upload goes through the form and then, if it was accepted, back out through the download:
either the person gets a clear message and nothing is stored, or the file is stored under a
generated name inside the upload folder and served only as an attachment, with a safe file name,
`nosniff`, and the content type the portal detected (never the one the browser claimed).
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import select

from competency_portal.extensions import db
from competency_portal.models import Attachment, EvidenceRevision
from competency_portal.services.attachments import ALLOWED
from tests.portal_helpers import PDF, PNG, Browser, assert_no_crash, body, diff, evidence_form, snapshot

GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
PDF_AND_HTML = PDF + b"<html><body><script>alert(document.cookie)</script></body></html>\n"
HTML_AFTER_BOM = "\ufeff<!DOCTYPE html><html><script>alert(1)</script></html>".encode()
TEXT_THEN_SCRIPT = b"My reflective notes.\n<script>alert(1)</script>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def _jar() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        archive.writestr("Evil.class", b"\xca\xfe\xba\xbe")
    return buffer.getvalue()


GIFAR = GIF + _jar()
STORED, REFUSED, EITHER = "stored", "refused", "either"

# (label, file name as sent, content, content type the browser claims, outcome, expected display name or message)
CASES = [
    ("path traversal", "../../etc/passwd.pdf", PDF, "application/pdf", STORED, "passwd.pdf"),
    ("Windows traversal", "..\\..\\x.pdf", PDF, "application/pdf", STORED, "x.pdf"),
    ("absolute POSIX path", "/etc/cron.d/evil.pdf", PDF, "application/pdf", STORED, "evil.pdf"),
    # The multipart parser reads backslashes in a quoted name as escapes, so these arrive without them
    # (no path either way).
    ("absolute Windows path", "C:\\Windows\\System32\\evil.pdf", PDF, "application/pdf", STORED, None),
    ("UNC path", "\\\\server\\share\\evil.pdf", PDF, "application/pdf", STORED, None),
    ("RTL override hiding .exe", "invoice\u202efdp.exe", PDF, "application/pdf", REFUSED, "named as a .exe file"),
    ("RTL override inside the name", "care\u202eplan.pdf", PDF, "application/pdf", STORED, "careplan.pdf"),
    (
        "control characters",
        "bell\x07esc\x1b[31m tab\there.pdf",
        PDF,
        "application/pdf",
        STORED,
        "bellesc[31m tabhere.pdf",
    ),
    ("zero-width and bidi marks", "re\u200bport\u200f\u2066.pdf", PDF, "application/pdf", STORED, "report.pdf"),
    ("emoji", "📄 care plan 😀.pdf", PDF, "application/pdf", STORED, "📄 care plan 😀.pdf"),
    (
        "NFD accents",
        unicodedata.normalize("NFD", "café réunion.pdf"),
        PDF,
        "application/pdf",
        STORED,
        "café réunion.pdf",
    ),
    ("a very long name", "r" * 1000 + ".pdf", PDF, "application/pdf", STORED, "r" * 116 + ".pdf"),
    ("quotes and a header break", 'a"b\r\nSet-Cookie: evil=1; x.pdf', PDF, "application/pdf", STORED, None),
    (
        "HTML tags in the name",
        "<img src=x onerror=alert(1)>.pdf",
        PDF,
        "application/pdf",
        STORED,
        "img src=x onerror=alert(1).pdf",
    ),
    ("only dots", "....", PDF, "application/pdf", STORED, "attachment.pdf"),
    (
        "double extension hiding .exe",
        "report.pdf.exe",
        PDF,
        "application/octet-stream",
        REFUSED,
        "named as a .exe file",
    ),
    ("a claimed type of text/html", "report.pdf", PDF, "text/html", STORED, "report.pdf"),
    ("PDF that is also HTML, named .pdf", "notes.pdf", PDF_AND_HTML, "application/pdf", STORED, "notes.pdf"),
    ("PDF that is also HTML, named .html", "notes.html", PDF_AND_HTML, "text/html", REFUSED, "named as a .html file"),
    ("PNG named .html", "image.html", PNG, "text/html", REFUSED, "named as a .html file"),
    ("SVG with a script named .png", "picture.png", SVG, "image/png", REFUSED, "not a type the portal accepts"),
    ("SVG with a script named .svg", "picture.svg", SVG, "image/svg+xml", REFUSED, "not a type the portal accepts"),
    ("HTML behind a byte-order mark, named .txt", "notes.txt", HTML_AFTER_BOM, "text/plain", EITHER, None),
    ("text with a script in it", "notes.txt", TEXT_THEN_SCRIPT, "text/html", EITHER, None),
    ("GIFAR: a GIF with a jar appended", "photo.gif", GIFAR, "image/gif", EITHER, None),
    ("GIFAR named .jar", "photo.jar", GIFAR, "application/java-archive", REFUSED, None),
]


def _attachments_of(evidence_id: int) -> list[Attachment]:
    rows = db.session.scalars(
        select(Attachment)
        .join(EvidenceRevision, Attachment.revision_id == EvidenceRevision.id)
        .where(EvidenceRevision.evidence_id == evidence_id)
    ).all()
    out = [(a.id, a.filename, a.content_type, a.stored_name) for a in rows]
    db.session.rollback()
    return out


def _download_problems(response, what: str, display: str, content_type: str, data: bytes) -> list[str]:
    problems = []
    disposition = response.headers.get("Content-Disposition", "")
    if not disposition.startswith("attachment"):
        problems.append(f"{what}: served as {disposition!r}, not as an attachment")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{what}: no nosniff")
    if response.mimetype != content_type:
        problems.append(f"{what}: served as {response.mimetype}, stored as {content_type}")
    if response.data != data:
        problems.append(f"{what}: the bytes served are not the bytes uploaded")
    plain = re.search(r'filename="([^"]*)"', disposition) or re.search(r"filename=([^;]*)", disposition)
    utf8 = re.search(r"filename\*=UTF-8''([^;]*)", disposition)
    names = [plain.group(1) if plain else ""] + ([unquote(utf8.group(1))] if utf8 else [])
    for name in names:
        if any(c in name for c in '/\\"\r\n') or name.startswith("."):
            problems.append(f"{what}: unsafe download name {name!r}")
    if names[-1] != display:  # the UTF-8 name where there is one, else the plain one
        problems.append(f"{what}: download names {names} do not give the stored name {display!r}")
    if "evil" in " ".join(response.headers.getlist("Set-Cookie")):
        problems.append(f"{what}: the file name set a cookie")
    return problems


def test_hostile_uploads_get_a_clear_message_or_are_stored_and_served_safely(app, world, tmp_path):
    owner = Browser(app, "owner")
    owner.sign_in(world.emails["owner"])
    supervisor = Browser(app, "supervisor")
    supervisor.sign_in(world.emails["supervisor"])
    problems = []
    for label, name, data, claimed, outcome, expected in CASES:
        before = snapshot()
        form = {
            **evidence_form(world.item_ids[:1], title=f"Upload: {label}"),
            "attachments": [(io.BytesIO(data), name, claimed)],
        }
        response = owner.post("/portfolio/evidence/new", form)
        assert_no_crash(response, label)
        refused = response.status_code == 400
        if outcome == STORED and refused or outcome == REFUSED and not refused:
            problems.append(
                f"{label}: expected {outcome}, got {response.status_code} "
                f"{re.findall(r'is not a type[^<]*|is named as[^<]*', html.unescape(body(response)))}"
            )
            continue
        if refused:
            text = html.unescape(body(response))
            if "There is a problem" not in text or (expected and expected not in text):
                problems.append(f"{label}: refused without a clear message (wanted {expected!r})")
            if diff(before, snapshot()):
                problems.append(f"{label}: refused but wrote {diff(before, snapshot())}")
            continue
        evidence_id = int(re.search(r"/portfolio/evidence/(\d+)$", response.headers["Location"]).group(1))
        [(attachment_id, display, content_type, stored_name)] = _attachments_of(evidence_id)
        if expected and display != expected:
            problems.append(f"{label}: stored as {display!r}, expected {expected!r}")
        if (
            any(c in display for c in "/\\")
            or display.startswith(".")
            or any(unicodedata.category(c)[0] == "C" for c in display)
        ):
            problems.append(f"{label}: stored display name {display!r} has a path or control character")
        detected = [kind for kind, honest, _ in ALLOWED.values() if Path(display).suffix.lower() in honest]
        if [
            content_type
        ] != detected:  # the type follows the content (which the name must agree with), never the browser's claim
            problems.append(
                f"{label}: stored content type {content_type!r} for {display!r} (the browser claimed {claimed!r})"
            )
        if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
            problems.append(f"{label}: stored under {stored_name!r}, not a generated name")
        page = body(owner.get(f"/portfolio/evidence/{evidence_id}"))
        if "<img src=x" in page or "\u202e" in page:
            problems.append(f"{label}: the evidence page shows the raw name")
        url = f"/portfolio/evidence/{evidence_id}/attachments/{attachment_id}"
        for who in (owner, supervisor):
            served = who.get(url)
            if served.status_code == 404 and who is supervisor:
                continue  # a draft: the supervisor does not see it yet
            problems += _download_problems(served, f"{label} downloaded by {who.kind}", display, content_type, data)
    assert not problems, "\n".join(problems)
    # Whatever the names said, every file landed inside the upload folder under a generated name.
    root = Path(app.config["UPLOAD_FOLDER"])
    stray = [str(p) for p in tmp_path.rglob("*") if p.is_file() and root not in p.parents]
    assert not stray, f"files written outside the upload folder: {stray}"
    for path in root.rglob("*"):
        if path.is_file():
            relative = path.relative_to(root).as_posix()
            assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}|pending/.*", relative), f"an upload stored as {relative}"


def test_a_body_over_the_request_limit_gets_a_page_that_says_so(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    owner = Browser(app, "owner")
    owner.sign_in(world.emails["owner"])
    before = snapshot()
    response = owner.post(
        "/portfolio/evidence/new",
        {
            **evidence_form(world.item_ids[:1]),
            "attachments": [(io.BytesIO(PDF + b"0" * (128 * 1024)), "big.pdf", "application/pdf")],
        },
    )
    assert_no_crash(response)
    assert response.status_code == 413
    text = html.unescape(body(response)).lower()
    assert "too large" in text or "too big" in text or "larger than" in text, (
        "the 413 page does not say the upload was too large"
    )
    assert not diff(before, snapshot())


def test_many_files_at_once_each_judged_and_all_or_nothing(app, world):
    owner = Browser(app, "owner")
    owner.sign_in(world.emails["owner"])
    files = [(io.BytesIO(PDF), f"part-{i}.pdf", "application/pdf") for i in range(5)]
    files.append((io.BytesIO(b"MZ\x90\x00" + b"\x00" * 60), "sixth.pdf", "application/pdf"))
    before = snapshot()
    response = owner.post("/portfolio/evidence/new", {**evidence_form(world.item_ids[:1]), "attachments": files})
    assert response.status_code == 400 and "sixth.pdf is not a type the portal accepts" in html.unescape(body(response))
    assert not diff(before, snapshot()), "five good files were kept although the sixth was refused"


def test_an_uploaded_csv_import_that_is_not_text_gets_a_message(app, world):
    admin = Browser(app, "admin")
    admin.sign_in(world.emails["admin"])
    before = snapshot()
    for name, data in (("../../staff.csv", PNG), ("staff.csv", b"\xff\xfe\x00\x00binary"), ("staff\u202evsc.exe", PDF)):
        response = admin.post("/admin/import", {"file": (io.BytesIO(data), name, "text/csv")})
        assert_no_crash(response, name)
        assert response.status_code == 400 and "There is a problem" in body(response), (
            f"{name!r}: {response.status_code}"
        )
    assert not diff(before, snapshot())
