"""What to do next on a vacancy, for the person looking: the rules that turn facts into words.

Pure: `next_step` takes the facts about one vacancy as one person sees it (`Progress`, read by
`recruitment_progress`) and their rights on it (`policy.rights_on`). A step names what it links to
(`Link`: a kind and ids) but never builds a URL: the templates do (recruitment/_steps.html). Where
each step of the recruitment stands, as a task list, is `recruitment_journey`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from competency_portal.models import Vacancy, VacancyStatus
from competency_portal.text import plural

if TYPE_CHECKING:
    from competency_portal.policy import VacancyRights


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
    # application id -> criteria the viewer scored with a reason (one vacancy only)
    own: dict[int, int] = field(default_factory=dict)

    @property
    def everyone_submitted(self) -> bool:
        """Whether every panel member has submitted (and there is a panel)."""
        return bool(self.panel) and all(done for _, done in self.panel)


def joined(names: list[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
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
                f"The closing date has passed and there are {plural(p.applications, 'application')}. "
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
                    f"Score {plural(p.to_score, 'application')}: every criterion 0 to 3, each with a short "
                    "reason. You can save and come back.",
                    Link("score", f"Score {target[1]}", target[0])
                    if target
                    else Link("your_scores", f"Score {plural(p.to_score, 'application')}"),
                )
            return Step(
                "submit",
                "Everything is scored. Submit your scores: after that they cannot change, and you see the panel's.",
                Link("submit", "Submit your scores"),
            )
        if not p.everyone_submitted:
            return Step(
                "wait_panel",
                f"Your scores are in. Waiting for scores from {joined(p.waiting)}. The ranking, and any "
                "disagreements to moderate, appear once every panel member has submitted.",
                Link("shortlist", "See the panel's progress"),
            )
        if rights.lead:
            if p.flags:
                f = p.next_flag
                return Step(
                    "moderate",
                    f"The panel's scores differ by 2 or more on {plural(p.flags, 'criterion score')}: "
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
                    f"Record a decision, with a reason, for {plural(undecided, 'application')}.",
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
