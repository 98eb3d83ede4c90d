"""Where each step of a vacancy's recruitment stands, as a task list with links, for the person looking.

Pure, as `recruitment_steps`: the facts (`Progress`) and the person's rights go in; every step of
the recruitment comes out with where it stands and a link to each this person may open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from competency_portal.models import VacancyStatus
from competency_portal.services.recruitment_steps import Link, Progress, joined
from competency_portal.text import plural

if TYPE_CHECKING:
    from competency_portal.policy import VacancyRights


@dataclass(frozen=True)
class Task:
    """One line of the vacancy's task list: the step, a hint, its status and a link (if this person may go there)."""

    title: str
    hint: str
    status: str  # "Completed", "Incomplete", "Waiting", "Cannot start yet", "Available"
    link: Link | None = None


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
            plural(p.applications, "application") + (", still being added" if open_ else ""),
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
            + (f"; waiting for {joined(p.waiting)}" if p.waiting and not open_ else ""),
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
        hint, status = f"{plural(p.flags, 'criterion score')} to moderate", "Incomplete"
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
            f"{p.decided} of {plural(p.applications, 'application')} decided, each with a reason",
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
        f"{scored} of {plural(p.applications, 'application')} scored in full; not submitted yet",
        "Incomplete",
        Link("score", "Score the applications", target[0]) if target else Link("your_scores", "Score the applications"),
    )
