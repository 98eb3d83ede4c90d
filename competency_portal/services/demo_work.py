"""Demo data for what is going on today: evidence with attachments (a draft and a submission for each
of the team, the submissions waiting in the supervisor's queue), a started appraisal, and a deputy
covering the supervisor's queue. Part of `demo.seed`, through the portal's services.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta, timezone

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session

from competency_portal.models import EvidenceType, User
from competency_portal.services import appraisal, appraisal_rules, signoff
from competency_portal.services import evidence as evidence_service
from competency_portal.services.attachments import check
from competency_portal.storage import Storage

CPA = "cpa-care-coordinator-competencies"
COVER_DAYS = (1, 20)  # the deputy's cover began yesterday and runs for three weeks

# For each of the team, in order, a draft then a submission:
# (kind, title, items, what it says, attachment name, kind of file).
WORK = [
    [
        (
            EvidenceType.REFLECTIVE_ACCOUNT,
            "A crisis and contingency plan written with a service user",
            ["RP.1"],
            "How I worked with a service user to name their relapse signs and triggers, "
            "and what they want to happen in a crisis.",
            "crisis-plan-reflection.pdf",
            "pdf",
        ),
        (
            EvidenceType.OBSERVED_PRACTICE,
            "Chairing a CPA review with the service user and their carer",
            ["CP.11", "CP.12"],
            "My supervisor observed me arrange and chair a CPA review, "
            "with the service user leading part of the meeting.",
            "cpa-review-observation.pdf",
            "pdf",
        ),
    ],
    [
        (
            EvidenceType.CASE_STUDY,
            "Keeping in touch during a hospital admission",
            ["CP.18"],
            "How I kept contact with a service user, their family and the ward during a six-week admission.",
            "admission-case-study.pdf",
            "pdf",
        ),
        (
            EvidenceType.SUPERVISION_RECORD,
            "Reviewing a risk management plan after missed appointments",
            ["RA.4", "RA.5"],
            "Supervision notes on reviewing and adjusting a risk management plan "
            "with a service user who had disengaged.",
            "supervision-notes.txt",
            "txt",
        ),
    ],
    [
        (
            EvidenceType.CERTIFICATE,
            "Physical health checks training",
            ["NA.5"],
            "Certificate from the trust's physical health monitoring course, and how I have used it since.",
            "physical-health-certificate.pdf",
            "pdf",
        ),
        (
            EvidenceType.REFLECTIVE_ACCOUNT,
            "Offering a carer an assessment of their own needs",
            ["CN.1", "CN.3"],
            "How I identified a carer's own needs, offered an assessment and linked them with carer support.",
            "carers-assessment-reflection.pdf",
            "pdf",
        ),
    ],
    [
        (
            EvidenceType.REFLECTIVE_ACCOUNT,
            "Writing my first care plan with a service user",
            ["CP.1"],
            "What I learnt writing a care plan together with a service user, in their words.",
            "first-care-plan.pdf",
            "pdf",
        ),
        (
            EvidenceType.OBSERVED_PRACTICE,
            "An initial assessment alongside a senior colleague",
            ["NA.1", "NA.4"],
            "A senior colleague observed me carry out an initial assessment, "
            "engaging the service user in the choices made.",
            "initial-assessment-observation.pdf",
            "pdf",
        ),
    ],
]


def cover_ends(today: date) -> date:
    """The last day of the demo deputy's cover."""
    return today + timedelta(days=COVER_DAYS[1] - COVER_DAYS[0])


def seed(
    session: Session, today: date, store: Storage, *, supervisor: User, deputy: User, team: list[User], targets
) -> None:
    """Today's work for the demo team (see the module docstring)."""
    items = {(t.item.version.framework.slug, t.item.code): t.item_id for t in targets}
    for n, (person, (draft, submission)) in enumerate(zip(team, WORK, strict=True)):
        _evidence(session, store, person, draft, items, today - timedelta(days=3 + n))
        made = _evidence(session, store, person, submission, items, today - timedelta(days=12 + 3 * n))
        evidence_service.submit(session, made, person, _at(today - timedelta(days=2 + 4 * n), 9))
    # The deputy covers the supervisor's queue from yesterday (they are told now, as on the day it starts).
    signoff.name_deputy(session, supervisor, deputy, today - timedelta(days=COVER_DAYS[0]), cover_ends(today), today)
    # Tom's appraisal: objectives proposed from his gaps, agreed by his supervisor, waiting for him.
    tom = team[1]
    started = appraisal.start(session, tom, supervisor, appraisal_rules.year_label(today), supervisor, today)
    appraisal.agree(session, started, supervisor, started.lock_version, _at(today, 9))


def _evidence(session, store, person, spec, items, when):
    kind, title, codes, says, filename, filetype = spec
    body = f"{title}\n\n{says}\n\nWritten by {person.name} on {when:%-d %B %Y}. No service user or carer is named."
    data = _pdf(title, body) if filetype == "pdf" else body.encode()
    return evidence_service.create(
        session,
        person,
        evidence_service.EvidenceInput(
            title=title,
            evidence_type=kind,
            activity_date=when,
            description=says,
            item_ids=[items[(CPA, c)] for c in codes if (CPA, c) in items],
            files=[check(filename, data, 10 * 1024 * 1024)],
        ),
        store,
    )


def _pdf(title: str, text: str) -> bytes:
    """A one-page PDF, byte for byte the same every time (reportlab's invariant mode)."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(72, 770, title[:80])
    page.setFont("Helvetica", 11)
    y = 740
    for paragraph in text.split("\n")[1:]:
        line = ""
        for word in paragraph.split():
            if len(line) + len(word) > 90:
                page.drawString(72, y, line)
                y, line = y - 16, ""
            line = f"{line} {word}".strip()
        page.drawString(72, y, line)
        y -= 16
    page.showPage()
    page.save()
    return out.getvalue()


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)
