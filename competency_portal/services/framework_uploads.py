"""Framework files uploaded in the browser: YAML files or CASE packages (.json), or a zip of a folder of them.

The files are kept as a draft (kind "files") between the check and the load, so the load applies
exactly what was checked. A zip is read in memory, member by member, with limits on how many
files and how many bytes it may inflate to, so a zip bomb is refused rather than unpacked.
"""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import datetime
from pathlib import PurePosixPath

from sqlalchemy.orm import Session

from competency_portal.frameworks.yamlsafe import MAX_BYTES
from competency_portal.models import DraftKind, FrameworkDraft, User
from competency_portal.services import audit
from competency_portal.services.framework_drafts import DraftRefused

SUFFIXES = (".yaml", ".yml", ".json")  # .json: a CASE 1.1 package, read as a framework
MAX_FILES = 200
MAX_TOTAL = 20 * 1024 * 1024


def _from_zip(name: str, data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DraftRefused(f"{name} is not a zip file that can be opened; zip the folder again") from exc
    out: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.suffix.lower() not in SUFFIXES or path.name.startswith("."):
                continue
            if len(out) >= MAX_FILES:
                raise DraftRefused(f"{name} holds more than {MAX_FILES} framework files; upload them in parts")
            if info.file_size > MAX_BYTES:
                raise DraftRefused(f"{info.filename} in {name} is larger than 1 MB; split it")
            total += info.file_size
            if total > MAX_TOTAL:
                raise DraftRefused(f"{name} unpacks to more than 20 MB of framework files; upload them in parts")
            with archive.open(info) as member:
                content = member.read(MAX_BYTES + 1)
            if len(content) > MAX_BYTES:  # the size in the zip's index was a lie
                raise DraftRefused(f"{info.filename} in {name} is larger than 1 MB; split it")
            out[f"{name}/{info.filename}"] = content
    return out


def collect(uploads: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """The YAML files among the uploads (a zip's members by their path in it), by name."""
    files: dict[str, bytes] = {}
    for name, data in uploads:
        suffix = PurePosixPath(name).suffix.lower()
        if suffix == ".zip" or data[:4] == b"PK\x03\x04":
            files.update(_from_zip(name, data))
        elif suffix in SUFFIXES:
            files[name] = data
        elif name:
            raise DraftRefused(
                f"{name} is not a .yaml, .yml, .json (CASE) or .zip file; upload framework files or a zip of them"
            )
    if not files:
        raise DraftRefused(
            "No .yaml, .yml or .json files were found; choose framework files, CASE packages or a zip of them"
        )
    return files


def stage(session: Session, actor: User, uploads: list[tuple[str, bytes]], now: datetime) -> FrameworkDraft:
    """Keep uploaded framework files as a draft, to be checked and then loaded."""
    files = collect(uploads)
    draft = FrameworkDraft(
        kind=DraftKind.FILES,
        filename=(", ".join(name for name, _ in uploads) or "framework files")[:300],
        # As uploaded, byte for byte (base64), so a file that is not UTF-8 is reported with its line.
        content={"files": {name: base64.b64encode(data).decode() for name, data in files.items()}},
        source=[],
        created_by_id=actor.id,
        updated_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    audit.record(session, actor_id=actor.id, action="framework_files_uploaded", object_type="framework_draft",
                 object_id=draft.id, detail={"files": sorted(files)[:200]})  # fmt: skip
    return draft
