"""Comparing an import's drafts with the hand-made frameworks of the same seed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from competency_portal.importer.blocks import normalise
from competency_portal.importer.suggest import Candidate, suggest


@dataclass
class Score:
    """What one import got right and wrong."""

    statements: int = 0
    found: int = 0
    flags: int = 0
    flags_right: int = 0
    how: int = 0
    how_right: int = 0
    invented: list[str] = field(default_factory=list)
    extra: int = 0
    pairs: int = 0  # (drafted item, framework) groups with hand-made partners
    top_right: int = 0
    partners: int = 0
    partners_suggested: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        """Add another score's counts to this one."""
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, mine + theirs)


def drafted_items(frameworks: list[dict]) -> dict[str, dict]:
    """Every drafted item by its normalised statement."""
    return {normalise(i["statement"]): i for f in frameworks for d in f["domains"] for i in d["items"]}


def compare(frameworks: list[dict], handmade: list[dict], source_text: str, crosswalks: list[dict],
            candidates: list[Candidate]) -> Score:  # fmt: skip
    """Score drafts against the hand-made frameworks of their seed."""
    score = Score()
    drafted = drafted_items(frameworks)
    known = " ".join(normalise(line) for line in source_text.splitlines())
    table_text = {normalise(i["statement"]) for f in handmade for d in f["domains"] for i in d["items"]}
    handmade_items = {}
    for framework in handmade:
        for domain in framework["domains"]:
            for item in domain["items"]:
                key = normalise(item["statement"])
                handmade_items[(framework["id"], item["code"])] = key
                score.statements += 1
                got = drafted.get(key)
                if got is None:
                    score.misses.append(f"{framework['id']}:{item['code']} {item['statement'][:80]}")
                    continue
                score.found += 1
                if framework["kind"] == "person_specification":
                    score.flags += 1
                    score.how += 1
                    score.flags_right += got.get("requirement") == item["requirement"]
                    score.how_right += set(got.get("assessed_by") or []) == set(item["assessed_by"])
                    if got.get("requirement") != item["requirement"] or set(got.get("assessed_by") or []) != set(
                        item["assessed_by"]
                    ):
                        score.wrong.append(
                            f"{item['code']}: {got.get('requirement')} {got.get('assessed_by')}, hand-made "
                            f"{item['requirement']} {item['assessed_by']}"
                        )
    made = set(handmade_items.values())
    for key in drafted:
        if key not in known and key not in table_text:
            score.invented.append(key[:100])
        elif key not in made:
            score.extra += 1
    _crosswalk(score, drafted, handmade_items, crosswalks, candidates)
    return score


def _crosswalk(score: Score, drafted: dict, handmade_items: dict, crosswalks: list[dict], candidates) -> None:
    partners: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for walk in crosswalks:
        for pair in walk["pairs"]:
            a, b = tuple(pair["a"].split(":")), tuple(pair["b"].split(":"))
            for mine, theirs in ((a, b), (b, a)):
                if mine in handmade_items and handmade_items[mine] in drafted:
                    partners[(drafted[handmade_items[mine]]["code"], theirs[0])].add(theirs)
    if not partners:
        return
    codes = {code for code, _ in partners}
    items = [(i["code"], i["statement"]) for i in drafted.values() if i["code"] in codes]
    found = suggest(items, candidates)
    for (code, framework), wanted in partners.items():
        offered = [(s.framework, s.code) for s in found.get(code, []) if s.framework == framework]
        score.pairs += 1
        score.top_right += bool(offered) and offered[0] in wanted
        score.partners += len(wanted)
        score.partners_suggested += len(wanted & set(offered))
