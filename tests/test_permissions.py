"""Who may see and do what: every route, for every kind of user, against an explicit table.

The table below names every endpoint in `app.url_map`. A new route that is not in it fails
`test_every_route_for_every_kind_of_user` by name, so nobody can add a page without deciding who
may see it. POST routes are also tried by everyone who may not act, and must change nothing.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from competency_portal import create_app, policy
from competency_portal.extensions import db
from competency_portal.models import Deputy, Evidence, Role, SignOff, User, UserRole
from tests.portal_helpers import (
    KINDS,
    Browser,
    World,
    assert_no_crash,
    browsers,
    diff,
    evidence_form,
    future,
    is_sign_in_redirect,
    location,
    snapshot,
)

SIGNIN = "sign-in"  # a redirect to /sign-in?next=<the page asked for>


def _row(anonymous, owner, other_staff, supervisor, unrelated_supervisor, recruiter, admin) -> dict:
    return dict(
        zip(KINDS, (anonymous, owner, other_staff, supervisor, unrelated_supervisor, recruiter, admin), strict=True)
    )


def _all(outcome) -> dict:
    return {kind: outcome for kind in KINDS}


SIGNED_IN_200 = _row(SIGNIN, 200, 200, 200, 200, 200, 200)
ADMIN_ONLY = _row(SIGNIN, 403, 403, 403, 403, 403, 200)
SUPERVISORS_ONLY = _row(SIGNIN, 403, 403, 200, 200, 403, 403)
POST_ONLY = _all(405)

# Outcome of a GET by each kind of user: a status, SIGNIN, or "->/path" (a redirect there).
# {evidence} is the owner's submitted evidence.
EXPECTED_GET: dict[str, dict] = {
    "main.home": _all(200),
    "main.accessibility": _all(200),
    "main.health": _all(200),
    "auth.sign_in": _row(
        200, "->/dashboard", "->/dashboard", "->/dashboard", "->/dashboard", "->/dashboard", "->/dashboard"
    ),
    "auth.sign_out": _row("->/sign-in", 200, 200, 200, 200, 200, 200),
    # No identity provider is configured in this app, so no provider's name is found
    # (tests/test_oidc_sign_in.py covers them with a real one).
    "auth.provider_start": _all(404),
    "auth.provider_callback": _all(404),
    # The code step after a password: with no password just given, everyone is sent to sign in.
    "auth.second_factor": _all("->/sign-in"),
    "auth.set_up_second_factor": _all("->/sign-in"),
    "auth.security": SIGNED_IN_200,
    "auth.new_recovery_codes": POST_ONLY,
    "admin.reset_second_factor": POST_ONLY,
    "admin.unlink_provider": POST_ONLY,
    "admin.sign_in_settings": ADMIN_ONLY,
    "catalogue.index": _all(200),
    "catalogue.framework": _all(200),
    "catalogue.item": _all(200),
    "catalogue.search": _all(200),
    "catalogue.roles": _all(200),
    "catalogue.role": _all(200),
    "evidence.index": SIGNED_IN_200,
    "evidence.new": SIGNED_IN_200,
    "evidence.show": _row(SIGNIN, 200, 404, 200, 404, 404, 200),
    "evidence.edit": _row(SIGNIN, "->/portfolio/evidence/{evidence}", 404, 404, 404, 404, 404),
    "evidence.submit": POST_ONLY,
    "evidence.download": _row(SIGNIN, 200, 404, 200, 404, 404, 200),
    "evidence.self_assess": SIGNED_IN_200,
    "evidence.notifications": SIGNED_IN_200,
    "evidence.mark_read": POST_ONLY,
    "supervision.queue": SUPERVISORS_ONLY,
    "dashboards.mine": SIGNED_IN_200,
    "dashboards.person": _row(SIGNIN, 200, 404, 200, 404, 404, 200),
    "dashboards.person_csv": _row(SIGNIN, 200, 404, 200, 404, 404, 200),
    "dashboards.team": SUPERVISORS_ONLY,
    "dashboards.team_csv": SUPERVISORS_ONLY,
    "dashboards.organisation": ADMIN_ONLY,
    "dashboards.organisation_csv": ADMIN_ONLY,
    "supervision.review": _row(SIGNIN, 403, 403, 200, 404, 403, 403),
    "supervision.revoke": _row(SIGNIN, 404, 404, 200, 404, 404, 200),
    "supervision.deputy": SUPERVISORS_ONLY,
    "admin.index": _row(SIGNIN, 403, 403, 403, 403, 403, "->/admin/people"),
    "admin.people": ADMIN_ONLY,
    "admin.new_person": ADMIN_ONLY,
    "admin.edit_person": ADMIN_ONLY,
    "admin.reset_password": POST_ONLY,
    "admin.add_supervision": POST_ONLY,
    "admin.end_supervision": POST_ONLY,
    "admin.teams": ADMIN_ONLY,
    "admin.import_staff": ADMIN_ONLY,
    "admin.import_sample": ADMIN_ONLY,
    "admin.confirm_import": POST_ONLY,
    "admin.audit_trail": ADMIN_ONLY,
    "admin.person_data": ADMIN_ONLY,
    "auth.my_data": SIGNED_IN_200,
}

# Feature modules keep their own rows, so that each feature's routes are listed in one place.
import permission_rules_api  # noqa: E402
import permission_rules_appraisal  # noqa: E402
import permission_rules_case  # noqa: E402
import permission_rules_credentials  # noqa: E402
import permission_rules_frameworks  # noqa: E402
import permission_rules_jobs  # noqa: E402
import permission_rules_recruitment_shortlisting  # noqa: E402
import permission_rules_recruitment_vacancies  # noqa: E402
import permission_rules_sharing  # noqa: E402
import permission_rules_training  # noqa: E402

RULE_MODULES = (
    permission_rules_api,
    permission_rules_case,
    permission_rules_credentials,
    permission_rules_frameworks,
    permission_rules_jobs,
    permission_rules_training,
    permission_rules_appraisal,
    permission_rules_recruitment_vacancies,
    permission_rules_recruitment_shortlisting,
    permission_rules_sharing,
)
for _module in RULE_MODULES:
    EXPECTED_GET.update(_module.GET)


def missing_expectations(app: Flask) -> list[str]:
    """Endpoints in the app with no row in EXPECTED_GET (or a row missing a kind of user)."""
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        row = EXPECTED_GET.get(rule.endpoint)
        if row is None or set(row) != set(KINDS):
            missing.append(rule.endpoint)
    return sorted(set(missing))


ROLE_ENDPOINTS = ("catalogue.role", "admin.edit_role", "admin.role_items")  # their slug names a role profile


def _url(rule, world: World) -> str:
    """The rule's URL with its parameters taken from the world."""
    values = {
        "evidence_id": world.submitted,
        "attachment_id": world.attachment,
        "sign_off_id": world.sign_off,
        "person_id": world.id("owner"),
        "assignment_id": world.supervision,
        "revision": 1,
        "name": "gaps",
        "code": world.item_code,
        "slug": "care-coordinator-band-6" if rule.endpoint in ROLE_ENDPOINTS else world.framework_slug,
    }
    for module in RULE_MODULES:
        values.update(module.url_values(world))
    unknown = set(rule.arguments) - set(values)
    assert not unknown, (
        f"{rule.endpoint} ({rule.rule}) has parameters {sorted(unknown)} this test cannot fill: add them to _url"
    )
    built = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)
    assert built is not None, f"could not fill {rule.rule}"
    return built[1]


