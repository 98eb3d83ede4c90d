"""Shared helpers for test_permissions.py and test_bad_input.py.

A `World` of seven kinds of user with evidence, attachments, a sign-off and notifications, built
through the services; a `Browser` (test client) that signs in through the real form with a CSRF
token; and `snapshot`, which reads every table so a test can prove a request changed nothing.

Each request runs in its own app context: the test itself holds one open (conftest), and a
request reusing it would share `g` (Flask-Login caches the signed-in person there) and the
database session with the test and with every other client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from competency_portal import storage
from competency_portal.extensions import db
from competency_portal.models import (
    Attachment,
    Decision,
    EvidenceType,
    ExternalIdentity,
    Notification,
    PasswordSignIn,
    Role,
    SignOff,
    SiteSetting,
    Supervision,
    User,
)
from competency_portal.services import attachments, people, signoff
from competency_portal.services import evidence as evidence_service
from competency_portal.services.catalogue import scale_labels

PASSWORD = "a-long-test-password-2026"
TARGET_ROLE = "care-coordinator-band-6"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"

KINDS = ("anonymous", "owner", "other_staff", "supervisor", "unrelated_supervisor", "recruiter", "admin")
SUPERVISION_START = date(2020, 1, 1)
PAST_DAY = date(2025, 3, 3)

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def body(response) -> str:
    """A response's text."""
    return response.get_data(as_text=True)


def assert_no_crash(response, what: str = "") -> None:
    """Never a server error, never a traceback."""
    text = response.get_data().decode("utf-8", "replace")  # downloads (PDF, XLSX) are not UTF-8
    assert response.status_code < 500, f"{what}: server error {response.status_code}"
    assert "Traceback" not in text, f"{what}: traceback in the response"


