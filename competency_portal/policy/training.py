"""Training records: whose record a person may see, and who adds to it.

A person sees their own training, supervisors their supervisees' (read-only), administrators
everyone's. People record their own completions, registration and DBS checks; administrators
also record completions for anyone (from a certificate or the learning system).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from competency_portal.models import Role, User
from competency_portal.policy.people import can_view_person
from competency_portal.policy.routes import require


def can_add_training(viewer: User, person: User) -> bool:
    """The person themself, or an administrator, records a completion."""
    return viewer.id == person.id or Role.ADMIN in viewer.roles


@dataclass(frozen=True)
class TrainingRights:
    """What one person may do on one person's training page: the flags it shows its forms by."""

    own: bool  # their own record: they also record their registration and DBS checks
    add_record: bool  # may record a completion


def training_rights(viewer: User, person: User) -> TrainingRights:
    """The viewer's rights on a training record they can see."""
    return TrainingRights(own=viewer.id == person.id, add_record=can_add_training(viewer, person))


def trainee_for(session: Session, viewer: User, person_id: int, today: date) -> User:
    """The person whose training `viewer` may see; else 404."""
    person = session.get(User, person_id)
    require(person is not None and can_view_person(session, viewer, person_id, today))
    return person
