"""Notifications: in the portal always, and by email when SMTP is configured; reading and marking them.

`notify` adds the message inside the caller's transaction, and the email as a background job in
the same transaction: it is sent only once that transaction commits, so nobody is emailed about a
change that was rolled back, and a mail server that is down delays the email (retried with
backoff) rather than the person's request or the change.

A notification names what it is about (`about=("evidence", 12)`), never a URL: the web layer
registers, with `resolve_links_with`, the function that turns a target into the link an email
carries (create_app does), and builds the notifications page's links itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal import jobs
from competency_portal.jobs import handlers
from competency_portal.models import Notification, User

log = logging.getLogger(__name__)

# What a notification may be about: a kind, and whether it names one object by id.
TARGETS = {
    "evidence": True,
    "review": True,
    "queue": False,
    "sharing": False,
    "appraisal": True,
    "job": True,
    "vacancy": True,
}

About = tuple[str, int | None]
_link_for: Callable[[str, int | None], str] | None = None


def resolve_links_with(resolver: Callable[[str, int | None], str] | None) -> None:
    """Register the function that gives a target's link (a path) for emails; None forgets it."""
    global _link_for
    _link_for = resolver


def notify(
    session: Session,
    user: User,
    message: str,
    about: About | None = None,
    mail: dict | None = None,
) -> Notification:
    """Tell `user` something, about a target; `mail` ({server, port, sender}) sends an email after commit."""
    if about is not None and (about[0] not in TARGETS or TARGETS[about[0]] != (about[1] is not None)):
        raise ValueError(f"a notification cannot be about {about!r}")
    kind, target_id = about if about is not None else (None, None)
    note = Notification(user_id=user.id, message=message, target=kind, target_id=target_id)
    session.add(note)
    if mail and mail.get("server"):
        url = _link_for(kind, target_id) if kind is not None and _link_for is not None else None
        jobs.submit(
            session,
            handlers.EMAIL,
            f"Email to {user.email}",
            {"mail": mail, "to": user.email, "message": message, "url": url},
            max_attempts=6,
        )
    return note


def mail_settings(config: dict) -> dict | None:
    """The SMTP settings from the app config, or None when email is not configured."""
    if not config.get("MAIL_SERVER"):
        return None
    return {"server": config["MAIL_SERVER"], "port": config.get("MAIL_PORT", 25), "sender": config.get("MAIL_FROM")}


# -- reading ------------------------------------------------------------------------------


def unread_count(session: Session, user_id: int) -> int:
    """How many of the person's notifications they have not yet marked read."""
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def latest(session: Session, user_id: int, limit: int = 100) -> list[Notification]:
    """The person's notifications, newest first (the last `limit`)."""
    return list(
        session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc()).limit(limit)
        )
    )


def mark_all_read(session: Session, user_id: int, now: datetime) -> None:
    """Mark every unread notification of the person read, as of `now`."""
    for note in session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ):
        note.read_at = now
