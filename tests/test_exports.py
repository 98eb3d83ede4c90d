"""The one spreadsheet writer: what a person typed never runs as a formula, in CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from competency_portal import exports

# Starts that spreadsheet software may run (OWASP's CSV-injection list plus a line feed and the
# full-width signs): written here, not taken from the module under test.
RUNNABLE = ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"]


@pytest.mark.parametrize("start", RUNNABLE, ids=[f"U+{ord(c):04X}" for c in RUNNABLE])
def test_a_cell_that_could_run_is_written_as_text_in_csv_and_xlsx(start):
    typed = f'{start}HYPERLINK("https://evil.example","x")'
    rows = list(csv.reader(io.StringIO(exports.csv_text(["Reason"], [[typed]]), newline="")))
    assert rows == [["Reason"], ["'" + typed]]

    book, sheet = exports.workbook()
    exports.write_sheet(sheet, ["Reason"], [[typed]])
    cell = load_workbook(io.BytesIO(exports.xlsx_bytes(book))).active["A2"]
    # Depending on the XML parser openpyxl reads with (lxml or the standard library), a carriage
    # return comes back as itself or as a line feed; what matters is the apostrophe in front.
    assert cell.value in ("'" + typed, "'" + typed.replace("\r", "\n")) and cell.data_type == "s"


def test_ordinary_text_numbers_and_dates_are_kept_as_they_are():
    rows = [["Robin Staff", 3, -2, 0.5, date(2026, 12, 3), None, "café – 5"]]
    assert exports.csv_text(["a"] * 7, rows).splitlines()[1] == "Robin Staff,3,-2,0.5,2026-12-03,,café – 5"
    book, sheet = exports.workbook()
    exports.write_sheet(sheet, ["a"] * 7, rows, widths=[20] * 7, freeze="B2")
    read = load_workbook(io.BytesIO(exports.xlsx_bytes(book))).active
    assert [c.value for c in read[2]][:4] == ["Robin Staff", 3, -2, 0.5] and read.freeze_panes == "B2"
    assert read["A1"].font.bold


def test_characters_an_xlsx_file_cannot_hold_are_removed_so_it_opens():
    book, sheet = exports.workbook()
    exports.append_rows(sheet, [["bell\x07 and null\x00 gone"]])
    assert load_workbook(io.BytesIO(exports.xlsx_bytes(book))).active["A1"].value == "bell and null gone"
