"""Fuzzing the framework files: whatever the YAML, it loads, or it is refused with problems naming the file.

Three kinds of input: random text and bytes, the real files in frameworks/ mutated line by line,
and the real files parsed, changed structurally (wrong types, huge numbers, deep nesting,
duplicated entries, unknown keys, strings with NUL or lone surrogates) and written back as YAML.
The property: `yamlsafe.parse` returns a document or raises FrameworkFileError; `read_bundle` and
`loader.load` (over the real frameworks, already loaded) either write the new content or raise
FrameworkFileError whose every problem names the file, and then nothing was written. Any other
exception fails the test.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from competency_portal.extensions import db
from competency_portal.frameworks import loader
from competency_portal.frameworks.problems import FrameworkFileError
from competency_portal.frameworks.validate import read_bundle
from competency_portal.frameworks.yamlsafe import parse
from tests.fuzz_helpers import NASTY, any_text, fuzz_settings, print_tally, short, tally
from tests.portal_helpers import diff, snapshot

FRAMEWORKS = Path(__file__).resolve().parent.parent / "frameworks"
REAL = {str(p.relative_to(FRAMEWORKS)): p.read_text(encoding="utf-8") for p in sorted(FRAMEWORKS.rglob("*.yaml"))}
SMALL = sorted(name for name, text in REAL.items() if len(text) < 6000)  # cheap to load many times
ODD_VALUES = [
    None,
    True,
    0,
    -1,
    101,
    10**30,
    -(10**30),
    1.5,
    float("inf"),
    [],
    {},
    [1, 2],
    {"a": 1},
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "x" * 301,
    "x" * 5001,
    "1.10",
    "NO",
    "2010-04-30",
    "~",
    "null",
] + NASTY[:30]


def _nodes(data, path=()):
    """Every (path, value) in a parsed document, the root first (real files are shallow)."""
    yield path, data
    if len(path) > 12:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _nodes(value, (*path, i))


def _set(data, path, value):
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def structural(draw):
    """A real file's data, changed in a few places, written back as YAML: (file name, bytes)."""
    name = draw(st.sampled_from(SMALL if draw(st.integers(0, 3)) else sorted(REAL)))
    data = copy.deepcopy(yaml.safe_load(REAL[name]))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p, _ in _nodes(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "duplicate", "unknown key"]))
        parent = _parent(data, path)
        if action == "replace":
            _set(data, path, draw(st.one_of(st.sampled_from(ODD_VALUES), any_text, st.integers())))
        elif action == "delete":
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        elif action == "unknown key" and isinstance(parent, dict):
            parent[draw(any_text)] = draw(st.sampled_from(ODD_VALUES))
    paths = [p for p, _ in _nodes(data) if p]
    if paths and draw(st.integers(0, 4)) == 0:  # deep nesting, at one place
        path = draw(st.sampled_from(paths))
        nested = draw(st.sampled_from(ODD_VALUES))
        for _ in range(draw(st.sampled_from([5, 200, 2000]))):
            nested = [nested]
        _set(data, path, nested)
    try:
        text = yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False, width=10**6)
    except (yaml.YAMLError, RecursionError):  # what PyYAML cannot write, a person cannot either
        text = REAL[name]
    return name, text.encode("utf-8", "surrogatepass")


@st.composite
def line_mutants(draw):
    """A real file with lines deleted, repeated, swapped, re-indented, or a value replaced: (file name, bytes)."""
    name = draw(st.sampled_from(SMALL if draw(st.integers(0, 3)) else sorted(REAL)))
    lines = REAL[name].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "repeat", "swap", "indent", "value", "insert", "truncate"]))
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "indent":
            lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip()
        elif action == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.one_of(st.sampled_from([str(v) for v in ODD_VALUES]), any_text))}"
        elif action == "insert":
            lines.insert(i, draw(any_text))
        elif action == "truncate":
            lines = lines[: i + 1]
    return name, "\n".join(lines).encode("utf-8", "surrogatepass")


random_files = st.tuples(
    st.sampled_from(sorted(REAL)),
    st.one_of(any_text.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=200)),
)
documents = st.one_of(structural(), line_mutants(), random_files)


