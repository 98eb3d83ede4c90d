"""Fuzzing the CSV imports (staff, and applications to a vacancy): clear errors, never a crash, nothing written on
refusal.

Files are built from the real column names (in any case and order, some missing, some twice, with
unknown ones), cells that are plausible (people's emails, roles, yes/no) or hostile, ragged rows,
any quoting, line ending or encoding, and now and then bytes that are not a CSV at all. Through the
pages: the upload must answer below 500 without a traceback; a refused file writes nothing and
says what is wrong (the file, or each wrong row by number); a clean preview is confirmed, and that
either imports (undone afterwards) or is refused with nothing written. The parsers themselves are
also fuzzed directly, with many more examples, since they are pure.
"""

from __future__ import annotations

import csv
import io
import re

from hypothesis import example, given
from hypothesis import strategies as st

from competency_portal.extensions import db
from competency_portal.services import application_import, staff_import, vacancies
from tests.fuzz_helpers import (
    PROBLEM,
    any_text,
    assert_no_crash,
    encode_form,
    fuzz_settings,
    is_refusal,
    print_tally,
    restore,
    short,
    tally,
    value_strategy,
)
from tests.permission_rules_recruitment_vacancies import _built
from tests.portal_helpers import Browser, diff, location, snapshot

_TOKEN = re.compile(r'name="token"[^>]*value="([0-9a-f]{32})"|value="([0-9a-f]{32})"[^>]*name="token"')
STAFF_COLUMNS = staff_import.REQUIRED
APPLICATION_COLUMNS = application_import.REQUIRED + application_import.OPTIONAL
ROLES = ["staff", "supervisor", "recruiter", "admin", "Staff; Supervisor", "admin,staff", "boss", ""]
YES_NO = ["yes", "no", "Y", "n", "TRUE", "0", "", "maybe"]


def _header_variant(draw, label: str) -> str:
    return draw(
        st.sampled_from([label, label.upper(), label.replace(" ", "_"), label.title().replace(" ", ""), f" {label} "])
    )


@st.composite
def csv_files(draw, columns: list[str], plausible: dict[str, list[str]], good: dict[str, str]) -> bytes:
    """A CSV file's bytes, either nearly right (every column, good rows with a few hostile cells) or wild.

    `good` gives a correct cell per column ({n} is the row's number, so emails differ); `plausible`
    gives other likely cells (people held, odd roles, yes/no spellings).
    """
    wild = draw(st.integers(0, 2)) == 0
    if wild and draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=300))
    header = list(columns)
    if wild:
        header = [c for c in columns if draw(st.integers(0, 5))]  # some columns missing
        header += draw(st.lists(st.sampled_from(columns + ["Notes", "", "Email"]), max_size=2))  # unknown or repeated
    header = draw(st.permutations(header))
    titles = [_header_variant(draw, h) for h in header]
    rows = []
    for n in range(draw(st.integers(0 if wild else 1, 5))):
        row = [good.get(name.lower(), "").format(n=n) for name in header]
        for i in draw(st.lists(st.integers(0, len(header) - 1), max_size=len(header) if wild else 2)) if header else []:
            choices = plausible.get(header[i].lower(), [])
            row[i] = draw(
                st.one_of(st.sampled_from(choices), value_strategy(header[i])) if choices else value_strategy(header[i])
            )
        if wild and draw(st.integers(0, 4)) == 0:
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(any_text, max_size=2))  # ragged
        rows.append(row)
        if draw(st.integers(0, 8)) == 0:
            rows.append([])  # a blank line
    out = io.StringIO()
    writer = csv.writer(
        out,
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
        lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
    )
    writer.writerow(titles)
    writer.writerows(rows)
    text = out.getvalue()
    if wild and draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(['"', "\x00", "\ufeff", "\r", ",,,"])) + text[cut:]
    encodings = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"] if wild else ["utf-8", "utf-8-sig"]
    encoding = draw(st.sampled_from(encodings))
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")


# -- the parsers alone ----------------------------------------------------------------------

STAFF_GOOD = {
    "name": "Person {n}",
    "email": "person.{n}@example.nhs.uk",
    "job title": "Nurse",
    "band": "Band 5",
    "team": "Team A",
    "supervisor email": "",
    "role": "staff",
}
APPLICATION_GOOD = {
    "candidate name": "Candidate {n}",
    "email": "candidate.{n}@example.org",
    "supporting statement": "Six years of work.",
    "internal": "no",
    "guaranteed interview": "no",
    "share portfolio": "no",
}


def _staff_plausible(emails: list[str]) -> dict[str, list[str]]:
    return {
        "name": ["Ann Able", "", "  "],
        "email": emails + ["new.person@example.nhs.uk", "NEW.PERSON@example.nhs.uk", "no-at-sign"],
        "supervisor email": emails + ["nobody@example.nhs.uk", ""],
        "role": ROLES,
        "team": ["Team A", "team a", ""],
        "band": ["Band 6", ""],
        "job title": ["Nurse", ""],
    }


EXISTING = {
    "sup@example.nhs.uk": staff_import.ExistingPerson(
        1, "sup@example.nhs.uk", "Sup", roles=frozenset({staff_import.Role.SUPERVISOR})
    ),
    "admin@example.nhs.uk": staff_import.ExistingPerson(
        2, "admin@example.nhs.uk", "Ad", roles=frozenset({staff_import.Role.ADMIN})
    ),
}


