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
    notify(session, user, "Evidence returned", about=("evidence", 1), mail=MAIL)
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
    notify(session, user, "Your evidence was signed off", about=("evidence", 1))
    session.commit()
    client = app.test_client()
    sign_in(client, user.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Your evidence was signed off" in page and ">New</strong>" in page
    assert "(1 new)" in client.get("/").get_data(as_text=True)
    client.post("/notifications/read", data={"csrf_token": csrf(client, "/notifications")})
    assert "(1 new)" not in client.get("/").get_data(as_text=True)


def test_an_email_carries_the_link_to_what_it_is_about(session, smtp):
    user = person(session, "Sam Staff")
    notify(session, user, "Evidence waits for you", about=("review", 7), mail=MAIL)
    notify(session, user, "You are covering", about=("queue", None), mail=MAIL)
    notify(session, user, "No link", mail=MAIL)
    session.commit()
    bodies = [message.get_content() for _, _, message in smtp]
    assert bodies == [
        "Evidence waits for you\n\n/supervision/evidence/7\n",
        "You are covering\n\n/supervision/\n",
        "No link\n",
    ]


def test_the_notifications_page_links_each_to_what_it_is_about(app, session):
    from test_auth import sign_in

    user = person(session, "Sam Staff")
    notify(session, user, "Signed off", about=("evidence", 3))
    notify(session, user, "Asked to share", about=("sharing", None))
    notify(session, user, "An appraisal", about=("appraisal", 5))
    notify(session, user, "Nothing to open")
    session.commit()
    client = app.test_client()
    sign_in(client, user.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert '<a href="/portfolio/evidence/3">Signed off</a>' in page
    assert '<a href="/portfolio/sharing">Asked to share</a>' in page
    assert '<a href="/appraisals/5">An appraisal</a>' in page
    assert "Nothing to open<br>" in page


def test_a_notification_names_a_known_target(session):
    user = person(session, "Sam Staff")
    for about in (("evidenc", 1), ("evidence", None), ("queue", 4)):
        with pytest.raises(ValueError):
            notify(session, user, "Hello", about=about)


def test_every_target_kind_has_a_page():
    from competency_portal.main.links import TARGETS as PAGES
    from competency_portal.services.notify import TARGETS

    assert set(PAGES) == set(TARGETS)
    assert all((PAGES[kind][1] is not None) == with_id for kind, with_id in TARGETS.items())


def test_the_migration_turns_links_into_targets_and_back(app, tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import create_engine, text

    from competency_portal import create_app
    from competency_portal.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("needs a second, empty database: shown on a fresh SQLite file in the SQLite run")
    url = f"sqlite:///{tmp_path / 'links.sqlite3'}"
    fresh = create_app({"TESTING": True, "PORTAL_ENV": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    migrations = str(app.root_path + "/../migrations")
    links = [
        "/portfolio/evidence/4",
        "/supervision/evidence/5",
        "/supervision/",
        "/portfolio/sharing",
        "/appraisals/6",
        "/somewhere/else",
        None,
    ]
    engine = create_engine(url)
    with fresh.app_context():
        upgrade(directory=migrations, revision="0006_score_drafts")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user_account (id, email, name, active, failed_sign_ins, session_token, created_at) "
                    "VALUES (1, 'a@example.nhs.uk', 'A', 1, 0, 't', '2026-01-01 00:00:00')"
                )
            )
            for n, link in enumerate(links, 1):
                connection.execute(
                    text(
                        "INSERT INTO notification (id, user_id, message, link, created_at) "
                        "VALUES (:id, 1, 'm', :link, '2026-01-01 00:00:00')"
                    ),
                    {"id": n, "link": link},
                )
        upgrade(directory=migrations, revision="0007_notification_targets")
        with engine.connect() as connection:
            targets = connection.execute(text("SELECT target, target_id FROM notification ORDER BY id")).all()
        assert targets == [
            ("evidence", 4),
            ("review", 5),
            ("queue", None),
            ("sharing", None),
            ("appraisal", 6),
            (None, None),
            (None, None),
        ]
        downgrade(directory=migrations, revision="0006_score_drafts")
        with engine.connect() as connection:
            back = connection.execute(text("SELECT link FROM notification ORDER BY id")).scalars().all()
        assert back == links[:5] + [None, None]
    engine.dispose()
