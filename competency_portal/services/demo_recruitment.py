"""Demo recruitment: two vacancies, so every step of shortlisting can be tried from the demo accounts.

- A Care Coordinator (Band 6) vacancy on the Leeds person specification, led by the demo recruiter:
  five applications (one an internal candidate from the demo team who shares her verified
  portfolio), scored in full and submitted by the second panel member; the demo recruiter has
  scored four in full and the fifth part way (a score still without its reason, a reason still
  without its score), so there is scoring left to do, then two disagreements to moderate,
  decisions to record and the shortlist to agree.
- A Mental Health Social Worker vacancy on the Tameside person specification, led by the second
  recruiter with the demo recruiter on the panel: scored, one disagreement moderated, every
  decision recorded with its reason, the shortlist agreed (names shown) and moved to interviews.

Everything goes through the recruitment services, so their rules and audit trail apply. The
scores are fixed (a seeded random generator), so the demo is the same every time.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from competency_portal.models import Outcome, User, VacancyStatus
from competency_portal.services import panel_scores, people, portfolio_consent, shortlist_board, shortlisting, vacancies
from competency_portal.services.demo_candidates import CARE_COORDINATOR, CHRIS, LEE, SOCIAL_WORKER

PANEL_MEMBER = ("Lee Chambers", "panel@example.nhs.uk", "Service Manager", "8a")
LEEDS = "leeds-recovery-centre-care-coordinator-person-spec"
TAMESIDE = "tameside-mhsw-care-coordinator-person-spec"


def seed(session: Session, today: date, *, recruiter: User, panel: User, internal: User) -> tuple[str, str]:
    """Both demo vacancies (see the module docstring); returns their titles. `internal` applies to the first."""
    rng = random.Random(16)
    first = _care_coordinator(session, rng, today, recruiter, panel, internal)
    second = _social_worker(session, rng, today, panel, recruiter)
    return first, second


def _open(session, today, lead, other, slug, title, band, closed_days_ago, candidates):
    """A vacancy and its applications, moved on to shortlisting; returns them and the scored criteria."""
    spec = next(v for v in vacancies.spec_choices(session) if v.framework.slug == slug)
    team = people.team_named(session, "North Community Mental Health Team")
    vacancy = vacancies.create_vacancy(
        session,
        lead,
        vacancies.VacancyFields(
            title=title,
            band=band,
            team_id=team.id if team else None,
            closing_on=today - timedelta(days=closed_days_ago),
            spec_version_id=spec.id,
            panel_ids=[other.id],
        ),
    )
    first = vacancies.criteria(session, spec.id)[0]
    apps = []
    for name, email, internal, guaranteed, _, statement, answer in candidates:
        apps.append(
            vacancies.add_application(
                session,
                vacancy,
                lead,
                vacancies.ApplicationFields(
                    candidate_name=name,
                    email=email,
                    supporting_statement=statement,
                    internal=internal,
                    guaranteed_interview=guaranteed,
                    portfolio_consent=internal and people.find_by_email(session, email) is not None,
                    answers={first.id: answer},
                ),
            )
        )
    vacancies.advance(session, vacancy, lead, VacancyStatus.SHORTLISTING, vacancy.lock_version)
    return vacancy, apps, shortlist_board.load(session, vacancy).criteria


def _levels(rng, candidates, criteria, fails: dict[int, str]) -> list[dict[int, int]]:
    """One panel member's score of each application on each criterion: its strength, give or take one.

    `fails`: application index -> the essential criterion it has no evidence for (scored 0).
    """
    levels = []
    for n, candidate in enumerate(candidates):
        strength = candidate[4]
        levels.append(
            {
                c.item_id: 0 if fails.get(n) == c.code else _bounded(c, round(strength + rng.uniform(-0.8, 0.8)))
                for c in criteria
            }
        )
    return levels


def _second_opinion(rng, criteria, levels) -> list[dict[int, int]]:
    """Another member's scores: the same, or one either side (never 2 apart); a 0 stays a 0."""
    return [
        {
            c.item_id: v if v == 0 else _bounded(c, v + rng.choice([0, 0, 0, -1, 1]))
            for c in criteria
            for v in [row[c.item_id]]
        }
        for row in levels
    ]


def _bounded(criterion, value: int) -> int:
    # Nobody scores 0 on an essential by chance: that is kept for the candidates the demo means to fail one.
    return max(1 if criterion.essential else 0, min(3, value))


