"""The PDR pack of one appraisal, as a PDF with its file name: what the pack job makes."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy.orm import Session

from competency_portal import charts
from competency_portal.models import Appraisal
from competency_portal.services import appraisal_queries as queries
from competency_portal.services import appraisal_rules as rules
from competency_portal.services import pdr_pdf


def build(session: Session, appraisal: Appraisal, today: date, now: datetime) -> tuple[bytes, str]:
    """The pack's PDF (readiness as of `today`, stamped `now`) and the name to save it under."""
    result = queries.readiness(session, appraisal.person, today)
    pack = pdr_pdf.Pack(
        appraisal=appraisal,
        role_title=queries.role_title(session, appraisal.person),
        headline=rules.headline(result),
        domains=charts.radar(result) if result else None,
        gaps=charts.gaps_bar(result) if result else None,
        linked=queries.linked_items(session, appraisal, result),
        generated=now,
        digest=rules.digest(appraisal),
    )
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"pdr-{appraisal.person.name}-{appraisal.year}").strip("-").lower()
    return pdr_pdf.build(pack), f"{name}.pdf"