def _check(outcome, response, url: str, world: World) -> str | None:
    """None if the response is the expected outcome, else what went wrong."""
    got = f"{response.status_code} {response.headers.get('Location', '')}".strip()
    if outcome == SIGNIN:
        return None if is_sign_in_redirect(response, url) else f"expected a redirect to sign in, got {got}"
    if isinstance(outcome, str) and outcome.startswith("->"):
        want = outcome[2:].format(evidence=world.submitted)
        if response.status_code != 302 or location(response).split("?")[0] != want:
            return f"expected a redirect to {want}, got {got}"
        return None
    if response.status_code != outcome:
        return f"expected {outcome}, got {got}"
    return None


def test_expectations_table_matches_the_app(app):
    """Every route has a row for all seven kinds of user, and the table names no route that is gone."""
    assert missing_expectations(app) == [], (
        f"routes with no expected outcome in EXPECTED_GET: {missing_expectations(app)}"
    )
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(set(EXPECTED_GET) - endpoints)
    assert not stale, f"EXPECTED_GET names endpoints the app no longer has: {stale}"


def test_every_route_for_every_kind_of_user(app, world):
    """GET every route as every kind of user and compare with the table."""
    assert not missing_expectations(app), (
        f"routes with no expected outcome in EXPECTED_GET: {missing_expectations(app)}"
    )
    users = browsers(app, world)
    rules = [r for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule) if r.endpoint != "static"]
    urls = [_url(r, world) for r in rules]  # before the snapshot: url_values may create what the routes point at
    before = snapshot()
    problems = []
    for rule, url in zip(rules, urls, strict=True):
        for kind in KINDS:
            response = users[kind].get(url)
            assert_no_crash(response, f"GET {url} as {kind}")
            problem = _check(EXPECTED_GET[rule.endpoint][kind], response, url, world)
            if problem:
                problems.append(f"GET {url} ({rule.endpoint}) as {kind}: {problem}")
            if (
                kind in ("other_staff", "unrelated_supervisor", "recruiter")
                and response.status_code == 200
                and rule.endpoint.startswith(("evidence.", "supervision."))
            ):
                assert "Risk assessment with a carer" not in response.get_data(as_text=True), (
                    f"{kind} sees the owner's evidence at {url}"
                )
    assert not problems, "\n".join(problems)
    assert not diff(before, snapshot()), "GET requests changed the database"


