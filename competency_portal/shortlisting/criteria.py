"""A person specification's criteria, and which of them the panel scores at application."""

from __future__ import annotations

from dataclasses import dataclass

from competency_portal.shortlisting.ranking import Criterion

APPLICATION_METHOD = "application"
INTERVIEW_METHODS = ("interview", "test", "exercise")


@dataclass(frozen=True)
class SpecCriterion:
    """A person-specification criterion with how it is assessed."""

    item_id: int
    code: str
    statement: str
    essential: bool
    assessed_by: tuple[str, ...]
    domain: str

    @property
    def requirement(self) -> str:
        """Essential or Desirable, as the specification says."""
        return "Essential" if self.essential else "Desirable"

    def as_rule(self) -> Criterion:
        """The criterion as the ranking rules take it."""
        return Criterion(self.item_id, self.code, self.statement, self.essential)


def at_application(criteria: list[SpecCriterion]) -> list[SpecCriterion]:
    """The criteria assessed at application (the ones the panel scores), in order."""
    return [c for c in criteria if APPLICATION_METHOD in c.assessed_by]


def at_interview(criteria: list[SpecCriterion]) -> list[SpecCriterion]:
    """The criteria assessed at interview, test or exercise (the interview scoring sheet), in order."""
    return [c for c in criteria if any(m in c.assessed_by for m in INTERVIEW_METHODS)]
