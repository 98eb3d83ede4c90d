"""Who may see and do what: the one place permissions are decided.

Every view declares a route rule with `@policy.rule(...)` (`routes`); the app refuses to start if
a route has none. Object-level questions (may this person see this evidence, this vacancy?) and
the queries and loaders built on them live in one submodule per area, and are reached through
this package: `policy.can_view_person(...)`. Nothing outside this package compares roles or
owners; views, queries and template flags ask it.
"""

from competency_portal.policy.appraisal import (
    AppraisalRights,
    appraisal_for,
    appraisal_rights,
    appraisal_side,
    appraisal_to_change,
    appraisee_for,
    can_start_appraisal,
    can_view_appraisal,
    chooses_appraiser,
    takes_part,
)
from competency_portal.policy.people import (
    acting_for,
    can_decide,
    can_edit_evidence,
    can_revoke,
    can_set_target_role,
    can_view_evidence,
    can_view_person,
    holders,
    is_covering,
    supervisees,
    supervises,
    visible_evidence,
)
from competency_portal.policy.recruitment import (
    VacancyRights,
    can_see_vacancy,
    is_vacancy_lead,
    on_panel,
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
from competency_portal.policy.training import TrainingRights, can_add_training, trainee_for, training_rights

__all__ = [
    "ADMIN",
    "AppraisalRights",
    "PUBLIC",
    "RECRUITER",
    "RULES",
    "SIGNED_IN",
    "STAFF",
    "SUPERVISING",
    "TrainingRights",
    "VacancyRights",
    "acting_for",
    "allowed",
    "appraisal_for",
    "appraisal_rights",
    "appraisal_side",
    "appraisal_to_change",
    "appraisee_for",
    "can_add_training",
    "can_decide",
    "can_edit_evidence",
    "can_revoke",
    "can_see_vacancy",
    "can_set_target_role",
    "can_start_appraisal",
    "can_view_appraisal",
    "can_view_evidence",
    "can_view_person",
    "check_routes",
    "chooses_appraiser",
    "holders",
    "init_app",
    "is_covering",
    "is_vacancy_lead",
    "on_panel",
    "require",
    "rule",
    "rule_for",
    "supervisees",
    "supervises",
    "takes_part",
    "trainee_for",
    "training_rights",
    "vacancy_rights",
    "visible_evidence",
    "visible_vacancies",
]
