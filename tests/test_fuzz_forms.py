"""Fuzzing every form: hostile input is a message or a refusal, never a server error, never a partial write.

The POST endpoints come from `app.url_map`; each is posted to by someone allowed to act there (the
control of its case in tests/test_permissions.py), with hypothesis-made forms built from the
form's real field names (from its WTForms class, the page's HTML and the case's valid data):
arbitrary unicode and lone surrogates, very long text, numbers out of range, impossible dates,
lists where one value is expected, fields left out, fields added, and odd files where the form
takes files. Each post must answer below 500 without a traceback; a refusal (an error summary or
a 4xx) must leave every table and the upload folder as they were; an accepted post's landing
page must not crash either. An accepted post is undone (`restore`) so that the next example starts
from the same world. Pages that read their query string (searches, filters, paging; found in the
views' source) are fuzzed the same way with GET, which must never write.
"""

from __future__ import annotations

import html
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from hypothesis import given
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

import competency_portal
from competency_portal.extensions import db
from tests.fuzz_helpers import (
    assert_no_crash,
    encode_form,
    fuzz_settings,
    is_refusal,
    masked,
    print_tally,
    restore,
    short,
    tally,
    uploads,
    values_for,
)
from tests.portal_helpers import PASSWORD, Browser, diff, location, snapshot
from tests.test_permissions import RULE_MODULES, _post_cases

EXAMPLES = 12  # per endpoint: about 40 endpoints, within the suite's fuzzing budget on each database
# A failed sign-in is counted (services.sign_in_limits): that write is the point of the refusal.
REFUSAL_MAY_WRITE = {"auth.sign_in": {"throttle_counter": {"*"}}}
# Shortlisting endpoints that act only after the ones before them (test_permissions' controls, in order):
# each is fuzzed after the valid posts of those before it, so that its accepting path is reached too.
CHAIN = [
    "recruitment.score",
    "recruitment.submit_scores",
    "recruitment.moderate",
    "recruitment.decide",
    "recruitment.agree_shortlist",
]
_VALUE = re.compile(r'\bvalue="([^"]*)"')
_NAME = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')
_FILE_INPUT = re.compile(r'<input\b[^>]*type="file"[^>]*name="([^"]+)"|<input\b[^>]*name="([^"]+)"[^>]*type="file"')


# -- what each endpoint's form looks like ---------------------------------------------------


def _form_classes() -> dict[str, type]:
    """Every FlaskForm subclass in the portal's *forms*.py modules, by class name."""
    found = {}
    for info in pkgutil.walk_packages(competency_portal.__path__, "competency_portal."):
        if info.name.rsplit(".", 1)[-1].startswith("forms"):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if inspect.isclass(value) and issubclass(value, FlaskForm) and value.__module__ == module.__name__:
                    found[f"{module.__name__}.{name}"] = value
    return found


def _class_fields(form_class: type) -> tuple[set[str], set[str]]:
    """(field names as posted, file field names) of a form class; date fields post three parts."""
    names, files = set(), set()
    for klass in form_class.__mro__:
        for name, value in vars(klass).items():
            if not isinstance(value, UnboundField):
                continue
            if value.field_class.__name__ == "DatePartsField" or any(
                b.__name__ == "DatePartsField" for b in value.field_class.__mro__
            ):
                names |= {f"{name}-day", f"{name}-month", f"{name}-year"}
            else:
                names.add(name)
            if issubclass(value.field_class, (FileField, MultipleFileField)):
                files.add(name)
    names.discard("csrf_token")
    return names, files


def _view_source(view) -> str:
    """The view's source and that of the module-level functions it calls, two deep (where forms are often built)."""
    view = inspect.unwrap(view)
    module = inspect.getmodule(view)
    seen, sources = {view}, [inspect.getsource(view)]
    for _ in range(2):
        for called in set(re.findall(r"\b(_?[a-z]\w*)\(", "".join(sources))):
            helper = getattr(module, called, None)
            if inspect.isfunction(helper) and helper.__module__ == module.__name__ and helper not in seen:
                seen.add(helper)
                sources.append(inspect.getsource(helper))
    return "".join(sources)


def _fields_of(app, endpoint: str, browser: Browser, url: str, data: dict) -> tuple[list[str], list[str], list[str]]:
    """(field names, file field names, values on the page) for an endpoint: from its form classes, its page's HTML,
    the case's data."""
    names, files, values = set(data) - {"csrf_token"}, set(), set()
    source = _view_source(app.view_functions[endpoint])
    for qualified, form_class in _form_classes().items():
        short_name = qualified.rsplit(".", 1)[-1]
        module = inspect.getmodule(inspect.unwrap(app.view_functions[endpoint]))
        if re.search(rf"\b{short_name}\(", source) and getattr(module, short_name, None) is form_class:
            more, more_files = _class_fields(form_class)
            names |= more
            files |= more_files
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    if "GET" in rule.methods:
        response = browser.get(url)
        if response.status_code == 200:
            page = response.get_data(as_text=True)
            names |= set(_NAME.findall(page)) - {"csrf_token"}
            files |= {a or b for a, b in _FILE_INPUT.findall(page)}
            values |= {html.unescape(v) for v in _VALUE.findall(page)} - {browser.token()}
    return sorted(names - files), sorted(files), sorted(values)


