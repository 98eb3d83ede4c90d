"""What to do next on a vacancy, for the person looking, and where each step of the recruitment stands.

`progress` reads the facts for one vacancy (the vacancy and shortlist pages) and `progress_for_list`
for all of a recruiter's vacancies (the recruitment list), each in a fixed number of queries. The
rules that turn facts into words, `next_step` and `journey`, are pure. A step names what it links
to (`Link`: a kind and ids) but never builds a URL: the templates do (recruitment/_steps.html).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, selectinload

from competency_portal.models import (
    Application,
    Item,
    PanelMember,
    Score,
    ShortlistDecision,
    User,
    Vacancy,
    VacancyStatus,
)
from competency_portal.policy import VacancyRights
from competency_portal.services import shortlist_page, shortlisting


@dataclass(frozen=True)
class Link:
    """Where a step leads: `kind` is one of the pages in recruitment/_steps.html, with the ids it needs."""

    kind: str
    label: str
    application_id: int | None = None
    item_id: int | None = None


@dataclass(frozen=True)
class Step:
    """The one thing to do next, in words, and where to do it (None: nothing for this person to do)."""

    kind: str
    text: str
    link: Link | None = None


@dataclass(frozen=True)
class Task:
    """One line of the vacancy's task list: the step, a hint, its status and a link (if this person may go there)."""

    title: str
    hint: str
    status: str  # "Completed", "Incomplete", "Waiting", "Cannot start yet", "Available"
    link: Link | None = None


@dataclass
class Progress:
    """The facts about one vacancy the steps are worked out from, as one person sees it."""

    vacancy: Vacancy
    applications: int
    criteria: int
    panel: list[tuple[str, bool]]  # (name, submitted) of each panel member
    viewer_submitted: bool | None  # None: the viewer is not on the panel
    to_score: int  # applications the viewer has not yet scored in full (with reasons)
    next_to_score: tuple[int, str] | None  # (application id, reference); None when not known or none left
    decided: int
    next_undecided: tuple[int, str] | None = None
    flags: int | None = None  # cells waiting for moderation; None when not known (the list page does not work them out)
    next_flag: tuple[int, str, int, str] | None = None  # (application id, reference, item id, criterion code)
    lead_name: str = ""
    waiting: list[str] = field(default_factory=list)
    own: dict[int, int] = field(
        default_factory=dict
    )  # application id -> criteria the viewer scored with a reason (one vacancy only)

    @property
    def everyone_submitted(self) -> bool:
        return bool(self.panel) and all(done for _, done in self.panel)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# -- the rules ------------------------------------------------------------------------------


