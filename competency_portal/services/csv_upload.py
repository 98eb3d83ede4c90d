"""Reading an uploaded CSV file safely: the checks every import shares, with messages that say
what to do. Importers check the header and rows themselves."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"


class CsvRefused(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class Kind:
    """What an import's rows are called, and how its users produce a CSV."""

    singular: str  # "person"
    plural: str  # "people"
    export_hint: str  # "Export a CSV file from your HR system and upload it."


def read(data: bytes, kind: Kind, max_bytes: int, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows (with their spreadsheet row numbers), or CsvRefused."""
    if len(data) > max_bytes:
        raise CsvRefused(
            f"The file is larger than {max_bytes // (1024 * 1024)} MB. Split it into smaller files and import each."
        )
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CsvRefused(
            "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8 (comma delimited)” "
            "and upload it again."
        ) from None
    if "\x00" in text:
        raise CsvRefused(f"The file is not a CSV text file. {kind.export_hint}")
    if not text.strip():
        raise CsvRefused(f"The file is empty. Choose a CSV file with a header row and a row for each {kind.singular}.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise CsvRefused(f"The header row could not be read ({exc}). Check the file is a CSV file.") from None
    rows: list[tuple[int, list[str]]] = []
    number = 1
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if len(rows) >= max_rows:
                raise CsvRefused(
                    f"The file has more than {max_rows:,} {kind.plural}. Split it into smaller files and import each."
                )
            rows.append((number, cells))
    except csv.Error as exc:
        raise CsvRefused(f"Row {number} could not be read ({exc}). Check the file is a CSV file.") from None
    return header, rows
