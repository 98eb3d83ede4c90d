"""The kinds of background job: email, the organisation-wide readiness recompute, imports, and the
files made for someone to download (the PDR pack, everything held about a person).

Each handler does its work in `context.session` (committed with the job's "done" by the runner)
and returns what the person who started it is shown. A handler that finds it cannot do what was
asked (an import whose file no longer fits the people held) returns that as its result rather
than failing: nothing is wrong with the portal, and trying again would change nothing. A file a
job makes is saved in the attachments' storage, with the job's transaction, and deleted once it is
past keeping (`forget_old_files`, run by the relay).
"""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from competency_portal.jobs import handler
from competency_portal.jobs.runner import Context, PermanentFailure
from competency_portal.models import Job, JobState

EMAIL = "email"
READINESS = "readiness_refresh"
STAFF_IMPORT = "staff_import"
APPLICATION_IMPORT = "application_import"
PDR_PACK = "pdr_pack"
SUBJECT_ACCESS = "subject_access_archive"
KEEP_FILES_FOR = timedelta(days=7)


@handler(EMAIL)
def send_email(context: Context) -> dict:
    """Send one notification email (retried with backoff while the mail server cannot be reached)."""
    mail, to = context.payload["mail"], context.payload["to"]
    message, url = context.payload["message"], context.payload.get("url")
    email = EmailMessage()
    # A title or name typed with a line break would otherwise break the header (the email library refuses it).
    subject = " ".join(message.split())[:80]
    email["From"], email["To"], email["Subject"] = mail["sender"], to, "Competency Portal: " + subject
    email.set_content(message + (f"\n\n{mail.get('base_url', '')}{url}" if url else ""))
    try:
        with smtplib.SMTP(mail["server"], mail.get("port", 25), timeout=10) as smtp:
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"the mail server refused the address {to}") from exc
    return {"sent_to": to}


@handler(READINESS)
def recompute_readiness(context: Context) -> dict:
    """Rewrite everyone's readiness facts (after frameworks, items, role profiles or crosswalks change)."""
    from competency_portal.readiness import rollup

    people = rollup.refresh(context.session, None, progress=context.progress)
    return {"people": people}


@handler(STAFF_IMPORT)
def import_staff(context: Context) -> dict:
    """Check a previewed staff file again against the people held now, and write it all, or nothing."""
    from competency_portal.models import User
    from competency_portal.services import staff_import_store

    actor = context.session.get(User, context.job.started_by_id) if context.job.started_by_id else None
    preview = staff_import_store.preview(context.session, context.data or b"", actor.email if actor else None)
    if not preview.ok:
        return {
            "refused": preview.problem
            or "Some rows no longer fit the people held: someone changed them after the preview. "
            "Upload the file again to see what changed."
        }
    context.progress(0, len(preview.rows))
    result = staff_import_store.apply(
        context.session,
        preview,
        actor_id=actor.id if actor else None,
        today=date.fromisoformat(context.payload["today"]),
        reference=context.payload["reference"],
    )
    context.progress(len(preview.rows), len(preview.rows))
    people = f"{result.created} {'person' if result.created == 1 else 'people'}"
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "summary": f"{people} created, {result.updated} updated, {result.unchanged} unchanged.",
    }


@handler(APPLICATION_IMPORT)
def import_applications(context: Context) -> dict:
    """Check a previewed applications file again against the vacancy as it is now, and add every row, or none."""
    from competency_portal.models import User, Vacancy
    from competency_portal.services import application_import, vacancies

    vacancy = context.session.get(Vacancy, context.payload["vacancy_id"])
    actor = context.session.get(User, context.job.started_by_id)
    back = {"next": ["vacancy", vacancy.id]} if vacancy is not None else {}
    if vacancy is None or actor is None or vacancy.status not in vacancies.ADDING_STATUSES:
        return {**back, "refused": "The vacancy no longer takes applications, so none were added."}
    preview = application_import.preview_for(context.session, vacancy, context.data or b"")
    if not preview.ok:
        return {**back, "refused": preview.problem or application_import.CHANGED}
    context.progress(0, len(preview.rows))
    try:
        made = application_import.apply(
            context.session, vacancy, actor, preview, context.payload["reference"], context.payload.get("mail")
        )
    except application_import.ImportRefused as refused:
        context.session.rollback()
        return {**back, "refused": str(refused)}
    context.progress(len(made), len(made))
    count = f"{len(made)} application{'' if len(made) == 1 else 's'}"
    return {**back, "summary": f"{count} imported: {made[0].reference} to {made[-1].reference}."}


def forget_old_files(session: Session, delete: Callable[[str], None], now: datetime) -> int:
    """Delete the files jobs made that are past keeping; returns how many (commits)."""
    found = 0
    for job in session.scalars(
        select(Job).where(
            Job.kind.in_([PDR_PACK, SUBJECT_ACCESS]),
            Job.state == JobState.DONE,
            Job.finished_at < now - KEEP_FILES_FOR,
        )
    ):
        if (job.result or {}).get("file"):
            delete(job.result["file"])
            job.forget_file()
            found += 1
    session.commit()
    return found


def _keep_file(context: Context, data: bytes, download_name: str, mimetype: str, what: str) -> dict:
    """Save what a job made (kept only if the job's transaction commits) for its starter to download."""
    from competency_portal import storage

    stored = storage.from_config(context.config).save(data, context.session)
    return {
        "file": stored,
        "sha256": hashlib.sha256(data).hexdigest(),
        "download_name": download_name,
        "mimetype": mimetype,
        "bytes": len(data),
        "expires": (context.now() + KEEP_FILES_FOR).isoformat(),
        "summary": f"{what} is ready. It is kept for {KEEP_FILES_FOR.days} days, for you alone to download.",
    }


@handler(PDR_PACK)
def make_pdr_pack(context: Context) -> dict:
    """The PDR pack of one appraisal, as a PDF."""
    from competency_portal.models import Appraisal
    from competency_portal.services import pdr_pack

    appraisal = context.session.get(Appraisal, context.payload["appraisal_id"])
    if appraisal is None:
        raise PermanentFailure("the appraisal no longer exists")
    now = context.now()
    data, name = pdr_pack.build(context.session, appraisal, now.date(), now)
    return {**_keep_file(context, data, name, "application/pdf", "The PDR pack"), "next": ["appraisal", appraisal.id]}


@handler(SUBJECT_ACCESS)
def make_archive(context: Context) -> dict:
    """Everything held about a person, as one archive (audited as made, by whoever asked)."""
    from competency_portal import storage
    from competency_portal.models import User
    from competency_portal.services import subject_access

    person = context.session.get(User, context.payload["person_id"])
    actor = context.session.get(User, context.job.started_by_id)
    if person is None or actor is None:
        raise PermanentFailure("the person, or whoever asked, no longer exists")
    now = context.now()
    archive = subject_access.archive(context.session, person, actor, storage.from_config(context.config), now)
    slug = "".join(ch if ch.isalnum() else "-" for ch in person.name.lower()).strip("-")
    name = f"everything-held-about-{slug}-{now:%Y-%m-%d}.zip"
    return _keep_file(context, archive.read(), name, "application/zip", "The archive")