def next_step(p: Progress, rights: VacancyRights, today: date) -> Step:
    """The next thing this person should do on the vacancy, and where."""
    v = p.vacancy
    if v.status == VacancyStatus.CLOSED:
        return Step(
            "closed",
            "This vacancy is closed. The shortlist and the reasons for every decision are kept for the record.",
            Link("shortlist", "See the shortlist") if rights.sees_scores else None,
        )
    if v.status == VacancyStatus.OPEN or (v.status == VacancyStatus.SHORTLISTING and not p.applications):
        if rights.lead and v.status == VacancyStatus.OPEN and p.applications and today > v.closing_on:
            return Step(
                "start_shortlisting",
                f"The closing date has passed and there are {_plural(p.applications, 'application')}. "
                "Close applications and start shortlisting, so the panel can score them.",
                Link("move_on", "Close applications and start shortlisting"),
            )
        if rights.lead:
            return Step(
                "add_applications",
                f"Add applications as they arrive ({p.applications} so far). Once the closing date has "
                "passed, close applications and start shortlisting.",
                Link("add_application", "Add an application"),
            )
        return Step(
            "wait_lead", f"Applications are being collected. Scoring starts when {p.lead_name} closes applications."
        )
    if v.status == VacancyStatus.SHORTLISTING and not v.names_visible:
        if rights.score:
            if p.to_score:
                target = p.next_to_score
                return Step(
                    "score",
                    f"Score {_plural(p.to_score, 'application')}: every criterion 0 to 3, each with a short "
                    "reason. You can save and come back.",
                    Link("score", f"Score {target[1]}", target[0])
                    if target
                    else Link("your_scores", f"Score {_plural(p.to_score, 'application')}"),
                )
            return Step(
                "submit",
                "Everything is scored. Submit your scores: after that they cannot change, and you see the panel's.",
                Link("submit", "Submit your scores"),
            )
        if not p.everyone_submitted:
            return Step(
                "wait_panel",
                f"Your scores are in. Waiting for scores from {_names(p.waiting)}. The ranking, and any "
                "disagreements to moderate, appear once every panel member has submitted.",
                Link("shortlist", "See the panel's progress"),
            )
        if rights.lead:
            if p.flags:
                f = p.next_flag
                return Step(
                    "moderate",
                    f"The panel's scores differ by 2 or more on {_plural(p.flags, 'criterion score')}: "
                    "record the agreed score and why.",
                    Link("moderate", f"Moderate {f[3]} for {f[1]}", f[0], f[2])
                    if f
                    else Link("shortlist", "Open the shortlist"),
                )
            undecided = p.applications - p.decided
            if undecided and p.flags is None:
                return Step(
                    "decide",
                    f"Every panel member has submitted. Moderate any disagreements and record a decision, with a "
                    f"reason, for each application ({p.decided} of {p.applications} decided).",
                    Link("shortlist", "Open the shortlist"),
                )
            if undecided:
                u = p.next_undecided
                return Step(
                    "decide",
                    f"Record a decision, with a reason, for {_plural(undecided, 'application')}.",
                    Link("decide", f"Record the decision for {u[1]}", u[0])
                    if u
                    else Link("shortlist", "Open the shortlist"),
                )
            return Step(
                "agree",
                "Every application has a decision. Agree the shortlist: decisions are then fixed, and candidates' "
                "names are shown to the panel.",
                Link("agree", "Agree the shortlist"),
            )
        return Step(
            "wait_lead",
            f"Every panel member has submitted. {p.lead_name} moderates any disagreements and records the "
            "decisions; the shortlist shows them as they are made.",
            Link("shortlist", "See the shortlist"),
        )
    if v.status == VacancyStatus.SHORTLISTING:  # agreed
        if rights.lead:
            return Step(
                "move_to_interviews",
                "The shortlist is agreed and candidates' names are shown. Invite the shortlisted "
                "candidates, then move the vacancy to interviews.",
                Link("move_on", "Move to interviews"),
            )
        return Step(
            "interview",
            "The shortlist is agreed and candidates' names are shown. Use the interview scoring sheet at interview.",
            Link("interview_sheet", "Open the interview scoring sheet"),
        )
    return Step(
        "interview",
        "Interview the shortlisted candidates with the interview scoring sheet."
        + (" Close the vacancy once the post is filled." if rights.lead else ""),
        Link("interview_sheet", "Open the interview scoring sheet"),
    )


