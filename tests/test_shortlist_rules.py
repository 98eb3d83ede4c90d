"""Shortlisting rules as pure functions: moderation, essential gates, ranking with ties."""

from __future__ import annotations

from competency_portal.shortlisting.ranking import Candidate, Criterion, shortlist, tied
from competency_portal.shortlisting.scores import cell

E1, E2, D1 = (
    Criterion(1, "AP.1", "Equal opportunities", True),
    Criterion(2, "KS.1", "Qualification", True),
    Criterion(3, "KS.16", "Second language", False),
)
CRITERIA = [E1, E2, D1]
PANEL = (10, 11)


def scored(**per_app):
    """{app: {item: (score by 10, score by 11)}} -> the scores mapping."""
    out = {}
    for app, items in per_app.items():
        for item, pair in items.items():
            out[(int(app[1:]), item)] = dict(zip(PANEL, pair, strict=True))
    return out


def test_close_scores_agree_on_their_mean():
    assert cell({10: 2, 11: 3}, None, 2).agreed == 2.5


def test_a_spread_of_two_needs_moderation_until_the_lead_agrees_a_score():
    flagged = cell({10: 1, 11: 3}, None, 2)
    assert flagged.needs_moderation and flagged.agreed is None and flagged.spread == 2
    moderated = cell({10: 1, 11: 3}, 2, 2)
    assert not moderated.needs_moderation and moderated.agreed == 2.0


def test_missing_scores_leave_a_criterion_unagreed():
    assert cell({10: 2}, None, 2).agreed is None


def test_an_agreed_zero_on_an_essential_fails_the_essentials_but_a_desirable_zero_does_not():
    scores = scored(a1={1: (0, 0), 2: (3, 3), 3: (3, 3)}, a2={1: (2, 2), 2: (2, 2), 3: (0, 0)})
    results = {
        r.candidate.application_id: r
        for r in shortlist(CRITERIA, [Candidate(1, "C-001"), Candidate(2, "C-002")], scores, {}, 2)
    }
    assert results[1].fails_essentials and results[1].rank is None
    assert not results[2].fails_essentials and results[2].rank == 1


def test_a_moderated_zero_fails_the_essentials():
    scores = scored(a1={1: (0, 2), 2: (3, 3), 3: (1, 1)})
    [result] = shortlist(CRITERIA, [Candidate(1, "C-001")], scores, {(1, 1): 0}, 2)
    assert result.fails_essentials


def test_ranking_by_essentials_then_desirables_with_ties_shown():
    scores = scored(
        a1={1: (3, 3), 2: (3, 3), 3: (1, 1)},
        a2={1: (3, 3), 2: (3, 3), 3: (2, 2)},
        a3={1: (2, 2), 2: (2, 2), 3: (3, 3)},
        a4={1: (3, 3), 2: (3, 3), 3: (1, 1)},
    )
    candidates = [Candidate(i, f"C-00{i}") for i in (1, 2, 3, 4)]
    results = shortlist(CRITERIA, candidates, scores, {}, 2)
    assert [(r.candidate.application_id, r.rank) for r in results] == [(2, 1), (1, 2), (4, 2), (3, 4)]
    assert tied(results) == {1, 4}


def test_incomplete_applications_are_not_ranked():
    scores = scored(a1={1: (3, 3), 2: (3, 1), 3: (1, 1)})
    [result] = shortlist(CRITERIA, [Candidate(1, "C-001")], scores, {}, 2)
    assert not result.complete and result.rank is None and result.cells[2].needs_moderation


def test_guaranteed_interview_candidates_meeting_the_essentials_are_marked():
    scores = scored(a1={1: (1, 1), 2: (1, 2), 3: (0, 0)}, a2={1: (0, 0), 2: (3, 3), 3: (3, 3)})
    results = {
        r.candidate.application_id: r
        for r in shortlist(CRITERIA, [Candidate(1, "C-001", True), Candidate(2, "C-002", True)], scores, {}, 2)
    }
    assert results[1].guaranteed_interview_flag
    assert not results[2].guaranteed_interview_flag


def test_equal_totals_share_a_rank_whatever_the_order_of_the_means():
    # Panel of three: thirds. 1/3 + 4/3 + 1/3 summed as floats is 1.9999999999999998, and 2/3 * 3 is
    # 2.0; both totals are 2 and are shown as "2", so they must be one joint rank.
    criteria = [Criterion(1, "E.1", "One", True), Criterion(2, "E.2", "Two", True), Criterion(3, "E.3", "Three", True)]
    panel = (10, 11, 12)
    by = {1: ((0, 0, 1), (1, 1, 2), (0, 1, 0)), 2: ((1, 1, 0), (0, 1, 1), (1, 0, 1))}
    scores = {
        (app, item): dict(zip(panel, values, strict=True))
        for app, cells in by.items()
        for item, values in zip((1, 2, 3), cells, strict=True)
    }
    results = shortlist(criteria, [Candidate(1, "C-001"), Candidate(2, "C-002")], scores, {}, 3)
    assert [r.essential_total for r in results] == [2, 2]
    assert [r.rank for r in results] == [1, 1] and tied(results) == {1, 2}