def test_anonymous_is_sent_to_sign_in_and_back(app, world):
    url = f"/portfolio/evidence/{world.submitted}"
    response = Browser(app).get(url)
    assert is_sign_in_redirect(response, url)
    assert location(response).startswith("/sign-in?next=")


# -- POST routes: everyone who may not act is refused, and nothing changes -------------------


def _post_cases(world: World) -> dict[str, tuple[str, dict, dict, tuple[str, int] | None]]:
    """endpoint -> (url, form data, {kind: outcome for those who may not act}, (allowed kind, status) control)."""
    owner_only = {k: 404 for k in ("other_staff", "supervisor", "unrelated_supervisor", "recruiter", "admin")}
    item = world.submitted_items
    version = db.session.get(Evidence, world.submitted).lock_version
    db.session.rollback()
    decision = {
        "decision": "signed_off",
        "comment": "Clear",
        "version": str(version),
        **{f"level-{i}": str(world.levels[i][-1]) for i in item},
    }
    admin_only = {k: 403 for k in KINDS if k not in ("anonymous", "admin")}
    return {
        "auth.sign_in": ("/sign-in", {"email": world.emails["owner"], "password": "x"}, {}, None),
        "auth.sign_out": ("/sign-out", {}, {}, None),
        "auth.second_factor": ("/sign-in/code", {"code": "123456"}, _all("->/sign-in"), None),
        "auth.set_up_second_factor": ("/sign-in/set-up-code", {"code": "123456"}, _all("->/sign-in"), None),
        "auth.new_recovery_codes": ("/account/security/recovery-codes", {"code": "123456"}, {}, None),
        "auth.security": ("/account/security", {"code": "123456"}, {}, None),
        "auth.my_data": ("/account/data", {}, {}, ("owner", 302)),
        "admin.person_data": (f"/admin/people/{world.id('owner')}/data", {}, admin_only, ("admin", 302)),
        "evidence.new": ("/portfolio/evidence/new", evidence_form(world.item_ids[:1]), {}, ("owner", 302)),
        "evidence.edit": (
            f"/portfolio/evidence/{world.draft}/edit",
            evidence_form(world.item_ids[:1], title="Changed by someone else"),
            owner_only,
            ("owner", 302),
        ),
        "evidence.submit": (f"/portfolio/evidence/{world.draft}/submit", {}, owner_only, ("owner", 302)),
        "evidence.self_assess": (
            "/portfolio/self-assessment",
            {f"rating-{world.item_ids[0]}": str(world.levels[world.item_ids[0]][0])},
            {},
            ("owner", 302),
        ),
        "evidence.mark_read": ("/notifications/read", {}, {}, ("owner", 302)),
        "supervision.review": (
            f"/supervision/evidence/{world.submitted}",
            decision,
            {"owner": 403, "other_staff": 403, "unrelated_supervisor": 404, "recruiter": 403, "admin": 403},
            ("supervisor", 302),
        ),
        "supervision.revoke": (
            f"/supervision/sign-offs/{world.sign_off}/revoke",
            {"reason": "Signed in error"},
            {"owner": 404, "other_staff": 404, "unrelated_supervisor": 404, "recruiter": 404},
            ("supervisor", 302),
        ),
        "supervision.deputy": (
            "/supervision/deputy",
            {
                "deputy": str(world.id("unrelated_supervisor")),
                "starts_on-day": "1",
                "starts_on-month": "1",
                "starts_on-year": "2099",
                "ends_on-day": "2",
                "ends_on-month": "1",
                "ends_on-year": "2099",
            },
            {"owner": 403, "other_staff": 403, "recruiter": 403, "admin": 403},
            ("supervisor", 302),
        ),
        "admin.new_person": (
            "/admin/people/new",
            {"name": "New Person", "email": "new.person@example.nhs.uk", "roles": "staff", "target_role": ""},
            admin_only,
            ("admin", 302),
        ),
        "admin.edit_person": (
            f"/admin/people/{world.id('owner')}",
            {"name": "Renamed", "email": world.emails["owner"], "roles": "admin", "target_role": "", "active": "y"},
            admin_only,
            None,
        ),
        "admin.reset_password": (
            f"/admin/people/{world.id('owner')}/password",
            {"new_password": "a-brand-new-password"},
            admin_only,
            ("admin", 302),
        ),
        "admin.reset_second_factor": (
            f"/admin/people/{world.id('owner')}/two-factor",
            {},
            admin_only,
            ("admin", 302),
        ),
        "admin.unlink_provider": (
            f"/admin/people/{world.id('owner')}/provider/entra/unlink",
            {},
            admin_only,
            ("admin", 302),
        ),
        "admin.sign_in_settings": ("/admin/sign-in", {"mode": "everyone"}, admin_only, ("admin", 302)),
        "admin.add_supervision": (
            f"/admin/people/{world.id('other_staff')}/supervision",
            {
                "supervisor_id": str(world.id("supervisor")),
                "starts_on-day": "1",
                "starts_on-month": "1",
                "starts_on-year": "2024",
            },
            admin_only,
            None,
        ),
        "admin.end_supervision": (f"/admin/supervision/{world.supervision}/end", {}, admin_only, ("admin", 302)),
        "admin.import_staff": ("/admin/import", {}, admin_only, None),
        "admin.confirm_import": ("/admin/import/confirm", {"token": "0" * 32}, admin_only, None),
    }