def journey(p: Progress, rights: VacancyRights) -> list[Task]:
    """Every step of the recruitment, where it stands, and a link to each this person may open."""
    v = p.vacancy
    open_ = v.status == VacancyStatus.OPEN
    agreed = v.names_visible
    ready = p.everyone_submitted and not open_ and p.applications > 0  # the lead's part can start
    undecided = p.applications - p.decided
    tasks = [
        Task(
            "Applications",
            _plural(p.applications, "application") + (", still being added" if open_ else ""),
            "Incomplete" if open_ else "Completed",
            Link("applications", "Applications"),
        )
    ]
    if p.viewer_submitted is not None:
        tasks.append(_scoring_task(p, rights, open_))
    done = sum(1 for _, d in p.panel if d)
    tasks.append(
        Task(
            "Panel scores submitted",
            f"{done} of {len(p.panel)} panel members"
            + (f"; waiting for {_names(p.waiting)}" if p.waiting and not open_ else ""),
            "Completed" if p.everyone_submitted else "Cannot start yet" if open_ else "Waiting",
            None if open_ else Link("shortlist", "Panel scores submitted"),
        )
    )
    if not ready:
        hint, status = (
            "Once every panel member has submitted, scores that differ by 2 or more are flagged here.",
            "Cannot start yet",
        )
    elif p.flags:
        hint, status = f"{_plural(p.flags, 'criterion score')} to moderate", "Incomplete"
    else:
        hint, status = "Nothing left to moderate", "Completed"
    f = p.next_flag
    link = (
        Link("moderate", "Moderate disagreements", f[0], f[2])
        if rights.moderate and f
        else Link("moderation", "Moderate disagreements")
        if rights.sees_scores and ready
        else None
    )
    tasks.append(Task("Moderate disagreements", hint, status, link))
    u = p.next_undecided
    link = (
        Link("decide", "Record decisions", u[0])
        if rights.decide and ready and u
        else Link("decisions", "Record decisions")
        if rights.sees_scores and ready
        else None
    )
    tasks.append(
        Task(
            "Record decisions",
            f"{p.decided} of {_plural(p.applications, 'application')} decided, each with a reason",
            "Completed" if ready and not undecided else "Incomplete" if ready else "Cannot start yet",
            link,
        )
    )
    tasks.append(
        Task(
            "Agree the shortlist",
            f"Agreed on {v.shortlist_agreed_at:%-d %B %Y}: candidates' names are shown"
            if agreed
            else "Fixes the decisions and shows candidates' names to the panel",
            "Completed" if agreed else "Incomplete" if ready and not undecided else "Cannot start yet",
            Link("agree", "Agree the shortlist") if rights.agree and ready and not undecided else None,
        )
    )
    tasks.append(
        Task(
            "Shortlist and exports",
            "The ranked shortlist with the reasons for every decision, as CSV, Excel or PDF",
            "Available" if rights.sees_scores and not open_ else "Cannot start yet",
            Link("shortlist", "Shortlist and exports") if rights.sees_scores and not open_ else None,
        )
    )
    tasks.append(
        Task(
            "Interview scoring sheet",
            "One sheet for each shortlisted candidate"
            if agreed
            else "The criteria assessed at interview; blank until the shortlist is agreed",
            "Available",
            Link("interview_sheet", "Interview scoring sheet"),
        )
    )
    return tasks


def _scoring_task(p: Progress, rights: VacancyRights, open_: bool) -> Task:
    if p.viewer_submitted:
        return Task(
            "Score the applications",
            "You have submitted your scores.",
            "Completed",
            Link("your_scores", "Score the applications"),
        )
    if open_ or not rights.score:
        return Task(
            "Score the applications",
            "Scoring starts when applications close." if open_ else "Scoring is closed.",
            "Cannot start yet",
        )
    scored = p.applications - p.to_score
    target = p.next_to_score
    return Task(
        "Score the applications",
        f"{scored} of {_plural(p.applications, 'application')} scored in full; not submitted yet",
        "Incomplete",
        Link("score", "Score the applications", target[0]) if target else Link("your_scores", "Score the applications"),
    )


# -- the facts --------------------------------------------------------------------------------


def progress(
    session: Session,
    vacancy: Vacancy,
    viewer_id: int,
    rights: VacancyRights,
    page: shortlist_page.ShortlistPage | None = None,
) -> Progress:
    """The facts for one vacancy as `viewer_id` sees it, in a fixed number of queries.

    Given the shortlist `page` already loaded for this viewer, its criteria, panel, own counts and
    moderation flags are used rather than read and worked out again (the flags cost as much as the
    page's ranking).
    """
    if page is not None:
        criteria, panel = page.criteria, page.panel
    else:
        criteria = [
            c
            for c in shortlisting.spec_criteria(session, vacancy.spec_version_id)
            if shortlisting.APPLICATION_METHOD in c.assessed_by
        ]
        panel = list(
            session.scalars(
                select(PanelMember)
                .where(PanelMember.vacancy_id == vacancy.id)
                .options(selectinload(PanelMember.user))
                .order_by(PanelMember.id)
            )
        )
    apps = list(
        session.execute(
            select(Application.id, Application.reference)
            .where(Application.vacancy_id == vacancy.id)
            .order_by(Application.reference)
        )
    )
    in_vacancy = select(Application.id).where(Application.vacancy_id == vacancy.id)
    own = (
        page.own_counts
        if page is not None
        else dict(
            session.execute(
                select(Score.application_id, func.count())
                .where(
                    Score.application_id.in_(in_vacancy),
                    Score.scorer_id == viewer_id,
                    Score.item_id.in_([c.item_id for c in criteria]),
                    Score.value.is_not(None),
                    Score.reason != "",
                )
                .group_by(Score.application_id)
            ).all()
        )
    )
    decided = set(
        session.scalars(
            select(ShortlistDecision.application_id).where(ShortlistDecision.application_id.in_(in_vacancy)).distinct()
        )
    )
    member = next((m for m in panel if m.user_id == viewer_id), None)
    unscored = [(i, r) for i, r in apps if own.get(i, 0) < len(criteria)]
    found = Progress(
        vacancy=vacancy,
        applications=len(apps),
        criteria=len(criteria),
        panel=[(m.user.name, m.scores_submitted_at is not None) for m in panel],
        viewer_submitted=None if member is None else member.scores_submitted_at is not None,
        to_score=len(unscored) if member is not None else 0,
        next_to_score=unscored[0] if unscored else None,
        decided=len(decided),
        next_undecided=next(((i, r) for i, r in apps if i not in decided), None),
        lead_name=vacancy.lead.name,
        own=own,
        waiting=["you" if m.user_id == viewer_id else m.user.name for m in panel if m.scores_submitted_at is None],
    )
    if rights.sees_scores and found.everyone_submitted and apps and vacancy.status != VacancyStatus.OPEN:
        if page is not None and page.viewer_done:
            flagged = [(cand.application_id, c.item_id) for cand, c in page.flags]
        else:
            flagged = shortlist_page.flagged(session, vacancy, criteria, len(panel), [m.user_id for m in panel])
        refs, codes = dict(apps), {c.item_id: c.code for c in criteria}
        found.flags = len(flagged)
        found.next_flag = next(((a, refs[a], i, codes[i]) for a, i in flagged), None)
    return found


