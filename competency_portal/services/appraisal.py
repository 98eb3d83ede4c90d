"""Appraisal (PDR) rules: start a review cycle, propose objectives from the gaps, edit and agree them,
record progress, write the year-end summary, and sign.

Every change names the version of the appraisal the person saw (its `lock_version`); a change
made on a stale page is refused with AppraisalConflict and nothing is saved. Any change to an
objective touches the appraisal row, so its version moves whenever anything in the review does.
Both signatures cover one SHA-256 digest of the review's content.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from competency_portal import policy
from competency_portal.clock import add_months
from competency_portal.models import (
    Appraisal,
    AppraisalState,
    Framework,
    FrameworkVersion,
    InvalidTransition,
    Item,
    Objective,
    ObjectiveStatus,
    ProgressNote,
    Role,
    RoleProfile,
    RoleTarget,
    User,
)
from competency_portal.readiness import data
from competency_portal.readiness.model import Key, Readiness
from competency_portal.services import audit
from competency_portal.services.evidence import current_supervisor
from competency_portal.services.notify import notify

MAX_PROPOSALS = 5
GAPS_CONSIDERED = 20
DUE_MONTHS = 6
YEAR = re.compile(r"^(\d{4})/(\d{2})$")
STALE = (
    "This appraisal was changed by someone else since you opened the page. Nothing of yours was saved; "
    "here is how it stands now."
)


class AppraisalError(Exception):
    """A change the rules refuse, with a message saying why and what to do."""


class AppraisalConflict(AppraisalError):
    """The page the change was made on is out of date."""


@dataclass
class Proposal:
    """A development objective proposed from the gap analysis."""

    title: str
    description: str
    item_ids: list[int] = field(default_factory=list)
    due_on: date | None = None


# -- reading ------------------------------------------------------------------------------


def load(session: Session, appraisal_id: int) -> Appraisal | None:
    """An appraisal with its people, objectives and progress notes."""
    return session.scalar(
        select(Appraisal)
        .where(Appraisal.id == appraisal_id)
        .options(
            selectinload(Appraisal.person),
            selectinload(Appraisal.appraiser),
            selectinload(Appraisal.objectives).selectinload(Objective.progress).selectinload(ProgressNote.author),
        )
    )


def can_view(user: User, appraisal: Appraisal) -> bool:
    """The person, their appraiser and administrators."""
    return user.id in (appraisal.user_id, appraisal.appraiser_id) or Role.ADMIN in user.roles


def is_party(user: User, appraisal: Appraisal) -> bool:
    """Whether `user` takes part (the person or the appraiser)."""
    return user.id in (appraisal.user_id, appraisal.appraiser_id)


def can_start(session: Session, actor: User, person: User, today: date) -> bool:
    """The person's supervisor (or their deputy), or an administrator; never the person themself."""
    if actor.id == person.id:
        return False
    return Role.ADMIN in actor.roles or policy.supervises(session, actor, person.id, today)


def year_label(today: date) -> str:
    """The appraisal year (April to March) that `today` falls in, e.g. "2026/27"."""
    start = today.year if today.month >= 4 else today.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def check_year(text: str) -> str:
    """A valid year label, or AppraisalError."""
    found = YEAR.match((text or "").strip())
    if not found or int(found.group(2)) != (int(found.group(1)) + 1) % 100 or not 2000 <= int(found.group(1)) <= 2098:
        raise AppraisalError("Enter the year as the first year and the next, for example 2026/27")
    return found.group(0)


def role_item_ids(session: Session, role_slug: str | None) -> dict[Key, int]:
    """The item ids the current version of a role profile requires, by (framework slug, item code)."""
    if not role_slug:
        return {}
    role_id = (
        select(RoleProfile.id)
        .where(RoleProfile.slug == role_slug)
        .order_by(RoleProfile.revision.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Framework.slug, Item.code, Item.id)
        .select_from(RoleTarget)
        .join(Item, Item.id == RoleTarget.item_id)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(RoleTarget.role_profile_id == role_id)
    ).all()
    return {(slug, code): item_id for slug, code, item_id in rows}


