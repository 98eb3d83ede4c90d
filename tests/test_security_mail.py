"""Email header injection: text people type (titles, names) reaches email subjects.

A line break in an evidence title must neither add a header (a Bcc to someone else) nor make the
request fail once the change is committed (the email library refuses such a header outright).
"""

from __future__ import annotations

import re
import smtplib

import pytest

from competency_portal.extensions import db
from tests.portal_helpers import Browser, assert_no_crash, build_world, evidence_form


class FakeSMTP:
    """Captures what would be sent."""

    sent: list = []

    def __init__(self, host, port, timeout=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def world(app, seeded, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.nhs.uk")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    return build_world(app, db.session)


def test_a_line_break_in_a_title_adds_no_header_and_breaks_nothing(app, world):
    owner = Browser(app, "owner")
    owner.sign_in(world.emails["owner"])
    title = "Care plan\r\nBcc: attacker@evil.example\r\n\r\nInjected body"
    made = owner.post("/portfolio/evidence/new", evidence_form(world.item_ids[:1], title=title))
    assert made.status_code == 302, made.status_code
    evidence_id = re.search(r"(\d+)$", made.headers["Location"]).group(1)
    response = owner.post(f"/portfolio/evidence/{evidence_id}/submit", {})
    assert_no_crash(response, "submitting evidence whose title has a line break")
    assert response.status_code == 302
    [message] = FakeSMTP.sent
    assert message["To"] == world.emails["supervisor"]
    assert message["Bcc"] is None and "attacker@evil.example" not in (message["To"] + (message["Cc"] or ""))
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Subject"].startswith("Competency Portal: Owner submitted evidence for sign-off: Care plan Bcc:")
