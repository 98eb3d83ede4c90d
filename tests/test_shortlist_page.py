"""The shortlist page, summed in SQL and shown a page of applications at a time.

`shortlist_page` ranks every application from totals worked out in SQL; `shortlist_board.load` works
out every cell with the pure rules. Both must give the same shortlist (ranks, ties, totals, the
essential gate, completeness, flags, score counts) on vacancies with moderated, flagged, incomplete
and tied applications; and the page must page through all of them.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone

import pytest
from permission_rules_recruitment_shortlisting import application_criteria, build_vacancy, recruiter
from sqlalchemy import select

from competency_portal.extensions import db
from competency_portal.models import Application, Moderation, PanelMember, Score, Vacancy
from competency_portal.services import shortlist_board, shortlist_page
from tests.portal_helpers import Browser, body

NOW = datetime(2026, 11, 21, 9, tzinfo=timezone.utc)
APPLICATIONS = 12


def _vacancy(session, seed: int, submit_all: bool = True):
    """A vacancy with a panel of three and APPLICATIONS applications scored at random: some copied
    (ties), cells far apart (flags, moderated except on the second application), a missing score
    (the third is incomplete), an essential agreed at 0 (the fourth), one cell moderated with no
    score at all. Returns (vacancy id, lead, member, third member)."""
    rng = random.Random(seed)
    lead, member, third = (recruiter(session, f"{name} {seed}") for name in ("Lena Lead", "Max Member", "Tess Third"))
    refs = [(f"A-{n:03d}", f"Candidate {n}", f"c{n}@example.com", n % 5 == 0) for n in range(1, APPLICATIONS + 1)]
    vacancy = build_vacancy(session, lead.id, [member.id, third.id], refs)
    apps = list(
        session.scalars(
            select(Application.id).where(Application.vacancy_id == vacancy.id).order_by(Application.reference)
        )
    )
    criteria = application_criteria(session)
    panel = (lead.id, member.id, third.id)
    chosen: dict[int, dict[int, tuple[int, int, int]]] = {}
    for n, a in enumerate(apps):
        if n == 6 or (n > 4 and rng.random() < 0.4):
            chosen[a] = chosen[apps[rng.randrange(4, n)]]  # the same scores as an earlier one: a tie
            continue
        centre = rng.choice((2, 2, 3))
        chosen[a] = {
            c.item_id: tuple(
                max(0, min(3, centre + rng.choice((-1, 0, 0, 1)) - (rng.random() < 0.03) * 2)) for _ in panel
            )
            for c in criteria
        }
        if n == 1:
            chosen[a][criteria[1].item_id] = (0, 3, 2)
        if n == 3:
            chosen[a][next(c for c in criteria if c.essential).item_id] = (0, 0, 0)
    for a, cells in chosen.items():
        for item, values in cells.items():
            for scorer, value in zip(panel, values, strict=True):
                if a == apps[2] and item == criteria[0].item_id and scorer == third.id:
                    continue  # a score missing: the application is incomplete
                session.add(
                    Score(application_id=a, item_id=item, scorer_id=scorer, value=value, reason="r", scored_at=NOW)
                )
    session.flush()
    spread = [(a, item) for a, cells in chosen.items() for item, v in cells.items() if max(v) - min(v) >= 2]
    moderated = [(a, item) for a, item in spread if a != apps[1]]
    for a, item in moderated:
        session.add(
            Moderation(
                application_id=a, item_id=item, value=2, reason="Agreed", moderated_by_id=lead.id, moderated_at=NOW
            )
        )
    # Moderated although nobody's score is in: the moderation stands, as in the pure rules.
    lonely = (apps[-1], criteria[-1].item_id)
    for s in session.scalars(select(Score).where(Score.application_id == lonely[0], Score.item_id == lonely[1])):
        session.delete(s)
    if lonely not in moderated:
        session.add(
            Moderation(
                application_id=lonely[0],
                item_id=lonely[1],
                value=3,
                reason="Agreed",
                moderated_by_id=lead.id,
                moderated_at=NOW,
            )
        )
    for m in session.scalars(select(PanelMember).where(PanelMember.vacancy_id == vacancy.id)):
        if submit_all or m.user_id != third.id:
            m.scores_submitted_at = NOW
    session.commit()
    return vacancy.id, lead, member, third


def _every_page(vacancy: Vacancy, viewer_id: int) -> list[shortlist_page.ShortlistPage]:
    first = shortlist_page.load_page(db.session, vacancy, viewer_id, 1)
    return [first] + [shortlist_page.load_page(db.session, vacancy, viewer_id, n) for n in range(2, first.pages + 1)]


@pytest.mark.parametrize("seed,submit_all", [(1, True), (2, True), (3, True), (4, False)])
def test_the_summed_shortlist_is_the_one_the_rules_give(app, seeded, monkeypatch, seed, submit_all):
    monkeypatch.setattr(shortlist_page, "PAGE_SIZE", 5)
    vacancy_id, lead, _, _ = _vacancy(seeded, seed, submit_all)
    vacancy = db.session.get(Vacancy, vacancy_id)
    board = shortlist_board.load(db.session, vacancy)
    pages = _every_page(vacancy, lead.id)
    assert [p.count for p in pages] == [APPLICATIONS] * 3 and [len(p.results) for p in pages] == [5, 5, 2]

    summed = [r for p in pages for r in p.results]
    assert summed == board.results  # candidates, order, ranks, totals, gates, completeness and every cell
    assert pages[0].ties == board.ties
    assert [(c.application_id, k.item_id) for c, k in pages[0].flags] == [
        (r.candidate.application_id, k.item_id) for r, k in board.flags()
    ]
    assert pages[0].score_counts == board.score_counts()
    if submit_all:  # the data are made to have each of these
        assert board.ties and board.flags() and any(r.fails_essentials for r in board.results)
        assert any(not r.complete and not r.fails_essentials for r in board.results)
    else:
        assert not any(r.complete for r in board.results)


def test_the_page_shows_fifty_at_a_time_with_counts_over_all(app, seeded, monkeypatch):
    monkeypatch.setattr(shortlist_page, "PAGE_SIZE", 5)
    vacancy_id, lead, _, third = _vacancy(seeded, 5)
    board = shortlist_board.load(db.session, db.session.get(Vacancy, vacancy_id))
    db.session.rollback()
    browser = Browser(app, "lead")
    browser.sign_in(lead.email)
    base = f"/recruitment/vacancies/{vacancy_id}/shortlist"
    shown = []
    for n, span in ((1, "1 to 5"), (2, "6 to 10"), (3, "11 to 12")):
        page = body(browser.get(f"{base}?page={n}"))
        assert f"(equal ranks are ties): {span} of 12" in page
        table = page.split('id="shortlist-table"')[1].split("</table>")[0]
        shown += re.findall(r">(A-\d{3})<", table)
        # The flags and the distribution are over every application, on every page.
        assert f"differ by 2 or more on {len(board.flags())} criterion scores." in page
        total = sum(sum(c.values()) for c in board.score_counts().values())
        assert f"{total} submitted panel scores;" in page
        assert (f'href="{base}?page={n + 1}"' in page) == (n < 3) and (f'href="{base}?page={n - 1}"' in page) == (n > 1)
    assert shown == [r.candidate.reference for r in board.results]
    assert "Applications 6 to 10 of 12" in body(browser.get(f"{base}?page=1"))
    assert "(equal ranks are ties): 11 to 12 of 12" in body(
        browser.get(f"{base}?page=99")
    )  # past the end: the last page
    assert "(equal ranks are ties): 1 to 5 of 12" in body(browser.get(f"{base}?page=nonsense"))


def test_a_member_still_scoring_pages_through_their_applications(app, seeded, monkeypatch):
    monkeypatch.setattr(shortlist_page, "PAGE_SIZE", 5)
    vacancy_id, _, _, third = _vacancy(seeded, 6, submit_all=False)
    mine = len(
        list(
            db.session.scalars(
                select(Score.id)
                .join(Application)
                .where(Application.vacancy_id == vacancy_id, Score.scorer_id == third.id)
            )
        )
    )
    db.session.rollback()
    browser = Browser(app, "third")
    browser.sign_in(third.email)
    page = body(browser.get(f"/recruitment/vacancies/{vacancy_id}/shortlist?page=3"))
    assert "Applications to score (" in page and ": 11 to 12 of 12" in page
    assert re.findall(r"Score (A-\d{3})<", page) == ["A-011", "A-012"]
    assert f"You have scored {mine} of {12 * len(application_criteria(db.session))}" in page
    assert 'id="shortlist-table"' not in page  # no one's scores before your own are in
