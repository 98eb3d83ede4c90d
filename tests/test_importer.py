"""The importer turns documents laid out in many ways into drafts a person can review and load."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
import yaml
from importer_docs import (
    KSF_ROWS,
    LONG_DUTIES,
    ORGANISATION,
    PROSE_DUTIES,
    ksf_docx,
    lists_docx,
    odt_document,
    password_pdf,
    prose_docx,
    scanned_pdf,
    table_pdf,
    wrapped_pdf,
)

from competency_portal.frameworks.problems import FrameworkFileError
from competency_portal.frameworks.validate import read_bundle
from competency_portal.importer import ImportRefused, import_document
from competency_portal.importer.blocks import split_marker


def items_of(framework: dict) -> list[dict]:
    return [item for domain in framework["domains"] for item in domain["items"]]


def by_kind(draft, kind: str) -> dict:
    return next(f for f in draft.frameworks if f["kind"] == kind)


def test_prose_duties_under_word_headings_become_groups_with_facts_about_the_post():
    draft = import_document("cpn.docx", prose_docx())
    duties = by_kind(draft, "job_description")
    assert [d["title"] for d in duties["domains"]] == [title for title, _ in PROSE_DUTIES]
    assert [i["statement"] for i in items_of(duties)] == [text for _, texts in PROSE_DUTIES for text in texts]
    assert draft.facts["title"] == "Community Psychiatric Nurse"
    assert duties["source"] == {
        "document": "cpn.docx",
        "organisation": ORGANISATION,
        "post": "Community Psychiatric Nurse",
        "band": "Band 6",
        "status": "imported draft",
    }
    assert "Reports to: Team Leader" in duties["notes"] and "Job purpose:" in duties["notes"]
    assert all(i["origin"].startswith("paragraph ") for i in items_of(duties))
    # The confidentiality section every post holder has is left out, with its reason.
    assert not any("confidential" in i["statement"] for i in items_of(duties))
    assert any("every post holder" in why for _, _, why in draft.left_out)


def test_a_person_specification_as_two_lists_reads_categories_flags_and_the_documents_key():
    spec = by_kind(import_document("lists.docx", lists_docx()), "person_specification")
    found = {
        (d["title"], i["statement"], i["requirement"], tuple(i["assessed_by"]))
        for d in spec["domains"]
        for i in d["items"]
    }
    assert found == {
        ("Qualifications", "Registered mental health nurse with current NMC registration", "essential",
         ("application", "registration_check")),
        ("Qualifications", "Non-medical prescribing qualification", "desirable", ("application",)),
        ("Experience", "Two years of community mental health practice since registration", "essential",
         ("application", "interview")),
        ("Experience", "Experience of running a therapeutic group", "desirable", ("interview",)),
    }  # fmt: skip
    assert not any("check" in i for i in items_of(spec))


def test_a_ksf_style_table_with_one_e_d_column():
    spec = by_kind(import_document("ksf.docx", ksf_docx()), "person_specification")
    rows = [(d["title"], i["statement"], i["requirement"]) for d in spec["domains"] for i in d["items"]]
    assert rows == [(c, s, "essential" if ed == "E" else "desirable") for c, s, ed, _ in KSF_ROWS]
    assert [i["assessed_by"] for i in items_of(spec)] == [
        ["interview"],
        ["application"],
        ["application", "interview"],
        ["references"],
    ]


def test_pdf_lines_wrapped_across_the_page_are_joined_and_headers_and_footers_dropped():
    draft = import_document("wrapped.pdf", wrapped_pdf(pages=2))
    statements = [i["statement"] for i in items_of(by_kind(draft, "job_description"))]
    assert statements == [f"{text} (part {n})" for n in (1, 2) for text in LONG_DUTIES]
    everything = " ".join(line.text for line in draft.lines)
    assert "Version 3, approved" not in everything and "Job description" not in everything
    assert {i["origin"] for i in items_of(by_kind(draft, "job_description"))} <= {"page 1", "page 2"}


def test_a_pdf_grid_over_two_pages_keeps_every_criterion_and_its_tick():
    spec = by_kind(import_document("grid.pdf", table_pdf()), "person_specification")
    items = items_of(spec)
    assert len(items) == 40
    assert [i["requirement"] for i in items] == ["desirable" if n % 3 == 0 else "essential" for n in range(40)]
    assert items[7]["statement"] == "Criterion number 7 written long enough to wrap inside its narrow cell of the table"
    assert {i["origin"] for i in items} == {"page 1", "page 2"}


def test_bullets_of_any_glyph_and_numbering_are_taken_off():
    for text in ("• Do it", "\uf0b7 Do it", "· Do it", "➢ Do it", "- Do it", "1.1 Do it", "a) Do it", "- 12. Do it"):
        assert split_marker(text)[1] == "Do it", text


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("scan.pdf", scanned_pdf(), "looks like a scan"),
        ("locked.pdf", password_pdf(), "protected by a password"),
        ("duties.docx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "named as a .docx file but its content is a PNG"),
        ("duties.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a document the importer reads"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "older Word (.doc)"),
        (
            "locked.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 600,
            "protected by a password",
        ),
        ("shopping.txt", b"Milk\nBread\nEggs, if there are any.\n", "No duties or person specification"),
        ("empty.txt", b"", "is empty"),
        ("latin1.txt", "Caf\xe9 duties".encode("latin-1"), "not a type the portal accepts"),
    ],
)
def test_unreadable_documents_are_refused_with_what_to_do(name, data, says):
    with pytest.raises(ImportRefused) as refused:
        import_document(name, data)
    assert says in str(refused.value)


def test_a_truncated_word_document_still_yields_what_it_has():
    whole = prose_docx()
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        body = archive.read("word/document.xml")
    # Keep the archive only up to part-way through the body's compressed data.
    start = whole.find(b"word/document.xml")
    cut = whole[: start + 40 + len(body) // 3]
    draft = import_document("cut.docx", cut)
    assert "cut short" in draft.warnings[0]
    statements = [i["statement"] for f in draft.frameworks for i in items_of(f)]
    assert statements and statements[0] == PROSE_DUTIES[0][1][0]


def test_a_truncated_pdf_still_yields_the_pages_that_survive():
    whole = table_pdf()
    draft = import_document("cut.pdf", whole[: int(len(whole) * 0.8)])
    assert "cut short" in draft.warnings[0]
    items = items_of(by_kind(draft, "person_specification"))
    assert 0 < len(items) < 40
    assert items[0]["statement"].startswith("Criterion number 0 ")
    with pytest.raises(ImportRefused) as refused:
        import_document("cut.pdf", whole[: int(len(whole) * 0.3)])
    assert "ends part-way" in str(refused.value)


def test_guesses_are_flagged_and_the_loader_refuses_them_until_looked_at(tmp_path):
    text = (
        "Main duties\n"
        "Clinical work\n"
        "• To visit people at home. To write up each visit the same day.\n"
        "• To visit people at home. To write up each visit the same day.\n"
    )
    draft = import_document("flags.txt", text.encode())
    framework = draft.frameworks[0]
    checks = [c for i in items_of(framework) for c in i.get("check", [])]
    assert any("read as a heading from its layout alone" in c for c in checks)
    assert any("may be two items" in c for c in checks)
    assert any("the same words as" in c for c in checks)
    path = tmp_path / "draft.yaml"
    path.write_text(draft.to_yaml(framework), encoding="utf-8")
    with pytest.raises(FrameworkFileError) as refused:
        read_bundle(path)
    assert all("the importer asks for this to be checked" in str(p) for p in refused.value.problems)
    # Once a person has looked at each guess and removed it, the same file is valid.
    for item in items_of(framework):
        item.pop("check", None)
    path.write_text(yaml.safe_dump(framework, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert list(read_bundle(path).frameworks) == [framework["id"]]


def test_a_docx_with_its_person_specification_in_a_grid_of_text_cells():
    document = docx.Document()
    document.add_heading("Key responsibilities", 1)
    document.add_paragraph("Hold a caseload.", style="List Bullet")
    document.add_heading("Person specification", 1)
    table = document.add_table(rows=2, cols=4)
    header = ("Attribute", "Essential", "Desirable", "How assessed")
    row = (
        "Knowledge",
        "Knowledge of the Mental Health Act\nKnowledge of the Care Act",
        "Recovery model",
        "Application\nInterview",
    )
    for cells, texts in ((table.rows[0].cells, header), (table.rows[1].cells, row)):
        for cell, text in zip(cells, texts, strict=True):
            lines = text.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    spec = by_kind(import_document("grid.docx", out.getvalue()), "person_specification")
    assert [(i["statement"], i["requirement"], i["assessed_by"]) for i in items_of(spec)] == [
        ("Knowledge of the Mental Health Act", "essential", ["application", "interview"]),
        ("Knowledge of the Care Act", "essential", ["application", "interview"]),
        ("Recovery model", "desirable", ["application", "interview"]),
    ]
    assert spec["domains"][0]["title"] == "Knowledge"


def test_an_opendocument_text_with_headings_a_list_and_a_table():
    draft = import_document("tasks.odt", odt_document())
    duties = by_kind(draft, "job_description")
    assert [i["statement"] for i in items_of(duties)] == [
        "Run the weekly depot clinic.",
        "Audit care plans every quarter.",
    ]
    spec = by_kind(draft, "person_specification")
    assert [(i["statement"], i["requirement"], i["assessed_by"]) for i in items_of(spec)] == [
        ("Current NMC registration", "essential", ["registration_check"]),
        ("Experience of group work", "desirable", ["interview"]),
    ]


def test_a_mark_that_cannot_be_read_is_flagged_not_trusted():
    text = "Person specification\nCriteria\tEssential\tDesirable\tHow assessed\nCurrent NMC registration\t?\t\tA, I\n"
    spec = by_kind(import_document("marks.txt", text.encode()), "person_specification")
    item = items_of(spec)[0]
    assert item["statement"] == "Current NMC registration"
    assert any("could not be read" in c for c in item["check"])
