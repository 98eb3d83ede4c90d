"""`flask frameworks import FILE --out draft.yaml`: a document to draft files on the command line."""

from __future__ import annotations

import yaml
from importer_docs import lists_docx

from competency_portal.frameworks.loaded import content_hash
from competency_portal.frameworks.schema import FrameworkSpec


def test_import_writes_the_drafts_and_says_what_to_check(runner, seeded, tmp_path):
    source = tmp_path / "cpn.docx"
    source.write_bytes(lists_docx())
    out = tmp_path / "draft.yaml"
    result = runner.invoke(args=["frameworks", "import", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    duties = yaml.safe_load(out.read_text(encoding="utf-8"))
    spec = yaml.safe_load((tmp_path / "draft-person-spec.yaml").read_text(encoding="utf-8"))
    assert duties["kind"] == "job_description" and spec["kind"] == "person_specification"
    assert duties["domains"][0]["items"][0]["statement"] == "Visit people at home to review their medication."
    assert "job_description community-psychiatric-nurse-duties: 1 group, 1 item" in result.output
    assert "remove each 'check'" in result.output
    # Once the drafts are files, the existing commands check and load them.
    loaded = runner.invoke(args=["frameworks", "load", str(out)])
    assert loaded.exit_code == 0, loaded.output


def test_import_suggests_loaded_equivalents_without_linking_them(runner, seeded, tmp_path):
    source = tmp_path / "copy.txt"
    source.write_text(
        "Main duties\n• To review risk assessments and risk management plans in accordance with policy and "
        "practice guidance, and as a minimum at least every 12 months\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["frameworks", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "~ cpa-care-coordinator-competencies:RA.5 (" in result.output
    assert "nothing is linked" in result.output


def test_an_unreadable_document_is_refused_with_the_reason(runner, tmp_path):
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = runner.invoke(args=["frameworks", "import", str(source)])
    assert result.exit_code == 1
    assert "PDF" in result.output and "Traceback" not in result.output


def test_where_an_item_came_from_does_not_change_a_loaded_frameworks_content():
    base = {
        "kind": "job_description",
        "id": "x",
        "title": "X",
        "version": "1",
        "source": {"document": "x.docx", "organisation": "Trust"},
        "domains": [{"code": "A", "title": "A", "items": [{"code": "A.1", "statement": "Do it."}]}],
    }
    with_origin = yaml.safe_load(yaml.safe_dump(base))
    with_origin["domains"][0]["items"][0]["origin"] = "page 3"
    assert content_hash(FrameworkSpec.model_validate(base)) == content_hash(FrameworkSpec.model_validate(with_origin))
