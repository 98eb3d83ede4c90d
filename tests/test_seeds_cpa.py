"""Seeds 000 and 001 (the two CPA documents) are fully and faithfully in their framework files.

Every line of the in-scope part of each seed must appear in some item statement; the only lines
excused are the headings listed here. Item counts per domain are counted from the seed text, not
hard-coded, and the crosswalk between the two may only name items that exist.
"""

from __future__ import annotations

import re

import pytest
import yaml
from seed_coverage import (
    FRAMEWORKS,
    framework_statements,
    normalise,
    section,
    seed_text,
    uncovered,
)

COMPETENCIES = "cpa-care-coordinator-competencies"
RESPONSIBILITIES = "cpa-care-coordinator-responsibilities"
CROSSWALK = "cpa-competencies-to-responsibilities"

# Seed 000: the six headings under "MAIN RESPONSIBILITIES:", in source order, with their codes.
SEED_000_DOMAINS = [
    ("NA", "Needs Assessment"),
    ("RA", "Risk Assessment and Management"),
    ("RP", "Relapse Prevention, Crisis Planning and Management"),
    ("CN", "Assessing and Responding to Carers’ Needs"),
    ("CP", "Care Planning and Review"),
    ("OD", "OTHER DUTIES"),
]
SEED_000_START = "MAIN RESPONSIBILITIES:"
SEED_000_IGNORE = {title for _, title in SEED_000_DOMAINS}

# Seed 001: the numbered list, between its opening introducer and the source line at the foot.
SEED_001_START = "The Care Co-ordinator or lead professional must:"
SEED_001_SPLIT = "The Care Co-ordinator is also responsible for:"
SEED_001_END = "Source: CPA Procedures 2009"
SEED_001_IGNORE = {SEED_001_SPLIT}

NUMBERED = re.compile(r"^\s*(1\.\d+)\.\s*")
BULLET = "·"


def load(kind: str, ident: str) -> dict:
    for path in FRAMEWORKS.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("kind") == kind and data.get("id") == ident:
            return data
    raise AssertionError(f"no {kind} file with id {ident!r} under {FRAMEWORKS}")


def statements_by_code(framework: dict) -> dict[str, str]:
    return {item["code"]: normalise(item["statement"]) for domain in framework["domains"] for item in domain["items"]}


def domain_counts(framework: dict) -> dict[str, int]:
    return {domain["code"]: len(domain["items"]) for domain in framework["domains"]}


def bullets(lines: list[str]) -> int:
    return sum(1 for line in lines if line.lstrip().startswith(BULLET))


def strip_number(line: str) -> str:
    """1.N. is the item's code, not part of its statement."""
    return NUMBERED.sub("", line)


# --- seed 000 --------------------------------------------------------------------------------


def test_seed_000_every_line_is_in_a_statement():
    lines = section(seed_text("000"), SEED_000_START, None)
    assert uncovered(lines, framework_statements(COMPETENCIES), SEED_000_IGNORE) == []


def test_seed_000_domains_are_the_source_headings_in_order():
    framework = load("competency_framework", COMPETENCIES)
    found = [(domain["code"], normalise(domain["title"])) for domain in framework["domains"]]
    assert found == [(code, normalise(title)) for code, title in SEED_000_DOMAINS]


def test_seed_000_one_item_per_bullet_in_each_domain():
    text = seed_text("000")
    expected = {}
    for index, (code, title) in enumerate(SEED_000_DOMAINS):
        following = SEED_000_DOMAINS[index + 1][1] if index + 1 < len(SEED_000_DOMAINS) else None
        expected[code] = bullets(section(text, title, following))
    assert all(expected.values()), expected
    assert sum(expected.values()) == bullets(section(text, SEED_000_START, None))
    framework = load("competency_framework", COMPETENCIES)
    assert domain_counts(framework) == expected


