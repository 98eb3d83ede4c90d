"""Fuzzing every form: hostile input is a message or a refusal, never a server error, never a partial write.

The POST endpoints come from `app.url_map`; each is posted to by someone allowed to act there (the
control of its case in tests/test_permissions.py), with hypothesis-made forms built from the
form's real field names (from its WTForms class, the page's HTML and the case's valid data):
arbitrary unicode and lone surrogates, very long text, numbers out of range, impossible dates,
lists where one value is expected, fields left out, fields added, and odd files where the form
takes files. Each post must answer below 500 without a traceback; a refusal (an error summary or
a 4xx) must leave every table and the upload folder as they were. An accepted post is undone
(`restore`) so that the next example starts from the same world.
"""

from __future__ import annotations

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
from tests.portal_helpers import PASSWORD, Browser, build_world, diff, location, snapshot
from tests.test_permissions import RULE_MODULES, _post_cases

EXAMPLES = 12  # per endpoint: about 40 endpoints, within the suite's fuzzing budget on each database
# A failed sign-in counts towards the lock-out: that write is the point of the refusal.
REFUSAL_MAY_WRITE = {"auth.sign_in": {"user_account": {"failed_sign_ins", "locked_until"}}}
# Shortlisting endpoints that act only after the ones before them (test_permissions' controls, in order):
# each is fuzzed after the valid posts of those before it, so that its accepting path is reached too.
CHAIN = ["recruitment.score", "recruitment.submit_scores", "recruitment.moderate", "recruitment.decide", "recruitment.agree_shortlist"]
_NAME = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')
_FILE_INPUT = re.compile(r'<input\b[^>]*type="file"[^>]*name="([^"]+)"|<input\b[^>]*name="([^"]+)"[^>]*type="file"')


@pytest.fixture
def world(app, seeded, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return build_world(app, db.session)


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
            if value.field_class.__name__ == "DatePartsField" or any(b.__name__ == "DatePartsField" for b in value.field_class.__mro__):
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


def _fields_of(app, endpoint: str, browser: Browser, url: str, data: dict) -> tuple[list[str], list[str]]:
    """(field names, file field names) for an endpoint: its form classes, its page's HTML, the case's data."""
    names, files = set(data) - {"csrf_token"}, set()
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
    return sorted(names - files), sorted(files)


# -- the strategy ----------------------------------------------------------------------------

@st.composite
def form_posts(draw, valid: dict, names: list[str], file_fields: list[str]):
    """(pairs, files): the valid form with some fields changed or dropped, or a form from scratch; maybe extra fields."""
    start = draw(st.sampled_from(["valid", "valid", "scratch"]))
    fields: dict[str, list[str]] = {}
    if start == "valid":
        fields = {k: (list(v) if isinstance(v, (list, tuple)) else [str(v)]) for k, v in valid.items()}
    if names:
        for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=min(len(names), 6))):
            if draw(st.integers(0, 5)) == 0:
                fields.pop(name, None)
            else:
                fields[name] = draw(values_for(name))
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


def _fuzz_endpoint(app, world, endpoint: str, url: str, valid: dict, kind: str, before: list[tuple[str, dict]]) -> None:
    browser = Browser(app, kind)
    if kind != "anonymous":
        browser.sign_in(world.emails[kind])
    first = snapshot()
    for earlier_url, earlier_data in before:
        response = browser.post(earlier_url, earlier_data)
        assert response.status_code == 302, f"preparing {endpoint}: POST {earlier_url} answered {response.status_code}"
    names, file_fields = _fields_of(app, endpoint, browser, url, valid)
    state = {"token": browser.token(), "baseline": snapshot(), "browser": browser}
    ignore = REFUSAL_MAY_WRITE.get(endpoint, {})

    @fuzz_settings(EXAMPLES)
    @given(form_posts(valid, names, file_fields))
    def post_anything(post):
        pairs, files = post
        baseline = state["baseline"]
        body, content_type = encode_form([("csrf_token", state["token"]), *pairs], files)
        stored, after = _stored_files(app), None
        what = f"POST {url} ({endpoint}) as {kind} with {short(pairs)}" + (f" and files {short(files, 300)}" if files else "")
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
            restore(baseline, after)  # an accepted post (or a failed check) must not change what the next example starts from
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
    assert not missing, f"POST endpoints with no case to fuzz from (add one to tests/test_permissions.py _post_cases): {missing}"
    failures = []
    for endpoint in post_endpoints:
        url, data, _refused, control = cases[endpoint]
        before = [cases[e][:2] for e in CHAIN[:CHAIN.index(endpoint)]] if endpoint in CHAIN else []
        if endpoint == "auth.sign_in":
            data = {**data, "password": PASSWORD}  # the case's wrong password would make every example a refusal
        try:
            _fuzz_endpoint(app, world, endpoint, url, data, _actor(endpoint, control), before)
        except Exception as exc:  # noqa: BLE001 - collect every endpoint's failure, then report them all
            failures.append(f"{endpoint}: {_describe(exc)}")
            db.session.rollback()
    print_tally("forms")
    assert not failures, "\n\n".join(failures)
