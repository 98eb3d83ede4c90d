"""All models, imported here so that Alembic and the app see the whole schema."""

from competency_portal.models.base import Base
from competency_portal.models.frameworks import (
    Crosswalk,
    CrosswalkPair,
    Domain,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Item,
    RoleProfile,
    RoleTarget,
    Scale,
    ScaleLevel,
)

__all__ = [
    "Base",
    "Crosswalk",
    "CrosswalkPair",
    "Domain",
    "Framework",
    "FrameworkKind",
    "FrameworkVersion",
    "Item",
    "RoleProfile",
    "RoleTarget",
    "Scale",
    "ScaleLevel",
]
