"""How long "everything held about me" takes for a person with 50 evidence records, each with a file.

The person is built in whatever database the app is on (`build`), half their evidence signed off,
with a self-assessment per item; `measure` times the archive (gathering every record, reading the
files, writing the ZIP and the PDF summary) and checks it against the target of a few seconds.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from competency_portal import storage
from competency_portal.extensions import db
from competency_portal.models import Decision, EvidenceType, Role, SelfAssessment, Supervision, User
from competency_portal.services import attachments, evidence, people, signoff, subject_access

TARGET_SECONDS = 5
FILE = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"  # a 200 KB attachment on each record


def build(app, evidence_records: int = 50) -> int:
    """A person with this many evidence records (half signed off); returns their id."""
    session = db.session
    person = people.create_person(
        session,
        name="Archive Person",
        email="archive.person@example.nhs.uk",
        roles={Role.STAFF},
        target_role="care-coordinator-band-6",
    )
    boss = people.create_person(
        session, name="Archive Supervisor", email="archive.boss@example.nhs.uk", roles={Role.SUPERVISOR}
    )
    session.add(Supervision(supervisor_id=boss.id, supervisee_id=person.id, starts_on=date(2020, 1, 1)))
    session.flush()
    items = [item for group in evidence.picker_groups(session, person) for item in group.items]
    store = storage.from_config(app.config)
    checked = attachments.check("reflection.pdf", FILE, app.config["MAX_ATTACHMENT_BYTES"])
    when = datetime.now(timezone.utc) - timedelta(days=30)
    for n in range(evidence_records):
        linked = [items[n % len(items)].id, items[(n + 1) % len(items)].id]
        data = evidence.EvidenceInput(
            f"Observed practice {n + 1}",
            EvidenceType.OBSERVED_PRACTICE,
            when.date(),
            "What I did and what it showed. " * 20,
            linked,
            [checked],
        )
        record = evidence.create(session, person, data, store)
        if n % 2 == 0:
            evidence.submit(session, record, person, when)
            session.flush()
            signoff.decide(
                session,
                record,
                boss,
                Decision.SIGNED_OFF,
                {i: 3 for i in linked},
                {},
                "Good",
                record.lock_version,
                when,
            )
    for item in items:
        session.add(SelfAssessment(user_id=person.id, item_id=item.id, level=3))
    session.commit()
    return person.id


def measure(app, person_id: int, evidence_records: int, repeats: int = 5) -> dict:
    """Seconds to produce the archive (median and worst), its size, and whether it meets the target."""
    store = storage.from_config(app.config)
    person = db.session.scalar(select(User).where(User.id == person_id))
    seconds, size = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        bundle = subject_access.archive(db.session, person, person, store, datetime.now(timezone.utc))
        size = len(bundle.read())
        seconds.append(time.perf_counter() - started)
        db.session.rollback()  # each run's audit record is not kept
    return {
        "evidence_records": evidence_records,
        "p50_seconds": round(statistics.median(seconds), 3),
        "max_seconds": round(max(seconds), 3),
        "bytes": size,
        "target_seconds": TARGET_SECONDS,
        "met": max(seconds) < TARGET_SECONDS,
    }


def _app(create_app, folder: str):
    return create_app(
        {
            "TESTING": True,
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "bench-only-not-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/archive.sqlite3",
            "UPLOAD_FOLDER": f"{folder}/uploads",
        }
    )


def run(say=print, evidence_records: int = 50) -> dict:
    """Build the person in a fresh SQLite database of its own, and measure."""
    import tempfile
    from pathlib import Path

    from flask_migrate import upgrade

    from competency_portal import create_app
    from competency_portal.frameworks import loader
    from competency_portal.frameworks.validate import read_bundle

    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as folder:
        saved = os.environ.pop("DATABASE_URL", None)  # this measurement has a database of its own
        try:
            app = _app(create_app, folder)
        finally:
            if saved is not None:
                os.environ["DATABASE_URL"] = saved
        with app.app_context():
            upgrade(directory=str(root / "migrations"))
            loader.load(db.session, read_bundle(root / "frameworks"))
            db.session.commit()
            say(f"  archive: a person with {evidence_records} evidence records, each with a 200 KB file...")
            result = measure(app, build(app, evidence_records), evidence_records)
            db.engine.dispose()
    say(
        f"  archive: {result['p50_seconds']} s median, {result['max_seconds']} s worst, "
        f"{result['bytes'] / 1e6:.1f} MB; target under {TARGET_SECONDS} s: {'met' if result['met'] else 'NOT MET'}"
    )
    return result
