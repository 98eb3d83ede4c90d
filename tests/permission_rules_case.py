"""Permission expectations for the frameworks published as CASE 1.1, merged into tests/test_permissions.py.

They are open data, like the framework pages: everyone, signed in or not, reads them (200).
url_values(world): the identifiers of the world's framework version, one of its items, its rubric and an item type.
"""

from __future__ import annotations

from sqlalchemy import select

from competency_portal.case.package import item_type
from competency_portal.case.rubric import rubric_identifier
from competency_portal.extensions import db
from competency_portal.models import Framework, FrameworkVersion, Item
from tests.portal_helpers import KINDS

EVERYONE = {kind: 200 for kind in KINDS}

GET: dict[str, dict] = {
    "catalogue.case_documents": EVERYONE,
    "catalogue.case_document": EVERYONE,
    "catalogue.case_package": EVERYONE,
    "catalogue.case_item": EVERYONE,
    "catalogue.case_item_associations": EVERYONE,
    "catalogue.case_rubric": EVERYONE,
    "catalogue.case_item_type": EVERYONE,
}


def url_values(world) -> dict:
    """Identifiers published for the world's framework."""
    version = db.session.scalar(select(FrameworkVersion).join(Framework).where(Framework.slug == world.framework_slug))
    item = db.session.scalar(select(Item).where(Item.version_id == version.id, Item.code == world.item_code))
    return {
        "document_uuid": version.case_identifier,
        "item_uuid": item.case_identifier,
        "rubric_uuid": rubric_identifier(version.case_identifier),
        "type_uuid": item_type("", "Domain")["identifier"],
    }


def post_cases(world) -> dict:
    """Every CASE route is read-only."""
    return {}
