"""Validate framework files: each file against the schema, then references between files.

Pure functions: they read files and take what is already loaded as a plain `Catalogue`, so
they run without Flask or a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from competency_portal.case import reading
from competency_portal.frameworks.problems import FrameworkFileError, Problem, key_path
from competency_portal.frameworks.schema import (
    MODEL_FOR_KIND,
    FrameworkSpec,
    RoleProfileSpec,
    ScaleSpec,
    Spec,
    TrainingSpec,
)
from competency_portal.frameworks.within_file import within_file_problems
from competency_portal.frameworks.yamlsafe import MAX_BYTES, Document, parse, parse_json, read_document

SUFFIXES = (".yaml", ".yml", ".json")  # .json: a CASE 1.1 package


@dataclass
class Parsed:
    """One valid file: its spec and the document it came from (for line numbers)."""

    spec: Spec
    document: Document


@dataclass
class Bundle:
    """Every valid file found, by kind and id."""

    frameworks: dict[str, Parsed] = field(default_factory=dict)
    scales: dict[str, Parsed] = field(default_factory=dict)
    roles: dict[str, Parsed] = field(default_factory=dict)
    crosswalks: dict[str, Parsed] = field(default_factory=dict)
    training: dict[str, Parsed] = field(default_factory=dict)

    def group_for(self, spec: Spec) -> dict[str, Parsed]:
        """The dictionary a spec of this kind belongs in."""
        if isinstance(spec, FrameworkSpec):
            return self.frameworks
        if isinstance(spec, ScaleSpec):
            return self.scales
        if isinstance(spec, RoleProfileSpec):
            return self.roles
        if isinstance(spec, TrainingSpec):
            return self.training
        return self.crosswalks

    def __len__(self) -> int:
        return len(self.frameworks) + len(self.scales) + len(self.roles) + len(self.crosswalks) + len(self.training)


@dataclass
class Catalogue:
    """What references may point at: frameworks (domain and item codes, scale), scales and role profiles."""

    frameworks: dict[str, dict] = field(default_factory=dict)  # id -> {"scale", "domains": {code: [item codes]}}
    scales: dict[str, set[int]] = field(default_factory=dict)  # id -> level values
    roles: set[str] = field(default_factory=set)  # role profile ids

    def overlay(self, bundle: Bundle) -> Catalogue:
        """This catalogue with the bundle's files taking the place of what they replace."""
        frameworks = dict(self.frameworks)
        for fid, parsed in bundle.frameworks.items():
            spec = parsed.spec
            frameworks[fid] = {
                "scale": spec.scale,
                "domains": {d.code: [i.code for i in d.items] for d in spec.domains},
            }
        scales = dict(self.scales)
        for sid, parsed in bundle.scales.items():
            scales[sid] = {level.value for level in parsed.spec.levels}
        return Catalogue(frameworks, scales, self.roles | set(bundle.roles))


