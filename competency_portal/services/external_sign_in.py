"""Signing in with a trust's identity provider: matching the provider's person to a portal account.

Accounts are never created here. The first time someone signs in with a provider they are matched
to the account administrators already made (from the HR import) by a stable claim, their email
address or employee number, and the provider's subject identifier is stored; after that the subject
alone finds them, so a changed email address at the trust does not lock anyone out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competency_portal.models import ExternalIdentity, User


class Outcome(str, enum.Enum):
    """How a provider sign-in ended."""

    SIGNED_IN = "signed_in"
    NOT_SET_UP = "not_set_up"  # nobody in the portal has that email address or number
    DEACTIVATED = "deactivated"
    MISSING_CLAIM = "missing_claim"  # the provider did not send the claim that identifies the person
    LINKED_ELSEWHERE = "linked_elsewhere"  # the account is already linked to another provider account


@dataclass(frozen=True)
class Result:
    """The outcome, the person when there is one, and the value they were matched by."""

    outcome: Outcome
    user: User | None = None
    value: str | None = None


def _claim_value(claims: dict, claim: str) -> str | None:
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        return None
    if claim == "email" and claims.get("email_verified") is False:
        return None  # an address the provider itself has not checked identifies nobody
    return value.strip()


def _by_value(session: Session, match: str, value: str) -> User | None:
    if match == "employee_number":
        return session.scalar(select(User).where(User.employee_number == value))
    return session.scalar(select(User).where(func.lower(User.email) == value.lower()))


def sign_in(session: Session, provider: str, claims: dict, claim: str, match: str, now: datetime) -> Result:
    """Find the portal account for a verified ID token's claims, linking it at the first sign-in.

    `claim` names the claim that identifies the person and `match` the account field it is compared
    with ("email" or "employee_number"). The caller commits.
    """
    subject = str(claims["sub"])
    identity = session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.subject == subject)
    )
    value = _claim_value(claims, claim)
    if identity is None:
        if value is None:
            return Result(Outcome.MISSING_CLAIM)
        user = _by_value(session, match, value)
        if user is None:
            return Result(Outcome.NOT_SET_UP, value=value)
        taken = session.scalar(
            select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.user_id == user.id)
        )
        if taken is not None:
            return Result(Outcome.LINKED_ELSEWHERE, user, value)
        if not user.active:
            return Result(Outcome.DEACTIVATED, user, value)
        identity = ExternalIdentity(provider=provider, subject=subject, user=user, linked_at=now)
        session.add(identity)
    user = identity.user
    if not user.active:
        return Result(Outcome.DEACTIVATED, user, value)
    identity.last_sign_in_at = now
    return Result(Outcome.SIGNED_IN, user, value)


def links_of(session: Session, user: User) -> list[ExternalIdentity]:
    """The person's linked provider accounts, by provider."""
    return list(
        session.scalars(
            select(ExternalIdentity).where(ExternalIdentity.user_id == user.id).order_by(ExternalIdentity.provider)
        )
    )


def unlink(session: Session, user: User, provider: str | None = None) -> int:
    """Forget a person's provider links (all, or one provider's), e.g. when their trust account was reissued."""
    query = select(ExternalIdentity).where(ExternalIdentity.user_id == user.id)
    if provider is not None:
        query = query.where(ExternalIdentity.provider == provider)
    links = list(session.scalars(query))
    for link in links:
        session.delete(link)
    return len(links)
