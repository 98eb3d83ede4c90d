"""Which parts of the portal the navigation offers a person: the route rules they pass, as flags.

The layout reads these flags only; it never looks at roles. Each flag is the route rule of the
pages it links to, so the navigation offers exactly what the person may open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from competency_portal.models import User
from competency_portal.policy.routes import ADMIN, RECRUITER, STAFF, SUPERVISING, allowed


@dataclass(frozen=True)
class NavRights:
    """The sections of the navigation a person sees (besides what everyone signed in sees)."""

    admin: bool = False  # the organisation view and administration
    recruiter: bool = False  # recruitment
    supervising: bool = False  # my team and the sign-off queue (a supervisor, or a deputy while covering)
    staff: bool = False


NO_NAVIGATION = NavRights()  # someone not signed in


def navigation(session: Session, user: User, today: date) -> NavRights:
    """The navigation flags for a signed-in person today."""
    return NavRights(
        admin=allowed(session, user, ADMIN, today),
        recruiter=allowed(session, user, RECRUITER, today),
        supervising=allowed(session, user, SUPERVISING, today),
        staff=allowed(session, user, STAFF, today),
    )