# -- the strategy ----------------------------------------------------------------------------


def _values(name: str, known: list[str]):
    """Hostile values, or values that are real somewhere (other people's ids and emails, choices, years in use)."""
    hostile = values_for(name)
    if not known:
        return hostile
    real = st.sampled_from(known)
    return st.one_of(hostile, hostile, real.map(lambda v: [v]), st.lists(real, min_size=2, max_size=3))


@st.composite
def form_posts(draw, valid: dict, names: list[str], file_fields: list[str], known: list[str]):
    """(pairs, files): the valid form with some fields changed or dropped, or a form from scratch; maybe extra
    fields."""
    start = draw(st.sampled_from(["valid", "valid", "scratch"]))
    fields: dict[str, list[str]] = {}
    if start == "valid":
        fields = {k: (list(v) if isinstance(v, (list, tuple)) else [str(v)]) for k, v in valid.items()}
    if names:
        for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=min(len(names), 6))):
            if draw(st.integers(0, 5)) == 0:
                fields.pop(name, None)
            else:
                fields[name] = draw(_values(name, known))
    for name in draw(st.lists(st.text(max_size=12), max_size=2)):
        fields.setdefault(name, draw(values_for(name)))
    pairs = [(k, v) for k, values in fields.items() for v in values]
    files = [(field, filename, content) for field in file_fields for filename, content in draw(uploads())]
    return pairs, files


# -- the property ---------------------------------------------------------------------------


def _stored_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def _actor(endpoint: str, control) -> str:
    """Who may post to the endpoint (as in test_bad_input's CSRF test)."""
    if control:
        return control[0]
    if endpoint == "auth.sign_in":
        return "anonymous"
    if endpoint.startswith("admin."):
        return "admin"
    if endpoint.startswith("recruitment."):
        return "recruiter"
    return "owner"


def _fuzz_endpoint(
    app, world, endpoint: str, url: str, valid: dict, kind: str, before: list[tuple[str, dict]], known: list[str]
) -> None:
    browser = Browser(app, kind)
    if kind != "anonymous":
        browser.sign_in(world.emails[kind])
    first = snapshot()
    for earlier_url, earlier_data in before:
        response = browser.post(earlier_url, earlier_data)
        assert response.status_code == 302, f"preparing {endpoint}: POST {earlier_url} answered {response.status_code}"
    names, file_fields, on_page = _fields_of(app, endpoint, browser, url, valid)
    state = {"token": browser.token(), "baseline": snapshot(), "browser": browser}
    ignore = REFUSAL_MAY_WRITE.get(endpoint, {})

    @fuzz_settings(EXAMPLES)
    @given(form_posts(valid, names, file_fields, sorted(set(on_page) | set(known))))
    def post_anything(post):
        pairs, files = post
        baseline = state["baseline"]
        body, content_type = encode_form([("csrf_token", state["token"]), *pairs], files)
        stored, after = _stored_files(app), None
        what = f"POST {url} ({endpoint}) as {kind} with {short(pairs)}" + (
            f" and files {short(files, 300)}" if files else ""
        )
        try:
            response = state["browser"].open("POST", url, data=body, content_type=content_type)
            text = assert_no_crash(response, what)
            tally("forms", f"{endpoint} {response.status_code}")
            if is_refusal(response, text):
                after = snapshot()
                changed = diff(masked(baseline, ignore), masked(after, ignore))
                assert not changed, f"{what}: refused ({response.status_code}) but wrote {changed}"
                assert _stored_files(app) == stored, f"{what}: refused ({response.status_code}) but stored a file"
                return
            landing = location(response)
            if response.status_code in (301, 302, 303) and landing.startswith("/"):
                assert_no_crash(state["browser"].get(landing), f"{what}: accepted, then GET {landing}")
        finally:
            restore(
                baseline, after
            )  # an accepted post (or a failed check) must not change what the next example starts from
        if endpoint == "auth.sign_in":
            state["browser"] = Browser(app, kind)  # signed in: the next example needs someone signed out
        if endpoint == "auth.sign_out":
            browser.sign_in(world.emails[kind])  # signing in again is recorded: the world now includes that
            state["baseline"] = snapshot()
        state["token"] = state["browser"].token()  # an accepted post may have started a new session

    try:
        post_anything()
    finally:
        restore(first)  # whatever happened, the next endpoint starts from the same world


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):  # hypothesis found several distinct failures
        return "\n  ".join(_describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {str(exc)[:2000]}"


def test_every_post_endpoint_survives_hostile_forms(app, world):
    """Each POST endpoint, fuzzed as someone allowed to use it; every failure is listed, by endpoint."""
    cases = _post_cases(world)
    for module in RULE_MODULES:
        cases.update(module.post_cases(world))
    post_endpoints = sorted(r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ()))
    missing = [e for e in post_endpoints if e not in cases]
    # Values real somewhere else: every case's values (years, ids, levels) and everyone's email,
    # as held and in capitals.
    known = {
        str(v)
        for case in cases.values()
        for value in case[1].values()
        for v in (value if isinstance(value, list) else [value])
    }
    known |= {e for email in world.emails.values() for e in (email, email.upper())}
    failures = (
        [f"POST endpoints with no case to fuzz from (add one to tests/test_permissions.py _post_cases): {missing}"]
        if missing
        else []
    )
    for endpoint in (e for e in post_endpoints if e in cases):
        url, data, _refused, control = cases[endpoint]
        before = [cases[e][:2] for e in CHAIN[: CHAIN.index(endpoint)]] if endpoint in CHAIN else []
        if endpoint == "auth.sign_in":
            data = {**data, "password": PASSWORD}  # the case's wrong password would make every example a refusal
        try:
            _fuzz_endpoint(app, world, endpoint, url, data, _actor(endpoint, control), before, sorted(known))
        except Exception as exc:  # noqa: BLE001 - collect every endpoint's failure, then report them all
            failures.append(f"{endpoint}: {_describe(exc)}")
            db.session.rollback()
    print_tally("forms")
    assert not failures, "\n\n".join(failures)