def item_keys(session: Session, item_ids: set[int]) -> dict[int, tuple[Key, Item]]:
    """Each item's (framework slug, code) key and the item, in one query."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(Framework.slug, Item)
        .join(FrameworkVersion, FrameworkVersion.id == Item.version_id)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(Item.id.in_(item_ids))
    ).all()
    return {item.id: ((slug, item.code), item) for slug, item in rows}


def propose(session: Session, person: User, result: Readiness | None, today: date) -> list[Proposal]:
    """Up to five objectives: the person's largest gaps, grouped by domain, largest first."""
    if result is None:
        return []
    ids = role_item_ids(session, person.target_role)
    groups: dict[tuple[str, str], list] = {}
    for gap in result.gaps()[:GAPS_CONSIDERED]:
        groups.setdefault((gap.required.framework, gap.required.domain), []).append(gap)
    proposals = []
    for (framework, domain), gaps in list(groups.items())[:MAX_PROPOSALS]:
        lines = [
            f"{g.required.code}: {g.required.statement} (target {g.required.target}, verified "
            f"{g.verified if g.verified is not None else 'none'})"
            for g in gaps
        ]
        title = f"Develop {domain} to target"
        proposals.append(
            Proposal(
                title=title if len(title) <= 200 else title[:199] + "…",
                description=f"Reach the target level, with evidence signed off, in these {framework} items:\n"
                + "\n".join(f"- {line}" for line in lines),
                item_ids=[ids[g.required.key] for g in gaps if g.required.key in ids],
                due_on=add_months(today, DUE_MONTHS),
            )
        )
    return proposals


