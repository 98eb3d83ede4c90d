"""A problem found in a framework file, said so that a person can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: file, line (when known), key path, and a sentence saying the fix."""

    file: str
    message: str
    where: str = ""
    line: int | None = None

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.where:
            place = f"{place}: {self.where}"
        return f"{place}: {self.message}"


class FrameworkFileError(Exception):
    """Raised with every problem found, so that all of them can be reported at once."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def key_path(loc: tuple) -> str:
    """Render a location such as ('domains', 0, 'items', 3, 'code') as domains[0].items[3].code."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