@fuzz_settings(200)
@given(csv_files(STAFF_COLUMNS, _staff_plausible(sorted(EXISTING)), STAFF_GOOD))
@example(b"name,email,job title,band,team,supervisor email,role\n")
@example(b'\xef\xbb\xbfname,email,job title,band,team,supervisor email,role\r\n"unterminated,a@b.c\n')
def test_the_staff_parser_always_answers_with_a_preview(data):
    preview = staff_import.parse(data, EXISTING, actor_email="admin@example.nhs.uk")
    assert preview.problem or preview.rows, "neither a problem nor rows"
    for row in preview.rows:
        assert row.number >= 2 and all(isinstance(e, str) and e for e in row.errors)


class _Criterion:
    def __init__(self, id_: int, code: str):
        self.id, self.code = id_, code


CRITERIA = [_Criterion(101, "AP.1"), _Criterion(102, "KS.3")]


@fuzz_settings(200)
@given(
    csv_files(
        APPLICATION_COLUMNS + ["AP.1", "ks.3"],
        {
            "email": ["a@example.org", "A@example.org", "held@example.org"],
            "internal": YES_NO,
            "guaranteed interview": YES_NO,
            "share portfolio": YES_NO,
        },
        APPLICATION_GOOD,
    )
)
def test_the_application_parser_always_answers_with_a_preview(data):
    preview = application_import.parse(data, CRITERIA, {"held@example.org": "C-001"}, {"a@example.org"}, 1)
    assert preview.problem or preview.rows, "neither a problem nor rows"
    for row in preview.rows:
        assert row.number >= 2 and row.reference and all(isinstance(e, str) and e for e in row.errors)


# -- through the pages ----------------------------------------------------------------------


def _through_the_pages(app, browser: Browser, upload_url: str, confirm_url: str, data: bytes, baseline: dict) -> None:
    """Upload, check the answer, confirm a clean preview, check again; undo an import."""
    what = f"upload to {upload_url} of {short(data, 400)}"
    body, content_type = encode_form([("csrf_token", browser.token())], [("file", "import.csv", data)])
    try:
        response = browser.open("POST", upload_url, data=body, content_type=content_type)
        text = assert_no_crash(response, what)
        after = snapshot()
        assert not diff(baseline, after), f"{what}: the preview wrote {diff(baseline, after)}"
        found = _TOKEN.search(text)
        if is_refusal(response, text):
            assert not found, f"{what}: refused, yet offered to import"
            assert PROBLEM in text, f"{what}: refused ({response.status_code}) without saying what is wrong"
            tally(upload_url, f"upload refused {response.status_code}")
            return
        assert found, f"{what}: neither refused nor offered to import ({response.status_code})"
        body, content_type = encode_form([("csrf_token", browser.token()), ("token", found.group(1) or found.group(2))])
        response = browser.open("POST", confirm_url, data=body, content_type=content_type)
        text = assert_no_crash(response, f"{what}, then confirming it")
        after = snapshot()
        if is_refusal(response, text):
            assert not diff(baseline, after), f"{what}: the confirmation was refused but wrote {diff(baseline, after)}"
            tally(upload_url, f"confirmation refused {response.status_code}")
            return
        assert response.status_code == 302 and diff(baseline, after), (
            f"{what}: confirmed ({response.status_code}) but nothing imported"
        )
        assert_no_crash(browser.get(location(response)), f"{what}: imported, then GET {location(response)}")
        tally(upload_url, "imported")
    finally:
        restore(baseline)


def test_staff_imports_of_hostile_files_through_the_pages(app, world):
    admin = Browser(app, "admin")
    admin.sign_in(world.emails["admin"])
    baseline = snapshot()

    @fuzz_settings(25)
    @given(csv_files(STAFF_COLUMNS, _staff_plausible(sorted(world.emails.values())), STAFF_GOOD))
    @example(
        b"name,email,job title,band,team,supervisor email,role\nNew Person,new.person@example.nhs.uk,Nurse,Band 5,"
        + "T\u00e9am".encode()
        + b",supervisor@example.nhs.uk,staff\n"
    )
    def upload(data):
        _through_the_pages(app, admin, "/admin/import", "/admin/import/confirm", data, baseline)

    upload()
    print_tally("/admin/import")


def test_application_imports_of_hostile_files_through_the_pages(app, world):
    built = _built(world)
    codes = [c.code for c in vacancies.criteria(db.session, built["spec_version_id"])]
    db.session.rollback()
    lead = Browser(app, "recruiter")
    lead.sign_in(world.emails["recruiter"])
    base = f"/recruitment/vacancies/{built['vacancy_id']}/applications/import"
    baseline = snapshot()
    plausible = {
        "email": ["candidate@example.org", world.emails["owner"], "new@example.org", "NEW@example.org"],
        "internal": YES_NO,
        "guaranteed interview": YES_NO,
        "share portfolio": YES_NO,
    }

    @fuzz_settings(25)
    @given(csv_files(APPLICATION_COLUMNS + codes[:3], plausible, APPLICATION_GOOD))
    @example(
        (
            "Candidate name,Email,Supporting statement,Internal,Guaranteed interview,Share portfolio\n"
            f"Owner Person,{world.emails['owner']},Years of work,yes,no,yes\n"
        ).encode()
    )
    def upload(data):
        _through_the_pages(app, lead, base, f"{base}/confirm", data, baseline)

    upload()
    print_tally(base)
