"""`flask --app competency_portal frameworks import FILE [--out draft.yaml]`: a document to drafts.

The drafts are framework files in the schema of frameworks/, each item with `origin` and, where
the importer guessed, `check`; `frameworks validate` and `load` refuse them until every `check`
has been looked at and removed. Without `--out` the YAML goes to standard output.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from competency_portal.extensions import db
from competency_portal.importer import ImportRefused, import_document
from competency_portal.importer.suggest import suggest
from competency_portal.services import framework_import
from competency_portal.text import plural

SHOWN_SCORE = 40  # suggestions below this are too weak to be worth printing
SHOWN_LINES = 15


def register(group) -> None:
    """Add the `import` command to the `frameworks` command group."""
    group.add_command(import_command)


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the draft here (YAML).")
def import_command(file: Path, out: Path | None) -> None:
    """Turn a job description or person specification (.docx, .pdf, .odt, .txt) into draft framework files."""
    try:
        draft = import_document(file.name, file.read_bytes())
    except ImportRefused as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from exc
    paths = _targets(out, draft.frameworks)
    for framework, path in zip(draft.frameworks, paths, strict=True):
        text = draft.to_yaml(framework)
        if path is None:
            click.echo(("---\n" if framework is not draft.frameworks[0] else "") + text, nl=False)
        else:
            path.write_text(text, encoding="utf-8")
    _summary(draft, paths)


def _targets(out: Path | None, frameworks: list[dict]) -> list[Path | None]:
    if out is None:
        return [None] * len(frameworks)
    paths = [out]
    for framework in frameworks[1:]:
        suffix = "-person-spec" if framework["kind"] == "person_specification" else f"-{len(paths) + 1}"
        paths.append(out.with_name(f"{out.stem}{suffix}{out.suffix or '.yaml'}"))
    return paths


def _summary(draft, paths) -> None:
    for warning in draft.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for framework, path in zip(draft.frameworks, paths, strict=True):
        items = [i for d in framework["domains"] for i in d["items"]]
        checks = sum(len(i.get("check", [])) for i in items)
        where = f" -> {path}" if path else ""
        click.echo(
            f"{framework['kind']} {framework['id']}: {plural(len(framework['domains']), 'group')}, "
            f"{plural(len(items), 'item')}, {plural(checks, 'guess', 'guesses')} to check{where}",
            err=True,
        )
        _suggestions(framework, items)
    if draft.left_out:
        click.echo(f"Left out: {plural(len(draft.left_out), 'paragraph')} (context, general sections).", err=True)
    click.echo(
        "Review the draft, remove each 'check' once looked at, then 'frameworks diff' and 'frameworks load' it.",
        err=True,
    )


def _suggestions(framework: dict, items: list[dict]) -> None:
    try:
        candidates = framework_import.candidates(db.session, exclude={framework["id"]})
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return
    found = suggest([(i["code"], i["statement"]) for i in items], candidates, per_framework=1)
    lines = [
        f"  {code} ~ {s.framework}:{s.code} ({s.score}): {s.statement[:70]}"
        for code, suggestions in found.items()
        for s in suggestions[:1]
        if s.score >= SHOWN_SCORE
    ]
    if lines:
        click.echo("Possible equivalents already loaded (nothing is linked until you add a crosswalk):", err=True)
        for line in lines[:SHOWN_LINES]:
            click.echo(line, err=True)
        if len(lines) > SHOWN_LINES:
            click.echo(f"  ... and {len(lines) - SHOWN_LINES} more; review them all in the browser.", err=True)