# -- GET forms: filters and searches read from the query string -----------------------------

_ARG = re.compile(r'request\.args(?:\.get|\.getlist)?\(\s*"(\w+)"|request\.args\["(\w+)"\]')
_READER_PREFERENCE = ("admin", "supervisor", "owner", "recruiter", "anonymous")


def _query_names(app, endpoint: str) -> list[str]:
    """The query parameters a view reads: request.args by name, and the fields of forms built from request.args."""
    source = _view_source(app.view_functions[endpoint])
    names = {a or b for a, b in _ARG.findall(source)}
    for qualified, form_class in _form_classes().items():
        if re.search(rf"\b{qualified.rsplit('.', 1)[-1]}\(request\.args", source):
            names |= _class_fields(form_class)[0]
    return sorted(names)


@st.composite
def query_strings(draw, names: list[str], known: list[str]) -> str:
    pairs = [
        (name, value)
        for name in draw(st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=len(names)))
        for value in draw(_values(name, known))
    ]
    return encode_form(pairs)[0].decode("ascii")


def _fuzz_queries(browser: Browser, kind: str, rule, url: str, names: list[str], known: list[str], baseline) -> None:
    @fuzz_settings(EXAMPLES * 2)
    @given(query_strings(names, known))
    def get_anything(query):
        response = browser.get(f"{url}?{query}")
        assert_no_crash(response, f"GET {url}?{short(query)} ({rule.endpoint}) as {kind}")
        tally("queries", f"{rule.endpoint} {response.status_code}")
        assert not diff(baseline, snapshot()), f"GET {url}?{short(query)} wrote {diff(baseline, snapshot())}"

    get_anything()


def test_every_get_form_survives_hostile_queries(app, world):
    """Each page that reads its query string (filters, searches, paging), fuzzed as someone who may see it: no 5xx,
    no write."""
    from tests.test_permissions import EXPECTED_GET, _url

    readers = [
        r
        for r in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint)
        if "GET" in r.methods
        and r.endpoint != "static"
        and "request.args" in _view_source(app.view_functions[r.endpoint])
    ]
    assert readers, "no page reads its query string: the search and filter pages should"
    known = sorted(
        {e for email in world.emails.values() for e in (email, email.upper())} | {str(i) for i in world.users.values()}
    )
    failures = []
    for rule in readers:
        kind = next((k for k in _READER_PREFERENCE if EXPECTED_GET[rule.endpoint][k] == 200), None)
        if kind is None:  # nobody reaches it in this app: a provider's sign-in, with no provider configured
            continue
        browser = Browser(app, kind)
        if kind != "anonymous":
            browser.sign_in(world.emails[kind])
        url, names = _url(rule, world), _query_names(app, rule.endpoint)
        baseline = snapshot()
        try:
            _fuzz_queries(browser, kind, rule, url, names, known, baseline)
        except Exception as exc:  # noqa: BLE001 - collect every page's failure, then report them all
            failures.append(f"{rule.endpoint}: {_describe(exc)}")
        finally:
            db.session.rollback()
            restore(baseline)
    print_tally("queries")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    "query",
    [
        "/admin/people?page=99999999999999999999",
        "/admin/audit?person_id=99999999999999999999",
        "/admin/audit?person_id=%C2%B2",
        "/admin/audit?before=99999999999999999999",
        "/admin/audit?before=%C2%B2",
        "/organisation?team=99999999999999999999",
        "/organisation/common-gaps.csv?team=9223372036854775808",
    ],
)
def test_numbers_in_the_query_string_that_no_column_holds_are_ignored(app, world, query):
    """Regression (found by the query fuzzing above): these were 500s, an OverflowError (SQLite) or DataError
    (PostgreSQL) for numbers beyond the integer columns, and a ValueError for "²", which str.isdigit() accepts."""
    admin = Browser(app, "admin")
    admin.sign_in(world.emails["admin"])
    response = admin.get(query)
    assert_no_crash(response, query)
    assert response.status_code == 200, f"{query}: {response.status_code}"
