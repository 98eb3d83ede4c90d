"""Crash safety: a server killed mid-way through a stream of evidence with attachments loses no
acknowledged submission and leaves nothing half-saved, with attachments on disk and in S3.

Every test runs on both storage backends: an upload folder of the test's own, and a fresh bucket on
a real S3-compatible server (moto's, tests/s3_server.py). The real server (gunicorn, production
settings) runs as a subprocess on a free loopback port, against the test database. Client threads
stream evidence (each with a distinct attachment) and submit it; once enough are acknowledged, with
others still in flight, the whole server is SIGKILLed; it is started again and everything is
checked: every acknowledged piece is complete (record, revision, links, attachment row and a file
whose SHA-256 matches), and nothing is half-present (no attachment row without its file, no file
without a row, nothing left pending). Smaller tests drive the start-up sweep directly with processes
that die before or after their commit, so both crash windows are exercised on every run. In S3 a
marker is judged only once its lease has run out (storage/s3.py): the tests use a lease of seconds,
and the restarted server settles the killed requests' uploads when it runs out.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from world import PASSWORD, draft, item_ids, person, supervise

from competency_portal import storage
from competency_portal.extensions import db
from competency_portal.models import Attachment, AuditHead, Evidence, EvidenceRevision, EvidenceState, Role, User
from competency_portal.services import audit
from loadtest.client import Client, UnexpectedResponse, csrf_token, redirect_path
from loadtest.server import Server, production_env
from tests.s3_server import Backend, saved_by_a_process_that_dies

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 3  # client threads, one staff member each
KILL_AFTER = 6  # acknowledged submissions before the kill
ATTACHMENT_BYTES = 256 * 1024


def _attachment(tag: str) -> bytes:
    """A plain-text attachment, different for every submission, big enough to be in flight for a while."""
    line = f"Reflective note {tag}: {secrets.token_hex(24)}\n".encode()
    return line * (ATTACHMENT_BYTES // len(line))


class Writer(threading.Thread):
    """One staff member recording evidence with an attachment and submitting it, until told to stop."""

    def __init__(self, base_url: str, email: str, items: list[int], tag: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.client = Client(base_url, who=email)
        self.email, self.items, self.tag, self.stop = email, items, tag, stop
        self.acknowledged: dict[
            int, tuple[str, str]
        ] = {}  # evidence id -> (title, sha256), the server said it was saved
        self.submitted: set[int] = set()  # evidence ids the server said were submitted
        self.attempted: dict[str, str] = {}  # title -> sha256 of everything sent
        self.failure: str | None = None
        self.creating = False  # a creation has been sent and not yet answered

    def run(self) -> None:
        try:
            self.client.sign_in(self.email, PASSWORD)
            token = csrf_token(self.client.get("/portfolio/evidence/new").text)
        except UnexpectedResponse as exc:
            self.failure = str(exc)
            return
        for number in range(200):  # bounded; the kill ends it long before
            if self.stop.is_set():
                return
            title, data = f"Crash {self.tag}-{number}", _attachment(f"{self.tag}-{number}")
            self.attempted[title] = hashlib.sha256(data).hexdigest()
            form = {
                "title": title,
                "evidence_type": "reflective_account",
                "activity_date-day": "3",
                "activity_date-month": "3",
                "activity_date-year": "2025",
                "csrf_token": token,
                "description": f"What I did ({title}).",
                "items": [str(i) for i in self.items],
            }
            try:
                self.creating = True
                response = self.client.request(
                    "POST",
                    "/portfolio/evidence/new",
                    (302,),
                    data=form,
                    files={"attachments": (f"{title}.txt", data, "text/plain")},
                )
                self.creating = False
                evidence_id = int(redirect_path(response).rsplit("/", 1)[-1])
                self.acknowledged[evidence_id] = (title, self.attempted[title])
                self.client.request(
                    "POST", f"/portfolio/evidence/{evidence_id}/submit", (302,), data={"csrf_token": token}
                )
                self.submitted.add(evidence_id)
            except (UnexpectedResponse, ValueError):
                return  # the server is gone (or said no): what was acknowledged is what counts


def _start(env: dict, tmp_path: Path) -> Server:
    return Server(env, workers=2, log_path=tmp_path / "gunicorn.log").start(timeout=90)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _settled(backend: Backend, timeout: float = 60) -> set[str]:
    """Wait until no upload is pending (at once on disk; once the leases run out in S3); what still is."""
    deadline = time.monotonic() + timeout
    while backend.pending() and time.monotonic() < deadline:
        time.sleep(0.5)
    return backend.pending()


@pytest.fixture
def writers_team(seeded):
    boss = person(seeded, "Kit Supervisor", roles={Role.SUPERVISOR, Role.STAFF})
    staff = [person(seeded, f"Crash Writer {n}") for n in range(WRITERS)]
    for member in staff:
        supervise(seeded, boss, member)
    if seeded.get(AuditHead, 1) is None:  # created by migration 0003; emptying the tables between tests removes it
        seeded.add(AuditHead(id=1, seq=0, hash=audit.GENESIS))
        seeded.commit()
    return [(member.email, item_ids(seeded, member, 2), member.id) for member in staff]


def test_a_server_killed_mid_stream_keeps_every_acknowledged_submission_whole_and_nothing_half_saved(
    app, writers_team, backend, tmp_path
):
    env = {**production_env(app.config["SQLALCHEMY_DATABASE_URI"], backend.root), **backend.env}
    server = _start(env, tmp_path)
    stop = threading.Event()
    writers = [Writer(server.url, email, items, str(n), stop) for n, (email, items, _) in enumerate(writers_team)]
    try:
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            sum(len(w.acknowledged) for w in writers) >= KILL_AFTER and any(w.creating for w in writers)
        ):
            assert not any(w.failure for w in writers), [w.failure for w in writers]
            time.sleep(0.01)
        assert sum(len(w.acknowledged) for w in writers) >= KILL_AFTER, (
            f"too few submissions were acknowledged; see {tmp_path / 'gunicorn.log'}"
        )
        server.stop(kill=True)  # SIGKILL to master and workers, with at least one creation in flight
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
        assert not any(w.is_alive() for w in writers)
        server = _start(env, tmp_path)  # the start-up sweep settles whatever the kill left pending
        assert not _settled(backend), f"still pending after the restart; see {tmp_path / 'gunicorn.log'}"

        acknowledged = {eid: ack for w in writers for eid, ack in w.acknowledged.items()}
        submitted = set().union(*(w.submitted for w in writers))
        attempted = {title: sha for w in writers for title, sha in w.attempted.items()}
        owners = [owner_id for _, _, owner_id in writers_team]
        items_of = {owner_id: sorted(items) for _, items, owner_id in writers_team}
        store = backend.store()
        db.session.expire_all()

        # Every acknowledged submission is whole: record, revision, links, attachment row and file.
        for evidence_id, (title, sha) in acknowledged.items():
            evidence = db.session.get(Evidence, evidence_id)
            assert evidence is not None, f"acknowledged evidence {evidence_id} ({title}) is missing"
            revision = evidence.current
            assert revision.number == 1 and revision.title == title
            assert sorted(link.item_id for link in revision.links) == items_of[evidence.owner_id]
            assert [a.sha256 for a in revision.attachments] == [sha]
            assert _sha(store.read(revision.attachments[0].stored_name)) == sha
        for evidence_id in submitted:
            assert db.session.get(Evidence, evidence_id).state == EvidenceState.SUBMITTED

        # Nothing is half-present: each record is one the client sent, complete with its file...
        rows = db.session.scalars(select(Evidence).where(Evidence.owner_id.in_(owners))).all()
        assert {e.id for e in rows} >= set(acknowledged)
        for evidence in rows:
            revision = evidence.current
            assert revision.title in attempted and len(revision.attachments) == 1 and revision.links
            attachment = revision.attachments[0]
            assert attachment.sha256 == attempted[revision.title]
            assert _sha(store.read(attachment.stored_name)) == attachment.sha256
        # ...and every stored file belongs to a record; nothing is left pending or half-written.
        named = set(db.session.scalars(select(Attachment.stored_name)))
        stored = backend.files()
        assert stored == named, f"orphan files: {sorted(stored - named)}; missing: {sorted(named - stored)}"
        assert not backend.pending()
        db.session.rollback()

        # The restarted server serves an acknowledged attachment byte for byte.
        evidence_id, (title, sha) = next(iter(acknowledged.items()))
        owner = next(w for w in writers if evidence_id in w.acknowledged)
        reader = Client(server.url, who="reader")
        reader.sign_in(owner.email, PASSWORD)
        attachment_id = db.session.scalar(
            select(Attachment.id).join(EvidenceRevision).where(EvidenceRevision.evidence_id == evidence_id)
        )
        db.session.rollback()
        download = reader.get(f"/portfolio/evidence/{evidence_id}/attachments/{attachment_id}")
        assert _sha(download.content) == sha
    finally:
        stop.set()
        server.stop(kill=True)


# -- the start-up sweep, with processes that die at a chosen moment ----------------------------


def _attach(session, stored_name: str, data: bytes) -> None:
    """An attachment row naming the file, as the dead process's transaction would have committed."""
    revision = session.scalar(select(EvidenceRevision).limit(1))
    session.add(
        Attachment(
            revision_id=revision.id,
            filename="note.txt",
            stored_name=stored_name,
            content_type="text/plain",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    )
    session.commit()


def _configure(app, backend: Backend, monkeypatch) -> None:
    for name, value in backend.config.items():
        monkeypatch.setitem(app.config, name, value)


def test_the_start_up_sweep_keeps_what_was_committed_and_deletes_what_was_not(
    app, writers_team, session, backend, tmp_path, monkeypatch
):
    _configure(app, backend, monkeypatch)
    owner = session.get(User, writers_team[0][2])
    draft(session, owner, tmp_path, with_file=False)
    lost = saved_by_a_process_that_dies(backend, "never committed")
    kept = saved_by_a_process_that_dies(backend, "committed just before the crash")
    _attach(session, kept, b"committed just before the crash")
    assert backend.pending() == {lost, kept} and backend.files() == {lost, kept}
    backend.wait_for_leases()

    storage.init_app(app)

    assert backend.files() == {kept}
    assert backend.store().read(kept) == b"committed just before the crash"
    assert not backend.pending()


def test_the_sweep_leaves_a_live_request_s_upload_alone(app, session, backend, monkeypatch):
    backend = backend.with_lease(120)  # S3: a live request is always younger than the lease
    _configure(app, backend, monkeypatch)
    with Session(db.engine) as in_flight:  # another worker, mid-request: saved the file, not yet committed
        in_flight.execute(text("SELECT 1"))
        name = backend.store().save(b"still being saved", in_flight)

        storage.init_app(app)  # a worker starting meanwhile

        assert backend.files() == {name} and backend.pending() == {name}
        in_flight.rollback()
    assert not backend.files() and not backend.pending()


def test_a_file_saved_for_a_transaction_stays_only_if_it_commits(backend, tmp_path):
    store = backend.store()
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with Session(engine) as first:
        first.execute(text("SELECT 1"))
        committed = store.save(b"kept", first)
        first.commit()
    with Session(engine) as second:
        second.execute(text("SELECT 1"))
        rolled_back = store.save(b"dropped", second)
        assert backend.files() == {committed, rolled_back} and backend.pending() == {rolled_back}
        second.rollback()
    with Session(engine) as third:
        third.execute(text("SELECT 1"))
        abandoned = store.save(b"dropped too", third)  # closed without committing
        assert abandoned in backend.files()
    assert store.read(committed) == b"kept"
    assert backend.files() == {committed}, "a rolled-back or abandoned upload was left behind"
    assert not backend.pending()