def _score(session, vacancy, scorer, app, levels, voice, when, only=None):
    entries = {i: (v, voice[v]) for i, v in levels.items() if only is None or i in only}
    panel_scores.save_scores(session, vacancy, scorer, app, entries, when)


def _care_coordinator(session, rng, today, lead, other, internal):
    vacancy, apps, criteria = _open(
        session, today, lead, other, LEEDS, "Care Coordinator (Band 6), Recovery Centre", "Band 6", 4, CARE_COORDINATOR
    )
    for app in apps:
        if app.internal_user_id == internal.id:
            portfolio_consent.respond(session, internal, app.id, share=True)  # Grace agrees, as herself
    code = {c.code: c.item_id for c in criteria}
    theirs = _levels(rng, CARE_COORDINATOR, criteria, {3: "KS.1"})  # Daniel has no professional qualification
    mine = _second_opinion(rng, criteria, theirs)
    # Two disagreements for the lead to moderate once their own scores are in.
    theirs[0][code["EX.5"]], mine[0][code["EX.5"]] = 3, 1
    theirs[2][code["KS.2"]], mine[2][code["KS.2"]] = 1, 3
    for n, app in enumerate(apps):
        _score(session, vacancy, other, app, theirs[n], LEE, _at(today - timedelta(days=3), 14))
    panel_scores.submit_scores(session, vacancy, other, _at(today - timedelta(days=2), 9))
    # The demo recruiter has scored four applications in full and the fifth part way.
    when = _at(today - timedelta(days=1), 16)
    for n, app in enumerate(apps[:4]):
        _score(session, vacancy, lead, app, mine[n], CHRIS, when)
    last, order = apps[4], [c.item_id for c in criteria]
    _score(session, vacancy, lead, last, mine[4], CHRIS, when, only=set(order[:20]))
    panel_scores.save_scores(
        session,
        vacancy,
        lead,
        last,
        {
            order[20]: (mine[4][order[20]], ""),
            order[21]: (None, "Good example of working with families; check the level."),
        },
        when,
    )
    return vacancy.title


def _social_worker(session, rng, today, lead, other):
    vacancy, apps, criteria = _open(
        session,
        today,
        lead,
        other,
        TAMESIDE,
        "Mental Health Social Worker / Care Co-ordinator (Grade H)",
        "Grade H",
        35,
        SOCIAL_WORKER,
    )
    code = {c.code: c.item_id for c in criteria}
    levels = _levels(rng, SOCIAL_WORKER, criteria, {3: "EQ.1"})  # Kwame is not yet qualified or registered
    theirs = _second_opinion(rng, criteria, levels)
    levels[1][code["KN.3"]], theirs[1][code["KN.3"]] = 3, 1
    for scorer, rows, voice, day in ((lead, levels, LEE, 31), (other, theirs, CHRIS, 30)):
        for n, app in enumerate(apps):
            _score(session, vacancy, scorer, app, rows[n], voice, _at(today - timedelta(days=day), 11))
        panel_scores.submit_scores(session, vacancy, scorer, _at(today - timedelta(days=day), 17))
    decided = _at(today - timedelta(days=27), 10)
    shortlisting.moderate(
        session,
        vacancy,
        lead,
        apps[1],
        code["KN.3"],
        2,
        "Discussed at panel: sound knowledge of the "
        "Mental Health Act from crisis work, less of NICE guidance. Meets it.",
        decided,
    )
    reasons = [
        (Outcome.SHORTLIST, "Strong on every essential; an AMHP with current approval."),
        (Outcome.SHORTLIST, "Meets every essential; crisis experience is a strength for this team."),
        (Outcome.RESERVE, "Meets the essentials but less experience of care coordination than those shortlisted."),
        (
            Outcome.NOT_SHORTLISTED,
            "Does not yet hold a social work qualification with HCPC registration (EQ.1, essential).",
        ),
    ]
    for app, (outcome, reason) in zip(apps, reasons, strict=True):
        shortlisting.decide(session, vacancy, lead, app, outcome, reason, decided)
    shortlisting.agree(session, vacancy, lead, decided)
    vacancies.advance(session, vacancy, lead, VacancyStatus.INTERVIEWING, vacancy.lock_version)
    return vacancy.title


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)