PUBLIC_POSTS = (
    "auth.sign_in",
    "auth.sign_out",
    "auth.second_factor",
    "auth.set_up_second_factor",
    "credentials.verify",
    "credentials.verify_api",
    "api_pages.token",
)


def test_post_routes_refuse_everyone_who_may_not_act(app, world):
    users = browsers(app, world)
    cases = _post_cases(world)
    for module in RULE_MODULES:
        cases.update(module.post_cases(world))
    post_endpoints = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    assert not post_endpoints - set(cases), (
        f"POST routes with no refusal case in _post_cases: {sorted(post_endpoints - set(cases))}"
    )
    problems = []
    for endpoint, (url, data, refused, _control) in cases.items():
        refused = {"anonymous": SIGNIN, **refused} if endpoint not in PUBLIC_POSTS else refused
        for kind, outcome in refused.items():
            before = snapshot()
            response = users[kind].post(url, data)
            assert_no_crash(response, f"POST {url} as {kind}")
            problem = _check(outcome, response, url, world)
            if problem:
                problems.append(f"POST {url} ({endpoint}) as {kind}: {problem}")
            changed = diff(before, snapshot())
            if changed:
                problems.append(f"POST {url} ({endpoint}) as {kind} changed {changed}")
    assert not problems, "\n".join(problems)
    # The same requests from someone who may act do change something, so the refusals above mean something.
    for _endpoint, (url, data, _refused, control) in cases.items():
        if control is None:
            continue
        kind, status = control
        before = snapshot()
        response = users[kind].post(url, data)
        assert response.status_code == status, (
            f"control POST {url} as {kind}: {response.status_code} {location(response)}"
        )
        assert diff(before, snapshot()), (
            f"control POST {url} as {kind} changed nothing: the refusal test above proves nothing"
        )


# -- specific rules ---------------------------------------------------------------------


def _grant(user_id: int, role: Role) -> None:
    db.session.add(UserRole(user_id=user_id, role=role))
    db.session.commit()


