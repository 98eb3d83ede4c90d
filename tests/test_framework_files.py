"""Framework files are refused, with the file, line and fix, whenever they are wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from competency_portal.frameworks.problems import FrameworkFileError
from competency_portal.frameworks.validate import read_bundle

SCALE = """\
kind: scale
id: proficiency
title: Proficiency
levels:
  - value: 0
    label: Not yet
  - value: 3
    label: Competent
"""

FRAMEWORK = """\
kind: competency_framework
id: demo-framework
title: Demo framework
version: "1.0"
source:
  document: demo.txt
  organisation: Demo trust
domains:
  - code: A
    title: Assessment
    items:
      - code: A.1
        statement: Carry out assessments.
      - code: A.2
        statement: Review risk.
        review_months: 12
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_for(path: Path) -> list[str]:
    with pytest.raises(FrameworkFileError) as caught:
        read_bundle(path)
    return [str(p) for p in caught.value.problems]


def test_a_valid_folder_is_read(tmp_path):
    write(tmp_path, "scale.yaml", SCALE)
    write(tmp_path, "fw.yaml", FRAMEWORK)
    bundle = read_bundle(tmp_path)
    assert set(bundle.frameworks) == {"demo-framework"}
    assert bundle.frameworks["demo-framework"].spec.domains[0].items[1].review_months == 12


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.yaml", "kind: scale\nid: [unclosed\ntitle: x\n")
    [problem] = problems_for(path)
    assert problem.startswith(f"{path}:")
    assert "not valid YAML" in problem


def test_wrong_encoding_is_refused(tmp_path):
    path = write(tmp_path, "latin.yaml", FRAMEWORK.replace("Demo trust", "Trust caf\u00e9").encode("latin-1"))
    [problem] = problems_for(path)
    assert "not UTF-8" in problem and ":7:" in problem


def test_empty_file_is_refused(tmp_path):
    path = write(tmp_path, "empty.yaml", "# nothing here\n\n")
    assert "the file is empty" in problems_for(path)[0]


def test_missing_key_is_named(tmp_path):
    path = write(tmp_path, "fw.yaml", FRAMEWORK.replace('version: "1.0"\n', ""))
    assert any("'version' is missing; add it" in p for p in problems_for(path))


def test_unknown_key_is_named_with_its_line(tmp_path):
    path = write(tmp_path, "fw.yaml", FRAMEWORK.replace("        review_months: 12", "        reveiw_months: 12"))
    [problem] = problems_for(path)
    assert f"{path}:16: domains[0].items[1].reveiw_months: unknown key 'reveiw_months'" in problem


def test_unknown_value_lists_what_is_allowed(tmp_path):
    path = write(tmp_path, "fw.yaml", FRAMEWORK.replace("kind: competency_framework", "kind: competence_framework"))
    [problem] = problems_for(path)
    assert "kind 'competence_framework' is not known" in problem and "competency_framework" in problem


def test_unknown_evidence_type_is_refused(tmp_path):
    text = FRAMEWORK.replace("        review_months: 12", "        evidence_types: [hearsay]")
    [problem] = problems_for(write(tmp_path, "fw.yaml", text))
    assert "evidence_types[0]" in problem and "'hearsay' is not allowed" in problem


def test_duplicate_item_codes_are_refused(tmp_path):
    path = write(tmp_path, "fw.yaml", FRAMEWORK.replace("code: A.2", "code: A.1"))
    [problem] = problems_for(path)
    assert "domains[0].items[1].code: item code 'A.1' is already used" in problem
    assert f"{path}:14:" in problem


def test_person_specification_criteria_need_requirement_and_assessment(tmp_path):
    text = FRAMEWORK.replace("kind: competency_framework", "kind: person_specification")
    found = problems_for(write(tmp_path, "ps.yaml", text))
    assert any("needs 'requirement: essential' or 'requirement: desirable'" in p for p in found)
    assert any("needs 'assessed_by'" in p for p in found)


def test_requirement_is_refused_outside_person_specifications(tmp_path):
    text = FRAMEWORK.replace("        review_months: 12", "        requirement: essential")
    [problem] = problems_for(write(tmp_path, "fw.yaml", text))
    assert "'requirement' is for person-specification criteria" in problem


def test_repeated_keys_are_refused(tmp_path):
    path = write(
        tmp_path, "fw.yaml", FRAMEWORK.replace("title: Demo framework\n", "title: Demo framework\ntitle: Again\n")
    )
    [problem] = problems_for(path)
    assert "appears twice" in problem and ":4:" in problem


def test_alias_bombs_are_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}]\n"
        for i in range(8)
    )
    [problem] = problems_for(write(tmp_path, "bomb.yaml", bomb))
    assert "anchors and aliases" in problem and ":1:" in problem


def test_huge_files_are_refused_unread(tmp_path):
    path = write(tmp_path, "huge.yaml", "x: " + "y" * (1024 * 1024 + 10))
    [problem] = problems_for(path)
    assert "files may be at most 1,048,576 bytes" in problem


def test_deep_nesting_is_refused(tmp_path):
    path = write(tmp_path, "deep.yaml", "kind: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested too deeply" in problems_for(path)[0]


def test_ids_must_be_unique_across_files(tmp_path):
    write(tmp_path, "a.yaml", FRAMEWORK)
    write(tmp_path, "b.yaml", FRAMEWORK)
    [problem] = problems_for(tmp_path)
    assert "id 'demo-framework' is already used by" in problem


def test_every_problem_in_a_folder_is_reported_at_once(tmp_path):
    write(tmp_path, "a.yaml", FRAMEWORK.replace("code: A.2", "code: A.1"))
    write(tmp_path, "b.yaml", "kind: scale\n")
    found = problems_for(tmp_path)
    assert any("a.yaml" in p for p in found) and any("b.yaml" in p for p in found)


def test_version_numbers_are_kept_as_written(tmp_path):
    write(tmp_path, "fw.yaml", FRAMEWORK.replace('version: "1.0"', "version: 1.10").replace("code: A.2", "code: 1.10"))
    spec = read_bundle(tmp_path).frameworks["demo-framework"].spec
    assert spec.version == "1.10"
    assert spec.domains[0].items[1].code == "1.10"
