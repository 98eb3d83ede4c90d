"""Frameworks, their versions, domains and items; scales, role profiles and crosswalks.

A framework keeps a stable identity (its slug) across versions. Every load of changed content
adds a `FrameworkVersion` with its own domains and items, so anything linked to an item of an
earlier version (a rating, a sign-off) keeps pointing at the words that were signed.
Scales, role profiles and crosswalks are versioned the same way, by `(slug, revision)`.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competency_portal.models.base import Base, utcnow


class FrameworkKind(str, enum.Enum):
    """What sort of document a framework was built from."""

    COMPETENCY_FRAMEWORK = "competency_framework"
    JOB_DESCRIPTION = "job_description"
    PERSON_SPECIFICATION = "person_specification"

    @property
    def label(self) -> str:
        """How the kind is named to people."""
        return {
            "competency_framework": "Competency framework",
            "job_description": "Job description duties",
            "person_specification": "Person specification",
        }[self.value]

    @property
    def plural_label(self) -> str:
        """How several of the kind are named, as a heading."""
        return {
            "competency_framework": "Competency frameworks",
            "job_description": "Job description duties",
            "person_specification": "Person specifications",
        }[self.value]


def new_case_identifier() -> str:
    """A globally unique identifier for a CASE entity (a framework version, domain or item), kept for ever."""
    return str(uuid.uuid4())


def _case_identifier() -> Mapped[str]:
    # Random, not derived from slug and code: two trusts publishing the same framework must not share ids.
    return mapped_column(String(36), unique=True, default=new_case_identifier)


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings (not a native PostgreSQL enum) so adding a kind needs no ALTER TYPE.
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Framework(Base):
    """A framework's stable identity; its content lives in its versions."""

    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[FrameworkKind] = mapped_column(_enum(FrameworkKind))
    current_revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[FrameworkVersion]] = relationship(
        back_populates="framework", order_by="FrameworkVersion.revision"
    )


class FrameworkVersion(Base):
    """One loaded version of a framework: everything the file said, as loaded."""

    __tablename__ = "framework_version"
    __table_args__ = (UniqueConstraint("framework_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    version_label: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[FrameworkKind] = mapped_column(_enum(FrameworkKind))
    scale_slug: Mapped[str] = mapped_column(String(80))
    source_document: Mapped[str] = mapped_column(String(300))
    source_organisation: Mapped[str] = mapped_column(String(300))
    source_post: Mapped[str | None] = mapped_column(String(300))
    source_band: Mapped[str | None] = mapped_column(String(80))
    source_date: Mapped[str | None] = mapped_column(String(80))
    source_status: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    assessment_methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    item_count: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    case_identifier: Mapped[str] = _case_identifier()

    framework: Mapped[Framework] = relationship(back_populates="versions")
    domains: Mapped[list[Domain]] = relationship(
        back_populates="version", order_by="Domain.position", cascade="all, delete-orphan"
    )


class Domain(Base):
    """A group of items within a framework version."""

    __tablename__ = "domain"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    case_identifier: Mapped[str] = _case_identifier()

    version: Mapped[FrameworkVersion] = relationship(back_populates="domains")
    items: Mapped[list[Item]] = relationship(
        back_populates="domain", order_by="Item.position", cascade="all, delete-orphan"
    )


class Item(Base):
    """One statement to demonstrate: a competency, a duty or a criterion."""

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id"), index=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    statement: Mapped[str] = mapped_column(Text)
    requirement: Mapped[str | None] = mapped_column(String(20))
    assessed_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    review_months: Mapped[int | None] = mapped_column(Integer)
    evidence_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    guidance: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    case_identifier: Mapped[str] = _case_identifier()

    domain: Mapped[Domain] = relationship(back_populates="items")
    version: Mapped[FrameworkVersion] = relationship()


class Scale(Base):
    """A version of a proficiency scale."""

    __tablename__ = "scale"
    __table_args__ = (UniqueConstraint("slug", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    levels: Mapped[list[ScaleLevel]] = relationship(order_by="ScaleLevel.value", cascade="all, delete-orphan")


class ScaleLevel(Base):
    """One level of a scale."""

    __tablename__ = "scale_level"
    __table_args__ = (UniqueConstraint("scale_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scale_id: Mapped[int] = mapped_column(ForeignKey("scale.id"), index=True)
    value: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)


class RoleProfile(Base):
    """A version of a role profile: the items a role needs and the target level for each."""

    __tablename__ = "role_profile"
    __table_args__ = (UniqueConstraint("slug", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # The file as written, so the profile can be resolved again when a framework changes.
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    targets: Mapped[list[RoleTarget]] = relationship(cascade="all, delete-orphan")


class RoleTarget(Base):
    """The target level a role profile sets for one item."""

    __tablename__ = "role_target"
    __table_args__ = (UniqueConstraint("role_profile_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_profile_id: Mapped[int] = mapped_column(ForeignKey("role_profile.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    target_level: Mapped[int] = mapped_column(Integer)

    item: Mapped[Item] = relationship()


class Crosswalk(Base):
    """A version of a crosswalk: pairs of items that ask for the same competence."""

    __tablename__ = "crosswalk"
    __table_args__ = (UniqueConstraint("slug", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    pairs: Mapped[list[CrosswalkPair]] = relationship(cascade="all, delete-orphan")


class CrosswalkPair(Base):
    """Two items, in different frameworks, that mean the same competence."""

    __tablename__ = "crosswalk_pair"
    __table_args__ = (UniqueConstraint("crosswalk_id", "item_a_id", "item_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crosswalk_id: Mapped[int] = mapped_column(ForeignKey("crosswalk.id"), index=True)
    item_a_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    item_b_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    note: Mapped[str] = mapped_column(Text)

    item_a: Mapped[Item] = relationship(foreign_keys=[item_a_id])
    item_b: Mapped[Item] = relationship(foreign_keys=[item_b_id])
