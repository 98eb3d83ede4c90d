"""Everything held about a person, as one archive: the records as JSON, their attachments, and a summary to read.

For a person's own download, and for an administrator answering a subject access request. The
records are read table by table through `subject_access_registry`, so the archive holds every row
that names the person; secrets (password and code hashes, the two-factor secret) are withheld, and
so are the details of audit records where the person only acted on someone else.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.models import User
from competency_portal.services import audit, subject_access_pdf
from competency_portal.services.subject_access_registry import CHILDREN, DIRECT, READING_ORDER, WITHHELD, T
from competency_portal.storage import CorruptFile, Storage

IN_MEMORY_UP_TO = 32 * 1024 * 1024  # larger archives spill to a temporary file


@dataclass
class Held:
    """The records found, by table (rows keyed by primary key), and what each table is."""

    person_id: int
    tables: dict[str, dict[tuple, dict]]
    why: dict[str, list[str]]

    def rows(self, table: str) -> list[dict]:
        """A table's rows, in primary-key order."""
        return [self.tables[table][key] for key in sorted(self.tables.get(table, {}))]

    def count(self) -> dict[str, int]:
        """How many rows of each table that has any, in reading order (READING_ORDER, then by name)."""
        place = {name: n for n, name in enumerate(READING_ORDER)}
        ordered = sorted(self.tables, key=lambda name: (place.get(name, len(place)), name))
        return {name: len(self.tables[name]) for name in ordered if self.tables[name]}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def gather(session: Session, person_id: int) -> Held:
    """Every row about the person, from every source in the registry (a row found twice is kept once)."""
    held = Held(person_id, {}, {})
    for source in DIRECT + CHILDREN:
        table = T[source.table]
        key_columns = list(table.primary_key.columns)
        withheld = WITHHELD.get(source.table, frozenset())
        found = held.tables.setdefault(source.table, {})
        held.why.setdefault(source.table, []).append(source.why)
        for row in session.execute(select(table).where(source.where(person_id))).mappings():
            record = {name: _plain(value) for name, value in row.items() if name not in withheld}
            if source.table == "audit_event" and record.get("subject_id") != person_id:
                record["detail"] = "(withheld: this is about someone else; you were the one who acted)"
            found[tuple(row[c.name] for c in key_columns)] = record
    return held


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:100] or "file"


def _attachments(held: Held) -> list[tuple[str, dict]]:
    revisions = {r["id"]: r for r in held.rows("evidence_revision")}
    placed = []
    for attachment in held.rows("attachment"):
        revision = revisions.get(attachment["revision_id"])
        if revision is None:
            continue
        path = (
            f"attachments/evidence-{revision['evidence_id']}/revision-{revision['number']}/"
            f"{attachment['id']}-{_safe(attachment['filename'])}"
        )
        placed.append((path, attachment))
    return placed


def _readme(person: User, held: Held, now: datetime) -> str:
    lines = [
        f"Everything the Competency Portal holds about {person.name} ({person.email}), on {now:%d %B %Y at %H:%M} UTC.",
        "",
        "summary.pdf       the same, to read",
        "records/*.json    every record, one file per kind, exactly as stored",
        "attachments/      the files attached to your evidence, by evidence and revision",
        "manifest.json     what is here, and what was withheld",
        "",
        "What each file of records holds:",
    ]
    for table, count in held.count().items():
        lines.append(f"  records/{table}.json ({count}): " + "; ".join(dict.fromkeys(held.why[table])))
    lines += [
        "",
        "Withheld: password and recovery-code hashes, the two-factor secret and the session key (secrets, not "
        "information about you), and the details of audit records where you acted on someone else.",
    ]
    return "\n".join(lines) + "\n"


def archive(session: Session, person: User, actor: User, storage: Storage, now: datetime) -> IO[bytes]:
    """The archive as a ZIP file (rewound, ready to send), recorded in the audit trail."""
    held = gather(session, person.id)
    placed = _attachments(held)
    out = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_UP_TO)
    missing = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("README.txt", _readme(person, held, now))
        for table in held.count():
            bundle.writestr(f"records/{table}.json", json.dumps(held.rows(table), indent=1, ensure_ascii=False))
        for path, attachment in placed:
            try:
                bundle.writestr(path, storage.read(attachment["stored_name"], attachment["sha256"]))
            except (FileNotFoundError, CorruptFile):  # a damaged copy is not handed out as theirs
                missing.append(path)
        manifest = {
            "person": {"id": person.id, "name": person.name, "email": person.email},
            "generated": now.isoformat(),
            "records": held.count(),
            "attachments": [
                {"path": p, "sha256": a["sha256"], "size": a["size"]} for p, a in placed if p not in missing
            ],
            "attachments_missing": missing,
            "withheld": {table: sorted(columns) for table, columns in WITHHELD.items()},
        }
        bundle.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
        bundle.writestr("summary.pdf", subject_access_pdf.summary(person, held, now))
    audit.record(
        session,
        actor_id=actor.id,
        action="subject_access_archive",
        object_type="user_account",
        object_id=person.id,
        subject_id=person.id,
        detail={"records": sum(held.count().values()), "attachments": len(placed) - len(missing)},
    )
    out.seek(0)
    return out
