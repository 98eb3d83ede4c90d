"""Helpers for proving that every statement of a seed document made it into a framework file.

A seed is plain text extracted from a Word or PDF document, so a statement may be broken over
several lines (tables especially). The check works line by line: every line of the in-scope part
of a seed, once bullets and spacing are normalised, must appear inside the statement of some item
of the framework(s) built from it. Lines that are headings or table furniture are listed by the
test that calls these helpers, so each exclusion is visible and deliberate.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ROOT / "frameworks"

_BULLETS = "·•▪‣◦-–—~✓✔√*"
_QUOTES = {"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "}


def seeds_dir() -> Path:
    """Where the seed documents are: $SEEDS_DIR, else ../shared/seeds beside the checkout."""
    return Path(os.environ.get("SEEDS_DIR", ROOT.parent / "shared" / "seeds"))


def seed_text(number: str) -> str:
    """The text of seed `number` ("000" to "004"); skips (or fails in CI) when seeds are absent."""
    matches = sorted(seeds_dir().glob(f"{number}_*.txt"))
    if not matches:
        if os.environ.get("CI"):
            pytest.fail(f"seed {number} not found in {seeds_dir()}")
        pytest.skip(f"seed documents not found in {seeds_dir()}")
    return matches[0].read_text(encoding="utf-8")


def normalise(text: str) -> str:
    """Fold case, quotes, bullets and white space so extraction noise does not count."""
    text = unicodedata.normalize("NFKC", text)
    for old, new in _QUOTES.items():
        text = text.replace(old, new)
    text = text.strip().lstrip(_BULLETS).strip()
    return re.sub(r"\s+", " ", text).casefold()


def section(text: str, start: str, end: str | None) -> list[str]:
    """The non-blank lines after the line containing `start`, up to the line containing `end`."""
    lines = text.splitlines()
    begin = next(i for i, line in enumerate(lines) if start in line)
    stop = len(lines)
    if end is not None:
        stop = next(i for i, line in enumerate(lines) if i > begin and end in line)
    return [line for line in lines[begin + 1 : stop] if line.strip()]


def framework_statements(framework_id: str) -> list[str]:
    """Every item statement of the framework file with this id, normalised."""
    for path in FRAMEWORKS.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("id") == framework_id and "domains" in data:
            return [normalise(item["statement"]) for domain in data["domains"] for item in domain["items"]]
    raise AssertionError(f"no framework file with id {framework_id!r} under {FRAMEWORKS}")


def uncovered(lines: list[str], statements: list[str], ignore: set[str] = frozenset()) -> list[str]:
    """Lines (raw) whose normalised text is in no statement and not listed in `ignore`."""
    ignored = {normalise(x) for x in ignore}
    missing = []
    for line in lines:
        text = normalise(line)
        if not text or text in ignored:
            continue
        if not any(text in statement for statement in statements):
            missing.append(line.strip())
    return missing
