"""Editing a draft framework document: the moves a reviewer makes, as pure functions on the dict.

Items are found by code. A new item takes the next free number in its group; an item moved to
another group takes that group's next code. Keys starting with "_" (the importer's suggestions)
travel with their item and are taken off before the draft is checked or loaded (`for_loading`).
"""

from __future__ import annotations

import copy
import re

from competency_portal.frameworks.schema import STANDARD_ASSESSMENT_METHODS


class EditRefused(ValueError):
    """The edit cannot be made; the message says why."""


DECISIONS = ("accepted", "rejected", None)


def find(framework: dict, code: str) -> tuple[dict, int]:
    """(domain, index) of the item with this code."""
    for domain in framework["domains"]:
        for index, item in enumerate(domain["items"]):
            if item["code"] == code:
                return domain, index
    raise EditRefused(f"there is no item {code} in this draft any more; it may have been changed by someone else")


def domain_of(framework: dict, code: str) -> dict:
    """The group with this code."""
    for domain in framework["domains"]:
        if domain["code"] == code:
            return domain
    raise EditRefused(f"there is no group {code} in this draft")


def _next_code(domain: dict, taken: set[str]) -> str:
    numbers = [int(m.group(1)) for i in domain["items"] if (m := re.search(r"\.(\d+)$", i["code"]))]
    number = max(numbers, default=0) + 1
    while f"{domain['code']}.{number}" in taken:
        number += 1
    return f"{domain['code']}.{number}"


def _codes(framework: dict) -> set[str]:
    return {i["code"] for d in framework["domains"] for i in d["items"]}


def _statement(text: str) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        raise EditRefused("enter the item's words; to remove an item, delete it")
    if len(text) > 5000:
        raise EditRefused("an item may be at most 5,000 characters; split it")
    return text


def update_item(framework: dict, code: str, *, statement: str, domain: str, checked: bool,
                requirement: str | None = None, assessed_by: list[str] | None = None,
                decisions: dict[str, str | None] | None = None) -> str:  # fmt: skip
    """Change an item's words, group, flags and suggestion decisions; returns its (new) code."""
    current, index = find(framework, code)
    item = current["items"][index]
    item["statement"] = _statement(statement)
    if framework["kind"] == "person_specification":
        if requirement not in ("essential", "desirable"):
            raise EditRefused("choose essential or desirable")
        methods = set(STANDARD_ASSESSMENT_METHODS) | set(framework.get("assessment_methods", []))
        if not assessed_by or any(m not in methods for m in assessed_by):
            raise EditRefused("choose at least one way this criterion is assessed")
        item["requirement"], item["assessed_by"] = requirement, list(assessed_by)
    if checked:
        item.pop("check", None)
    for suggestion in item.get("_suggestions", []):
        key = f"{suggestion['framework']}:{suggestion['code']}"
        if decisions and key in decisions:
            if decisions[key] not in DECISIONS:
                raise EditRefused("accept or reject each suggested equivalent")
            suggestion["decision"] = decisions[key]
    if domain != current["code"]:
        target = domain_of(framework, domain)
        current["items"].pop(index)
        item["code"] = _next_code(target, _codes(framework))
        target["items"].append(item)
        _drop_empty(framework)
    return item["code"]


def split_item(framework: dict, code: str, parts: list[str]) -> list[str]:
    """Replace an item by several, in order; the first keeps its code and suggestions."""
    parts = [_statement(p) for p in parts if p.strip()]
    if len(parts) < 2:
        raise EditRefused("put each item on a line of its own to split it in two or more")
    domain, index = find(framework, code)
    first = domain["items"][index]
    first["statement"] = parts[0]
    codes = [code]
    for offset, text in enumerate(parts[1:], 1):
        new = {k: copy.deepcopy(v) for k, v in first.items() if k not in ("code", "statement", "_suggestions", "check")}
        new.update(code=_next_code(domain, _codes(framework)), statement=text)
        new = {"code": new.pop("code"), "statement": new.pop("statement"), **new}
        domain["items"].insert(index + offset, new)
        codes.append(new["code"])
    return codes


def merge_with_next(framework: dict, code: str) -> None:
    """Join an item and the one after it in its group into one item."""
    domain, index = find(framework, code)
    if index + 1 >= len(domain["items"]):
        raise EditRefused(f"{code} is the last item of its group, so there is no next item to merge it with")
    item, following = domain["items"][index], domain["items"].pop(index + 1)
    item["statement"] = _statement(f"{item['statement']} {following['statement']}")
    checks = item.get("check", []) + [c for c in following.get("check", []) if c not in item.get("check", [])]
    if checks:
        item["check"] = checks
    known = {(s["framework"], s["code"]) for s in item.get("_suggestions", [])}
    extra = [s for s in following.get("_suggestions", []) if (s["framework"], s["code"]) not in known]
    if extra:
        item["_suggestions"] = item.get("_suggestions", []) + extra


def move_item(framework: dict, code: str, step: int) -> None:
    """Move an item up (-1) or down (+1) within its group."""
    domain, index = find(framework, code)
    target = index + step
    if not 0 <= target < len(domain["items"]):
        raise EditRefused(f"{code} is already the {'first' if step < 0 else 'last'} item of its group")
    items = domain["items"]
    items[index], items[target] = items[target], items[index]


def delete_item(framework: dict, code: str) -> None:
    """Take an item out of the draft (a group left empty goes too)."""
    domain, index = find(framework, code)
    domain["items"].pop(index)
    _drop_empty(framework)
    if not framework["domains"]:
        raise EditRefused("that is the draft's last item; discard the draft instead")


def rename_domain(framework: dict, code: str, title: str) -> None:
    """Give a group a new title."""
    title = re.sub(r"\s+", " ", title or "").strip()
    if not title or len(title) > 300:
        raise EditRefused("enter a title for the group, at most 300 characters")
    domain_of(framework, code)["title"] = title


def add_domain(framework: dict, title: str, first_item: str) -> str:
    """A new group at the end, with its first item; returns the group's code."""
    title = re.sub(r"\s+", " ", title or "").strip()
    if not title:
        raise EditRefused("enter a title for the new group")
    taken = {d["code"] for d in framework["domains"]}
    base = "".join(w[0] for w in re.findall(r"[A-Za-z]+", title)[:4]).upper() or "G"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    item = {"code": f"{code}.1", "statement": _statement(first_item)}
    if framework["kind"] == "person_specification":
        item.update(requirement="essential", assessed_by=["application", "interview"])
        item["check"] = ["added by hand: set essential or desirable and how it is assessed"]
    framework["domains"].append({"code": code, "title": title, "items": [item]})
    return code


def _drop_empty(framework: dict) -> None:
    framework["domains"] = [d for d in framework["domains"] if d["items"]]


def for_loading(framework: dict) -> dict:
    """The framework document as the loader sees it: the draft's own keys taken off."""
    clean = {k: copy.deepcopy(v) for k, v in framework.items() if not k.startswith("_")}
    for domain in clean["domains"]:
        domain["items"] = [{k: v for k, v in item.items() if not k.startswith("_")} for item in domain["items"]]
    return clean


def accepted(framework: dict) -> list[tuple[str, dict]]:
    """(item code, suggestion) for every suggested equivalent a reviewer accepted."""
    return [
        (item["code"], s)
        for domain in framework["domains"]
        for item in domain["items"]
        for s in item.get("_suggestions", [])
        if s.get("decision") == "accepted"
    ]
