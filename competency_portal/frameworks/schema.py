"""The framework file format: the single source of truth for what a valid file is.

Documented for people in frameworks/README.md. Checks that span keys of one file (unique codes,
what person-specification criteria need) are in `frameworks/within_file.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"

FRAMEWORK_KINDS = ("competency_framework", "job_description", "person_specification")
STANDARD_ASSESSMENT_METHODS = (
    "application",
    "interview",
    "test",
    "exercise",
    "references",
    "registration_check",
)
EVIDENCE_TYPES = (
    "reflective_account",
    "observed_practice",
    "supervision_record",
    "certificate",
    "testimony",
    "case_study",
    "feedback",
    "other",
)

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=40)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Prose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Method = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
ItemRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*:[A-Za-z0-9][A-Za-z0-9._-]*$")]


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Source(Strict):
    """Where a framework came from."""

    document: Line
    organisation: Line
    post: Line | None = None
    band: Annotated[str, StringConstraints(max_length=80)] | None = None
    date: Annotated[str, StringConstraints(max_length=80)] | None = None
    status: Annotated[str, StringConstraints(max_length=120)] | None = None


class ItemSpec(Strict):
    """One statement to demonstrate."""

    code: Code
    statement: Prose
    requirement: Literal["essential", "desirable"] | None = None
    assessed_by: list[Method] | None = None
    review_months: Annotated[int, Field(ge=1, le=120)] | None = None
    evidence_types: list[Literal[EVIDENCE_TYPES]] = []  # type: ignore[valid-type]
    guidance: Prose | None = None
    origin: Line | None = None  # where in the source document it came from ("page 2", "paragraph 14")
    check: list[Prose] = []  # what the importer guessed; a framework is refused while any is left


IMPORT_ONLY_KEYS = ("origin", "check")  # about where an item came from, not what it asks: not content


class DomainSpec(Strict):
    """A group of items."""

    code: Code
    title: Line
    description: Prose | None = None
    items: Annotated[list[ItemSpec], Field(min_length=1)]


class FrameworkSpec(Strict):
    """A competency framework, job-description duties or a person specification."""

    kind: Literal[FRAMEWORK_KINDS]  # type: ignore[valid-type]
    id: Slug
    title: Line
    version: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    scale: Slug = "proficiency"
    source: Source
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)] | None = None
    assessment_methods: list[Method] = []
    domains: Annotated[list[DomainSpec], Field(min_length=1)]

    def items(self):
        """Every (domain, item) pair in order."""
        for domain in self.domains:
            for item in domain.items:
                yield domain, item


class LevelSpec(Strict):
    """One level of a scale."""

    value: Annotated[int, Field(ge=0, le=100)]
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    description: Prose | None = None


class ScaleSpec(Strict):
    """A proficiency scale."""

    kind: Literal["scale"]
    id: Slug
    title: Line
    levels: Annotated[list[LevelSpec], Field(min_length=2)]


class RequirementSpec(Strict):
    """The part of a role profile that names one framework and its targets."""

    framework: Slug
    target: Annotated[int, Field(ge=0, le=100)]
    domains: dict[Code, Annotated[int, Field(ge=0, le=100)]] = {}
    items: dict[Code, Annotated[int, Field(ge=0, le=100)]] = {}
    exclude: list[Code] = []


class RoleProfileSpec(Strict):
    """A role: the frameworks it needs and the target level per item."""

    kind: Literal["role_profile"]
    id: Slug
    title: Line
    description: Prose | None = None
    requirements: Annotated[list[RequirementSpec], Field(min_length=1)]


class PairSpec(Strict):
    """Two items that mean the same competence."""

    a: ItemRef
    b: ItemRef
    note: Prose


class CrosswalkSpec(Strict):
    """Pairs of equivalent items across frameworks."""

    kind: Literal["crosswalk"]
    id: Slug
    title: Line
    pairs: Annotated[list[PairSpec], Field(min_length=1)]


Months = Annotated[int, Field(ge=1, le=120)]


class SubjectSpec(Strict):
    """One mandatory training subject and how often it must be renewed."""

    id: Slug
    title: Line
    renewal_months: Months | None  # required: null means "once only", and must be said
    roles: dict[Slug, Months | None] = {}  # role profile id -> months, or null: not required for this role


class TrainingSpec(Strict):
    """The list of mandatory training subjects (one file holds the whole list)."""

    kind: Literal["training"]
    id: Slug
    title: Line
    description: Prose | None = None
    subjects: Annotated[list[SubjectSpec], Field(min_length=1)]


Spec = Union[FrameworkSpec, ScaleSpec, RoleProfileSpec, CrosswalkSpec, TrainingSpec]

MODEL_FOR_KIND: dict[str, type[Strict]] = {
    **{kind: FrameworkSpec for kind in FRAMEWORK_KINDS},
    "scale": ScaleSpec,
    "role_profile": RoleProfileSpec,
    "crosswalk": CrosswalkSpec,
    "training": TrainingSpec,
}
