"""The one writer of spreadsheets: every CSV and XLSX the portal sends is made here.

Text a person typed can reach a spreadsheet cell (a title, a reason, a name). Spreadsheet software
runs a cell as a formula when it starts with = + - or @, and some also when it starts with a tab,
a carriage return or a line feed, or with the full-width forms of those signs; such a cell is
written with a leading apostrophe, which shows the text as typed and runs nothing (OWASP's advice
for CSV injection). Characters an XLSX file cannot hold are removed so that the file opens.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """A cell that shows what was typed and cannot run as a formula; numbers and dates are kept."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def csv_text(headings: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document: the headings, then each row, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headings])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def workbook() -> tuple[Workbook, Worksheet]:
    """A new workbook and its first sheet."""
    book = Workbook()
    return book, book.active


def add_sheet(book: Workbook, title: str) -> Worksheet:
    """Another sheet in `book`."""
    return book.create_sheet(title)


def write_sheet(
    sheet: Worksheet,
    headings: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] = (),
    freeze: str | None = None,
    wrap: Iterable[int] = (),
) -> None:
    """Bold headings, then the rows (every cell made safe); column widths, frozen panes, and
    wrapped text in the columns numbered in `wrap` (from 1)."""
    sheet.append([safe_cell(h) for h in headings])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    if freeze:
        sheet.freeze_panes = freeze
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for i in wrap:
        for cell in sheet[get_column_letter(i)][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def append_rows(sheet: Worksheet, rows: Iterable[Sequence[Any]]) -> None:
    """Rows added to a sheet as they are (no headings), every cell made safe."""
    for row in rows:
        sheet.append([safe_cell(v) for v in row])


def xlsx_bytes(book: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
