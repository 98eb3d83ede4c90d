"""The readiness rules, tested as pure functions on plain data."""

from __future__ import annotations

from datetime import date

import pytest

from competency_portal.clock import add_months
from competency_portal.readiness.model import (
    Confirmation,
    Required,
    Status,
    assess,
    equivalence,
    history,
)

TODAY = date(2026, 11, 20)
A, B, C = ("fw-a", "A.1"), ("fw-b", "1.1"), ("fw-c", "X.1")


def req(key, target=3, review=None, domain="Risk", essential=False, framework="Framework A"):
    return Required(key, key[1], f"statement {key[1]}", framework, domain, target, review, essential)


def confirmed(key, level, day):
    return Confirmation(key, level, day)


def status_of(result, key):
    return next(i for i in result.items if i.required.key == key)


def test_verified_at_target_is_met_and_below_is_a_gap():
    result = assess(
        [req(A), req(B)], [confirmed(A, 3, date(2026, 1, 1)), confirmed(B, 2, date(2026, 1, 1))], {}, {}, TODAY
    )
    assert status_of(result, A).status == Status.MET
    assert status_of(result, B).status == Status.GAP and status_of(result, B).verified == 2
    assert result.share == 0.5 and not result.ready


def test_the_highest_current_level_counts():
    result = assess(
        [req(A)],
        [confirmed(A, 2, date(2026, 1, 1)), confirmed(A, 4, date(2026, 2, 1)), confirmed(A, 3, date(2026, 3, 1))],
        {},
        {},
        TODAY,
    )
    assert status_of(result, A).verified == 4


def test_self_rating_at_target_without_verification_is_claimed():
    result = assess([req(A), req(B)], [], {A: 3, B: 1}, {}, TODAY)
    assert status_of(result, A).status == Status.CLAIMED and status_of(result, A).self_level == 3
    assert status_of(result, B).status == Status.GAP
    assert result.met == 0


def test_crosswalk_credit_counts_evidence_for_an_equivalent_item():
    groups = equivalence([(A, B)])
    result = assess([req(A)], [confirmed(B, 3, date(2026, 1, 1))], {}, groups, TODAY)
    assert status_of(result, A).status == Status.MET


def test_crosswalk_equivalence_is_transitive():
    groups = equivalence([(A, B), (B, C)])
    assert groups[A] == {A, B, C}
    assert status_of(assess([req(A)], [confirmed(C, 3, date(2026, 1, 1))], {}, groups, TODAY), A).status == Status.MET


def test_no_credit_without_a_crosswalk_pair():
    groups = equivalence([(B, C)])
    assert status_of(assess([req(A)], [confirmed(B, 4, date(2026, 1, 1))], {}, groups, TODAY), A).status == Status.GAP


def test_a_sign_off_older_than_the_review_period_no_longer_counts():
    result = assess([req(A, review=12)], [confirmed(A, 3, date(2025, 11, 19))], {}, {}, TODAY)
    assert status_of(result, A).status == Status.GAP and status_of(result, A).verified is None


def test_a_sign_off_expiring_within_90_days_is_lapsing_but_still_met():
    result = assess([req(A, review=12)], [confirmed(A, 3, date(2026, 1, 10))], {}, {}, TODAY)
    item = status_of(result, A)
    assert item.status == Status.LAPSING and item.expires_on == date(2027, 1, 10)
    assert result.met == 1 and result.lapsing() == [item]


def test_a_newer_sign_off_renews_currency():
    old, new = confirmed(A, 3, date(2025, 6, 1)), confirmed(A, 3, date(2026, 10, 1))
    item = status_of(assess([req(A, review=12)], [old, new], {}, {}, TODAY), A)
    assert item.status == Status.MET and item.expires_on == date(2027, 10, 1)


def test_currency_prefers_a_current_sign_off_at_target_over_a_higher_expired_one():
    result = assess(
        [req(A, review=12)], [confirmed(A, 4, date(2025, 1, 1)), confirmed(A, 3, date(2026, 6, 1))], {}, {}, TODAY
    )
    assert status_of(result, A).verified == 3 and status_of(result, A).status == Status.MET


def test_sign_offs_after_the_assessment_date_do_not_count():
    assert status_of(assess([req(A)], [confirmed(A, 3, date(2026, 12, 1))], {}, {}, TODAY), A).status == Status.GAP


def test_domains_roll_up_and_overall_share():
    required = [req(A, domain="Risk"), req(B, domain="Risk"), req(C, domain="Carers")]
    result = assess(required, [confirmed(A, 3, date(2026, 1, 1)), confirmed(C, 3, date(2026, 1, 1))], {B: 2}, {}, TODAY)
    risk = next(d for d in result.domains if d.domain == "Risk")
    assert (risk.required, risk.met, risk.share) == (2, 1, 0.5)
    assert risk.target_mean == 3 and risk.self_mean == 1 and risk.verified_mean == 1.5
    assert result.share == pytest.approx(2 / 3)


def test_essential_criteria_gate_readiness():
    required = [req(A), req(B, essential=True, framework="Person specification")]
    both = assess(required, [confirmed(A, 3, date(2026, 1, 1)), confirmed(B, 3, date(2026, 1, 1))], {}, {}, TODAY)
    assert both.ready and both.essentials_missing == 0
    missing = assess(required, [confirmed(A, 3, date(2026, 1, 1))], {}, {}, TODAY)
    assert not missing.ready and missing.essentials_missing == 1


def test_gaps_are_ranked_by_shortfall():
    required = [req(A, target=3), req(B, target=4), req(C, target=2)]
    result = assess(required, [confirmed(B, 1, date(2026, 1, 1))], {}, {}, TODAY)
    assert [g.required.key for g in result.gaps()] == [B, A, C]  # shortfalls 3, 3, 2; ties by framework, then code


def test_history_shows_readiness_growing_as_sign_offs_arrive():
    required = [req(A), req(B)]
    points = history(required, [confirmed(A, 3, date(2026, 3, 15)), confirmed(B, 3, date(2026, 9, 2))], {}, TODAY)
    assert points[-1] == (TODAY, 1.0)
    shares = dict(points)
    assert shares[date(2026, 2, 28)] == 0.0 and shares[date(2026, 3, 31)] == 0.5 and shares[date(2026, 9, 30)] == 1.0
    assert len(points) == 13


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 20), 14) == date(2028, 1, 20)


def test_an_empty_role_is_not_ready():
    result = assess([], [], {}, {}, TODAY)
    assert result.share == 0.0 and not result.ready
