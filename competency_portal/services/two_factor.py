"""Two-factor sign-in for password accounts: an authenticator app (TOTP, pyotp) and recovery codes.

A person sets up their authenticator by scanning a QR code (or typing the secret) and confirming
with a code from the app (nothing is stored until then); they are then given ten single-use
recovery codes, shown once and kept only as hashes. A code is accepted once: the time step of the
last one used is stored, so the same code (or an older one) cannot be replayed within its 30-second
window. Wrong and reused codes are counted and throttled by the caller (services.sign_in_limits).
The caller commits.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from competency_portal.models import RecoveryCode, TotpFactor, User

ISSUER = "Competency Portal"
RECOVERY_CODES = 10
WINDOW = 1  # a code from the step before or after is accepted too: phones' clocks drift


class Verdict(str, enum.Enum):
    """What a code entered at sign-in turned out to be."""

    ACCEPTED = "accepted"
    RECOVERY_CODE = "recovery_code"  # accepted, and that recovery code is now used up
    WRONG = "wrong"
    REUSED = "reused"  # a right code that has already been used


def _factor(session: Session, user: User) -> TotpFactor | None:
    return session.scalar(select(TotpFactor).where(TotpFactor.user_id == user.id))


def is_enrolled(session: Session, user: User) -> bool:
    """Whether the person has a confirmed authenticator."""
    factor = _factor(session, user)
    return factor is not None and factor.confirmed_at is not None


def new_secret() -> str:
    """A new random secret for an authenticator being set up (kept by the caller until it is confirmed)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _step(secret: str, code: str, now: datetime) -> int | None:
    """The time step `code` is right for, within the window around `now`, or None."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for offset in sorted(range(-WINDOW, WINDOW + 1), key=abs):
        if secrets.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def _clean(code: str) -> str:
    return "".join(c for c in (code or "") if c.isascii() and c.isalnum()).lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten fresh recovery codes (any earlier ones stop working); the only time they are seen in full."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def confirm(session: Session, user: User, secret: str, code: str, now: datetime) -> list[str] | None:
    """Store the authenticator being set up, once a code from it is right; its recovery codes, or None."""
    if is_enrolled(session, user):
        return None
    step = _step(secret, _clean(code), now)
    if step is None:
        return None
    session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
    session.add(TotpFactor(user_id=user.id, secret=secret, confirmed_at=now, last_step=step))
    return new_recovery_codes(session, user)


def _claim_step(session: Session, factor: TotpFactor, step: int) -> bool:
    # A conditional update, not read-then-write: of two requests racing with the same code, one wins.
    claimed = session.execute(
        update(TotpFactor)
        .where(TotpFactor.id == factor.id, TotpFactor.last_step < step)
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        set_committed_value(factor, "last_step", step)  # already written; no second UPDATE at the flush
    return bool(claimed)


def verify(session: Session, user: User, code: str, now: datetime, recovery: bool = True) -> Verdict:
    """Check a code entered at sign-in: from the authenticator, or (if `recovery`) a recovery code."""
    factor = _factor(session, user)
    cleaned = _clean(code)
    verdict = Verdict.WRONG
    if factor is not None and factor.confirmed_at is not None and cleaned.isdigit() and len(cleaned) == 6:
        step = _step(factor.secret, cleaned, now)
        if step is not None:
            verdict = Verdict.ACCEPTED if _claim_step(session, factor, step) else Verdict.REUSED
    elif cleaned and recovery:
        used = session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _hash(cleaned),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if used:
            verdict = Verdict.RECOVERY_CODE
    return verdict


def recovery_codes_left(session: Session, user: User) -> int:
    """How many of the person's recovery codes are unused."""
    return (
        session.scalar(select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0
    )


def reset(session: Session, user: User) -> bool:
    """Remove the person's authenticator and recovery codes (they set up a new one at their next sign-in)."""
    removed = session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id)).rowcount
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    return bool(removed)
