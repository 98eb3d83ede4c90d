"""What every reader produces: the document as a list of blocks in reading order.

A block is a heading, a paragraph, a list item or a table row, with where it came from
(`origin`: "page 2", "paragraph 14", "line 30"). Readers keep what the format tells them for
sure (a Word heading style, a bold line in a PDF); the structure is found later, the same way
for every format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Bullet glyphs as they come out of Word, PDFs and plain text, private-use glyphs included
# (Symbol-font bullets in PDFs made from Word arrive as U+F0B7 and its neighbours).
_GLYPHS = "·•●○◦▪■□▫◆◇►▸▹➢➤➣❖✓✔√→⇒*~–—-"
_BULLET = re.compile(rf"^\s*(?:[{re.escape(_GLYPHS)}]|[\ue000-\uf8ff])+\s*")
_NUMBER = re.compile(r"^\s*(\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-hA-H]|[ivx]{1,4})[.)]|\d{1,2}(?:\.\d{1,2})+)(?=\s)\s*")
_CONFUSABLES = str.maketrans({"Α": "A", "Ι": "I", "Ε": "E", "Τ": "T", "Ρ": "P", "Ο": "O", "\u00a0": " "})


@dataclass
class Block:
    """One heading, paragraph, list item or table row."""

    text: str
    origin: str
    kind: str = "para"  # "heading" | "para" | "bullet" | "row"
    level: int = 0  # heading level where the document says it (Word styles, ODF outline levels)
    marker: str = ""  # the bullet glyph or number the document printed ("•", "1.1", "a)")
    emphasis: bool = False  # bold or larger than the body text (PDF, Word runs)
    cells: list[list[str]] = field(default_factory=list)  # a table row: each cell's lines


def clean(text: str) -> str:
    """Text with Unicode compatibility forms folded, look-alike letters mapped and spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "").translate(_CONFUSABLES)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c != "\n" else c for c in text)
    return re.sub(r"[ \t]+", " ", text).strip()


def split_marker(text: str) -> tuple[str, str]:
    """(marker, rest): a leading bullet glyph or list number taken off the text."""
    raw = text or ""
    bullet = _BULLET.match(raw)
    if bullet and raw[bullet.end() :].strip():
        marker = bullet.group(0).strip()
        rest = raw[bullet.end() :]
        number = _NUMBER.match(rest)  # "- 12. Keep up-to-date" carries a glyph and a number
        if number:
            return number.group(1).rstrip("."), rest[number.end() :].strip()
        return marker, rest.strip()
    number = _NUMBER.match(raw)
    if number and raw[number.end() :].strip():
        return number.group(1).rstrip("."), raw[number.end() :].strip()
    return "", raw.strip()


def normalise(text: str) -> str:
    """Text reduced for comparison: folded, quotes and dashes plain, lower case, no end punctuation."""
    text = clean(text).lower()
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}))
    text = split_marker(text)[1]
    return re.sub(r"\s+", " ", text).strip(" .;:,")
