"""Administration pages through the test client: people, supervision, the staff import, the audit trail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from competency_portal import clock
from competency_portal.extensions import db
from competency_portal.models import AuditEvent, Job, Role, Supervision, Team, User
from competency_portal.services import audit, people

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# -- helpers ----------------------------------------------------------------------------


class RequestContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The shared `_empty_tables` fixture keeps one app context open for the whole test, and a
    request reuses an open app context, so `flask.g` (Flask-Login's cached user, Flask-WTF's CSRF
    token) would otherwise carry over from one request, and one client, to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own session sees what the request wrote
        return response


@pytest.fixture
def client(app):
    """Overrides conftest's client: a fresh app context (and database session) per request."""
    app.test_client_class = RequestContextClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None


def csrf_from(client, path: str) -> str:
    """The CSRF token on the form at `path`."""
    page = client.get(path)
    found = CSRF.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path} (status {page.status_code})"
    return found.group(1)


def sign_in(client, email: str, password: str = PASSWORD) -> None:
    token = csrf_from(client, "/sign-in")
    response = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def post(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """POST with a CSRF token taken from the page the form is on (default: the people list)."""
    data = dict(data or {})
    data["csrf_token"] = csrf_from(client, token_from or "/admin/people")
    return client.post(path, data=data, **kwargs)


def person(session, name: str, email: str, *roles: Role, **kwargs) -> User:
    user = people.create_person(
        session, name=name, email=email, roles=set(roles) or {Role.STAFF}, password=PASSWORD, **kwargs
    )
    session.commit()
    return user


def events(session, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 at production cost takes most of a second per hash; these tests hash many passwords."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(people, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def admin(session):
    return person(session, "Ada Admin", "ada@nhs.example", Role.ADMIN, Role.STAFF)


@pytest.fixture
def as_admin(client, admin):
    sign_in(client, admin.email)
    return client


@pytest.fixture
def imports_dir(app):
    """The folder uploads wait in between preview and confirm; files a test leaves are removed."""
    folder = Path(app.instance_path) / "imports"
    before = set(folder.glob("*.csv")) if folder.exists() else set()
    yield folder
    for leftover in set(folder.glob("*.csv")) - before if folder.exists() else ():
        leftover.unlink()


def upload(client, data: bytes, filename: str = "staff.csv"):
    import io

    token = csrf_from(client, "/admin/import")
    return client.post(
        "/admin/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def import_token(response) -> str | None:
    found = re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', response.get_data(as_text=True))
    return found.group(1) if found else None


# -- who may see the pages ---------------------------------------------------------------

ADMIN_PAGES = [
    "/admin/",
    "/admin/people",
    "/admin/people/new",
    "/admin/people/{id}",
    "/admin/teams",
    "/admin/import",
    "/admin/audit",
]
ADMIN_POSTS = [
    "/admin/people/new",
    "/admin/people/{id}",
    "/admin/people/{id}/password",
    "/admin/people/{id}/supervision",
    "/admin/supervision/{sid}/end",
    "/admin/import",
    "/admin/import/confirm",
]


def test_anonymous_people_are_sent_to_sign_in(client, session):
    staff = person(session, "Sid Staff", "sid@nhs.example")
    for path in ADMIN_PAGES:
        response = client.get(path.format(id=staff.id))
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/sign-in"), path


@pytest.mark.parametrize("roles", [{Role.STAFF}, {Role.STAFF, Role.SUPERVISOR, Role.RECRUITER}])
def test_people_who_are_not_administrators_are_refused(client, session, roles):
    user = person(session, "Sid Staff", "sid@nhs.example", *roles)
    lead = person(session, "Lee Lead", "lee@nhs.example", Role.SUPERVISOR)
    assignment = Supervision(supervisor_id=lead.id, supervisee_id=user.id, starts_on=clock.today())
    session.add(assignment)
    session.commit()
    sign_in(client, user.email)
    for path in ADMIN_PAGES:
        assert client.get(path.format(id=user.id)).status_code == 403, path
    token = csrf_from(client, "/sign-out")
    for path in ADMIN_POSTS:
        response = client.post(
            path.format(id=user.id, sid=assignment.id),
            data={
                "csrf_token": token,
                "name": "X",
                "email": "x@nhs.example",
                "roles": "admin",
                "new_password": "x" * 20,
            },
        )
        assert response.status_code == 403, (path, response.get_data(as_text=True)[-1500:])
    session.expire_all()
    assert session.get(Supervision, assignment.id).ends_on is None
    assert not session.get(User, user.id).has_role(Role.ADMIN)


# -- people -----------------------------------------------------------------------------


def test_creating_a_person_writes_an_audit_record(as_admin, session, admin):
    response = post(
        as_admin,
        "/admin/people/new",
        {
            "name": " Pat Nurse ",
            "email": "Pat.Nurse@NHS.example",
            "job_title": "Staff Nurse",
            "band": "5",
            "team": "North CMHT",
            "target_role": "",
            "roles": ["staff", "supervisor"],
            "password": "a long enough password",
        },
        token_from="/admin/people/new",
    )
    assert response.status_code == 302
    pat = people.find_by_email(session, "pat.nurse@nhs.example")
    assert pat is not None and pat.name == "Pat Nurse"
    assert pat.roles == {Role.STAFF, Role.SUPERVISOR}
    assert pat.team.name == "North CMHT"
    assert response.headers["Location"].endswith(f"/admin/people/{pat.id}")
    created = events(session, "person_created")
    assert len(created) == 1
    record = created[0]
    assert (record.actor_id, record.subject_id, record.object_type, record.object_id) == (
        admin.id,
        pat.id,
        "user",
        str(pat.id),
    )
    assert record.detail["roles"] == ["staff", "supervisor"]
    assert record.detail["password_set"] is True
    assert "a long enough password" not in str(record.detail) and pat.password_hash not in str(record.detail)
    # the new person can sign in with the password given
    other = as_admin.application.test_client()
    sign_in(other, "pat.nurse@nhs.example", "a long enough password")


def test_a_team_is_matched_whatever_its_capitals(as_admin, session):
    session.add(Team(name="North CMHT"))
    session.commit()
    post(
        as_admin,
        "/admin/people/new",
        {"name": "Pat", "email": "pat@nhs.example", "team": "north cmht", "roles": ["staff"]},
        token_from="/admin/people/new",
    )
    assert count(session, Team) == 1
    assert people.find_by_email(session, "pat@nhs.example").team.name == "North CMHT"


def test_a_duplicate_email_is_an_error_on_the_email_field(as_admin, session):
    person(session, "Pat Nurse", "pat@nhs.example")
    before = count(session, User)
    response = post(
        as_admin,
        "/admin/people/new",
        {"name": "Another Pat", "email": " PAT@nhs.example", "roles": ["staff"]},
        token_from="/admin/people/new",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html
    assert "Someone already has this email address" in html
    assert 'href="#email"' in html  # the error summary links to the field
    assert count(session, User) == before
    assert events(session, "person_created") == []


def test_new_person_form_errors(as_admin, session):
    response = post(
        as_admin,
        "/admin/people/new",
        {"name": "", "email": "not an email", "password": "short"},
        token_from="/admin/people/new",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for field, message in [
        ("name", "Enter the person’s full name"),
        ("email", "Enter an email address in the correct format"),
        ("roles", "Select at least one role"),
        ("password", "at least 12 characters"),
    ]:
        assert f'id="{field}-error"' in html, field
        assert message in html, message
    assert count(session, User) == 1  # only the admin


def test_editing_a_person_records_what_changed(as_admin, session, admin):
    pat = person(session, "Pat Nurse", "pat@nhs.example", Role.STAFF, job_title="Nurse", band="5", team="North CMHT")
    form = as_admin.get(f"/admin/people/{pat.id}").get_data(as_text=True)  # the form shows what is held
    assert 'name="team" type="text" value="North CMHT"' in form and 'name="band" type="text" value="5"' in form
    assert re.search(r'name="roles" type="checkbox" value="staff" checked', form)
    assert not re.search(r'value="supervisor" checked', form)
    assert re.search(r'id="active" name="active" type="checkbox" value="y" checked', form)
    response = post(
        as_admin,
        f"/admin/people/{pat.id}",
        {
            "name": "Pat Nurse",
            "email": "pat@nhs.example",
            "job_title": "Senior Nurse",
            "band": "6",
            "team": "",
            "target_role": "",
            "roles": ["staff", "supervisor"],
            "active": "y",
        },
        token_from=f"/admin/people/{pat.id}",
    )
    assert response.status_code == 302
    session.expire_all()
    pat = session.get(User, pat.id)
    assert (pat.job_title, pat.band) == ("Senior Nurse", "6")
    assert pat.roles == {Role.STAFF, Role.SUPERVISOR}
    updated = events(session, "person_updated")
    assert len(updated) == 1 and updated[0].subject_id == pat.id
    assert updated[0].detail == {
        "job_title": {"from": "Nurse", "to": "Senior Nurse"},
        "band": {"from": "5", "to": "6"},
        "team": {"from": "North CMHT", "to": None},
    }
    roles = events(session, "roles_changed")
    assert len(roles) == 1 and roles[0].detail == {"from": ["staff"], "to": ["staff", "supervisor"]}


def test_deactivating_someone_signs_them_out(app, as_admin, session):
    pat = person(session, "Pat Nurse", "pat@nhs.example")
    pat_client = app.test_client()
    sign_in(pat_client, pat.email)
    assert pat_client.get("/portfolio").status_code == 200
    response = post(
        as_admin,
        f"/admin/people/{pat.id}",
        {"name": "Pat Nurse", "email": "pat@nhs.example", "roles": ["staff"]},
        token_from=f"/admin/people/{pat.id}",
    )  # "active" unticked
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, pat.id).active is False
    assert len(events(session, "person_deactivated")) == 1
    assert pat_client.get("/portfolio").status_code == 302  # signed out: sent to sign in


def test_an_admin_cannot_remove_their_own_admin_role_or_deactivate_themself(as_admin, session, admin):
    path = f"/admin/people/{admin.id}"
    response = post(
        as_admin, path, {"name": admin.name, "email": admin.email, "roles": ["staff"], "active": "y"}, token_from=path
    )
    assert response.status_code == 400
    assert "You cannot remove your own admin role" in response.get_data(as_text=True)
    response = post(
        as_admin, path, {"name": admin.name, "email": admin.email, "roles": ["staff", "admin"]}, token_from=path
    )
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    session.expire_all()
    me = session.get(User, admin.id)
    assert me.active and me.has_role(Role.ADMIN)
    assert events(session, "roles_changed") == [] and events(session, "person_deactivated") == []
    assert as_admin.get("/admin/people").status_code == 200  # still signed in


def test_setting_a_password(app, as_admin, session):
    pat = person(session, "Pat Nurse", "pat@nhs.example")
    path = f"/admin/people/{pat.id}"
    short = post(as_admin, f"{path}/password", {"new_password": "too short"}, token_from=path)
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    response = post(as_admin, f"{path}/password", {"new_password": "a brand new passphrase"}, token_from=path)
    assert response.status_code == 302
    record = events(session, "password_reset")
    assert len(record) == 1 and record[0].subject_id == pat.id
    assert "passphrase" not in str(record[0].detail)
    sign_in(app.test_client(), pat.email, "a brand new passphrase")


def test_people_list_filters(as_admin, session):
    north = Team(name="North")
    session.add(north)
    session.commit()
    person(session, "Pat Nurse", "pat@nhs.example", team="North")
    person(session, "Lee Lead", "lee@nhs.example", Role.SUPERVISOR, team="South")
    html = as_admin.get("/admin/people").get_data(as_text=True)
    assert "Pat Nurse" in html and "Lee Lead" in html and "Ada Admin" in html
    html = as_admin.get("/admin/people?q=PAT").get_data(as_text=True)
    assert "Pat Nurse" in html and "Lee Lead" not in html
    html = as_admin.get(f"/admin/people?team={north.id}").get_data(as_text=True)
    assert "Pat Nurse" in html and "Lee Lead" not in html
    html = as_admin.get("/admin/people?role=supervisor").get_data(as_text=True)
    assert "Lee Lead" in html and "Pat Nurse" not in html
    html = as_admin.get("/admin/people?q=100%25").get_data(as_text=True)  # LIKE wildcards are literal
    assert "Pat Nurse" not in html
    assert as_admin.get("/admin/people?role=wizard").status_code == 400


def _queries_for(app, client, path: str) -> int:
    seen = []
    engine = db.engine

    def count_query(*args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count_query)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count_query)
    return len(seen)


def test_people_list_and_audit_trail_queries_do_not_grow_with_the_rows(app, as_admin, session):
    def add(n, start):
        for i in range(start, start + n):
            user = people.create_person(
                session, name=f"Person {i:03}", email=f"p{i}@nhs.example", roles={Role.STAFF}, team=f"Team {i}"
            )  # a team each, so lazy loading would show
            audit.record(
                session,
                actor_id=user.id,
                action="person_created",
                object_type="user",
                object_id=user.id,
                subject_id=user.id,
            )
        session.commit()

    add(3, 0)
    few_people, few_events = _queries_for(app, as_admin, "/admin/people"), _queries_for(app, as_admin, "/admin/audit")
    few_teams = _queries_for(app, as_admin, "/admin/teams")
    add(30, 100)
    assert _queries_for(app, as_admin, "/admin/people") == few_people
    assert _queries_for(app, as_admin, "/admin/audit") == few_events
    assert _queries_for(app, as_admin, "/admin/teams") == few_teams


def test_people_list_is_paged_at_100(as_admin, session):
    for i in range(105):
        people.create_person(session, name=f"Person {i:03}", email=f"p{i}@nhs.example", roles={Role.STAFF})
    session.commit()
    first = as_admin.get("/admin/people").get_data(as_text=True)
    assert "Person 098" in first and "Person 099" not in first  # "Ada Admin" sorts first
    assert "106 people" in first and "Page 1 of 2" in first
    second = as_admin.get("/admin/people?page=2").get_data(as_text=True)
    assert "Person 099" in second and "Person 104" in second and "Person 000" not in second


def test_teams_page_counts_members(as_admin, session):
    person(session, "Pat", "pat@nhs.example", team="North")
    person(session, "Lee", "lee@nhs.example", team="North")
    session.add(Team(name="Empty"))
    session.commit()
    html = as_admin.get("/admin/teams").get_data(as_text=True)
    north = re.search(r">North</a></td>\s*<td[^>]*>(\d+)</td>", html)
    empty = re.search(r">Empty</a></td>\s*<td[^>]*>(\d+)</td>", html)
    assert north and north.group(1) == "2"
    assert empty and empty.group(1) == "0"


# -- supervision ------------------------------------------------------------------------


def test_adding_and_ending_supervision(as_admin, session, admin):
    pat = person(session, "Pat Nurse", "pat@nhs.example")
    lee = person(session, "Lee Lead", "lee@nhs.example", Role.SUPERVISOR)
    path = f"/admin/people/{pat.id}"
    today = clock.today()
    date_parts = {
        "starts_on-day": str(today.day),
        "starts_on-month": str(today.month),
        "starts_on-year": str(today.year),
    }
    response = post(as_admin, f"{path}/supervision", {"supervisor_id": str(lee.id), **date_parts}, token_from=path)
    assert response.status_code == 302
    assignment = session.scalar(select(Supervision).where(Supervision.supervisee_id == pat.id))
    assert (assignment.supervisor_id, assignment.starts_on, assignment.ends_on) == (lee.id, today, None)
    assert [e.subject_id for e in events(session, "supervision_started")] == [pat.id]

    # a second open assignment with the same supervisor is refused
    again = post(as_admin, f"{path}/supervision", {"supervisor_id": str(lee.id), **date_parts}, token_from=path)
    assert again.status_code == 400 and "already supervises" in again.get_data(as_text=True)
    assert count(session, Supervision) == 1

    # the page lists the supervisor, with a button to end the assignment
    html = as_admin.get(path).get_data(as_text=True)
    assert f"/admin/supervision/{assignment.id}/end" in html and "Lee Lead" in html

    response = post(as_admin, f"/admin/supervision/{assignment.id}/end", token_from=path)
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Supervision, assignment.id).ends_on == today
    ended = events(session, "supervision_ended")
    assert len(ended) == 1 and ended[0].subject_id == pat.id and ended[0].actor_id == admin.id
    # ending it twice changes nothing
    post(as_admin, f"/admin/supervision/{assignment.id}/end", token_from=path)
    assert len(events(session, "supervision_ended")) == 1


def test_supervision_refuses_self_and_people_without_the_role(as_admin, session):
    lee = person(session, "Lee Lead", "lee@nhs.example", Role.SUPERVISOR)
    pat = person(session, "Pat Nurse", "pat@nhs.example")
    other = person(session, "Other Staff", "other@nhs.example")
    for supervisee, supervisor in [(lee, lee), (pat, other)]:
        path = f"/admin/people/{supervisee.id}"
        response = post(
            as_admin,
            f"{path}/supervision",
            {
                "supervisor_id": str(supervisor.id),
                "starts_on-day": "1",
                "starts_on-month": "2",
                "starts_on-year": "2026",
            },
            token_from=path,
        )
        assert response.status_code == 400
        assert 'id="supervisor_id-error"' in response.get_data(as_text=True)
    bad_date = post(
        as_admin,
        f"/admin/people/{pat.id}/supervision",
        {"supervisor_id": str(lee.id), "starts_on-day": "31", "starts_on-month": "2", "starts_on-year": "2026"},
        token_from=f"/admin/people/{pat.id}",
    )
    assert bad_date.status_code == 400 and "Enter a real date" in bad_date.get_data(as_text=True)
    assert count(session, Supervision) == 0


def test_a_supervisors_page_lists_supervisees_and_deputies(as_admin, session):
    from datetime import timedelta

    from competency_portal.models import Deputy

    lee = person(session, "Lee Lead", "lee@nhs.example", Role.SUPERVISOR)
    pat = person(session, "Pat Nurse", "pat@nhs.example")
    dee = person(session, "Dee Deputy", "dee@nhs.example", Role.SUPERVISOR)
    today = clock.today()
    session.add(Supervision(supervisor_id=lee.id, supervisee_id=pat.id, starts_on=today - timedelta(days=30)))
    session.add(
        Deputy(
            supervisor_id=lee.id,
            deputy_id=dee.id,
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=6),
        )
    )
    session.commit()
    html = as_admin.get(f"/admin/people/{lee.id}").get_data(as_text=True)
    supervising = html[html.index('id="supervising"') :]
    assert "Pat Nurse" in supervising
    assert "Dee Deputy" in supervising and "Covering now" in supervising
    assert "/admin/deputies" not in html  # read-only: supervisors name their own deputies


# -- the staff import -------------------------------------------------------------------

HEADER = "Name,Email,Job Title,Band,Team,Supervisor Email,Role\n"
GOOD = (
    HEADER
    + "Lee Lead,lee@nhs.example,Team Lead,7,North CMHT,,staff;supervisor\n"
    + "Pat Nurse,pat@nhs.example,Staff Nurse,5,North CMHT,lee@nhs.example,staff\n"
    + "Sid Staff,sid@nhs.example,Support Worker,3,South CMHT,lee@nhs.example,\n"
).encode()


def test_the_import_preview_writes_nothing(as_admin, session, imports_dir):
    users, audits, teams = count(session, User), count(session, AuditEvent), count(session, Team)
    response = upload(as_admin, b"\xef\xbb\xbf" + GOOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "3 rows: 3 to create, 0 to update, 0 with no change" in html
    assert import_token(response) is not None
    session.expire_all()
    assert (count(session, User), count(session, AuditEvent), count(session, Team)) == (users, audits, teams)
    assert count(session, Supervision) == 0


def test_confirming_an_import_writes_every_row_and_the_audit_records(as_admin, session, admin, imports_dir):
    existing = person(session, "Ann Nurse", "ann@nhs.example", job_title="Nurse", band="5")
    old_lead = person(session, "Old Lead", "old@nhs.example", Role.SUPERVISOR)
    session.add(
        Supervision(supervisor_id=old_lead.id, supervisee_id=existing.id, starts_on=clock.today().replace(year=2020))
    )
    session.commit()
    data = GOOD + b"Ann Nurse,ann@nhs.example,Senior Nurse,6,North CMHT,lee@nhs.example,staff\n"
    preview = upload(as_admin, data)
    token = import_token(preview)
    assert token and (imports_dir / f"staff-{token}.csv").is_file()
    assert "4 rows: 3 to create, 1 to update" in preview.get_data(as_text=True)

    response = post(as_admin, "/admin/import/confirm", {"token": token}, token_from="/admin/import")
    assert response.status_code == 302
    done = as_admin.get(response.headers["Location"])
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "3 people created, 1 updated, 0 unchanged" in text
    assert "have no password" in text
    assert not (imports_dir / f"staff-{token}.csv").exists()

    session.expire_all()
    lee, pat, sid = (
        people.find_by_email(session, e) for e in ("lee@nhs.example", "pat@nhs.example", "sid@nhs.example")
    )
    assert lee.roles == {Role.STAFF, Role.SUPERVISOR} and lee.password_hash is None
    assert (pat.job_title, pat.band, pat.team.name) == ("Staff Nurse", "5", "North CMHT")
    assert sid.team.name == "South CMHT" and sid.roles == {Role.STAFF}
    ann = session.get(User, existing.id)
    assert (ann.job_title, ann.band, ann.team.name) == ("Senior Nurse", "6", "North CMHT")
    open_for = {
        s.supervisee_id: s.supervisor_id
        for s in session.scalars(select(Supervision).where(Supervision.ends_on.is_(None)))
    }
    assert open_for == {pat.id: lee.id, sid.id: lee.id, ann.id: lee.id}
    ended = session.scalar(select(Supervision).where(Supervision.supervisor_id == old_lead.id))
    assert ended.ends_on == clock.today()

    created = events(session, "person_created")
    assert sorted(e.subject_id for e in created) == sorted([lee.id, pat.id, sid.id])
    assert all(e.actor_id == admin.id for e in created)
    updated = events(session, "person_updated")
    assert [e.subject_id for e in updated] == [ann.id]
    assert updated[0].detail["band"] == {"from": "5", "to": "6"}
    assert updated[0].detail["supervisor"] == {"from": ["old@nhs.example"], "to": "lee@nhs.example"}
    summary = events(session, "staff_imported")
    assert len(summary) == 1 and summary[0].detail == {"rows": 4, "created": 3, "updated": 1, "unchanged": 0}

    assert audit.verify(session).ok  # the records extend the hash chain properly

    # confirming the same upload again does nothing more
    again = post(as_admin, "/admin/import/confirm", {"token": token}, token_from="/admin/import")
    assert again.status_code == 302 and again.headers["Location"].endswith("/admin/import")
    assert len(events(session, "staff_imported")) == 1


def test_an_import_with_one_bad_row_writes_nothing(as_admin, session, imports_dir):
    data = GOOD + b"Bad Row,not-an-email,Nurse,5,North CMHT,,staff\n"
    users = count(session, User)
    stored_before = set(imports_dir.glob("*.csv"))
    response = upload(as_admin, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Row 5: “not-an-email” is not a valid email address" in html
    assert import_token(response) is None  # no confirm button
    assert "/admin/import/confirm" not in html
    assert set(imports_dir.glob("*.csv")) == stored_before  # nothing kept for a file that cannot be imported
    session.expire_all()
    assert count(session, User) == users
    assert events(session, "staff_imported") == []


def test_a_whole_file_problem_is_shown_on_the_file_field(as_admin, session, imports_dir):
    response = upload(as_admin, "Name,Email\nZoë,zoe@nhs.example\n".encode("cp1252"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and "not UTF-8" in html
    response = upload(as_admin, b"Name,Email\nAl,al@nhs.example\n")
    assert response.status_code == 400 and "The file has no" in response.get_data(as_text=True)


def test_confirm_refuses_a_token_that_is_not_an_upload(as_admin, session, imports_dir):
    for token in ["../../etc/passwd", "A" * 32, "0" * 31, "0" * 32]:
        response = post(as_admin, "/admin/import/confirm", {"token": token}, token_from="/admin/import")
        assert response.status_code == 302 and response.headers["Location"].endswith("/admin/import"), token
    assert count(session, User) == 1
    assert events(session, "staff_imported") == []


def test_confirm_checks_the_file_again_and_writes_nothing_if_things_changed(as_admin, session, imports_dir):
    boss = person(session, "Bo Boss", "boss@nhs.example", Role.SUPERVISOR)
    data = (
        HEADER
        + "Pat Nurse,pat@nhs.example,Nurse,5,North,boss@nhs.example,staff\n"
        + "Sid Staff,sid@nhs.example,Nurse,5,North,,staff\n"
    ).encode()
    token = import_token(upload(as_admin, data))
    assert token
    boss.active = False  # after the preview, the supervisor leaves
    session.commit()
    users = count(session, User)
    response = post(as_admin, "/admin/import/confirm", {"token": token}, token_from="/admin/import")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Things changed after the preview" in html and "boss@nhs.example is deactivated" in html
    session.expire_all()
    assert count(session, User) == users
    assert events(session, "staff_imported") == [] and events(session, "person_created") == []
    assert not (imports_dir / f"staff-{token}.csv").exists()


def test_the_import_result_page_follows_an_import_job_and_nothing_else(as_admin, session, admin):
    assert as_admin.get("/admin/import/999").status_code == 404
    other = Job(kind="email", label="Email to someone", payload={}, attempts=0, progress_done=0, max_attempts=5)
    waiting = Job(kind="staff_import", label="Import staff", payload={}, attempts=0, progress_done=0, max_attempts=3)
    session.add_all([other, waiting])
    session.commit()
    assert as_admin.get(f"/admin/import/{other.id}").status_code == 404
    html = as_admin.get(f"/admin/import/{waiting.id}").get_data(as_text=True)
    assert "Importing staff" in html and "Waiting to start" in html and 'http-equiv="refresh"' in html


# -- the audit trail --------------------------------------------------------------------


def test_audit_trail_filters_by_person_and_object(as_admin, session, admin):
    pat = person(session, "Pat Nurse", "pat@nhs.example")
    lee = person(session, "Lee Lead", "lee@nhs.example", Role.SUPERVISOR)
    audit.record(
        session,
        actor_id=lee.id,
        action="evidence_signed",
        object_type="evidence",
        object_id=7,
        subject_id=pat.id,
        detail={"items": ["RA.1", "RA.2"], "comment": "Good"},
    )
    audit.record(
        session,
        actor_id=admin.id,
        action="person_updated",
        object_type="user",
        object_id=lee.id,
        subject_id=lee.id,
        detail={"band": {"from": "6", "to": "7"}},
    )
    audit.record(
        session, actor_id=pat.id, action="evidence_submitted", object_type="evidence", object_id=8, subject_id=pat.id
    )
    session.commit()

    everything = as_admin.get("/admin/audit").get_data(as_text=True)
    assert "evidence signed" in everything and "person updated" in everything and "evidence submitted" in everything
    assert "Band: 6 → 7" in everything and "Items: RA.1, RA.2" in everything
    # newest first
    assert (
        everything.index("evidence submitted")
        < everything.index("person updated")
        < everything.index("evidence signed")
    )

    by_lee = as_admin.get("/admin/audit?person=LEE@nhs.example").get_data(as_text=True)
    assert "evidence signed" in by_lee and "person updated" in by_lee  # as actor and as subject
    assert "evidence submitted" not in by_lee

    by_id = as_admin.get(f"/admin/audit?person_id={pat.id}").get_data(as_text=True)
    assert "evidence signed" in by_id and "evidence submitted" in by_id and "person updated" not in by_id

    evidence_7 = as_admin.get("/admin/audit?object_type=evidence&object_id=7").get_data(as_text=True)
    assert "evidence signed" in evidence_7 and "evidence submitted" not in evidence_7

    unknown = as_admin.get("/admin/audit?person=nobody@nhs.example")
    assert unknown.status_code == 400 and "No one has that email address" in unknown.get_data(as_text=True)


def test_audit_trail_pages_by_seq(as_admin, session, admin):
    for i in range(105):
        audit.record(session, actor_id=admin.id, action=f"thing_{i:03}", object_type="test", object_id=i)
    session.commit()
    first = as_admin.get("/admin/audit?object_type=test").get_data(as_text=True)
    assert "thing 104" in first and "thing 005" in first and "thing 004" not in first
    older = re.search(r'href="([^"]*before=\d+[^"]*)"', first)
    assert older
    second = as_admin.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "thing 004" in second and "thing 000" in second and "thing 005" not in second


def test_the_import_sets_target_roles_and_its_sample_file_imports_as_it_stands(as_admin, session, seeded, imports_dir):
    page = as_admin.get("/admin/import").get_data(as_text=True)
    assert "Target role" in page and "care-coordinator-band-6" in page and "Download a sample file (CSV)" in page
    sample = as_admin.get("/admin/import/sample.csv")
    assert sample.status_code == 200 and sample.mimetype == "text/csv"
    assert sample.get_data(as_text=True).splitlines()[0].endswith(",Target role,Employee number")
    preview = upload(as_admin, sample.get_data())
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert (
        post(
            as_admin, "/admin/import/confirm", {"token": import_token(preview)}, token_from="/admin/import"
        ).status_code
        == 302
    )
    session.expire_all()
    ali = people.find_by_email(session, "ali.khan@example.nhs.uk")
    assert (ali.target_role, ali.employee_number) == ("care-coordinator-band-6", "100102")
    assert [e.detail["target_role"] for e in events(session, "person_created") if e.subject_id == ali.id] == [
        "care-coordinator-band-6"
    ]

    wrong = upload(
        as_admin,
        b"Name,Email,Job title,Band,Team,Supervisor email,Role,Target role\n"
        b"Bo Nurse,bo@nhs.example,Nurse,5,North CMHT,,staff,Band 6 nurse\n",
    )
    assert wrong.status_code == 400
    assert (
        "Row 2: Target role “Band 6 nurse” is not a role profile: use one of care-coordinator-band-6"
        in wrong.get_data(as_text=True)
    )


def test_the_import_sets_and_changes_employee_numbers_and_refuses_one_that_is_someone_elses(
    as_admin, session, imports_dir
):
    ann = person(session, "Ann Nurse", "ann@nhs.example")
    ann.employee_number = "200"
    session.commit()
    header = b"Name,Email,Job title,Band,Team,Supervisor email,Role,Employee number\n"
    taken = upload(as_admin, header + b"Bo Nurse,bo@nhs.example,Nurse,5,North CMHT,,staff,200\n")
    assert taken.status_code == 400
    assert "Row 2: Employee number 200 already belongs to ann@nhs.example" in taken.get_data(as_text=True)
    twice = upload(
        as_admin,
        header
        + b"Bo Nurse,bo@nhs.example,Nurse,5,North CMHT,,staff,300\n"
        + b"Cy Nurse,cy@nhs.example,Nurse,5,North CMHT,,staff,300\n",
    )
    assert "Row 3: Employee number 300 is also on row 2" in twice.get_data(as_text=True)

    preview = upload(
        as_admin,
        header + b"Ann Nurse,ann@nhs.example,,,,,staff,201\nBo Nurse,bo@nhs.example,Nurse,5,North CMHT,,staff,300\n",
    )
    assert "2 rows: 1 to create, 1 to update" in preview.get_data(as_text=True)
    confirm = post(as_admin, "/admin/import/confirm", {"token": import_token(preview)}, token_from="/admin/import")
    assert confirm.status_code == 302
    session.expire_all()
    assert people.find_by_email(session, "ann@nhs.example").employee_number == "201"
    assert people.find_by_email(session, "bo@nhs.example").employee_number == "300"
    changed = [e.detail for e in events(session, "person_updated") if e.subject_id == ann.id]
    assert changed[-1]["employee_number"] == {"from": "200", "to": "201"}


def test_an_import_without_a_target_role_column_says_who_will_have_none(as_admin, session, imports_dir):
    html = upload(as_admin, GOOD).get_data(as_text=True)
    assert "The file has no target role column" in html
