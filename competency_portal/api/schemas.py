"""The API's request and response shapes (marshmallow), from which the OpenAPI document is generated."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from competency_portal.models import FrameworkKind

KINDS = [k.value for k in FrameworkKind]


class FrameworkQuery(Schema):
    """Filters for the framework list."""

    kind = fields.String(validate=validate.OneOf(KINDS), metadata={"description": "only frameworks of this kind"})


class FrameworkSummary(Schema):
    """A framework's current version, in brief."""

    id = fields.String(required=True, metadata={"description": "the framework's id"})
    title = fields.String(required=True)
    version = fields.String(required=True)
    revision = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    items = fields.Integer(required=True, metadata={"description": "how many items it has"})
    organisation = fields.String(required=True)
    case_package = fields.String(required=True, metadata={"description": "its CASE 1.1 package"})


class ItemOut(Schema):
    """One item of a framework."""

    code = fields.String(required=True)
    statement = fields.String(required=True)
    requirement = fields.String(allow_none=True)
    review_months = fields.Integer(allow_none=True)
    case_uri = fields.String(required=True, metadata={"description": "the item's CASE identifier (CFItem URI)"})


class DomainOut(Schema):
    """A domain and its items."""

    code = fields.String(required=True)
    title = fields.String(required=True)
    items = fields.List(fields.Nested(ItemOut), required=True)


class FrameworkOut(FrameworkSummary):
    """A framework's current version, whole."""

    domains = fields.List(fields.Nested(DomainOut), required=True)


class RoleSummary(Schema):
    """A role profile, in brief."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    revision = fields.Integer(required=True)
    items = fields.Integer(required=True, metadata={"description": "how many items it requires"})


class TargetOut(Schema):
    """One item a role requires, and the level."""

    framework = fields.String(required=True)
    code = fields.String(required=True)
    statement = fields.String(required=True)
    target = fields.Integer(required=True)


class RoleOut(RoleSummary):
    """A role profile, whole."""

    description = fields.String(allow_none=True)
    targets = fields.List(fields.Nested(TargetOut), required=True)


class PersonOut(Schema):
    """A person the caller may see."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    job_title = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    target_role = fields.String(allow_none=True)


class PeopleQuery(Schema):
    """Filters for the people list."""

    team = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={"description": "a team's id"})


class ReadinessQuery(Schema):
    """As of which day."""

    as_of = fields.Date(
        metadata={
            "description": "readiness on this day (default today): in the past as it stood then; in the future as "
            "it will stand if nothing more is signed off (sign-offs past their review date no longer count)"
        }
    )


class DomainReadinessOut(Schema):
    """Readiness in one domain."""

    framework = fields.String(required=True)
    domain = fields.String(required=True)
    required = fields.Integer(required=True)
    met = fields.Integer(required=True)


class GapOut(Schema):
    """A required item not yet met."""

    framework = fields.String(required=True)
    code = fields.String(required=True)
    statement = fields.String(required=True)
    target = fields.Integer(required=True)
    verified = fields.Integer(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["claimed", "gap"]))


class ReadinessOut(Schema):
    """A person's readiness for their target role."""

    person = fields.Nested(PersonOut, required=True)
    role = fields.String(allow_none=True, metadata={"description": "the target role's id (none: no target role)"})
    as_of = fields.Date(required=True)
    required = fields.Integer(required=True)
    met = fields.Integer(required=True)
    share = fields.Float(required=True)
    ready = fields.Boolean(required=True)
    domains = fields.List(fields.Nested(DomainReadinessOut), required=True)
    gaps = fields.List(fields.Nested(GapOut), required=True)


class MeOut(Schema):
    """The token's person and what the token may read."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    token_expires = fields.DateTime(required=True)


class FiguresQuery(Schema):
    """Which team."""

    team = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={"description": "one team's id"})


class TrainingOut(Schema):
    """Training requirements by colour: out of date or missing, due within 90 days, in date."""

    red = fields.Integer(required=True)
    amber = fields.Integer(required=True)
    green = fields.Integer(required=True)


class TeamFiguresOut(Schema):
    """One team's line."""

    name = fields.String(required=True)
    people = fields.Integer(required=True)
    ready = fields.Integer(required=True, metadata={"description": "how many are ready for their target role"})
    share = fields.Float(required=True, metadata={"description": "the average share of required items met"})
    training = fields.Nested(TrainingOut, required=True)


class GapCountOut(Schema):
    """An item, and how many people do not meet it."""

    code = fields.String(required=True)
    statement = fields.String(required=True)
    people = fields.Integer(required=True)


class FiguresOut(Schema):
    """The organisation's figures today (or one team's): no named person."""

    as_of = fields.Date(required=True)
    team = fields.Integer(allow_none=True)
    people = fields.Integer(required=True, metadata={"description": "active people with a target role"})
    teams = fields.List(fields.Nested(TeamFiguresOut), required=True)
    gaps = fields.List(fields.Nested(GapCountOut), required=True, metadata={"description": "most common first"})


class VacancyOut(Schema):
    """A vacancy the token's person leads or sits on the panel of."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    band = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "shortlisting", "interviewing", "closed"]))
    closing_on = fields.Date(required=True)
    applications = fields.Integer(required=True)
    role = fields.String(required=True, validate=validate.OneOf(["lead", "panel"]))


class DecisionOut(Schema):
    """The lead's decision on one application (by its reference: names stay with the portal)."""

    reference = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(["shortlist", "reserve", "not_shortlisted"]))
    reason = fields.String(required=True)
    decided_at = fields.DateTime(required=True)


class ShortlistOut(Schema):
    """Where a vacancy's shortlisting stands."""

    vacancy = fields.Nested(VacancyOut, required=True)
    agreed_at = fields.DateTime(allow_none=True, metadata={"description": "when the panel agreed the shortlist"})
    decisions = fields.List(fields.Nested(DecisionOut), required=True)
    undecided = fields.Integer(required=True, metadata={"description": "applications with no decision yet"})


class TrainingRowOut(Schema):
    """One requirement: a training subject, the professional registration, or the DBS check."""

    key = fields.String(required=True, metadata={"description": "the subject's id, or registration, or dbs"})
    title = fields.String(required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(["not_required", "missing", "expired", "due_30", "due_60", "due_90", "in_date"]),
    )
    completed_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)


class PersonTrainingOut(Schema):
    """A person's training on a day, as their training page shows it."""

    person = fields.Nested(PersonOut, required=True)
    as_of = fields.Date(required=True)
    requirements = fields.List(fields.Nested(TrainingRowOut), required=True)
