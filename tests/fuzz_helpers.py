"""Shared pieces of the property-based fuzz tests (tests/test_fuzz_*.py).

- `fuzz_settings`: deterministic hypothesis settings (derandomized, no deadline, no example
  database), with the number of examples raised by the FUZZ_EXAMPLES environment variable for a
  longer local run (`FUZZ_EXAMPLES=300 pytest tests/test_fuzz_forms.py`).
- strategies for hostile form values (every String(n) length of the schema plus one included),
  date parts and uploads;
- `encode_form`: builds the request body by hand, so values the test client could not encode
  (lone surrogates, bytes that are not UTF-8) reach the portal as a browser could send them;
- `restore`: puts every table back as a snapshot had it, so that an accepted post does not change
  what the next example starts from;
- `tally`: with FUZZ_STATS=1, how many examples ended which way (to see what the fuzzing reaches).
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import text

from competency_portal.extensions import db
from tests.portal_helpers import EXE, HTML, PDF, PNG, diff, snapshot

PROBLEM = "There is a problem"

settings.register_profile(
    "fuzz",
    derandomize=True,  # the same examples on every run, so CI is repeatable
    deadline=None,  # timings on a shared 2-core machine vary too much for a deadline
    database=None,  # nothing written to .hypothesis/; failures are kept as explicit tests instead
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


def fuzz_settings(default_examples: int) -> settings:
    """The fuzz profile with `default_examples` examples, or FUZZ_EXAMPLES when it is set."""
    wanted = int(os.environ.get("FUZZ_EXAMPLES") or 0)
    return settings(settings.get_profile("fuzz"), max_examples=wanted or default_examples)


# -- values -------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "   \t\n",
    "\r\n",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    "99999999999999999999",
    str(2**31),
    str(-(2**63) - 1),
    "\u00b2",
    "\u0661\u0662",
    "\uff11\uff12",
    "0000-00-00",
    "2026-02-30",
    "31/02/2026",
    "true",
    "on",
    "None",
    "null",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "\U0001f600" * 3,
    "e\u0301" * 5,
    "\ufeff",
    "\u2028",
    "\ud800",
    "\udfff",
    "a\ud83dz",
    "x" * 41,
    "x" * 61,
    "x" * 121,
    "x" * 201,
    "x" * 255,
    "\u00e9" * 301,
    "x" * 2001,
    "x" * 5001,
    "x" * 10001,
    "x" * 20001,
    "y" * 100_000,
    "a\x00b",
]


def column_lengths() -> list[int]:
    """Every String(n) length in the schema: a value of n + 1 characters must be a message, never a DataError."""
    import competency_portal.models  # noqa: F401 - registers every table

    return sorted(
        {c.type.length for t in db.metadata.sorted_tables for c in t.columns if getattr(c.type, "length", None)}
    )


NASTY += [ch * (n + 1) for n in column_lengths() for ch in ("x", "\u00e9")]
DATE_PARTS = [
    "0",
    "00",
    "0000",
    "1",
    "2",
    "12",
    "13",
    "29",
    "30",
    "31",
    "32",
    "1899",
    "1949",
    "1950",
    "2000",
    "2026",
    "2099",
    "9999",
    "10000",
    "99999999",
    "-1",
    "+5",
    " 3 ",
    "\u00b2",
    "\uff13",
    "\u0663",
    "3.0",
    "0x1f",
    "1_000",
]

# Full unicode, lone surrogates included (the default text strategy leaves them out). NUL is left
# out here: the portal refuses any request with one before a view runs, which would hide the rest
# of the form from the fuzzer; NASTY still sends one now and then.
any_char = st.characters(codec=None, exclude_categories=(), exclude_characters="\x00")
any_text = st.text(any_char, max_size=40)


# Numbers at the edges of what Python, SQLite (64-bit) and PostgreSQL (32-bit integer columns) hold, and
# strings that str.isdigit() accepts but int() does not.
NUMBERS = [
    "0",
    "-0",
    "1",
    "-1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999",
    "1" + "0" * 40,
    "\u00b2",
    "\u2460",
    "\u0663",
    "\uff17",
    " 7",
    "7 ",
    "+7",
    "07",
    "7.0",
    "7e3",
    "0x7",
]


def value_strategy(name: str) -> st.SearchStrategy[str]:
    """A hostile value for the field called `name` (date parts get date-like numbers more often)."""
    choices = [
        st.sampled_from(NASTY),
        st.sampled_from(NUMBERS),
        any_text,
        st.integers(-(2**70), 2**70).map(str),
        st.text(st.sampled_from("0123456789-./ "), max_size=12),
    ]
    if name.endswith(("-day", "-month", "-year")):
        choices = [st.sampled_from(DATE_PARTS)] * 3 + choices
    return st.one_of(choices)


def values_for(name: str) -> st.SearchStrategy[list[str]]:
    """One value, usually; sometimes none or several (a list where one value is expected)."""
    one = value_strategy(name)
    return st.one_of(one.map(lambda v: [v]), one.map(lambda v: [v]), st.lists(one, min_size=0, max_size=3))


FILE_BODIES = [
    PDF,
    PNG,
    EXE,
    HTML,
    b"",
    b"%PDF",
    b"name,email\nA,a@example.org\n",
    b"\xff\xfe\x00\x00garbage",
    b"PK\x03\x04" + b"\x00" * 30,
    PDF + b"\x00" * 2048,
]
FILE_NAMES = [
    "evidence.pdf",
    "scan.png",
    "notes.txt",
    "",
    ".",
    "..",
    "../../etc/passwd",
    "C:\\temp\\a.pdf",
    "a" * 300 + ".pdf",
    "r\u00e9sum\u00e9.pdf",
    "no-extension",
    "double.pdf.exe",
    "\ud800.pdf",
    "nul\u0000.pdf",
    "<b>.pdf",
    "data.csv",
]


@st.composite
def uploads(draw, max_files: int = 3) -> list[tuple[str, bytes]]:
    """Files to attach: (file name, content)."""
    found = []
    for _ in range(draw(st.integers(0, max_files))):
        name = draw(st.one_of(st.sampled_from(FILE_NAMES), any_text))
        content = draw(st.one_of(st.sampled_from(FILE_BODIES), st.binary(max_size=300)))
        found.append((name, content))
    return found


# -- request bodies -------------------------------------------------------------------------


def _bytes(value: str) -> bytes:
    # "surrogatepass" writes a lone surrogate as the (invalid) UTF-8 a careless client would send.
    return value.encode("utf-8", "surrogatepass")


def encode_form(pairs: list[tuple[str, str]], files: list[tuple[str, str, bytes]] = ()) -> tuple[bytes, str]:
    """A form body and its content type: urlencoded, or multipart when there are files."""
    if not files:
        body = "&".join(f"{quote_from_bytes(_bytes(k))}={quote_from_bytes(_bytes(v))}" for k, v in pairs)
        return body.encode("ascii"), "application/x-www-form-urlencoded"
    boundary = "fuzz" + secrets.token_hex(12)
    out = bytearray()

    def quoted(value: str) -> bytes:
        return _bytes(value).replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\r", b"%0D").replace(b"\n", b"%0A")

    for key, value in pairs:
        out += f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="' + quoted(key) + b'"\r\n\r\n'
        out += _bytes(value) + b"\r\n"
    for key, filename, content in files:
        out += f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="' + quoted(key) + b'"; filename="'
        out += quoted(filename) + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def short(value, limit: int = 600) -> str:
    """A repr cut to `limit` characters, for failure messages."""
    text_ = repr(value)
    return text_ if len(text_) <= limit else text_[:limit] + f"... ({len(text_)} characters)"


# -- outcomes and state -------------------------------------------------------------------

OUTCOMES: dict[str, Counter] = {}


def tally(where: str, outcome: str) -> None:
    """Count an outcome; FUZZ_STATS=1 prints the counts (to see what the examples reached)."""
    OUTCOMES.setdefault(where, Counter())[outcome] += 1


def print_tally(where: str) -> None:
    if os.environ.get("FUZZ_STATS"):
        print(f"\n{where}: {dict(OUTCOMES.get(where, {}))}")


def assert_no_crash(response, what: str) -> str:
    """Never a server error, never a traceback; returns the body as text."""
    body = response.get_data().decode("utf-8", "replace")
    assert response.status_code < 500, f"{what}: server error {response.status_code}"
    assert "Traceback" not in body, f"{what}: traceback in the response"
    return body


def is_refusal(response, body: str) -> bool:
    """The form came back with an error summary, or the request was refused (4xx)."""
    return response.status_code >= 400 or PROBLEM in body


def masked(snap: dict, ignore: dict[str, set[str]]) -> dict:
    """A snapshot with the named columns of the named tables blanked out ("*": the whole table)."""
    if not ignore:
        return snap
    out = dict(snap)
    for table_name, columns in ignore.items():
        if columns == {"*"}:
            out[table_name] = []
            continue
        table = db.metadata.tables[table_name]
        positions = [i for i, c in enumerate(table.columns) if c.name in columns]
        out[table_name] = [tuple(None if i in positions else v for i, v in enumerate(row)) for row in snap[table_name]]
    return out


def restore(baseline: dict, current: dict | None = None) -> None:
    """Put every table that differs from `baseline` back as it was, row for row (ids included).

    Foreign keys are switched off (PostgreSQL) or deferred (SQLite) while the tables are refilled;
    the result is compared with `baseline` again, so a restore that misses anything fails loudly.
    """
    for _ in range(3):
        changed = diff(baseline, current if current is not None else snapshot())
        current = None
        if not changed:
            return
        tables = [t for t in db.metadata.sorted_tables if t.name in changed]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                conn.execute(text("PRAGMA defer_foreign_keys = ON"))
            for table in reversed(tables):
                conn.execute(table.delete())
            for table in tables:
                rows = [dict(zip(table.columns.keys(), row, strict=True)) for row in baseline[table.name]]
                if rows:
                    conn.execute(table.insert(), rows)
    assert not diff(baseline, snapshot()), f"could not restore {diff(baseline, snapshot())}"