class Browser:
    """A test client that runs each request in a fresh app context and knows its CSRF token."""

    def __init__(self, app, kind: str = "anonymous"):
        self.app = app
        self.kind = kind
        self.client = app.test_client()

    def open(self, method: str, url: str, **kwargs):
        with self.app.app_context():
            response = self.client.open(url, method=method, **kwargs)
            response.get_data()  # read inside the context
        return response

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def token(self) -> str:
        """A valid CSRF token for this client's session (from any page with a form)."""
        for page in ("/sign-in", "/sign-out", "/notifications"):
            response = self.get(page)
            if response.status_code == 200:
                found = _TOKEN.search(body(response))
                if found:
                    return found.group(1) or found.group(2)
        raise AssertionError(f"no page with a CSRF token for {self.kind}")

    def post(self, url: str, data: dict | None = None, csrf: str | bool = True, **kwargs):
        """POST a form; `csrf=True` adds a real token, a string sends that token, False sends none."""
        data = dict(data or {})
        if csrf is True:
            data["csrf_token"] = self.token()
        elif csrf:
            data["csrf_token"] = csrf
        return self.open("POST", url, data=data, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, f"sign-in as {email} failed: {response.status_code}"


def location(response) -> str:
    """Where a redirect goes: path and query."""
    parts = urlsplit(response.headers.get("Location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def is_sign_in_redirect(response, requested: str) -> bool:
    """A redirect to the sign-in page that comes back to `requested`."""
    if response.status_code != 302:
        return False
    parts = urlsplit(response.headers["Location"])
    nxt = parse_qs(parts.query).get("next", [None])[0]
    return parts.path == "/sign-in" and nxt is not None and urlsplit(nxt).path == urlsplit(requested).path


def snapshot(session=None) -> dict[str, list[tuple]]:
    """Every row of every table, in key order: equal snapshots mean nothing was written."""
    session = session or db.session
    out = {}
    for table in db.metadata.sorted_tables:
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        out[table.name] = [tuple(row) for row in rows]
    session.rollback()
    return out


def diff(before: dict, after: dict) -> list[str]:
    """Which tables differ between two snapshots."""
    return [name for name in before if before[name] != after.get(name)]


def count(model) -> int:
    from sqlalchemy import func

    value = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return value


@dataclass
class World:
    """Ids of everything the permission and bad-input tests need (ids, never live ORM objects)."""

    users: dict[str, int] = field(default_factory=dict)  # kind -> user id
    emails: dict[str, str] = field(default_factory=dict)
    item_ids: list[int] = field(default_factory=list)  # items in the owner's role profile
    outside_item_id: int = 0  # a real item not in the role profile
    levels: dict[int, list[int]] = field(default_factory=dict)  # item id -> levels on its scale
    submitted: int = 0  # owner's evidence, submitted to the supervisor, with an attachment
    submitted_items: list[int] = field(default_factory=list)
    attachment: int = 0  # on `submitted`
    signed: int = 0  # owner's evidence, signed off by the supervisor
    sign_off: int = 0
    draft: int = 0  # owner's draft, with an attachment
    draft_attachment: int = 0
    others: int = 0  # other staff member's evidence (a draft) with an attachment
    others_attachment: int = 0
    others_sign_off: int = 0  # the unrelated supervisor's sign-off of other staff's evidence
    supervision: int = 0  # supervisor -> owner assignment
    owner_notification: int = 0
    framework_slug: str = ""
    item_code: str = ""

    def id(self, kind: str) -> int:
        return self.users[kind]


def _person(session, kind: str, roles: set[Role], target_role: str | None = TARGET_ROLE) -> User:
    return people.create_person(
        session,
        name=kind.replace("_", " ").title(),
        email=f"{kind.replace('_', '.')}@example.nhs.uk",
        roles=roles,
        job_title="Test " + kind,
        target_role=target_role,
        password=PASSWORD,
    )


def _input(title: str, item_ids: list[int], files=()) -> evidence_service.EvidenceInput:
    return evidence_service.EvidenceInput(
        title=title,
        evidence_type=EvidenceType.REFLECTIVE_ACCOUNT,
        activity_date=PAST_DAY,
        description=f"What I did: {title}.",
        item_ids=list(item_ids),
        files=list(files),
    )


def build_world(app, session) -> World:
    """The seven kinds of user, evidence in every useful state, a sign-off and notifications."""
    world = World()
    now = datetime.now(timezone.utc)
    store = storage.from_config(app.config)
    pdf = attachments.check("care-plan.pdf", PDF, app.config["MAX_ATTACHMENT_BYTES"])

    made = {
        "owner": _person(session, "owner", {Role.STAFF}),
        "other_staff": _person(session, "other_staff", {Role.STAFF}),
        "supervisor": _person(session, "supervisor", {Role.SUPERVISOR, Role.STAFF}),
        "unrelated_supervisor": _person(session, "unrelated_supervisor", {Role.SUPERVISOR, Role.STAFF}),
        "recruiter": _person(session, "recruiter", {Role.RECRUITER}, None),
        "admin": _person(session, "admin", {Role.ADMIN}, None),
    }
    world.users = {kind: user.id for kind, user in made.items()}
    world.emails = {kind: user.email for kind, user in made.items()}
    owner, other, sup, unrel = made["owner"], made["other_staff"], made["supervisor"], made["unrelated_supervisor"]
    assignment = Supervision(supervisor_id=sup.id, supervisee_id=owner.id, starts_on=SUPERVISION_START, ends_on=None)
    session.add(assignment)
    session.add(Supervision(supervisor_id=unrel.id, supervisee_id=other.id, starts_on=SUPERVISION_START, ends_on=None))
    session.flush()
    world.supervision = assignment.id

    groups = evidence_service.picker_groups(session, owner)
    items = [item for g in groups for item in g.items]
    assert len(items) >= 4, "the role profile should offer items"
    world.item_ids = [item.id for item in items]
    labels = scale_labels(session)
    from competency_portal.models import Item

    for item in items[:6]:
        world.levels[item.id] = sorted(labels[item.version.scale_slug])
    outside = session.scalar(select(Item).where(Item.id.not_in(world.item_ids)).order_by(Item.id).limit(1))
    world.outside_item_id = outside.id
    world.framework_slug = items[0].version.framework.slug
    world.item_code = items[0].code

    submitted = evidence_service.create(
        session, owner, _input("Risk assessment with a carer", world.item_ids[:2], [pdf]), store
    )
    evidence_service.submit(session, submitted, owner, now)
    world.submitted, world.submitted_items = submitted.id, world.item_ids[:2]
    world.attachment = submitted.current.attachments[0].id

    signed = evidence_service.create(session, owner, _input("Care plan review", world.item_ids[2:3]), store)
    evidence_service.submit(session, signed, owner, now)
    session.flush()
    item = world.item_ids[2]
    decided = signoff.decide(
        session, signed, sup, Decision.SIGNED_OFF, {item: world.levels[item][-1]}, {}, "Good", signed.lock_version, now
    )
    world.signed, world.sign_off = signed.id, decided.id

    draft = evidence_service.create(session, owner, _input("Crisis plan draft", world.item_ids[3:4], [pdf]), store)
    world.draft, world.draft_attachment = draft.id, draft.current.attachments[0].id

    theirs = evidence_service.create(
        session, other, _input("Someone else's reflection", world.item_ids[:1], [pdf]), store
    )
    world.others, world.others_attachment = theirs.id, theirs.current.attachments[0].id
    theirs_signed = evidence_service.create(
        session, other, _input("Someone else's signed work", world.item_ids[:1]), store
    )
    evidence_service.submit(session, theirs_signed, other, now)
    session.flush()
    world.others_sign_off = signoff.decide(
        session,
        theirs_signed,
        unrel,
        Decision.SIGNED_OFF,
        {world.item_ids[0]: world.levels[world.item_ids[0]][-1]},
        {},
        None,
        theirs_signed.lock_version,
        now,
    ).id
    session.flush()
    world.owner_notification = session.scalar(select(Notification.id).where(Notification.user_id == owner.id).limit(1))
    assert world.owner_notification, "the sign-off should have notified the owner"
    # Sign-in as administrators set it: the owner's account at a provider, and a saved setting (which
    # counts only while a provider is configured, so nobody here is kept from their password).
    session.add(ExternalIdentity(provider="entra", subject="owner-at-entra", user_id=owner.id))
    session.add(SiteSetting(name="password_sign_in", value=PasswordSignIn.NOT_STAFF.value))
    session.commit()
    return world


def signed_in(app, world: World, kind: str) -> Browser:
    """A browser signed in as the world's user of this kind."""
    browser = Browser(app, kind)
    browser.sign_in(world.emails[kind])
    return browser


def browsers(app, world: World) -> dict[str, Browser]:
    """A signed-in browser for each kind of user (and an anonymous one)."""
    return {"anonymous": Browser(app), **{kind: signed_in(app, world, kind) for kind in KINDS[1:]}}


def evidence_form(item_ids, **overrides) -> dict:
    """A valid evidence form (without the CSRF token)."""
    data = {
        "title": "Working with a family in crisis",
        "evidence_type": "reflective_account",
        "activity_date-day": "3",
        "activity_date-month": "3",
        "activity_date-year": "2025",
        "description": "I coordinated the crisis plan and reviewed it with the family.",
        "items": [str(i) for i in item_ids],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def upload(data: bytes, name: str):
    return (BytesIO(data), name)


def future(days: int) -> datetime:
    """An aware datetime `days` from now (for PORTAL_NOW)."""
    return datetime.now(timezone.utc) + timedelta(days=days)


def attachment_exists(attachment_id: int) -> bool:
    found = db.session.get(Attachment, attachment_id) is not None
    db.session.rollback()
    return found


def sign_off_count() -> int:
    return count(SignOff)
