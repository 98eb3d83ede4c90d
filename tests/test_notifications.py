"""Notifications: in the portal always; by email, after commit, only when SMTP is configured."""

from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import select
from world import person

from competency_portal.models import Notification
from competency_portal.services.notify import mail_settings, notify


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append((self.host, self.port, message))


@pytest.fixture
def smtp(monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP.sent


MAIL = {"server": "smtp.example.nhs.uk", "port": 2525, "sender": "portal@example.nhs.uk"}


def test_email_is_sent_only_after_commit(session, smtp):
    user = person(session, "Sam Staff")
    notify(session, user, "Evidence returned", link="/portfolio/evidence/1", mail=MAIL)
    assert smtp == []
    session.commit()
    [(host, port, message)] = smtp
    assert (host, port) == ("smtp.example.nhs.uk", 2525)
    assert message["To"] == user.email and "Evidence returned" in message["Subject"]


def test_no_email_for_a_change_that_was_rolled_back(session, smtp):
    user = person(session, "Sam Staff")
    notify(session, user, "Evidence returned", mail=MAIL)
    session.rollback()
    session.commit()
    assert smtp == [] and session.scalar(select(Notification)) is None


def test_without_smtp_settings_notifications_stay_in_the_portal(session, smtp):
    user = person(session, "Sam Staff")
    notify(session, user, "Hello", mail=mail_settings({"MAIL_SERVER": None}))
    session.commit()
    assert smtp == [] and session.scalar(select(Notification.message)) == "Hello"


def test_a_mail_failure_does_not_lose_the_change(session, monkeypatch):
    class Broken(FakeSMTP):
        def send_message(self, message):
            raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(smtplib, "SMTP", Broken)
    user = person(session, "Sam Staff")
    notify(session, user, "Kept", mail=MAIL)
    session.commit()
    assert session.scalar(select(Notification.message)) == "Kept"


def test_notifications_page_lists_and_marks_read(app, session):
    from test_auth import csrf, sign_in

    user = person(session, "Sam Staff")
    notify(session, user, "Your evidence was signed off", link="/portfolio")
    session.commit()
    client = app.test_client()
    sign_in(client, user.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Your evidence was signed off" in page and ">New</strong>" in page
    assert "(1 new)" in client.get("/").get_data(as_text=True)
    client.post("/notifications/read", data={"csrf_token": csrf(client, "/notifications")})
    assert "(1 new)" not in client.get("/").get_data(as_text=True)
