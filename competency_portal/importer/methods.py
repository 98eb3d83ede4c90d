"""Reading how a criterion is assessed and whether it is essential or desirable from what the
document printed: words, the document's own key ("A=application I=interview"), codes, ticks.
"""

from __future__ import annotations

import re

from competency_portal.importer import vocabulary as words

_KEY_PAIR = re.compile(r"\b([A-Z]{1,3})\s*[=:\-–]\s*([A-Za-z][A-Za-z -]*?)(?=\s*(?:[,;/]|\b[A-Z]{1,3}\s*[=:\-–]|$))")
_TICKS = set("✓✔√☑☒■●•xX*~+✗✘") | {"yes", "y"}


def document_key(texts: list[str]) -> dict[str, str]:
    """The document's own key, code -> method: "A=application I=interview E=exercise"."""
    key: dict[str, str] = {}
    for text in texts:
        if "=" not in text:
            continue
        for code, word in _KEY_PAIR.findall(text):
            method = method_of_word(word.strip())
            if method:
                key[code.upper()] = method
    return key


def method_of_word(word: str) -> str | None:
    """The standard method a word or code names, if any."""
    word = re.sub(r"\s+", " ", word.strip(" .·•-–()[]")).lower()
    for method, pattern in words.METHOD_PATTERNS.items():
        if pattern.match(word):
            return method
    return None


_FILLER = {"form", "forms", "number", "check", "checks", "etc", "e.g", "eg", "the", "of", "at", "by", "via", "stage"}


def methods_in(text: str, key: dict[str, str]) -> tuple[list[str], list[str]]:
    """(methods in the order printed, the parts that were not understood)."""
    found, unknown = [], []

    def take(method: str) -> None:
        if method not in found:
            found.append(method)

    for part in re.split(r"[,;/&+\n•·]|\band\b|\s{2,}", text):
        part = part.strip(" .·•-–()[]")
        if not part:
            continue
        method = (key.get(part.upper()) if len(part) <= 3 else None) or method_of_word(part)
        if method:
            take(method)
            continue
        # Several methods run together ("Application Interview References", a PDF cell's joined lines).
        words = part.split()
        methods = [key.get(w.upper()) or method_of_word(w) for w in words]
        if (
            len(words) > 1
            and any(methods)
            and all(m or w.lower() in _FILLER for w, m in zip(words, methods, strict=True))
        ):
            for m in methods:
                if m:
                    take(m)
        else:
            unknown.append(part)
    return found, unknown


def mark_in(cell: str) -> tuple[bool, bool]:
    """(marked, readable): whether an Essential/Desirable cell carries a mark, and if it is one we know."""
    text = cell.strip()
    if not text:
        return False, True
    if text.lower() in _TICKS or all(c in _TICKS or c.isspace() for c in text):
        return True, True
    if text.lower() in ("e", "d", "essential", "desirable"):
        return True, True
    return True, False  # something is there, but not a mark we know ("?", a glyph with no meaning)


def requirement_word(text: str) -> str | None:
    """ "essential" or "desirable" for E/D, Essential/Desirable (and "(E)" at the end of a line)."""
    word = text.strip(" .:()[]-–").lower()
    if word in ("e", "essential", "ess"):
        return "essential"
    if word in ("d", "desirable", "des"):
        return "desirable"
    return None


_TRAILING_MARK = re.compile(
    r"\s*[\(\[]\s*(E|D|Essential|Desirable)\s*[\)\]]\s*$|\s+[-–]\s*(Essential|Desirable)\s*$", re.I
)
_TRAILING_METHODS = re.compile(r"\s*[\(\[]\s*([A-Z](?:\s*[,/]\s*[A-Z])*)\s*[\)\]]\s*$")


def trailing_marks(text: str, key: dict[str, str]) -> tuple[str, str | None, list[str] | None]:
    """(text, requirement, methods) with "(E)" / "– Desirable" and "(A, I)" taken off the end."""
    requirement = methods = None
    for _ in range(2):
        mark = _TRAILING_MARK.search(text)
        if mark:
            requirement = requirement_word(mark.group(1) or mark.group(2))
            text = text[: mark.start()].rstrip()
            continue
        codes = _TRAILING_METHODS.search(text)
        if codes:
            found, unknown = methods_in(codes.group(1), key)
            if found and not unknown:
                methods = found
                text = text[: codes.start()].rstrip()
                continue
        break
    return text, requirement, methods
