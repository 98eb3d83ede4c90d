"""Notifications: in the portal always, and by email when SMTP is configured.

`notify` adds the message inside the caller's transaction; emails are sent only once that
transaction commits, so nobody is emailed about a change that was rolled back.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import event
from sqlalchemy.orm import Session

from competency_portal.models import Notification, User

log = logging.getLogger(__name__)
_PENDING = "portal_pending_email"


def notify(
    session: Session, user: User, message: str, link: str | None = None, mail: dict | None = None
) -> Notification:
    """Tell `user` something; `mail` ({server, port, sender}) sends an email after commit."""
    note = Notification(user_id=user.id, message=message, link=link)
    session.add(note)
    if mail and mail.get("server"):
        session.info.setdefault(_PENDING, []).append((mail, user.email, message, link))
    return note


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for mail, to, message, link in session.info.pop(_PENDING, []):
        try:
            email = EmailMessage()
            # A title or name typed with a line break would otherwise break the header (the email library refuses it).
            subject = " ".join(message.split())[:80]
            email["From"], email["To"], email["Subject"] = mail["sender"], to, "Competency Portal: " + subject
            email.set_content(message + (f"\n\n{mail.get('base_url', '')}{link}" if link else ""))
            with smtplib.SMTP(mail["server"], mail.get("port", 25), timeout=10) as smtp:
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException):
            # The in-portal notification is the record; a mail failure must not undo the change.
            log.exception("could not email %s", to)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def mail_settings(config: dict) -> dict | None:
    """The SMTP settings from the app config, or None when email is not configured."""
    if not config.get("MAIL_SERVER"):
        return None
    return {"server": config["MAIL_SERVER"], "port": config.get("MAIL_PORT", 25), "sender": config.get("MAIL_FROM")}
