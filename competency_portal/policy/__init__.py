"""Who may see and do what: the one place permissions are decided.

Every view declares a route rule with `@policy.rule(...)` (`routes`); the app refuses to start if
a route has none. Object-level questions (may this person see this evidence, this vacancy?) and
the queries and loaders built on them live in one submodule per area, and are reached through
this package: `policy.can_view_person(...)`. Nothing outside this package compares roles or
owners; views, queries and template flags ask it.
"""

from competency_portal.policy.people import (
    acting_for,
    can_decide,
    can_edit_evidence,
    can_revoke,
    can_set_target_role,
    can_view_evidence,
    can_view_person,
    holders,
    holds,
    is_covering,
    supervisees,
    supervises,
    visible_evidence,
)
from competency_portal.policy.recruitment import (
    VacancyRights,
    application_for,
    can_see_vacancy,
    is_vacancy_lead,
    may_lead_recruitment,
    on_panel,
    panel_candidates,
    rights_on,
    sees_panel_scores,
    vacancy_for,
    vacancy_rights,
    visible_vacancies,
)
from competency_portal.policy.routes import (
    ADMIN,
    PUBLIC,
    RECRUITER,
    RULES,
    SIGNED_IN,
    STAFF,
    SUPERVISING,
    allowed,
    check_routes,
    init_app,
    require,
    rule,
    rule_for,
)

__all__ = [
    "ADMIN",
    "PUBLIC",
    "RECRUITER",
    "RULES",
    "SIGNED_IN",
    "STAFF",
    "SUPERVISING",
    "VacancyRights",
    "acting_for",
    "allowed",
    "application_for",
    "can_decide",
    "can_edit_evidence",
    "can_revoke",
    "can_see_vacancy",
    "can_set_target_role",
    "can_view_evidence",
    "can_view_person",
    "check_routes",
    "holders",
    "holds",
    "init_app",
    "is_covering",
    "is_vacancy_lead",
    "may_lead_recruitment",
    "on_panel",
    "panel_candidates",
    "require",
    "rights_on",
    "rule",
    "rule_for",
    "sees_panel_scores",
    "supervisees",
    "supervises",
    "vacancy_for",
    "vacancy_rights",
    "visible_evidence",
    "visible_vacancies",
]
