"""Builders shared by the vacancy and application-import tests."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from world import PASSWORD, person

from competency_portal.extensions import db
from competency_portal.models import Framework, FrameworkVersion, Role
from competency_portal.services import vacancies
from tests.portal_helpers import Browser, body

SPEC = "leeds-recovery-centre-care-coordinator-person-spec"
CANDIDATES = [
    ("Zanzibar Quillfeather", "zanzibar.q@example.org"),
    ("Ophelia Brackenridge", "ophelia.b@example.org"),
    ("Thaddeus Wolverton", "thaddeus.w@example.org"),
]


def spec_version(session, slug: str = SPEC) -> FrameworkVersion:
    return session.scalar(
        select(FrameworkVersion)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(Framework.slug == slug, FrameworkVersion.revision == Framework.current_revision)
    )


def recruiters(session):
    """A lead, a second panel member, and a recruiter on no panel."""
    return (
        person(session, "Rita Lead", roles=(Role.RECRUITER,), target_role=None),
        person(session, "Paul Panel", roles=(Role.RECRUITER, Role.STAFF), target_role=None),
        person(session, "Olive Outsider", roles=(Role.RECRUITER,), target_role=None),
    )


def vacancy(session, lead, panel, title: str = "Care Coordinator (Band 6)"):
    made = vacancies.create_vacancy(
        session,
        lead,
        vacancies.VacancyFields(
            title=title,
            band="Band 6",
            team_id=None,
            closing_on=date(2026, 12, 1),
            spec_version_id=spec_version(session).id,
            panel_ids=[p.id for p in panel],
        ),
    )
    session.commit()
    return made


def add(session, found, lead, name: str, email: str, **kw):
    made = vacancies.add_application(
        session,
        found,
        lead,
        vacancies.ApplicationFields(
            candidate_name=name,
            email=email,
            supporting_statement=kw.pop("statement", "I have coordinated care for six years."),
            **kw,
        ),
    )
    session.commit()
    return made


def browser(app, user) -> Browser:
    b = Browser(app, user.name)
    b.sign_in(user.email, PASSWORD)
    return b


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', html).group(1)


def page(b: Browser, url: str, status: int = 200) -> str:
    response = b.get(url)
    assert response.status_code == status, f"GET {url}: {response.status_code}"
    return body(response)


def db_rollback():
    db.session.rollback()
