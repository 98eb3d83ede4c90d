"""From uploaded bytes to a `Draft`: check the file, read it, find its parts, build the drafts."""

from __future__ import annotations

import io
import re
import zipfile

from competency_portal.importer import personspec, read_docx, read_odt, read_pdf, read_txt
from competency_portal.importer.blocks import Block
from competency_portal.importer.draft import Draft, SourceLine, framework, notes_of, slug, source_of
from competency_portal.importer.errors import ImportRefused
from competency_portal.importer.sections import walk
from competency_portal.services.attachments import AttachmentRefused, check, clean_filename

MAX_BYTES = 10 * 1024 * 1024
ACCEPTED = "a Word document (.docx), a PDF with text, an OpenDocument text (.odt) or a plain text file (.txt)"
_READERS = {
    "application/pdf": read_pdf.read,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": read_docx.read,
    "application/vnd.oasis.opendocument.text": read_odt.read,
    "text/plain": read_txt.read,
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ORGANISATION = re.compile(
    r"\b((?:[A-Z][\w&'’-]*\s+){1,6}(?:NHS\s+(?:Foundation\s+)?Trust|Council|Health\s+Board|Integrated\s+Care\s+Board))"
)


def import_document(filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> Draft:
    """A draft job description (and person specification, if the document has one) from a file."""
    if data[:8] == _OLE:
        raise ImportRefused(_ole_message(data))
    damaged = _damaged_archive(filename, data, max_bytes)
    if damaged is not None:
        return damaged
    try:
        checked = check(filename, data, max_bytes)
    except AttachmentRefused as exc:
        raise ImportRefused(f"{exc}. The importer reads {ACCEPTED}.") from exc
    reader = _READERS.get(checked.content_type)
    if reader is None:
        raise ImportRefused(f"{checked.filename} is not a document the importer reads; upload {ACCEPTED}.")
    blocks, truncated = reader(checked.data)
    return _draft(checked.filename, blocks, truncated)


def _damaged_archive(filename: str, data: bytes, max_bytes: int) -> Draft | None:
    """A Word or OpenDocument file cut short: not a zip any more, but its first paragraphs survive."""
    if data[:4] != b"PK\x03\x04" or len(data) > max_bytes:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)):
            return None
    except zipfile.BadZipFile:
        pass
    name = clean_filename(filename)
    reader = read_odt.read if name.lower().endswith(".odt") else read_docx.read
    blocks, truncated = reader(data)  # each falls back to salvaging, or refuses with what to do
    return _draft(name, blocks, truncated)


def _ole_message(data: bytes) -> str:
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (
            "This Word document is protected by a password, so it cannot be read. Open it in Word, remove "
            "the password (File > Info > Protect Document > Encrypt with Password, and clear it), save and "
            "upload it again."
        )
    return (
        "This is an older Word (.doc) file, which the importer does not read. Open it in Word, save it as a "
        "Word Document (.docx) and upload that."
    )


def _draft(filename: str, blocks: list[Block], truncated: bool) -> Draft:
    structure = walk(blocks)
    spec_domains, spec_left_out = personspec.read(structure.person_spec)
    if not structure.domains and not spec_domains:
        raise ImportRefused(
            f"No duties or person specification criteria were found in {filename}. The importer looks for "
            "headings such as “Main duties and responsibilities” or “Person specification” with the duties "
            "or criteria under them as bullets, numbered points or paragraphs. Check it is a job description, "
            "or add those headings and upload it again."
        )
    facts = dict(structure.facts)
    text = "\n".join(b.text for b in blocks)
    organisation = facts.get("organisation") or _organisation(text)
    post = facts.get("title") or structure.heading or re.sub(r"\.\w+$", "", filename)
    band = f" ({facts['band']})" if facts.get("band") else ""
    source = source_of(filename, {**facts, "title": post}, organisation)
    notes = notes_of(structure, facts)
    frameworks = []
    if structure.domains:
        frameworks.append(
            framework(
                "job_description", f"{slug(post)}-duties", f"{post}{band}: duties", source, structure.domains, notes
            )
        )
    if spec_domains:
        frameworks.append(
            framework(
                "person_specification",
                f"{slug(post)}-person-spec",
                f"{post}{band}: person specification",
                source,
                spec_domains,
                notes,
            )
        )
    warnings = []
    if truncated:
        warnings.append(
            "The file ends part-way (it looks cut short or damaged), so this draft holds only what could be "
            "read. Check it against the original document."
        )
    if not organisation:
        warnings.append("The document does not name its organisation; add it to the draft's source.")
    lines = [SourceLine(b.origin, b.text) for b in blocks]
    return Draft(filename, facts, frameworks, lines, structure.left_out + spec_left_out, warnings)


def _organisation(text: str) -> str | None:
    found = _ORGANISATION.search(text)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else None
