"""Two-factor sign-in's rules: setting up an authenticator, codes used once (even when raced), recovery codes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyotp
from world import person

from competency_portal.models import RecoveryCode, TotpFactor
from competency_portal.services import two_factor
from competency_portal.services.two_factor import Verdict

NOW = datetime(2026, 12, 3, 9, 0, 15, tzinfo=timezone.utc)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def enrolled(session, name="Ada Admin"):
    user = person(session, name)
    secret = two_factor.new_secret()
    codes = two_factor.confirm(session, user, secret, code_at(secret, NOW - timedelta(seconds=30)), NOW)
    session.commit()
    return user, secret, codes


def test_an_authenticator_counts_only_once_confirmed_with_a_right_code(session):
    user = person(session, "Ada Admin")
    secret = two_factor.new_secret()
    wrong = "000000" if code_at(secret, NOW) != "000000" else "111111"
    assert two_factor.confirm(session, user, secret, wrong, NOW) is None
    assert not two_factor.is_enrolled(session, user) and session.query(TotpFactor).count() == 0
    codes = two_factor.confirm(session, user, secret, code_at(secret, NOW), NOW)
    assert len(codes) == 10 and len(set(codes)) == 10 and two_factor.is_enrolled(session, user)
    assert two_factor.confirm(session, user, two_factor.new_secret(), code_at(secret, NOW), NOW) is None
    uri = two_factor.provisioning_uri(secret, user.email)
    assert uri.startswith("otpauth://totp/Competency%20Portal:ada.admin%40example.nhs.uk?secret=" + secret)


def test_recovery_codes_are_kept_only_as_hashes(session):
    user, _secret, codes = enrolled(session)
    stored = {r.code_hash for r in session.query(RecoveryCode).filter_by(user_id=user.id)}
    assert len(stored) == 10 and not any(code in stored or code.replace("-", "") in stored for code in codes)


def test_a_code_is_accepted_once_and_an_older_one_never(session):
    user, secret, _ = enrolled(session)
    code = code_at(secret, NOW)
    assert two_factor.verify(session, user, code, NOW) is Verdict.ACCEPTED
    assert two_factor.verify(session, user, code, NOW + timedelta(seconds=5)) is Verdict.REUSED
    assert two_factor.verify(session, user, code_at(secret, NOW - timedelta(seconds=30)), NOW) is Verdict.REUSED
    later = NOW + timedelta(seconds=30)
    assert two_factor.verify(session, user, code_at(secret, later), later) is Verdict.ACCEPTED


def test_a_drifting_phone_is_allowed_one_step_but_not_two(session):
    user, secret, _ = enrolled(session)
    assert two_factor.verify(session, user, code_at(secret, NOW + timedelta(seconds=30)), NOW) is Verdict.ACCEPTED
    far = NOW + timedelta(minutes=5)
    assert two_factor.verify(session, user, code_at(secret, far + timedelta(seconds=90)), far) is Verdict.WRONG


def test_each_recovery_code_works_once_however_it_is_typed(session):
    user, _secret, codes = enrolled(session)
    assert two_factor.verify(session, user, f"  {codes[0].upper().replace('-', ' ')} ", NOW) is Verdict.RECOVERY_CODE
    assert two_factor.verify(session, user, codes[0], NOW) is Verdict.WRONG
    assert two_factor.recovery_codes_left(session, user) == 9


def test_a_code_read_by_two_requests_at_once_is_accepted_by_only_one(app, session):
    from sqlalchemy.orm import Session

    from competency_portal.extensions import db

    user, secret, _ = enrolled(session)
    code = code_at(secret, NOW)
    with Session(db.engine) as first, Session(db.engine) as second:
        # Both have read the authenticator (last step before this code) before either accepts it.
        ada_first, ada_second = first.get(type(user), user.id), second.get(type(user), user.id)
        assert two_factor.is_enrolled(first, ada_first) and two_factor.is_enrolled(second, ada_second)
        second.rollback()  # SQLite: no read transaction held open across the other's write
        assert two_factor.verify(first, ada_first, code, NOW) is Verdict.ACCEPTED
        first.commit()
        assert two_factor.verify(second, ada_second, code, NOW) is Verdict.REUSED
        second.commit()


def test_a_reset_removes_the_authenticator_and_its_recovery_codes(session):
    user, _secret, codes = enrolled(session)
    assert two_factor.reset(session, user) is True
    session.commit()
    assert not two_factor.is_enrolled(session, user) and two_factor.recovery_codes_left(session, user) == 0
    assert two_factor.verify(session, user, codes[1], NOW) is Verdict.WRONG
    assert two_factor.reset(session, user) is False
