"""The CASE 1.1 words the portal uses: association types, item types, and our extension's name."""

from __future__ import annotations

import uuid

CASE_VERSION = "1.1"
PATH = "/ims/case/v1p1"  # the REST binding's base path, under the portal's public address

# CASE 1.1's association types; "ext:" names are publishers' own.
ASSOCIATION_TYPES = (
    "isChildOf",
    "isPeerOf",
    "isPartOf",
    "exactMatchOf",
    "precedes",
    "isRelatedTo",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
    "isTranslationOf",
)

# What the portal's own facts (slug, kind, scale, person-specification rules) are kept under in
# CASE's `extensions`, so that a package we wrote reads back as exactly the framework it came from.
EXTENSION = "nhsCompetencyPortal"

DOMAIN_TYPE = "Domain"
DEFINITIONS_CHANGED = "2026-12-04T00:00:00Z"  # when the item types below were last reworded
ITEM_TYPES = {
    "competency_framework": "Competency",
    "job_description": "Duty",
    "person_specification": "Criterion",
}
ITEM_TYPE_DESCRIPTIONS = {
    "Domain": "A group of related statements within a framework.",
    "Competency": "A competence a practitioner demonstrates with evidence signed off by a supervisor.",
    "Duty": "A duty of the post, from its job description.",
    "Criterion": "A person-specification criterion a candidate is shortlisted against (essential or desirable).",
}

# Associations, item types and rubric parts are not stored: their identifiers are derived from the
# stored (random, publisher-unique) identifiers they join, so they are stable and never collide.
_DERIVED = uuid.UUID("6c1f4b52-8d0e-4f0a-9a59-3b0c2e7d1a90")


def derived_identifier(*parts: str) -> str:
    """A stable UUID for something named by other identifiers (an association, a rubric level)."""
    return str(uuid.uuid5(_DERIVED, "|".join(parts)))
