"""All models, imported here so that Alembic and the app see the whole schema."""

from competency_portal.models.api import ApiClient, ApiScope, ApiToken, ClientScope, ClientToken
from competency_portal.models.appraisal import Appraisal, AppraisalState, Objective, ObjectiveStatus, ProgressNote
from competency_portal.models.audit import AuditEvent, AuditHead, Notification
from competency_portal.models.base import Base
from competency_portal.models.credentials import (
    CredentialBasis,
    CredentialKind,
    CredentialState,
    IssuedCredential,
    ReceivedCredential,
)
from competency_portal.models.drafts import DraftKind, DraftState, FrameworkDraft
from competency_portal.models.evidence import (
    Attachment,
    Decision,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    EvidenceState,
    EvidenceType,
    InvalidTransition,
    SelfAssessment,
    SignOff,
    SignOffItem,
)
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
from competency_portal.models.identity import ExternalIdentity
from competency_portal.models.jobs import Job, JobState
from competency_portal.models.people import Deputy, Role, Supervision, Team, User, UserRole
from competency_portal.models.recruitment import (
    Application,
    CriterionAnswer,
    Moderation,
    Outcome,
    PanelMember,
    Score,
    ShortlistDecision,
    Vacancy,
    VacancyStatus,
)
from competency_portal.models.rollup import ReadinessFact
from competency_portal.models.second_factor import RecoveryCode, TotpFactor
from competency_portal.models.settings import PasswordSignIn, SiteSetting
from competency_portal.models.throttle import ThrottleCounter
from competency_portal.models.training import DbsCheck, Registration, TrainingRecord, TrainingSubject

__all__ = [
    "Job",
    "JobState",
    "ApiClient",
    "ClientScope",
    "ClientToken",
    "ApiScope",
    "ApiToken",
    "CredentialBasis",
    "CredentialKind",
    "CredentialState",
    "IssuedCredential",
    "ReceivedCredential",
    "Application",
    "CriterionAnswer",
    "Moderation",
    "Outcome",
    "PanelMember",
    "Score",
    "ShortlistDecision",
    "Vacancy",
    "VacancyStatus",
    "Appraisal",
    "AppraisalState",
    "DbsCheck",
    "Objective",
    "ObjectiveStatus",
    "ProgressNote",
    "Registration",
    "TrainingRecord",
    "TrainingSubject",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Crosswalk",
    "CrosswalkPair",
    "Decision",
    "Deputy",
    "DraftKind",
    "DraftState",
    "FrameworkDraft",
    "Domain",
    "Evidence",
    "RecoveryCode",
    "TotpFactor",
    "ThrottleCounter",
    "PasswordSignIn",
    "SiteSetting",
    "ExternalIdentity",
    "EvidenceLink",
    "EvidenceRevision",
    "EvidenceState",
    "EvidenceType",
    "Framework",
    "FrameworkKind",
    "FrameworkVersion",
    "InvalidTransition",
    "Item",
    "Notification",
    "ReadinessFact",
    "Role",
    "RoleProfile",
    "RoleTarget",
    "Scale",
    "ScaleLevel",
    "SelfAssessment",
    "SignOff",
    "SignOffItem",
    "Supervision",
    "Team",
    "User",
    "UserRole",
]
