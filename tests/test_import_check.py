"""The smaller version of `make import-check`: two seeds, both formats, against the hand-made frameworks."""

from __future__ import annotations

import io

import docx
import pdfplumber
import yaml

from scripts.import_check import render
from scripts.import_check.__main__ import ROOT, SEEDS, run
from scripts.import_check.score import compare

SPEC = ROOT / "frameworks" / "frameworks" / "tameside-mhsw-care-coordinator-person-spec.yaml"
TAMESIDE = SEEDS / "002_e4d321f82f4261da.txt"


def test_the_rendered_documents_have_headers_footers_and_the_person_specification_table():
    text, spec = TAMESIDE.read_text(encoding="utf-8"), yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    with pdfplumber.open(io.BytesIO(render.to_pdf(text, spec, "Tameside header"))) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
        assert len(pages) > 2 and all("Tameside header" in p and "Page " in p for p in pages)
        assert any(page.find_tables() for page in pdf.pages)
    document = docx.Document(io.BytesIO(render.to_docx(text, spec, "Tameside header")))
    assert document.sections[0].header.paragraphs[0].text == "Tameside header"
    assert [c.text for c in document.tables[-1].rows[0].cells] == [
        "Attribute",
        "Essential",
        "Desirable",
        "How Assessed",
    ]


def test_the_scorer_counts_misses_wrong_flags_and_invented_statements():
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    text = TAMESIDE.read_text(encoding="utf-8")
    perfect = compare([spec], [spec], text, [], [])
    assert (perfect.found, perfect.flags_right, perfect.how_right, perfect.invented) == (37, 37, 37, [])
    broken = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    items = broken["domains"][0]["items"]
    items[0]["requirement"] = "desirable"
    items[1]["statement"] = "Ten years as a ship's captain"
    score = compare([broken], [spec], text, [], [])
    assert score.found == 36 and score.flags_right == 35 and score.invented == ["ten years as a ship's captain"]


def test_import_check_meets_its_targets_on_two_seeds():
    total, rows = run(["001_c492f2cb36805798.txt", "002_e4d321f82f4261da.txt"], ["docx", "pdf"], verbose=False)
    assert total.found >= 0.97 * total.statements, [r[2].misses for r in rows]
    assert total.flags_right == total.flags and total.how_right == total.how, [r[2].wrong for r in rows]
    assert total.invented == []
    # The crosswalk target (80% of top suggestions right) is not met yet (see make import-check);
    # this keeps what has been reached from slipping back.
    assert total.top_right >= 0.35 * total.pairs