@fuzz_settings(150)
@given(st.one_of(documents.map(lambda d: d[1]), st.binary(max_size=400)))
@example(b"kind: \x1f\nid: proficiency\n")  # a control character: PyYAML's ReaderError escaped as a traceback
@example(b'kind: scale\ntitle: "\\0"\n')
@example(b'title: "\\ud800"\n')
@example(b"[" * 20000)
@example(b"\xef\xbb\xbf\xff")
def test_the_yaml_reader_parses_or_says_what_is_wrong(raw):
    try:
        document = parse(raw, "fuzzed.yaml")
    except FrameworkFileError as exc:
        assert exc.problems and all(p.file == "fuzzed.yaml" and p.message for p in exc.problems), short(exc.problems)
    else:
        assert isinstance(document.data, dict)


@pytest.fixture(scope="module", autouse=True)
def _report_outcomes():
    yield
    print_tally("load")


def _check_load(folder: Path, what: str) -> None:
    """Read and load `folder`; a refusal names files in it and writes nothing; a load is undone after."""
    before = snapshot()
    try:
        bundle = read_bundle(folder)
        loader.load(db.session, bundle)
        db.session.flush()
    except FrameworkFileError as exc:
        db.session.rollback()
        files = {str(p) for p in folder.rglob("*")}
        unnamed = [str(p) for p in exc.problems if p.file not in files]
        assert not unnamed, f"{what}: problems that name no file of the load: {unnamed}"
        assert not diff(before, snapshot()), f"{what}: refused, but wrote {diff(before, snapshot())}"
        tally("load", "refused: " + exc.problems[0].message[:40])
        return
    except Exception:
        db.session.rollback()
        raise
    tally("load", "loaded")
    db.session.rollback()  # loaded: undone, so that every example starts from the real frameworks


@fuzz_settings(80)
@given(documents)
@example(
    (
        "scales/fuzz.yaml",
        b'kind: scale\nid: fuzz-scale\ntitle: "Pro\\0ficiency"\nlevels:\n'
        b"  - {value: 0, label: None}\n  - {value: 1, label: Some}\n",
    )
)
@example(
    (
        "scales/fuzz.yaml",
        b'kind: scale\nid: fuzz-scale\ntitle: "Pro\\ud800"\nlevels:\n'
        b"  - {value: 0, label: None}\n  - {value: 1, label: Some}\n",
    )
)
def test_a_fuzzed_file_over_the_real_frameworks_loads_or_is_refused_cleanly(seeded, tmp_path_factory, doc):
    name, raw = doc
    folder = tmp_path_factory.mktemp("load")
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(raw)
    _check_load(folder, f"loading {name} as {short(raw, 400)}")


@fuzz_settings(15)
@given(documents)
def test_a_folder_with_one_fuzzed_file_is_all_or_nothing(app, tmp_path_factory, doc):
    """The whole real folder, with one file replaced, into an empty database."""
    name, raw = doc
    folder = tmp_path_factory.mktemp("folder")
    for real, text in REAL.items():
        (folder / real).parent.mkdir(parents=True, exist_ok=True)
        (folder / real).write_text(text, encoding="utf-8")
    (folder / name).write_bytes(raw)
    _check_load(folder, f"loading frameworks/ with {name} as {short(raw, 400)}")


def test_the_load_command_names_the_file_and_line_of_a_forbidden_character(app, seeded, runner, tmp_path):
    """Regression (found by the fuzzing above): these ended in a traceback, or a DataError on PostgreSQL."""
    scale = (
        "kind: scale\nid: fuzz-scale\ntitle: {title}\nlevels:\n"
        "  - {{value: 0, label: None}}\n  - {{value: 1, label: Some}}\n"
    )
    for title, shown in (
        ("Pro\x1fficiency", "the character U+001F is not allowed in YAML"),
        ('"Pro\\0ficiency"', "the text holds the character U+0000, which cannot be stored"),
        ('"Pro\\ud800"', "the text holds the character U+D800, which cannot be stored"),
    ):
        (tmp_path / "fuzz.yaml").write_text(scale.format(title=title), encoding="utf-8")
        before = snapshot()
        result = runner.invoke(args=["frameworks", "load", str(tmp_path)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert f"{tmp_path / 'fuzz.yaml'}:3: {shown}" in result.output, result.output
        assert not diff(before, snapshot())
