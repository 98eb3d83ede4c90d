"""The kinds of background job: email, the organisation-wide readiness recompute, and imports.

Each handler does its work in `context.session` (committed with the job's "done" by the runner)
and returns what the person who started it is shown. A handler that finds it cannot do what was
asked (an import whose file no longer fits the people held) returns that as its result rather
than failing: nothing is wrong with the portal, and trying again would change nothing.
"""

from __future__ import annotations

import smtplib
from datetime import date
from email.message import EmailMessage

from competency_portal.jobs import handler
from competency_portal.jobs.runner import Context, PermanentFailure

EMAIL = "email"
READINESS = "readiness_refresh"
STAFF_IMPORT = "staff_import"
APPLICATION_IMPORT = "application_import"


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
