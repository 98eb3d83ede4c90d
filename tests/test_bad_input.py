"""Bad input gets a clear message on the form, or a 403/404, never a 500 and never a traceback.

Every case also proves that nothing was written: the whole database is compared before and after.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone

import pytest

from competency_portal.extensions import db
from competency_portal.models import Evidence, Notification
from tests.portal_helpers import (
    EXE,
    HTML,
    PDF,
    PNG,
    Browser,
    assert_no_crash,
    attachment_exists,
    body,
    diff,
    evidence_form,
    location,
    sign_off_count,
    signed_in,
    snapshot,
    upload,
)
from tests.test_permissions import RULE_MODULES, _post_cases

PROBLEM = "There is a problem"


def _stored_files(app) -> set:
    from pathlib import Path

    return {p.name for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()}


def _text(response) -> str:
    return html.unescape(body(response))


# -- CSRF -------------------------------------------------------------------------------


# POST routes for programs, not forms: they read no session, so a cross-site request gains nothing.
# For them the test checks only that nothing changes.
NO_SESSION = {
    "api_pages.token": "the OAuth token endpoint: the client authenticates with its id and secret (RFC 6749)",
    "credentials.verify_api": "checks a credential and keeps nothing",
}


def test_every_post_form_refuses_a_missing_or_forged_csrf_token(app, world):
    cases = _post_cases(world)
    for module in RULE_MODULES:  # feature modules' POST routes (tests/permission_rules_*.py)
        cases.update(module.post_cases(world))
    post_endpoints = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    assert post_endpoints <= set(cases), f"POST routes with no CSRF case: {sorted(post_endpoints - set(cases))}"
    actors = {}
    problems = []
    for endpoint, (url, data, _refused, control) in cases.items():
        kind = (
            control[0]
            if control
            else ("anonymous" if endpoint == "auth.sign_in" else "admin" if endpoint.startswith("admin.") else "owner")
        )
        if kind not in actors:
            actors[kind] = Browser(app, kind) if kind == "anonymous" else signed_in(app, world, kind)
        browser = actors[kind]
        browser.token()  # the session has a token; the request below does not carry it
        for label, csrf in (
            ("missing", False),
            ("forged", "IjAwMDAwMDAwMDAwMDAwMDAwMDAwIg.forged.token"),
            ("empty", ""),
        ):
            before = snapshot()
            response = (
                browser.post(url, data, csrf=csrf)
                if csrf != ""
                else browser.open("POST", url, data={**data, "csrf_token": ""})
            )
            assert_no_crash(response, f"POST {url} with a {label} CSRF token")
            if response.status_code != 400 and endpoint not in NO_SESSION:
                problems.append(
                    f"POST {url} ({endpoint}) as {kind} with a {label} CSRF token: {response.status_code}, expected 400"
                )
            if diff(before, snapshot()):
                problems.append(f"POST {url} ({endpoint}) with a {label} CSRF token changed {diff(before, snapshot())}")
    assert not problems, "\n".join(problems)


def test_a_token_from_another_session_is_refused(app, world):
    owner, other = signed_in(app, world, "owner"), signed_in(app, world, "other_staff")
    before = snapshot()
    response = owner.post(f"/portfolio/evidence/{world.draft}/submit", {}, csrf=other.token())
    assert response.status_code == 400
    assert not diff(before, snapshot())


# -- the evidence form ------------------------------------------------------------------


def _evidence_cases(world):
    today = datetime.now(timezone.utc).date()
    tomorrow = today + timedelta(days=2)
    item = world.item_ids[:1]
    return [
        (
            "title of 201 characters",
            evidence_form(item, title="x" * 201),
            None,
            "Enter a title of 200 characters or fewer",
        ),
        (
            "description over 20,000",
            evidence_form(item, description="y" * 20001),
            None,
            "Enter a description of 20,000 characters or fewer",
        ),
        (
            "31 February",
            evidence_form(
                item, **{"activity_date-day": "31", "activity_date-month": "2", "activity_date-year": "2026"}
            ),
            None,
            "must be a real date",
        ),
        ("month 13", evidence_form(item, **{"activity_date-month": "13"}), None, "must be a real date"),
        ("letters in the date", evidence_form(item, **{"activity_date-day": "third"}), None, "must be numbers"),
        ("2-digit year", evidence_form(item, **{"activity_date-year": "25"}), None, "Enter the year as 4 digits"),
        (
            "a future date",
            evidence_form(
                item,
                **{
                    "activity_date-day": str(tomorrow.day),
                    "activity_date-month": str(tomorrow.month),
                    "activity_date-year": str(tomorrow.year),
                },
            ),
            None,
            "must be today or in the past",
        ),
        (
            "no date",
            evidence_form(item, **{"activity_date-day": "", "activity_date-month": "", "activity_date-year": ""}),
            None,
            "Enter the date of the activity",
        ),
        ("a superscript digit in the day", evidence_form(item, **{"activity_date-day": "\u00b2"}), None, "must be"),
        ("no items", evidence_form([]), None, "Choose at least one item this evidence shows"),
        ("an unknown item id", evidence_form([999999]), None, "not in your frameworks"),
        (
            "an item outside the person's frameworks",
            evidence_form([world.outside_item_id]),
            None,
            "not in your frameworks",
        ),
        ("an item id that is not a number", evidence_form(item, items=["abc"]), None, None),
        ("a type not on the list", evidence_form(item, evidence_type="bogus"), None, None),
        (
            "an .exe named .pdf",
            evidence_form(item),
            [upload(EXE, "certificate.pdf")],
            "is not a type the portal accepts",
        ),
        ("HTML named .txt", evidence_form(item), [upload(HTML, "notes.txt")], "is not a type the portal accepts"),
        (
            "a PNG named .pdf",
            evidence_form(item),
            [upload(PNG, "scan.pdf")],
            "is named as a .pdf file but its content is a PNG image",
        ),
        ("an empty file", evidence_form(item), [upload(b"", "empty.pdf")], "empty.pdf is empty"),
        (
            "one good file and one bad",
            evidence_form(item),
            [upload(PDF, "good.pdf"), upload(EXE, "bad.pdf")],
            "bad.pdf is not a type",
        ),
    ]


def test_evidence_form_explains_every_mistake_and_writes_nothing(app, world):
    owner = signed_in(app, world, "owner")
    problems = []
    for label, data, files, message in _evidence_cases(world):
        before, stored = snapshot(), _stored_files(app)
        if files:
            data = {**data, "attachments": files}
        response = owner.post("/portfolio/evidence/new", data)
        try:
            assert_no_crash(response, label)
        except AssertionError as crash:
            problems.append(str(crash))
            continue
        text = _text(response)
        if response.status_code != 400 or PROBLEM not in text or (message and message not in text):
            problems.append(
                f"{label}: status {response.status_code}, {'no' if PROBLEM not in text else 'an'} error summary, "
                f"expected message {message!r} {'missing' if message and message not in text else 'present'}"
            )
        if diff(before, snapshot()) or _stored_files(app) != stored:
            problems.append(f"{label}: something was written ({diff(before, snapshot())})")
    assert not problems, "\n".join(problems)
    # The same form with good data is accepted, so the refusals above are about the bad parts.
    good = owner.post(
        "/portfolio/evidence/new", {**evidence_form(world.item_ids[:1]), "attachments": [upload(PDF, "good.pdf")]}
    )
    assert good.status_code == 302


def test_a_file_over_the_size_limit_is_refused(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 1024 * 1024)
    owner = signed_in(app, world, "owner")
    before, stored = snapshot(), _stored_files(app)
    response = owner.post(
        "/portfolio/evidence/new",
        {**evidence_form(world.item_ids[:1]), "attachments": [upload(b"a" * (1024 * 1024 + 1), "long-notes.txt")]},
    )
    assert_no_crash(response)
    assert response.status_code == 400
    assert "long-notes.txt is larger than 1 MB" in _text(response)
    assert not diff(before, snapshot()) and _stored_files(app) == stored


def test_edit_form_errors_and_other_peoples_attachments(app, world):
    owner = signed_in(app, world, "owner")
    url = f"/portfolio/evidence/{world.draft}/edit"
    before = snapshot()
    response = owner.post(url, evidence_form(world.item_ids[3:4], title="z" * 201))
    assert_no_crash(response)
    assert response.status_code == 400 and "Enter a title of 200 characters or fewer" in _text(response)
    assert not diff(before, snapshot())
    # Asking to remove someone else's attachment removes nothing of theirs (nor of mine).
    response = owner.post(
        url, {**evidence_form(world.item_ids[3:4]), "remove_attachments": [str(world.others_attachment)]}
    )
    assert_no_crash(response)
    assert attachment_exists(world.others_attachment), "another person's attachment was removed"
    assert attachment_exists(world.draft_attachment)
    response = owner.post(url, {**evidence_form(world.item_ids[3:4]), "remove_attachments": ["not-a-number"]})
    assert_no_crash(response, "remove_attachments=not-a-number")
    assert attachment_exists(world.draft_attachment)


# -- other people's objects -------------------------------------------------------------


def test_other_peoples_objects_are_404_and_untouched(app, world):
    owner, supervisor, other = (
        signed_in(app, world, "owner"),
        signed_in(app, world, "supervisor"),
        signed_in(app, world, "other_staff"),
    )
    before = snapshot()
    gets = [
        (owner, f"/portfolio/evidence/{world.others}"),
        (owner, f"/portfolio/evidence/{world.others}/edit"),
        (owner, f"/portfolio/evidence/{world.others}/attachments/{world.others_attachment}"),
        (owner, f"/portfolio/evidence/{world.draft}/attachments/{world.others_attachment}"),  # my evidence, their file
        (owner, f"/portfolio/evidence/{world.draft}/attachments/{world.attachment + 999}"),
        (owner, "/portfolio/evidence/999999"),
        (supervisor, f"/supervision/evidence/{world.others}"),
        (supervisor, f"/supervision/sign-offs/{world.others_sign_off}/revoke"),
        (supervisor, "/supervision/sign-offs/999999/revoke"),
        (other, f"/portfolio/evidence/{world.submitted}"),
        (other, f"/portfolio/evidence/{world.others}/attachments/{world.attachment}"),  # their evidence, my file
    ]
    problems = []
    for browser, url in gets:
        response = browser.get(url)
        assert_no_crash(response, f"GET {url} as {browser.kind}")
        if response.status_code not in (403, 404):
            problems.append(f"GET {url} as {browser.kind}: {response.status_code}")
    posts = [
        (owner, f"/portfolio/evidence/{world.others}/edit", evidence_form(world.item_ids[:1], title="Hijacked")),
        (owner, f"/portfolio/evidence/{world.others}/submit", {}),
        (
            supervisor,
            f"/supervision/evidence/{world.others}",
            {"decision": "rejected", "comment": "no", "version": "1", f"level-{world.item_ids[0]}": "none"},
        ),
        (supervisor, f"/supervision/sign-offs/{world.others_sign_off}/revoke", {"reason": "Not mine to revoke"}),
        (other, f"/supervision/sign-offs/{world.sign_off}/revoke", {"reason": "Not mine to revoke"}),
    ]
    for browser, url, data in posts:
        response = browser.post(url, data)
        assert_no_crash(response, f"POST {url} as {browser.kind}")
        if response.status_code not in (403, 404):
            problems.append(f"POST {url} as {browser.kind}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert not diff(before, snapshot()), "a request about someone else's object changed something"
    # Marking notifications read touches only mine, whatever ids are sent.
    response = other.post(
        "/notifications/read", {"id": str(world.owner_notification), "notification_id": str(world.owner_notification)}
    )
    assert_no_crash(response)
    assert db.session.get(Notification, world.owner_notification).read_at is None, (
        "someone else marked the owner's notification read"
    )
    db.session.rollback()


@pytest.mark.parametrize(
    "url",
    [
        "/portfolio/evidence/99999999999999999999",
        "/portfolio/evidence/99999999999999999999/attachments/1",
        "/supervision/evidence/99999999999999999999",
        "/supervision/sign-offs/99999999999999999999/revoke",
    ],
)
def test_ids_too_big_for_the_database_are_404(app, world, url):
    supervisor = signed_in(app, world, "supervisor")
    response = supervisor.get(url)
    assert_no_crash(response, url)
    assert response.status_code == 404


# -- signing in -------------------------------------------------------------------------


def test_sign_in_messages_lock_out_and_refusing_off_site_next(app, world, monkeypatch):
    start = datetime.now(timezone.utc).replace(microsecond=0)
    monkeypatch.setitem(app.config, "PORTAL_NOW", start)
    email = world.emails["other_staff"]
    browser = Browser(app)
    response = browser.post("/sign-in", {"email": email, "password": "wrong-password"})
    assert response.status_code == 400
    assert PROBLEM in _text(response) and "The email address or password is not right" in _text(response)
    for _ in range(4):
        response = browser.post("/sign-in", {"email": email, "password": "wrong-password"})
    assert response.status_code == 400 and "Too many failed attempts. Try again in" in _text(response), (
        "no lock-out after 5 failures"
    )
    from tests.portal_helpers import PASSWORD

    response = browser.post("/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 400 and "Try again in" in _text(response), "the right password worked while locked"
    assert browser.get("/portfolio").status_code == 302
    monkeypatch.setitem(app.config, "PORTAL_NOW", start + timedelta(minutes=16))
    response = browser.post("/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, "still locked after the lock-out ended"

    for bad in (
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
        "/\t/evil.example",
    ):
        fresh = Browser(app)
        response = fresh.post(f"/sign-in?next={bad}", {"email": world.emails["owner"], "password": PASSWORD})
        assert response.status_code == 302 and location(response) == "/dashboard", (
            f"next={bad!r} sent the person to {response.headers['Location']}"
        )
        response = fresh.get(f"/sign-in?next={bad}")
        assert response.status_code == 302 and location(response) == "/dashboard", f"signed-in GET with next={bad!r}"
    fresh = Browser(app)
    response = fresh.post("/sign-in?next=/portfolio", {"email": world.emails["owner"], "password": PASSWORD})
    assert location(response) == "/portfolio"


@pytest.mark.parametrize(
    "email,password,message",
    [
        ("nul\x00@example.nhs.uk", "whatever", "cannot be stored (NUL)"),
        ("x" * 255 + "@example.nhs.uk", "whatever", "Enter an email address of 254 characters or fewer"),
        ("owner@example.nhs.uk", "p" * 201, "Enter a password of 200 characters or fewer"),
        ("", "", "Enter your email address"),
    ],
)
def test_sign_in_with_odd_input_is_a_message(app, world, email, password, message):
    response = Browser(app).post("/sign-in", {"email": email, "password": password})
    assert_no_crash(response, repr(email))
    assert PROBLEM in _text(response) and message in _text(response)
    assert response.status_code == 400, (
        f"the sign-in page with an error answers {response.status_code}; errors answer 400 elsewhere"
    )


# -- the decision form ------------------------------------------------------------------


def _version(browser, evidence_id: int) -> str:
    import re

    page = body(browser.get(f"/supervision/evidence/{evidence_id}"))
    found = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    assert found, "the review page carries the version the supervisor saw"
    return found.group(1) or found.group(2)


def test_decision_form_explains_mistakes_and_saves_nothing(app, world):
    supervisor = signed_in(app, world, "supervisor")
    url = f"/supervision/evidence/{world.submitted}"
    version = _version(supervisor, world.submitted)
    first, second = world.submitted_items
    good_levels = {f"level-{i}": str(world.levels[i][-1]) for i in (first, second)}
    cases = [
        (
            "a level not on the scale",
            {"decision": "signed_off", **good_levels, f"level-{first}": "99"},
            "Choose a level, or not demonstrated, for",
        ),
        (
            "a negative level",
            {"decision": "signed_off", **good_levels, f"level-{first}": "-1"},
            "Choose a level, or not demonstrated, for",
        ),
        (
            "a missing level",
            {"decision": "signed_off", f"level-{first}": good_levels[f"level-{first}"]},
            "Choose a level, or not demonstrated, for",
        ),
        ("no levels at all", {"decision": "signed_off"}, "Choose a level, or not demonstrated, for"),
        ("no decision", {**good_levels}, "Choose sign off, return or reject"),
        ("a decision not on the list", {"decision": "approved", **good_levels}, None),
        ("return without a comment", {"decision": "returned", **good_levels}, "Say why in the comment"),
        (
            "reject without a comment",
            {"decision": "rejected", **good_levels, "comment": "   "},
            "Say why in the comment",
        ),
        (
            "sign off with nothing demonstrated",
            {"decision": "signed_off", f"level-{first}": "none", f"level-{second}": "none"},
            "To sign off, confirm a level",
        ),
        (
            "an item comment over 2,000",
            {"decision": "signed_off", **good_levels, f"comment-{first}": "c" * 2001},
            "2,000 characters or fewer",
        ),
        (
            "a comment over 5,000",
            {"decision": "returned", **good_levels, "comment": "c" * 5001},
            "5,000 characters or fewer",
        ),
        (
            "a superscript digit as the level",
            {"decision": "signed_off", **good_levels, f"level-{first}": "\u00b2"},
            "Choose a level, or not demonstrated, for",
        ),
    ]
    problems = []
    for label, data, message in cases:
        before = snapshot()
        response = supervisor.post(url, {**data, "version": version})
        try:
            assert_no_crash(response, label)
        except AssertionError as crash:
            problems.append(str(crash))
            continue
        text = _text(response)
        if response.status_code != 400 or PROBLEM not in text or (message and message not in text):
            problems.append(
                f"{label}: status {response.status_code}, summary {'present' if PROBLEM in text else 'missing'}, "
                f"message {message!r} {'present' if message and message in text else 'missing'}"
            )
        if diff(before, snapshot()):
            problems.append(f"{label}: wrote {diff(before, snapshot())}")
    assert not problems, "\n".join(problems)


def test_a_forged_version_is_not_a_server_error(app, world):
    supervisor = signed_in(app, world, "supervisor")
    levels = {f"level-{i}": str(world.levels[i][-1]) for i in world.submitted_items}
    for version in ("abc", "1.5", "\u00b2", "99999999999999999999999"):
        before = snapshot()
        response = supervisor.post(
            f"/supervision/evidence/{world.submitted}",
            {"decision": "signed_off", **levels, "version": version},
            follow_redirects=True,
        )
        assert_no_crash(response, f"version={version!r}")
        assert not diff(before, snapshot()), f"version={version!r} saved a decision"


def test_a_stale_decision_is_told_someone_else_decided(app, world):
    supervisor = signed_in(app, world, "supervisor")
    url = f"/supervision/evidence/{world.submitted}"
    version = _version(supervisor, world.submitted)
    levels = {f"level-{i}": str(world.levels[i][-1]) for i in world.submitted_items}
    signed = sign_off_count()
    first = supervisor.post(url, {"decision": "signed_off", **levels, "version": version})
    assert first.status_code == 302 and sign_off_count() == signed + 1
    before = snapshot()
    second = supervisor.post(
        url, {"decision": "rejected", "comment": "Changed my mind", **levels, "version": version}, follow_redirects=True
    )
    assert_no_crash(second)
    assert "Someone else has already decided on this evidence" in _text(second)
    assert not diff(before, snapshot()), "the stale decision was saved"
    state = db.session.get(Evidence, world.submitted).state.value
    db.session.rollback()
    assert state == "signed_off"


# -- self-assessment --------------------------------------------------------------------


def test_self_assessment_refuses_items_outside_the_role_and_levels_off_the_scale(app, world):
    owner = signed_in(app, world, "owner")
    item = world.item_ids[0]
    cases = [
        ("an item not in the role", {f"rating-{world.outside_item_id}": "1"}, "not part of your role profile"),
        ("an item that does not exist", {"rating-999999": "1"}, "not part of your role profile"),
        ("a level off the scale", {f"rating-{item}": "99"}, "Choose a level from the scale"),
        ("a negative level", {f"rating-{item}": "-1"}, "Choose a level from the scale"),
        (
            "a note over 2,000",
            {f"rating-{item}": str(world.levels[item][0]), f"note-{item}": "n" * 2001},
            "2000 characters or fewer",
        ),
        ("a level in letters", {f"rating-{item}": "high"}, None),
        ("a superscript digit as the level", {f"rating-{item}": "\u00b2"}, None),
        ("a superscript digit as the item", {"rating-\u00b2": "1"}, None),
        (
            "a good rating beside a bad one",
            {f"rating-{item}": str(world.levels[item][0]), f"rating-{world.outside_item_id}": "1"},
            "not part of your role profile",
        ),
    ]
    problems = []
    for label, data, message in cases:
        before = snapshot()
        response = owner.post("/portfolio/self-assessment", data, follow_redirects=True)
        try:
            assert_no_crash(response, label)
        except AssertionError as crash:
            problems.append(str(crash))
            continue
        if message and message not in _text(response):
            problems.append(f"{label}: message {message!r} missing (status {response.status_code})")
        if diff(before, snapshot()):
            problems.append(f"{label}: wrote {diff(before, snapshot())}")
    assert not problems, "\n".join(problems)
    good = owner.post(
        "/portfolio/self-assessment", {f"rating-{item}": str(world.levels[item][0])}, follow_redirects=True
    )
    assert "1 rating saved" in _text(good)