def files_under(path: Path) -> list[Path]:
    """The YAML files a path names: the file itself, or every YAML file below a folder."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    return [path]


def read_bundle(path: Path) -> Bundle:
    """Read and check every file under `path`; raise FrameworkFileError listing all problems."""
    if not path.exists():
        raise FrameworkFileError([Problem(str(path), "no such file or folder; check the path")])
    paths = files_under(path)
    if not paths:
        raise FrameworkFileError(
            [Problem(str(path), "no .yaml or .yml files here; point at a framework file or a folder of them")]
        )
    return _bundle([(str(file), lambda file=file: read_document(file)) for file in paths])


def read_named(files: dict[str, bytes]) -> Bundle:
    """Read and check files held in memory (an upload, a draft), by name; the same rules as on disk."""
    if not files:
        raise FrameworkFileError([Problem("(upload)", "no .yaml or .yml files were given; choose at least one")])

    def reader(name: str, raw: bytes):
        def read() -> Document:
            if len(raw) > MAX_BYTES:
                raise FrameworkFileError(
                    [Problem(name, f"the file is {len(raw):,} bytes; files may be at most {MAX_BYTES:,}, so split it")]
                )
            return parse_json(raw, name) if name.lower().endswith(".json") else parse(raw, name)

        return read

    return _bundle([(name, reader(name, raw)) for name, raw in sorted(files.items())])


def _bundle(readers) -> Bundle:
    bundle = Bundle()
    problems: list[Problem] = []
    origin: dict[tuple[str, str], str] = {}
    for file, read in readers:
        try:
            parsed = parse_spec(read())
        except FrameworkFileError as exc:
            problems += exc.problems
            continue
        group = bundle.group_for(parsed.spec)
        family = type(parsed.spec).__name__
        if isinstance(parsed.spec, TrainingSpec) and group and parsed.spec.id not in group:
            first = origin[("TrainingSpec", next(iter(group)))]
            problems.append(
                Problem(
                    file,
                    f"there is already a training file ({first}); one file holds the whole list of mandatory "
                    "subjects, so move these subjects into it",
                    "kind",
                    parsed.document.line_of(("kind",)),
                )
            )
            continue
        if parsed.spec.id in group:
            problems.append(
                Problem(
                    file,
                    f"id {parsed.spec.id!r} is already used by {origin[(family, parsed.spec.id)]}; give each "
                    "file its own id",
                    "id",
                    parsed.document.line_of(("id",)),
                )
            )
            continue
        origin[(family, parsed.spec.id)] = file
        group[parsed.spec.id] = parsed
    if problems:
        raise FrameworkFileError(problems)
    return bundle


def parse_spec(document: Document) -> Parsed:
    """Check one parsed document against the schema for its kind (a CASE package is read as a framework)."""
    if reading.is_case_package(document.data):
        document = Document(document.name, reading.framework_document(document.data, document.name), None)
    kind = document.data.get("kind")
    model = MODEL_FOR_KIND.get(kind) if isinstance(kind, str) else None
    if model is None:
        allowed = ", ".join(MODEL_FOR_KIND)
        message = (
            "'kind' is missing; add it as the first key"
            if kind is None
            else f"kind {kind!r} is not known; use one of {allowed}"
        )
        raise FrameworkFileError([Problem(document.name, message, "kind", document.line_of(("kind",)))])
    try:
        spec = model.model_validate(document.data)
    except ValidationError as exc:
        raise FrameworkFileError([_problem(document, err, model) for err in exc.errors()]) from None
    found = [
        Problem(document.name, message, key_path(loc), document.line_of(loc))
        for loc, message in within_file_problems(spec)
    ]
    if found:
        raise FrameworkFileError(found)
    return Parsed(spec, document)


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


def _problem(document: Document, err: dict, model: type) -> Problem:
    loc = tuple(err["loc"])
    where = key_path(loc)
    kind = err["type"]
    if kind == "missing":
        message = f"'{loc[-1]}' is missing; add it"
    elif kind == "extra_forbidden":
        message = f"unknown key '{loc[-1]}'; remove it or correct its spelling (see frameworks/README.md)"
    elif kind == "literal_error":
        message = f"{err['input']!r} is not allowed here; use one of {err['ctx']['expected']}"
    elif kind == "string_pattern_mismatch":
        if "*:[A-Za-z" in err["ctx"]["pattern"]:
            message = "name an item as framework-id:ITEM-CODE, e.g. cpa-care-coordinator-responsibilities:1.1"
        elif err["ctx"]["pattern"] == "^[a-z][a-z0-9_]*$":
            message = (
                f"{err['input']!r} is not a valid method name; use lower-case letters, digits and underscores, "
                "e.g. registration_check"
            )
        elif err["ctx"]["pattern"].startswith("^[a-z"):
            message = (
                f"{err['input']!r} is not a valid id; use lower-case letters, digits and single hyphens, "
                "e.g. care-coordinator-band-6"
            )
        else:
            message = (
                f"{err['input']!r} is not a valid code; use letters, digits, '.', '_' and '-', "
                "starting with a letter or digit"
            )
    elif kind in _TYPE_WORDS:
        given = err["input"]
        got = repr(given[:40]) if isinstance(given, str) else type(given).__name__
        message = f"this should be {_TYPE_WORDS[kind]}; got {got}"
    elif kind == "too_short":
        message = (
            "this must not be empty; add at least one entry"
            if isinstance(err["input"], list)
            else "this must not be blank"
        )
    elif kind in ("string_too_long", "too_long"):
        message = f"this is too long (at most {err['ctx'].get('max_length')} characters); shorten it"
    elif kind in ("greater_than_equal", "less_than_equal"):
        message = f"{err['input']} is out of range; {err['msg'].lower().replace('input should be', 'it must be')}"
    else:
        message = f"{err['msg']}; correct this value"
    return Problem(document.name, message, where, document.line_of(loc))
