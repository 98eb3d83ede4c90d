"""Command line: `flask --app competency_portal frameworks validate|diff|load|list` (and `import`,
in cli_import.py).

Every refusal exits non-zero with one line per problem (file, line, key path, what to fix) and
never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from competency_portal.extensions import db
from competency_portal.frameworks import loader
from competency_portal.frameworks.problems import FrameworkFileError
from competency_portal.frameworks.references import check_references
from competency_portal.frameworks.validate import Catalogue, read_bundle
from competency_portal.services import audit
from competency_portal.services import catalogue as catalogue_service
from competency_portal.text import plural

frameworks_cli = AppGroup("frameworks", help="Validate, compare, load and list framework files.")


def _fail(lines: list[str], summary: str) -> None:
    for line in lines:
        click.echo(line, err=True)
    click.echo(summary, err=True)
    raise SystemExit(1)


def _database_error(exc: Exception) -> None:
    db.session.rollback()
    if isinstance(exc, IntegrityError):
        _fail(
            [],
            "Another load changed the same frameworks at the same moment, so nothing was loaded; "
            "run the command again.",
        )
    _fail(
        [],
        f"The database is not ready ({exc.__class__.__name__}); run 'flask --app competency_portal db upgrade' first.",
    )


path_argument = click.argument("path", type=click.Path(path_type=Path))


@frameworks_cli.command("validate")
@path_argument
def validate_command(path: Path) -> None:
    """Check framework files (a file or a folder) without writing anything."""
    unready = None
    try:
        bundle = read_bundle(path)
        try:
            loader.plan(db.session, bundle)
        except (OperationalError, ProgrammingError) as exc:
            # No database yet (a fresh machine): check the files as if nothing were loaded.
            db.session.rollback()
            unready = exc.__class__.__name__
            check_references(bundle, Catalogue())
    except FrameworkFileError as exc:
        _fail([str(p) for p in exc.problems], f"{plural(len(exc.problems), 'problem')} found; nothing was loaded.")
    click.echo(
        f"{plural(len(bundle), 'file')} valid: {len(bundle.frameworks)} frameworks, {len(bundle.scales)} scales, "
        f"{len(bundle.roles)} role profiles, {len(bundle.crosswalks)} crosswalks."
    )
    if unready:
        click.echo(
            f"Checked as if nothing were loaded: the database is not ready ({unready}); run "
            "'flask --app competency_portal db upgrade' to check against what is loaded too."
        )


@frameworks_cli.command("diff")
@path_argument
def diff_command(path: Path) -> None:
    """Say what loading PATH would change, without writing anything."""
    try:
        changes = loader.plan(db.session, read_bundle(path))
    except FrameworkFileError as exc:
        _fail([str(p) for p in exc.problems], f"{plural(len(exc.problems), 'problem')} found.")
    except (OperationalError, ProgrammingError) as exc:
        _database_error(exc)
    for change in changes:
        click.echo(str(change))
    pending = sum(c.action != "unchanged" for c in changes)
    click.echo(f"{pending} of {len(changes)} would change." if pending else "Nothing would change.")


@frameworks_cli.command("load")
@path_argument
def load_command(path: Path) -> None:
    """Load framework files: all or nothing; the same content twice changes nothing."""
    try:
        changes = loader.load(db.session, read_bundle(path))
        audit.record_loads(db.session, None, changes, str(path))
        db.session.commit()
    except FrameworkFileError as exc:
        db.session.rollback()
        _fail([str(p) for p in exc.problems], f"{plural(len(exc.problems), 'problem')} found; nothing was loaded.")
    except (OperationalError, ProgrammingError, IntegrityError) as exc:
        _database_error(exc)
    for change in changes:
        if change.action != "unchanged":
            click.echo(str(change))
    loaded = sum(c.action != "unchanged" for c in changes)
    click.echo(f"Loaded {plural(loaded, 'change')}; {len(changes) - loaded} unchanged.")


@frameworks_cli.command("list")
def list_command() -> None:
    """List loaded frameworks: id, kind, version, revision and item count."""
    try:
        rows = catalogue_service.framework_summaries(db.session)
    except (OperationalError, ProgrammingError) as exc:
        _database_error(exc)
    if not rows:
        click.echo("No frameworks are loaded; run 'flask --app competency_portal frameworks load frameworks/'.")
        return
    width = max(len(r.slug) for r in rows)
    click.echo(f"{'id':<{width}}  {'kind':<22}  {'version':<26}  {'rev':>3}  items")
    for r in rows:
        click.echo(f"{r.slug:<{width}}  {r.kind.value:<22}  {r.version_label:<26}  {r.revision:>3}  {r.item_count:>5}")


audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify")
def audit_verify_command() -> None:
    """Recompute the audit hash chain and name the first broken link."""
    try:
        verdict = audit.verify(db.session)
    except (OperationalError, ProgrammingError) as exc:
        _database_error(exc)
    if not verdict.ok:
        _fail(
            [f"Audit chain broken after {plural(verdict.checked, 'good record')}: {verdict.message}."],
            "Restore the audit_event table from a backup and investigate who changed it.",
        )
    click.echo(verdict.message)


demo_cli = AppGroup("demo", help="Demo data for a development database.")


@demo_cli.command("seed")
def demo_seed_command() -> None:
    """Add demo people and data to an empty development database, and print how to sign in."""
    from flask import current_app

    from competency_portal import clock, storage
    from competency_portal.services import demo

    try:
        accounts = demo.seed(
            db.session, clock.today(), current_app.config["PORTAL_ENV"], storage.from_config(current_app.config)
        )
        db.session.commit()
    except demo.DemoRefused as exc:
        db.session.rollback()
        click.echo(f"Demo data: {exc}")
        return
    except (OperationalError, ProgrammingError) as exc:
        _database_error(exc)
    click.echo("Demo accounts (password for all: " + demo.DEMO_PASSWORD + "):")
    for account in accounts:
        click.echo(f"  {account.email:<28} {account.name:<13} {account.role + ':':<26} {account.what}")


notifications_cli = AppGroup("notifications", help="Notifications that fall due with the date.")


@notifications_cli.command("send-due")
def notifications_due_command() -> None:
    """Tell deputies whose cover starts today (run daily, e.g. from cron)."""
    from flask import current_app

    from competency_portal import clock
    from competency_portal.services.notify import mail_settings
    from competency_portal.services.signoff import start_due_cover

    try:
        count = start_due_cover(db.session, clock.today(), mail_settings(current_app.config))
        db.session.commit()
    except (OperationalError, ProgrammingError) as exc:
        _database_error(exc)
    click.echo(f"{plural(count, 'deputy notification')} sent.")


recruitment_cli = AppGroup("recruitment", help="Recruitment housekeeping.")


@recruitment_cli.command("purge")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=0),
    default=None,
    help="Anonymise candidates of vacancies closed more than this many days ago "
    "(default: the RECRUITMENT_RETENTION_DAYS setting).",
)
def recruitment_purge_command(older_than_days: int | None) -> None:
    """Anonymise candidates' data once the retention period after a vacancy closes has passed.

    Names become "Anonymised"; emails, supporting statements and criterion answers are removed and
    the link to a portal account is cleared. Scores, moderations and decisions are kept with their
    reasons. Running it again changes nothing. Run it daily, e.g. from cron.
    """
    from flask import current_app

    from competency_portal import clock
    from competency_portal.services import vacancies

    days = (
        older_than_days
        if older_than_days is not None
        else int(current_app.config.get("RECRUITMENT_RETENTION_DAYS", 365))
    )
    try:
        result = vacancies.purge(db.session, clock.now(), days)
        db.session.commit()
    except (OperationalError, ProgrammingError) as exc:
        _database_error(exc)
    click.echo(
        f"Anonymised {plural(result.applications, 'application')} "
        f"in {plural(len(result.vacancies), 'vacancy', 'vacancies')} "
        f"closed more than {plural(days, 'day')} ago."
    )


storage_cli = AppGroup("storage", help="Attachment storage housekeeping.")


@storage_cli.command("sweep")
def storage_sweep_command() -> None:
    """Settle uploads left pending by processes that died (the app also does so when it starts)."""
    from flask import current_app

    from competency_portal import storage

    swept = storage.sweep(current_app._get_current_object())
    if swept is None:
        _fail([], "Uploads were not settled: the database or the file store did not answer (see the log).")
    click.echo(f"Settled uploads: {swept.kept} kept (their records were saved), {swept.deleted} deleted (never saved).")
    if swept.retry_after is not None:
        click.echo(f"Some uploads are too recent to judge; run this again in {swept.retry_after:.0f} seconds.")


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    from competency_portal import cli_import

    cli_import.register(frameworks_cli)
    app.cli.add_command(frameworks_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(recruitment_cli)
    app.cli.add_command(storage_cli)
