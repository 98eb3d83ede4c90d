"""Everything held about me: one archive with every record that names the person, their files and a summary;
checked against the database itself, so a new table that names people fails here until it is included."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timezone

from pypdf import PdfReader
from sqlalchemy import select

from competency_portal import storage
from competency_portal.extensions import db
from competency_portal.models import (
    AuditEvent,
    Base,
    CredentialKind,
    ExternalIdentity,
    Item,
    PasswordSignIn,
    RecoveryCode,
    SiteSetting,
    TotpFactor,
    User,
)
from competency_portal.services import credential_offers, credentials, demo, subject_access
from competency_portal.services.subject_access_registry import CHILDREN, DIRECT, WITHHELD, user_columns
from tests.credential_helpers import issuer
from tests.portal_helpers import signed_in


def _open(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _archive(app, person_id: int, actor_id: int | None = None) -> zipfile.ZipFile:
    person = db.session.get(User, person_id)
    actor = db.session.get(User, actor_id or person_id)
    bundle = subject_access.archive(
        db.session, person, actor, storage.from_config(app.config), datetime.now(timezone.utc)
    )
    db.session.commit()
    return _open(bundle.read())


def _records(bundle: zipfile.ZipFile, table: str) -> list[dict]:
    name = f"records/{table}.json"
    return json.loads(bundle.read(name)) if name in bundle.namelist() else []


def test_every_column_that_names_a_person_is_in_the_registry():
    covered = {(s.table, c) for s in DIRECT for c in s.columns} | {("user_account", "id")}
    missing = [
        f"{table.name}.{column}"
        for table in Base.metadata.sorted_tables
        for column in user_columns(table)
        if (table.name, column) not in covered
    ]
    assert not missing, f"add these to subject_access_registry.DIRECT (or the archive misses them): {missing}"
    assert {s.table for s in CHILDREN} <= set(Base.metadata.tables)


def _with_more_records(app, world) -> None:
    """Beyond the world: a credential, a second factor with its secret, so the archive has them to hold or withhold."""
    owner = db.session.get(User, world.id("owner"))
    item = db.session.get(Item, world.item_ids[2])
    credentials.issue(
        db.session, owner, CredentialKind.ITEM, item.case_identifier, issuer(app), datetime.now(timezone.utc)
    )
    db.session.add(TotpFactor(user_id=owner.id, secret="JBSWY3DPEHPK3PXPSECRETSECRET"))
    db.session.commit()


def test_the_archive_holds_every_row_of_the_database_that_names_the_person(app, seeded, tmp_path, monkeypatch):
    """On the demo data (appraisals, training, recruitment, cover, evidence in every state), for everyone in it."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    demo.seed(db.session, date.today(), "development", storage.from_config(app.config))
    _and_what_the_demo_lacks(app)
    db.session.commit()
    named: set[str] = set()
    for person_id in db.session.scalars(select(User.id).order_by(User.id)).all():
        expected = {}  # read before the archive is made (making it adds one audit record, after)
        for table in Base.metadata.sorted_tables:
            columns = user_columns(table) or (["id"] if table.name == "user_account" else [])
            keys = [c.name for c in table.primary_key.columns]
            for column in columns:
                for row in db.session.execute(select(table).where(table.c[column] == person_id)).mappings():
                    expected.setdefault(table.name, {})[tuple(row[k] for k in keys)] = column
        named |= set(expected)
        bundle = _archive(app, person_id)
        for name, rows in expected.items():
            keys = [c.name for c in Base.metadata.tables[name].primary_key.columns]
            archived = {tuple(r[k] for k in keys) for r in _records(bundle, name)}
            missing = {key: column for key, column in rows.items() if key not in archived}
            assert not missing, f"person {person_id}: rows of {name} not in the archive: {missing}"
    with_users = {t.name for t in Base.metadata.sorted_tables if user_columns(t)}
    assert len(named & with_users) >= 24, f"the demo should name people in most tables; it names {sorted(named)}"


def _and_what_the_demo_lacks(app) -> None:
    """A credential, two-factor sign-in, a provider account and a changed setting, for demo people."""
    staff = db.session.scalar(select(User).where(User.email == "priya.shah@example.nhs.uk"))
    admin = db.session.scalar(select(User).where(User.email == "admin@example.nhs.uk"))
    offer = credential_offers.offers(db.session, staff, date.today())[-1]
    credentials.issue(db.session, staff, offer.kind, offer.ref, issuer(app), datetime.now(timezone.utc))
    db.session.add(TotpFactor(user_id=admin.id, secret="JBSWY3DPEHPK3PXPSECRETSECRET"))
    db.session.add(RecoveryCode(user_id=admin.id, code_hash="0" * 64))
    db.session.add(ExternalIdentity(provider="entra", subject="priya-at-entra", user_id=staff.id))
    db.session.add(SiteSetting(name="password_sign_in", value=PasswordSignIn.NOT_STAFF.value, changed_by_id=admin.id))