def digest(appraisal: Appraisal) -> str:
    """SHA-256 of what the signatures cover: objectives, statuses, progress and the summary."""
    body = {
        "appraisal": appraisal.id,
        "person": appraisal.user_id,
        "appraiser": appraisal.appraiser_id,
        "year": appraisal.year,
        "summary": appraisal.summary or "",
        "objectives": [
            {
                "id": o.id,
                "title": o.title,
                "description": o.description or "",
                "due_on": o.due_on.isoformat() if o.due_on else None,
                "item_ids": sorted(o.item_ids or []),
                "status": ObjectiveStatus(o.status).value,
                "progress": [{"id": p.id, "author": p.author_id, "note": p.note} for p in o.progress],
            }
            for o in appraisal.objectives
        ],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def signature_stale(appraisal: Appraisal) -> bool:
    """One side has signed, and the review has changed since."""
    return (
        bool(appraisal.signed_digest)
        and appraisal.state == AppraisalState.AGREED
        and appraisal.signed_digest != digest(appraisal)
    )


# -- changing -----------------------------------------------------------------------------


def _guard(appraisal: Appraisal, actor: User, seen_version: int) -> str:
    """Refuse stale pages, signed reviews and people who do not take part; return the actor's side."""
    if appraisal.lock_version != seen_version:
        raise AppraisalConflict(STALE)
    if appraisal.state == AppraisalState.SIGNED:
        raise AppraisalError("This review has been signed by both of you, so it can no longer be changed.")
    if not is_party(actor, appraisal):
        raise AppraisalError("Only the person and their appraiser can change this appraisal.")
    return "person" if actor.id == appraisal.user_id else "appraiser"


def _touch(appraisal: Appraisal) -> None:
    """Make the flush update the appraisal row, so its version moves with any change inside it."""
    flag_modified(appraisal, "year")


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise AppraisalConflict(STALE) from None


def _record(session: Session, actor: User, appraisal: Appraisal, action: str, **detail) -> None:
    audit.record(
        session,
        actor_id=actor.id,
        action=action,
        object_type="appraisal",
        object_id=appraisal.id,
        subject_id=appraisal.user_id,
        detail=detail,
    )


def _other(appraisal: Appraisal, actor: User) -> User:
    return appraisal.appraiser if actor.id == appraisal.user_id else appraisal.person


def _reopen_if_agreed(session: Session, appraisal: Appraisal, actor: User) -> bool:
    """Changing agreed objectives sends them back to draft; any signature given is withdrawn."""
    if appraisal.state != AppraisalState.AGREED:
        return False
    signed = [side for side in ("person", "appraiser") if getattr(appraisal, f"signed_by_{side}_at")]
    appraisal.reopen()
    appraisal.signed_by_person_at = appraisal.signed_by_appraiser_at = None
    appraisal.signed_digest = None
    _record(session, actor, appraisal, "appraisal_reopened", signatures_withdrawn=signed)
    return True


def start(session: Session, person: User, appraiser: User, year: str, actor: User, today: date) -> Appraisal:
    """Open a review cycle for `person`, with objectives proposed from their gaps."""
    year = check_year(year)
    if not can_start(session, actor, person, today):
        raise AppraisalError("Only the person's supervisor or an administrator can start their appraisal.")
    if appraiser.id == person.id:
        raise AppraisalError("Choose an appraiser other than the person being appraised.")
    if not appraiser.active:
        raise AppraisalError(f"{appraiser.name}'s account is not active; choose another appraiser.")
    if session.scalar(select(Appraisal.id).where(Appraisal.user_id == person.id, Appraisal.year == year)) is not None:
        raise AppraisalError(
            f"{person.name} already has an appraisal for {year}. Open it from their appraisals instead."
        )
    result = data.readiness_for(session, [person], today).get(person.id)
    proposals = propose(session, person, result, today)
    appraisal = Appraisal(
        user_id=person.id,
        appraiser_id=appraiser.id,
        year=year,
        state=AppraisalState.DRAFT,
        objectives=[
            Objective(
                title=p.title,
                description=p.description,
                item_ids=p.item_ids,
                due_on=p.due_on,
                status=ObjectiveStatus.NOT_STARTED,
                position=i,
            )
            for i, p in enumerate(proposals, 1)
        ],
    )
    session.add(appraisal)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()  # someone else started the same year at the same moment
        raise AppraisalError(
            f"{person.name} already has an appraisal for {year}. Open it from their appraisals instead."
        ) from None
    _record(
        session,
        actor,
        appraisal,
        "appraisal_started",
        year=year,
        appraiser=appraiser.id,
        proposed=[o.title for o in appraisal.objectives],
    )
    link = f"/appraisals/{appraisal.id}"
    for someone in {person.id: person, appraiser.id: appraiser}.values():
        if someone.id != actor.id:
            notify(
                session,
                someone,
                f"{actor.name} started the {year} appraisal of {person.name}, with {appraiser.name} as appraiser.",
                link=link,
            )
    return appraisal


def _clean(title: str, description: str | None) -> tuple[str, str | None]:
    title = (title or "").strip()
    if not title:
        raise AppraisalError("Enter a title for the objective")
    if len(title) > 200:
        raise AppraisalError("Enter a title of 200 characters or fewer")
    description = (description or "").strip() or None
    if description and len(description) > 5000:
        raise AppraisalError("Enter a description of 5,000 characters or fewer")
    return title, description


def _allowed_items(session: Session, appraisal: Appraisal, item_ids: list[int], already: list[int]) -> list[int]:
    allowed = set(role_item_ids(session, appraisal.person.target_role).values()) | set(already)
    unknown = [i for i in item_ids if i not in allowed]
    if unknown:
        raise AppraisalError("Link only items from the person's role profile")
    return sorted(set(item_ids))


def edit_objective(
    session: Session,
    appraisal: Appraisal,
    objective: Objective,
    actor: User,
    seen_version: int,
    *,
    title: str,
    description: str | None,
    due_on: date | None,
    item_ids: list[int],
) -> bool:
    """Change an objective; returns True if that reopened agreed objectives."""
    _guard(appraisal, actor, seen_version)
    if objective.appraisal_id != appraisal.id:
        raise AppraisalError("That objective is not part of this appraisal.")
    title, description = _clean(title, description)
    item_ids = _allowed_items(session, appraisal, item_ids, objective.item_ids or [])
    before = {
        "title": objective.title,
        "description": objective.description,
        "due_on": objective.due_on,
        "item_ids": objective.item_ids,
    }
    after = {"title": title, "description": description, "due_on": due_on, "item_ids": item_ids}
    if before == after:
        return False
    reopened = _reopen_if_agreed(session, appraisal, actor)
    objective.title, objective.description, objective.due_on, objective.item_ids = title, description, due_on, item_ids
    _touch(appraisal)
    _flush(session)
    _record(session, actor, appraisal, "objective_changed", objective=objective.id, before=before, after=after)
    return reopened


def add_objective(
    session: Session,
    appraisal: Appraisal,
    actor: User,
    seen_version: int,
    *,
    title: str,
    description: str | None,
    due_on: date | None,
    item_ids: list[int],
) -> tuple[Objective, bool]:
    """Add an objective; returns it and whether that reopened agreed objectives."""
    _guard(appraisal, actor, seen_version)
    title, description = _clean(title, description)
    item_ids = _allowed_items(session, appraisal, item_ids, [])
    reopened = _reopen_if_agreed(session, appraisal, actor)
    objective = Objective(
        title=title,
        description=description,
        due_on=due_on,
        item_ids=item_ids,
        status=ObjectiveStatus.NOT_STARTED,
        position=max((o.position for o in appraisal.objectives), default=0) + 1,
    )
    appraisal.objectives.append(objective)
    _touch(appraisal)
    _flush(session)
    _record(
        session,
        actor,
        appraisal,
        "objective_added",
        objective=objective.id,
        title=title,
        due_on=due_on,
        item_ids=item_ids,
    )
    return objective, reopened


def remove_objective(
    session: Session, appraisal: Appraisal, objective: Objective, actor: User, seen_version: int
) -> bool:
    """Remove an objective (and its progress notes); returns whether that reopened agreed objectives."""
    _guard(appraisal, actor, seen_version)
    if objective.appraisal_id != appraisal.id:
        raise AppraisalError("That objective is not part of this appraisal.")
    reopened = _reopen_if_agreed(session, appraisal, actor)
    removed = {
        "objective": objective.id,
        "title": objective.title,
        "status": ObjectiveStatus(objective.status).value,
        "progress": [p.note for p in objective.progress],
    }
    appraisal.objectives.remove(objective)
    _touch(appraisal)
    _flush(session)
    _record(session, actor, appraisal, "objective_removed", **removed)
    return reopened


def agree(session: Session, appraisal: Appraisal, actor: User, seen_version: int, now: datetime) -> None:
    """One side agrees the objectives; when both have, they are agreed."""
    side = _guard(appraisal, actor, seen_version)
    if getattr(appraisal, f"agreed_by_{side}_at") and appraisal.state == AppraisalState.DRAFT:
        raise AppraisalError("You have already agreed these objectives; they are waiting for the other side.")
    try:
        appraisal.agree(actor.id, now)
    except InvalidTransition as exc:
        raise AppraisalError(str(exc)) from None
    _flush(session)
    _record(
        session,
        actor,
        appraisal,
        "objectives_agreed",
        side=side,
        state=appraisal.state.value,
        objectives=[o.id for o in appraisal.objectives],
    )
    other = _other(appraisal, actor)
    message = (
        f"The {appraisal.year} objectives are agreed by both of you."
        if appraisal.state == AppraisalState.AGREED
        else f"{actor.name} agreed the {appraisal.year} objectives; they are waiting for you to agree."
    )
    notify(session, other, message, link=f"/appraisals/{appraisal.id}")


def record_progress(
    session: Session,
    appraisal: Appraisal,
    objective: Objective,
    actor: User,
    seen_version: int,
    *,
    note: str | None,
    status: ObjectiveStatus,
) -> None:
    """Add a progress note and/or set an objective's status, once the objectives are agreed."""
    _guard(appraisal, actor, seen_version)
    if objective.appraisal_id != appraisal.id:
        raise AppraisalError("That objective is not part of this appraisal.")
    if appraisal.state != AppraisalState.AGREED:
        raise AppraisalError("Progress can be recorded once both of you have agreed the objectives.")
    note = (note or "").strip()
    if len(note) > 5000:
        raise AppraisalError("Enter a note of 5,000 characters or fewer")
    if not note and status == objective.status:
        raise AppraisalError("Write a progress note or change the status")
    before = ObjectiveStatus(objective.status).value
    objective.status = status
    if note:
        objective.progress.append(ProgressNote(author_id=actor.id, note=note))
    _touch(appraisal)
    _flush(session)
    _record(
        session,
        actor,
        appraisal,
        "progress_recorded",
        objective=objective.id,
        status_before=before,
        status=status.value,
        note=note or None,
    )


def write_summary(session: Session, appraisal: Appraisal, actor: User, seen_version: int, summary: str) -> None:
    """The appraiser writes the year-end review's words, while the objectives are agreed."""
    _guard(appraisal, actor, seen_version)
    if actor.id != appraisal.appraiser_id:
        raise AppraisalError("The appraiser writes the year-end summary.")
    if appraisal.state != AppraisalState.AGREED:
        raise AppraisalError("The year-end summary can be written once both of you have agreed the objectives.")
    summary = (summary or "").strip()
    if not summary:
        raise AppraisalError("Enter the year-end summary")
    if len(summary) > 10000:
        raise AppraisalError("Enter a summary of 10,000 characters or fewer")
    before = appraisal.summary
    appraisal.summary = summary
    _flush(session)
    _record(session, actor, appraisal, "summary_written", before=before, after=summary)


def sign(session: Session, appraisal: Appraisal, actor: User, seen_version: int, now: datetime) -> None:
    """One side signs the year-end review; the signature covers the digest of its content now.

    If the content changed after the other side signed, the signature is refused (both must sign
    the same words). Someone who signed words that have since changed may sign again: that
    replaces their own signature with one over the review as it stands.
    """
    side = _guard(appraisal, actor, seen_version)
    if appraisal.state != AppraisalState.AGREED:
        raise AppraisalError("The review can be signed once both of you have agreed the objectives.")
    if not (appraisal.summary or "").strip():
        raise AppraisalError("The appraiser writes the year-end summary before the review is signed.")
    current = digest(appraisal)
    mine = getattr(appraisal, f"signed_by_{side}_at")
    if mine and appraisal.signed_digest == current:
        raise AppraisalError("You have already signed this review; it is waiting for the other side to sign.")
    if mine:  # my signature covers words that have changed: replace it
        appraisal.signed_digest = None
        setattr(appraisal, f"signed_by_{side}_at", None)
        _record(session, actor, appraisal, "signature_replaced", side=side)
    try:
        appraisal.sign(actor.id, now, current)
    except InvalidTransition:
        other = _other(appraisal, actor)
        raise AppraisalError(
            f"The review has changed since {other.name} signed it, so your signature was not recorded: both of you "
            f"must sign the same words. {other.name} needs to read the review again and sign it first."
        ) from None
    _flush(session)
    _record(session, actor, appraisal, "appraisal_signed", side=side, digest=current, state=appraisal.state.value)
    other = _other(appraisal, actor)
    message = (
        f"The {appraisal.year} review is signed by both of you."
        if appraisal.state == AppraisalState.SIGNED
        else f"{actor.name} signed the {appraisal.year} review; it is waiting for your signature."
    )
    notify(session, other, message, link=f"/appraisals/{appraisal.id}")


def appraiser_choices(session: Session, person: User) -> list[User]:
    """Who an administrator may choose as appraiser: active supervisors other than the person."""
    from competency_portal.models import UserRole

    return list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.SUPERVISOR, User.active.is_(True), User.id != person.id)
            .order_by(User.name)
        ).unique()
    )


def default_appraiser(session: Session, person: User, actor: User, today: date) -> User | None:
    """The person's current supervisor; for a supervisor starting it, themself."""
    if Role.ADMIN not in actor.roles:
        return actor
    return current_supervisor(session, person.id, today)


def for_user(session: Session, user: User) -> tuple[list[Appraisal], list[Appraisal]]:
    """Appraisals of `user`, and appraisals `user` holds as appraiser, newest year first."""
    rows = session.scalars(
        select(Appraisal)
        .where((Appraisal.user_id == user.id) | (Appraisal.appraiser_id == user.id))
        .order_by(Appraisal.year.desc(), Appraisal.id.desc())
        .options(selectinload(Appraisal.person), selectinload(Appraisal.appraiser))
    ).all()
    return [a for a in rows if a.user_id == user.id], [
        a for a in rows if a.appraiser_id == user.id and a.user_id != user.id
    ]