def progress_for_list(session: Session, found: list[Vacancy], viewer_id: int) -> dict[int, Progress]:
    """The facts for each of a recruiter's vacancies (without moderation flags), in a fixed number of queries."""
    ids = [v.id for v in found] or [0]
    counts = dict(
        session.execute(
            select(Application.vacancy_id, func.count())
            .where(Application.vacancy_id.in_(ids))
            .group_by(Application.vacancy_id)
        ).all()
    )
    versions = {v.spec_version_id for v in found} or {0}
    criteria: dict[int, set[int]] = {}
    for item_id, version_id, assessed in session.execute(
        select(Item.id, Item.version_id, Item.assessed_by).where(Item.version_id.in_(versions))
    ):
        if shortlisting.APPLICATION_METHOD in (assessed or []):
            criteria.setdefault(version_id, set()).add(item_id)
    own: dict[int, list[int]] = {}
    every = {i for s in criteria.values() for i in s} or {0}
    for vacancy_id, n in session.execute(
        select(Application.vacancy_id, func.count())
        .join(Score, Score.application_id == Application.id)
        .where(
            Application.vacancy_id.in_(ids),
            Score.scorer_id == viewer_id,
            Score.item_id.in_(every),
            Score.value.is_not(None),
            Score.reason != "",
        )
        .group_by(Application.vacancy_id, Application.id)
    ):
        own.setdefault(vacancy_id, []).append(n)
    decided = dict(
        session.execute(
            select(Application.vacancy_id, func.count(distinct(ShortlistDecision.application_id)))
            .join(ShortlistDecision, ShortlistDecision.application_id == Application.id)
            .where(Application.vacancy_id.in_(ids))
            .group_by(Application.vacancy_id)
        ).all()
    )
    people = {v.lead_id for v in found} | {m.user_id for v in found for m in v.panel}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(people or {0}))).all())
    result = {}
    for v in found:
        member = next((m for m in v.panel if m.user_id == viewer_id), None)
        n_criteria = len(criteria.get(v.spec_version_id, ()))
        full = sum(1 for n in own.get(v.id, []) if n >= n_criteria)
        result[v.id] = Progress(
            vacancy=v,
            applications=counts.get(v.id, 0),
            criteria=n_criteria,
            panel=[("", m.scores_submitted_at is not None) for m in v.panel],
            viewer_submitted=None if member is None else member.scores_submitted_at is not None,
            to_score=counts.get(v.id, 0) - full if member is not None else 0,
            next_to_score=None,
            decided=decided.get(v.id, 0),
            lead_name=names.get(v.lead_id, ""),
            waiting=[
                "you" if m.user_id == viewer_id else names.get(m.user_id, "")
                for m in v.panel
                if m.scores_submitted_at is None
            ],
        )
    return result
