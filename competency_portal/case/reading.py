"""A CASE 1.1 package (ours or another publisher's) read as a framework document.

The result is a plain mapping in the framework file format (frameworks/README.md), so it goes
through exactly the schema checks, diff and load that a YAML file does. A package the portal
wrote carries its own facts under `extensions.nhsCompetencyPortal` and reads back as the same
framework. Another publisher's package is read from CASE alone: the document's title and version,
the isChildOf tree (children of the document become domains, everything below a domain becomes
its items, in sequence order), each item's humanCodingScheme as its code (made one if missing).
Crosswalk (exactMatchOf) and version (replacedBy) associations are not loaded: crosswalks are
their own files, and a new version is made by loading changed content.
"""

from __future__ import annotations

import re
from typing import Any

from competency_portal.case.vocabulary import EXTENSION
from competency_portal.frameworks.problems import FrameworkFileError, Problem

_CODE_BAD = re.compile(r"[^A-Za-z0-9._-]+")
LINE_MAX = 300


def is_case_package(data: Any) -> bool:
    """Whether parsed JSON or YAML looks like a CASE package rather than a framework file."""
    return isinstance(data, dict) and "kind" not in data and ("CFPackage" in data or "CFDocument" in data)


def framework_document(data: dict, name: str) -> dict:
    """The framework document a CASE package describes; FrameworkFileError says what is missing."""
    body = data.get("CFPackage", data)
    problems: list[Problem] = []

    def refuse(message: str, where: str = "") -> None:
        problems.append(Problem(name, message, where))

    if not isinstance(body, dict):
        raise FrameworkFileError([Problem(name, "CFPackage must be an object holding CFDocument and CFItems")])
    doc = body.get("CFDocument")
    items = body.get("CFItems")
    links = body.get("CFAssociations", [])
    if not isinstance(doc, dict):
        refuse("the package has no CFDocument object; export the whole CFPackage, not a part of it", "CFDocument")
    if not isinstance(items, list) or not items:
        refuse("the package has no CFItems; a framework needs at least one item", "CFItems")
    if not isinstance(links, list):
        refuse("CFAssociations must be a list", "CFAssociations")
    if problems:
        raise FrameworkFileError(problems)
    for key in ("identifier", "title"):
        if not _text(doc.get(key)):
            refuse(f"the CFDocument has no {key}; a CASE document must have one", f"CFDocument.{key}")
    by_id: dict[str, dict] = {}
    for index, item in enumerate(items):
        where = f"CFItems[{index}]"
        if not isinstance(item, dict) or not _text(item.get("identifier")):
            refuse("each CFItem must be an object with an identifier", where)
        elif not _text(item.get("fullStatement")):
            refuse(f"CFItem {item['identifier']} has no fullStatement; every item needs its words", where)
        elif item["identifier"] in by_id:
            refuse(f"CFItem {item['identifier']} appears twice; each identifier must be unique", where)
        else:
            by_id[item["identifier"]] = item
    if problems:
        raise FrameworkFileError(problems)
    children = _children(links, by_id, doc["identifier"])
    return _framework(doc, by_id, children, items)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _order(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("inf")


def _children(links: list, by_id: dict[str, dict], document_id: str) -> dict[str, list[str]]:
    """Parent identifier -> child identifiers in sequence order, from the isChildOf associations."""
    found: dict[str, list[tuple[float, int, str]]] = {}
    seen: set[str] = set()
    for position, link in enumerate(links):
        if not isinstance(link, dict) or link.get("associationType") != "isChildOf":
            continue
        child = _text((link.get("originNodeURI") or {}).get("identifier"))
        parent = _text((link.get("destinationNodeURI") or {}).get("identifier"))
        if child in by_id and child not in seen and (parent in by_id or parent == document_id) and child != parent:
            seen.add(child)  # an item has one place in the tree; a second parent is ignored
            found.setdefault(parent, []).append((_order(link.get("sequenceNumber")), position, child))
    return {parent: [c for _, _, c in sorted(kids)] for parent, kids in found.items()}


def _ours(entity: dict) -> dict:
    ext = entity.get("extensions")
    facts = ext.get(EXTENSION) if isinstance(ext, dict) else None
    return facts if isinstance(facts, dict) else {}


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-")
    return slug or "imported-framework"


def _code(raw: str, fallback: str, used: set[str]) -> str:
    code = _CODE_BAD.sub("-", raw).strip("-._")[:40] or fallback
    candidate, n = code, 2
    while candidate in used:
        candidate = f"{code[:36]}-{n}"
        n += 1
    used.add(candidate)
    return candidate


def _line(text: str) -> str:
    return text if len(text) <= LINE_MAX else text[: LINE_MAX - 1] + "…"


def _descendants(node: str, children: dict[str, list[str]], seen: set[str]) -> list[str]:
    out = []
    for child in children.get(node, []):
        if child not in seen:  # a cycle in someone's tree must not loop for ever
            seen.add(child)
            out += [child, *_descendants(child, children, seen)]
    return out


def _framework(doc: dict, by_id: dict[str, dict], children: dict[str, list[str]], items: list[dict]) -> dict:
    facts = _ours(doc)
    roots = children.get(doc["identifier"])
    if roots is None:  # no tree at all: every item that is nobody's child is a root, in file order
        placed = {c for kids in children.values() for c in kids}
        roots = [i["identifier"] for i in items if i["identifier"] not in placed]
    used: set[str] = set()
    domains: list[dict] = []
    loose: list[str] = []
    seen: set[str] = set(roots)
    for root in roots:
        below = _descendants(root, children, seen)
        if not below and by_id[root].get("CFItemType") != "Domain":
            loose.append(root)
            continue
        domains.append(_domain(by_id[root], [by_id[i] for i in below], len(domains) + 1, used))
    if loose:
        general = {"identifier": "", "fullStatement": "General", "humanCodingScheme": "GEN"}
        domains.append(_domain(general, [by_id[i] for i in loose], len(domains) + 1, used))
    title = _text(doc.get("title"))
    source = facts.get("source") if isinstance(facts.get("source"), dict) else None
    out = {
        "kind": facts.get("kind", "competency_framework"),
        "id": facts.get("id") or _slug(title),
        "title": _line(title),
        "version": _text(doc.get("version")) or _text(doc.get("lastChangeDateTime"))[:10] or "1",
        "scale": facts.get("scale", "proficiency"),
        "source": source
        or {
            "document": _line(_text(doc.get("officialSourceURL")) or _text(doc.get("uri")) or title),
            "organisation": _line(_text(doc.get("publisher")) or _text(doc.get("creator")) or "Not given"),
        },
        "notes": _text(doc.get("notes")) or None,
        "assessment_methods": facts.get("assessmentMethods", []),
        "domains": domains,
    }
    if not facts and doc.get("uri"):
        out["notes"] = ((out["notes"] or "") + f"\n\nImported from the CASE package {_text(doc['uri'])}.").strip()
    return out


def _domain(node: dict, below: list[dict], position: int, used: set[str]) -> dict:
    statement = _text(node.get("fullStatement"))
    code = _code(_text(node.get("humanCodingScheme")), f"D{position}", used)
    title = _text(node.get("abbreviatedStatement")) if len(statement) > LINE_MAX else statement
    description = _text(node.get("notes")) or (statement if len(statement) > LINE_MAX else "")
    return {
        "code": code,
        "title": _line(title or statement),
        "description": description or None,
        "items": [_item(entry, f"{code}.{n}", used) for n, entry in enumerate(below, start=1)],
    }


def _item(node: dict, fallback: str, used: set[str]) -> dict:
    facts = _ours(node)
    out = {
        "code": _code(_text(node.get("humanCodingScheme")), fallback, used),
        "statement": _text(node.get("fullStatement")),
        "guidance": _text(node.get("notes")) or None,
    }
    for key, name in (
        ("requirement", "requirement"),
        ("assessedBy", "assessed_by"),
        ("reviewMonths", "review_months"),
        ("evidenceTypes", "evidence_types"),
    ):
        if facts.get(key) is not None:
            out[name] = facts[key]
    return out
