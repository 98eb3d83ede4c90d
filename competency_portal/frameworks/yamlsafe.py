"""Reading YAML that may be hostile: size-limited, UTF-8 only, no aliases, no duplicate keys.

Plain scalars are read as text (or null); the schema turns text into numbers where it expects
numbers. That avoids YAML 1.1 surprises (`NO` read as false, `1.10` read as the float 1.1,
`2010-04-30` read as a date) and keeps item codes like "1.10" intact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.reader import ReaderError

from competency_portal.frameworks.problems import FrameworkFileError, Problem

MAX_BYTES = 1024 * 1024
_NULL = "tag:yaml.org,2002:null"


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and repeated keys, and keeps scalars as text."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag == _NULL]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ComposerError(
                None,
                None,
                "YAML anchors and aliases (&name, *name) are not allowed; write each value out in full",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(None, None, "a mapping key must be plain text", key_node.start_mark) from None
            if key in seen:
                raise ConstructorError(
                    None,
                    None,
                    f"the key {key!r} appears twice in the same mapping (first on line {seen[key]}); keep only one",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_scalar(self, node):  # noqa: D102 - PyYAML hook
        value = super().construct_scalar(node)
        # Escapes ("\0", "\ud800") can make text no database stores: NUL, or half a UTF-16 pair.
        bad = (
            next((c for c in value if c == "\x00" or "\ud800" <= c <= "\udfff"), None)
            if isinstance(value, str)
            else None
        )
        if bad is not None:
            raise ConstructorError(
                None,
                None,
                f"the text holds the character U+{ord(bad):04X}, which cannot be stored; remove that escape",
                node.start_mark,
            )
        return value


class Document:
    """A parsed YAML file: its data and its node tree, to find the line of any key path."""

    def __init__(self, name: str, data: Any, root: Node | None):
        self.name = name
        self.data = data
        self.root = root

    def line_of(self, loc: tuple) -> int | None:
        """The 1-based line of the value at `loc`, or of the nearest parent that exists."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            child = None
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        # A missing or unknown key is best shown at the key itself.
                        child = value_node
                        line = key_node.start_mark.line + 1
                        break
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    child = node.value[part]
                    line = child.start_mark.line + 1
            if child is None:
                break
            node = child
        return line


def read_document(path: Path, display_name: str | None = None) -> Document:
    """Read and parse one YAML file, or raise FrameworkFileError saying what is wrong."""
    name = display_name or str(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise FrameworkFileError(
            [Problem(name, f"the file is {size:,} bytes; files may be at most {MAX_BYTES:,} bytes, so split it")]
        )
    raw = path.read_bytes()
    return parse_json(raw, name) if path.suffix.lower() == ".json" else parse(raw, name)


def _utf8_text(raw: bytes, name: str, blank) -> str:
    """The file's text, refusing bytes that are not UTF-8 and a file with nothing in it (`blank`)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrameworkFileError(
            [Problem(name, "the file is not UTF-8 text; save it as UTF-8 and try again", line=line)]
        ) from None
    if blank(text):
        raise FrameworkFileError([Problem(name, "the file is empty; give it content or remove it")])
    return text


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key!r} appears twice in the same object; keep only one")
        found[key] = value
    return found


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value; write a number or text")


def parse_json(raw: bytes, name: str) -> Document:
    """Parse a JSON file (a CASE package) with the same refusals as YAML: UTF-8, no repeated keys."""
    text = _utf8_text(raw, name, blank=lambda t: not t.strip())
    try:
        data = json.loads(text, object_pairs_hook=_no_repeats, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise FrameworkFileError([Problem(name, f"this is not valid JSON ({exc.msg})", line=exc.lineno)]) from None
    except ValueError as exc:
        raise FrameworkFileError([Problem(name, str(exc))]) from None
    except RecursionError:
        raise FrameworkFileError([Problem(name, "the JSON is nested too deeply to be a framework")]) from None
    if not isinstance(data, dict):
        raise FrameworkFileError([Problem(name, "the file must be a JSON object (a CASE package), not a list", line=1)])
    bad = _unstorable(data)
    if bad is not None:
        raise FrameworkFileError(
            [Problem(name, f"the text holds the character U+{ord(bad):04X}, which cannot be stored; remove it")]
        )
    return Document(name, data, None)


def _unstorable(value: Any) -> str | None:
    """The first NUL or lone surrogate in any text of a parsed JSON value (a database cannot store them)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            stack += list(current.keys()) + list(current.values())
        elif isinstance(current, list):
            stack += current
        elif isinstance(current, str):
            bad = next((c for c in current if c == "\x00" or "\ud800" <= c <= "\udfff"), None)
            if bad is not None:
                return bad
    return None


def parse(raw: bytes, name: str) -> Document:
    """Parse YAML bytes into a Document; every refusal names the line and the fix."""
    text = _utf8_text(
        raw, name, blank=lambda t: all(not ln.strip() or ln.lstrip().startswith("#") for ln in t.splitlines())
    )
    try:
        loader = _Loader(text)  # checks every character is one YAML allows
    except ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise FrameworkFileError(
            [Problem(name, f"the character U+{exc.character:04X} is not allowed in YAML; remove it", line=line)]
        ) from None
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if not problem.endswith(("in full", "keep only one", "plain text", "remove that escape")):
            problem = f"this is not valid YAML ({problem}); check the indentation and quoting here"
        raise FrameworkFileError([Problem(name, problem, line=line)]) from None
    except yaml.YAMLError as exc:
        raise FrameworkFileError([Problem(name, f"this is not valid YAML ({exc})")]) from None
    except RecursionError:
        raise FrameworkFileError(
            [Problem(name, "the YAML is nested too deeply to be a framework; flatten it")]
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise FrameworkFileError(
            [
                Problem(
                    name,
                    "the file must be a mapping of keys (kind, id, title, ...), not a list or a single value",
                    line=1,
                )
            ]
        )
    return Document(name, data, root)