def test_seed_000_items_are_numbered_in_order_within_each_domain():
    framework = load("competency_framework", COMPETENCIES)
    for domain in framework["domains"]:
        codes = [item["code"] for item in domain["items"]]
        assert codes == [f"{domain['code']}.{n}" for n in range(1, len(codes) + 1)]


def test_seed_000_each_bullet_is_the_item_at_its_position():
    text = seed_text("000")
    by_code = statements_by_code(load("competency_framework", COMPETENCIES))
    for index, (code, title) in enumerate(SEED_000_DOMAINS):
        following = SEED_000_DOMAINS[index + 1][1] if index + 1 < len(SEED_000_DOMAINS) else None
        lines = [line for line in section(text, title, following) if line.lstrip().startswith(BULLET)]
        for number, line in enumerate(lines, start=1):
            assert normalise(line) in by_code.get(f"{code}.{number}", ""), (code, number, line)


# --- seed 001 --------------------------------------------------------------------------------


def test_seed_001_every_line_is_in_a_statement():
    lines = section(seed_text("001"), SEED_001_START, SEED_001_END)
    lines = [strip_number(line) for line in lines]
    assert uncovered(lines, framework_statements(RESPONSIBILITIES), SEED_001_IGNORE) == []


def test_seed_001_one_item_per_numbered_statement_in_each_domain():
    text = seed_text("001")
    must = section(text, SEED_001_START, SEED_001_SPLIT)
    also = section(text, SEED_001_SPLIT, SEED_001_END)
    expected = {
        "LP": sum(1 for line in must if NUMBERED.match(line)),
        "CC": sum(1 for line in also if NUMBERED.match(line)),
    }
    assert all(expected.values()), expected
    framework = load("competency_framework", RESPONSIBILITIES)
    assert domain_counts(framework) == expected


def test_seed_001_codes_are_the_source_numbers_in_order():
    text = seed_text("001")
    lines = section(text, SEED_001_START, SEED_001_END)
    source_numbers = [NUMBERED.match(line).group(1) for line in lines if NUMBERED.match(line)]
    framework = load("competency_framework", RESPONSIBILITIES)
    codes = [item["code"] for domain in framework["domains"] for item in domain["items"]]
    assert codes == [f"1.{n}" for n in range(1, 23)]
    assert codes == source_numbers


def test_seed_001_each_numbered_statement_is_the_item_with_its_number():
    lines = section(seed_text("001"), SEED_001_START, SEED_001_END)
    by_code = statements_by_code(load("competency_framework", RESPONSIBILITIES))
    for line in lines:
        match = NUMBERED.match(line)
        if match:
            code = match.group(1)
            assert normalise(strip_number(line)) in by_code.get(code, ""), (code, line)


# --- both ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ident", [COMPETENCIES, RESPONSIBILITIES])
def test_item_codes_are_unique_strings(ident):
    framework = load("competency_framework", ident)
    codes = [item["code"] for domain in framework["domains"] for item in domain["items"]]
    assert all(isinstance(code, str) for code in codes)
    assert len(codes) == len(set(codes))


def test_crosswalk_names_only_items_that_exist():
    existing = set()
    for ident in (COMPETENCIES, RESPONSIBILITIES):
        framework = load("competency_framework", ident)
        existing |= {f"{ident}:{item['code']}" for domain in framework["domains"] for item in domain["items"]}
    crosswalk = load("crosswalk", CROSSWALK)
    pairs = crosswalk["pairs"]
    assert pairs
    missing = [name for pair in pairs for name in (pair["a"], pair["b"]) if name not in existing]
    assert missing == []
    for pair in pairs:
        assert pair["a"].startswith(f"{COMPETENCIES}:"), pair
        assert pair["b"].startswith(f"{RESPONSIBILITIES}:"), pair
        assert pair["note"].strip(), pair
    keys = [(pair["a"], pair["b"]) for pair in pairs]
    assert len(keys) == len(set(keys)), "a pair is listed twice"