def test_owner_never_decides_their_own_evidence_even_as_a_supervisor_covering_their_own_supervisor(app, world):
    _grant(world.id("owner"), Role.SUPERVISOR)
    today = future(0).date()
    db.session.add(
        Deputy(
            supervisor_id=world.id("supervisor"),
            deputy_id=world.id("owner"),
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=5),
            notified=True,
        )
    )
    db.session.commit()
    owner = Browser(app, "owner")
    owner.sign_in(world.emails["owner"])
    assert owner.get("/supervision/").status_code == 200  # they do supervise now...
    assert "Risk assessment with a carer" not in owner.get("/supervision/").get_data(as_text=True), (
        "own evidence in own queue"
    )
    assert owner.get(f"/supervision/evidence/{world.submitted}").status_code == 404
    items = world.submitted_items
    before = snapshot()
    response = owner.post(
        f"/supervision/evidence/{world.submitted}",
        {"decision": "signed_off", "version": "99", **{f"level-{i}": str(world.levels[i][-1]) for i in items}},
    )
    assert response.status_code == 404
    assert not diff(before, snapshot()), "the owner's own decision changed something"
    show = owner.get(f"/portfolio/evidence/{world.submitted}")
    assert show.status_code == 200 and f'/supervision/evidence/{world.submitted}"' not in show.get_data(as_text=True)
    # ...and cannot revoke a sign-off of their own evidence either.
    assert owner.get(f"/supervision/sign-offs/{world.sign_off}/revoke").status_code == 404


def test_unrelated_supervisor_gets_404_on_a_supervisees_evidence(app, world):
    stranger = Browser(app, "unrelated_supervisor")
    stranger.sign_in(world.emails["unrelated_supervisor"])
    for url in (
        f"/portfolio/evidence/{world.submitted}",
        f"/portfolio/evidence/{world.submitted}/attachments/{world.attachment}",
        f"/supervision/evidence/{world.submitted}",
        f"/portfolio/evidence/{world.draft}/attachments/{world.draft_attachment}",
    ):
        assert stranger.get(url).status_code == 404, url
    assert "Risk assessment with a carer" not in stranger.get("/supervision/").get_data(as_text=True)
    # The download answers 200 to the owner's supervisor with the file's bytes.
    sup = Browser(app, "supervisor")
    sup.sign_in(world.emails["supervisor"])
    got = sup.get(f"/portfolio/evidence/{world.submitted}/attachments/{world.attachment}")
    assert got.status_code == 200 and got.data.startswith(b"%PDF")


def test_deputy_reviews_only_during_the_cover_period(app, world, monkeypatch):
    deputy = db.session.scalar(db.select(User).where(User.id == world.id("unrelated_supervisor")))
    start, end = future(10).date(), future(20).date()
    db.session.add(
        Deputy(supervisor_id=world.id("supervisor"), deputy_id=deputy.id, starts_on=start, ends_on=end, notified=True)
    )
    db.session.commit()
    browser = Browser(app, "deputy")
    browser.sign_in(world.emails["unrelated_supervisor"])
    review = f"/supervision/evidence/{world.submitted}"
    attachment = f"/portfolio/evidence/{world.submitted}/attachments/{world.attachment}"
    decision = {"decision": "signed_off", **{f"level-{i}": str(world.levels[i][-1]) for i in world.submitted_items}}

    from datetime import datetime, time, timezone

    def at(day):
        monkeypatch.setitem(app.config, "PORTAL_NOW", datetime.combine(day, time(12), timezone.utc))

    for day in (start - timedelta(days=1), end + timedelta(days=1)):
        at(day)
        assert browser.get(review).status_code == 404, f"deputy reviews on {day}, outside {start}..{end}"
        assert browser.get(attachment).status_code == 404, f"deputy downloads on {day}"
        before = snapshot()
        assert browser.post(review, {**decision, "version": "1"}).status_code == 404
        assert not diff(before, snapshot())
    for day in (start, end):
        at(day)
        assert browser.get(review).status_code == 200, f"deputy cannot review on {day}, inside {start}..{end}"
        assert browser.get(attachment).status_code == 200
    at(end)
    page = browser.get(review).get_data(as_text=True)
    import re

    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    version = version.group(1) or version.group(2)
    signed_before = db.session.scalar(db.select(db.func.count()).select_from(SignOff))
    response = browser.post(review, {**decision, "version": version})
    assert response.status_code == 302, "the deputy could not decide during the cover"
    assert db.session.scalar(db.select(db.func.count()).select_from(SignOff)) == signed_before + 1
    db.session.rollback()


def test_a_route_without_a_rule_is_named(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        }
    )
    assert policy.check_routes(app) == []

    def throwaway():
        return "no rule"

    app.add_url_rule("/throwaway", "throwaway_without_rule", throwaway)
    assert policy.check_routes(app) == ["throwaway_without_rule"]
    assert "throwaway_without_rule" in missing_expectations(app)
    # Even if it got past start-up, the view is never served.
    response = app.test_client().get("/throwaway")
    assert response.status_code >= 400 and b"no rule" not in response.data
