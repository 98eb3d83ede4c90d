"""Telling headings, facts about the post and lead-in lines from the rest, whatever the format."""

from __future__ import annotations

import re
from dataclasses import dataclass

from competency_portal.importer import vocabulary as words
from competency_portal.importer.blocks import Block, split_marker

_END_OF_SENTENCE = (".", ";", ",", "!", "?")
_SMALL_WORDS = {"and", "of", "the", "to", "for", "in", "on", "a", "an", "or", "with", "by", "at", "&"}


@dataclass(frozen=True)
class Heading:
    """A heading: its text without numbering, and whether the importer had to guess it was one."""

    title: str
    guessed: bool
    numbered: bool = False


def fact_of(text: str) -> tuple[str, str] | None:
    """(fact, value) for "Key: value" or a lone "Key:" (value ""), else None."""
    key, sep, value = text.partition(":")
    if not sep and "\t" in text:
        key, _, value = text.partition("\t")
    key = key.strip().rstrip(":")
    for fact, pattern in words.FACT_PATTERNS.items():
        if pattern.match(key):
            if not sep and text.strip().rstrip(":") != key:
                return None
            return fact, value.strip(" -\t")
    return None


def is_all_caps(text: str) -> bool:
    """Mostly capital letters (ignoring digits and punctuation), with at least two letters."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def is_lead_in(text: str) -> bool:
    """A line that introduces a list ("The Care Co-ordinator must:"), not an item of its own."""
    stripped = text.strip()
    if not re.search(r":\s*-?\s*$", stripped) or is_all_caps(stripped):
        return False
    body = re.sub(r":\s*-?\s*$", "", stripped)
    return 2 <= len(body.split()) <= 8 and not body.lower().startswith("to ")


def heading_of(block: Block) -> Heading | None:
    """The block as a heading, or None if it reads as a paragraph, item or row."""
    if block.kind == "row":
        return None
    marker, text = split_marker(block.text)
    title = re.sub(r"\s*:\s*-?\s*$", "", text).strip()
    if block.kind == "heading":
        return Heading(title, guessed=False, numbered=bool(marker))
    if block.kind == "bullet" and not marker:
        return None  # a Word or ODF list paragraph is an item, however short
    if not title or len(title) > 100 or len(title.split()) > 12 or title.endswith(_END_OF_SENTENCE):
        return None
    if _known_section(title) and not marker:
        return Heading(title, guessed=False)
    if is_lead_in(text):
        return None
    if marker:
        # "2.  Communication and Relationship Skills": a numbered section title, not a numbered item
        if marker.isdigit() and len(title.split()) <= 7 and title[:1].isupper() and not title.lower().startswith("to "):
            return Heading(title, guessed=block.kind == "bullet" and not block.emphasis, numbered=True)
        return None
    if block.emphasis or is_all_caps(title):
        return Heading(title, guessed=False)
    if len(title.split()) <= 8 and title[:1].isupper() and not title.lower().startswith("to "):
        return Heading(title, guessed=True)
    return None


def _known_section(title: str) -> bool:
    return bool(
        starts_person_spec(title)
        or words.PURPOSE.search(title)
        or (words.DUTIES.search(title) and len(title.split()) <= 6)
        or words.GENERAL.match(title)
    )


def starts_person_spec(title: str) -> bool:
    """A heading that opens the person specification (not a title naming both parts of a document)."""
    return bool(words.PERSON_SPEC.search(title)) and not re.search(r"job\s+description", title, re.I)


def section_kind(heading: Heading) -> str | None:
    """ "person_spec", "purpose", "duties", "general", or None for a heading of no known kind."""
    title = heading.title
    if starts_person_spec(title):
        return "person_spec"
    if words.PURPOSE.search(title):
        return "purpose"
    if words.GENERAL.match(title) and not heading.numbered:
        return "general"
    if words.DUTIES.search(title):
        return "duties"
    return None


def display_title(title: str) -> str:
    """A heading as a domain title: capitals kept unless the whole heading was in capitals."""
    title = re.sub(r"\s+", " ", title).strip(" :-")
    if not is_all_caps(title):
        return title
    out = []
    for index, word in enumerate(title.lower().split()):
        out.append(word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:])
    return " ".join(out)