def test_evidence_comes_whole_with_every_revision_sign_off_and_file_and_secrets_stay_out(app, world):
    _with_more_records(app, world)
    owner = db.session.get(User, world.id("owner"))
    password_hash, session_token = owner.password_hash, owner.session_token
    bundle = _archive(app, owner.id)
    names = bundle.namelist()
    assert {"README.txt", "manifest.json", "summary.pdf"} <= set(names)
    revisions = _records(bundle, "evidence_revision")
    assert {r["evidence_id"] for r in revisions} == {world.submitted, world.signed, world.draft}
    assert any(r["title"] == "Care plan review" for r in revisions)
    assert [s["id"] for s in _records(bundle, "sign_off")] == [world.sign_off]
    assert _records(bundle, "sign_off_item") and _records(bundle, "evidence_link")
    files = [n for n in names if n.startswith("attachments/")]
    assert len(files) == 2 and all(bundle.read(n).startswith(b"%PDF") for n in files)
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["attachments_missing"] == [] and manifest["withheld"]["totp_factor"] == ["secret"]
    assert _records(bundle, "issued_credential")[0]["holder_id"] == owner.id
    assert _records(bundle, "notification") and _records(bundle, "user_role")
    everything = b"".join(bundle.read(n) for n in names if not n.endswith(".pdf"))
    for secret in (password_hash, session_token, "JBSWY3DPEHPK3PXPSECRETSECRET"):
        assert secret.encode() not in everything
    assert "password_hash" not in _records(bundle, "user_account")[0]
    # Someone else's evidence never comes in the owner's archive.
    assert "Someone else's reflection" not in everything.decode()
    summary = "".join(page.extract_text() for page in PdfReader(io.BytesIO(bundle.read("summary.pdf"))).pages)
    assert "Everything held about Owner" in summary and "Care plan review" in summary


def test_a_supervisors_archive_has_their_decisions_but_not_their_supervisees_evidence(app, world):
    bundle = _archive(app, world.id("supervisor"))
    assert [s["id"] for s in _records(bundle, "sign_off")] == [world.sign_off]  # the decision they made
    assert _records(bundle, "evidence_revision") == []  # the owner's words stay the owner's
    assert not [n for n in bundle.namelist() if n.startswith("attachments/")]
    actor_only = [e for e in _records(bundle, "audit_event") if e["subject_id"] != world.id("supervisor")]
    assert actor_only and all(e["detail"].startswith("(withheld") for e in actor_only)


def _made(browser, asked) -> tuple[str, object]:
    """Follow an archive request to its job's page, and download what it made from there."""
    assert asked.status_code == 302
    job_page = asked.headers["Location"]
    page = browser.get(job_page).get_data(as_text=True)
    assert "The archive is ready" in page and "for you alone to download" in page
    return job_page, browser.get(f"{job_page}/file")


def test_a_person_downloads_their_own_archive_and_an_administrator_anyones(app, world):
    owner = signed_in(app, world, "owner")
    page = owner.get("/account/data")
    assert page.status_code == 200 and "Make the archive" in page.get_data(as_text=True)
    job_page, download = _made(owner, owner.post("/account/data", {}))
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "everything-held-about-owner-" in download.headers["Content-Disposition"]
    assert _records(_open(download.data), "user_account")[0]["email"] == world.emails["owner"]
    # The file is the owner's alone: not even an administrator downloads it.
    admin = signed_in(app, world, "admin")
    assert admin.get(f"{job_page}/file").status_code == 404
    assert signed_in(app, world, "other_staff").get(f"{job_page}/file").status_code == 404
    _, answered = _made(admin, admin.post(f"/admin/people/{world.id('other_staff')}/data", {}))
    assert _records(_open(answered.data), "user_account")[0]["id"] == world.id("other_staff")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "subject_access_archive")).all()
    assert [(e.actor_id, e.subject_id) for e in events] == [
        (world.id("owner"), world.id("owner")),
        (world.id("admin"), world.id("other_staff")),
    ]
    assert signed_in(app, world, "supervisor").post(f"/admin/people/{world.id('owner')}/data", {}).status_code == 403
    assert set(WITHHELD) == {
        "user_account",
        "totp_factor",
        "recovery_code",
        "api_token",
        "api_client",
        "background_job",
    }


def test_the_reading_order_names_real_tables_and_the_summary_starts_with_the_person(app, world):
    from competency_portal.services.subject_access_registry import READING_ORDER

    assert set(READING_ORDER) <= set(Base.metadata.tables)
    summary = _archive(app, world.id("owner")).read("summary.pdf")
    text = PdfReader(io.BytesIO(summary)).pages[0].extract_text()
    assert text.index("Your profile") < text.index("Your roles") < text.index("Your evidence")
