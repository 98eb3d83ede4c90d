"""Plain text: a block a line, tab-separated lines as table rows, wrapped lines joined."""

from __future__ import annotations

from competency_portal.importer.blocks import Block, clean, split_marker
from competency_portal.importer.errors import ImportRefused


def read(data: bytes) -> tuple[list[Block], bool]:
    """(blocks, truncated): truncation cannot be told apart in plain text, so it is never claimed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            "This text file is not UTF-8, so its characters cannot be read reliably. Save it as UTF-8 "
            "(in Notepad: File > Save as > Encoding: UTF-8) and upload it again."
        ) from exc
    blocks: list[Block] = []
    previous_raw = ""
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            previous_raw = ""
            continue
        origin = f"line {number}"
        if "\t" in raw.lstrip("\t ").rstrip(" "):  # a tab after the text: cells (a leading tab is indent)
            cells = [[clean(c)] if clean(c) else [] for c in raw.split("\t")]
            while cells and not cells[0]:
                cells.pop(0)
            blocks.append(Block(" | ".join(" ".join(c) for c in cells), origin, kind="row", cells=cells))
            continue
        line = clean(raw)
        marker, _rest = split_marker(line)
        if _continues(raw, line, marker, blocks, previous_raw):
            blocks[-1].text = f"{blocks[-1].text} {line}"
            previous_raw = raw
            continue
        previous_raw = raw
        blocks.append(Block(line, origin, kind="bullet" if marker else "para"))
    return blocks, False


def _continues(raw: str, line: str, marker: str, blocks: list[Block], previous_raw: str) -> bool:
    """A line starting with a small letter carries on an unfinished line that was broken at a space."""
    if marker or not blocks or blocks[-1].kind == "row":
        return False
    last = blocks[-1].text
    broken_at_space = raw[:1] == " " or previous_raw[-1:] == " "
    return broken_at_space and line[:1].islower() and not last.endswith((".", ":", ";"))
