"""A draft: framework documents in the schema of `frameworks/`, built from what was found.

Codes are made from the headings ("Needs Assessment" -> NA, items NA.1, NA.2 ...). Each item
carries `origin` and, where the importer guessed, `check`: the loader refuses a framework while
any `check` is left, so every guess is looked at before it is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from competency_portal.importer.blocks import normalise
from competency_portal.importer.sections import DraftDomain, Structure

_SKIP = {"and", "of", "the", "to", "for", "in", "on", "a", "an", "or", "with", "by", "at", "&", "responsible"}
_SPLIT = re.compile(
    r"[.;]\s+(?:To|Ensure|Provide|Maintain|Participate|Contribute|Support|Act|Work|Take|Develop|Attend|Undertake"
    r"|Identify|Promote|Deliver|Manage|Liaise|Adhere|Record|Report)\b"
)


@dataclass(frozen=True)
class SourceLine:
    """A block of the source document as read, for showing the draft beside its source."""

    origin: str
    text: str


@dataclass
class Draft:
    """What an import produced."""

    filename: str
    facts: dict[str, str]
    frameworks: list[dict]
    lines: list[SourceLine]
    left_out: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def checks(self) -> int:
        """How many guesses are still to be looked at."""
        return sum(len(i.get("check", [])) for f in self.frameworks for d in f["domains"] for i in d["items"])

    def to_yaml(self, framework: dict) -> str:
        """One framework document as YAML, in the layout of the files in frameworks/."""
        return yaml.safe_dump(framework, sort_keys=False, allow_unicode=True, width=100)


def slug(text: str) -> str:
    """A framework id from words: lower case, digits and hyphens."""
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", out)[:60].strip("-") or "imported"


def _domain_code(title: str, taken: set[str]) -> str:
    significant = [w for w in re.findall(r"[A-Za-z]+", title) if w.lower() not in _SKIP]
    if len(significant) >= 2:
        code = "".join(w[0] for w in significant[:4]).upper()
    elif significant:
        code = significant[0][:3].upper()
    else:
        code = "D"
    base, n = code, 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    taken.add(code)
    return code


def _items(domain: DraftDomain, code: str, seen: dict[str, str], person_spec: bool) -> list[dict]:
    out = []
    for number, found in enumerate(domain.items, 1):
        item_code = f"{code}.{number}"
        item: dict = {"code": item_code, "statement": found.statement}
        if person_spec:
            item["requirement"] = found.requirement or "essential"
            item["assessed_by"] = found.assessed_by or ["application", "interview"]
        item["origin"] = found.origin
        checks = list(found.checks)
        if number == 1:
            checks = domain.checks + checks
        key = normalise(found.statement)
        if key in seen:
            checks.append(f"the same words as {seen[key]}; delete one of them")
        else:
            seen[key] = item_code
        if not person_spec and _SPLIT.search(found.statement):
            checks.append("this may be two items in one; split it if so")
        if found.statement[:1].islower():
            checks.append("starts with a small letter: it may be the end of the item before")
        if len(found.statement) > 5000:
            item["statement"] = found.statement[:5000]
            checks.append("longer than 5,000 characters and cut short; shorten it")
        if checks:
            item["check"] = checks
        out.append(item)
    return out


def framework(kind: str, ident: str, title: str, source: dict, domains: list[DraftDomain], notes: str | None) -> dict:
    """One framework document from found domains."""
    taken: set[str] = set()
    seen: dict[str, str] = {}
    person_spec = kind == "person_specification"
    doc: dict = {
        "kind": kind,
        "id": ident,
        "title": title,
        "version": "1",
        "scale": "criterion" if person_spec else "proficiency",
        "source": source,
    }
    if notes:
        doc["notes"] = notes[:20000]
    doc["domains"] = []
    for domain in domains:
        code = _domain_code(domain.title, taken)
        entry: dict = {"code": code, "title": domain.title[:300]}
        if domain.description:
            entry["description"] = domain.description
        entry["items"] = _items(domain, code, seen, person_spec)
        doc["domains"].append(entry)
    return doc


def source_of(filename: str, facts: dict[str, str], organisation: str | None) -> dict:
    """The framework's `source` block from the facts about the post."""
    source = {"document": filename[:300], "organisation": (organisation or "Not stated in the document")[:300]}
    if facts.get("title"):
        source["post"] = facts["title"][:300]
    if facts.get("band"):
        source["band"] = facts["band"][:80]
    source["status"] = "imported draft"
    return source


def notes_of(structure: Structure, facts: dict[str, str]) -> str:
    """What the importer knows that has no place of its own: the other facts and the job purpose."""
    parts = ["Imported from the document by the portal's importer; review every item before loading."]
    labels = {"reports_to": "Reports to", "service": "Service", "location": "Location", "hours": "Hours"}
    parts += [f"{label}: {facts[k]}" for k, label in labels.items() if facts.get(k)]
    if structure.context:
        parts.append("Job purpose: " + " ".join(structure.context))
    return "\n\n".join(parts)
