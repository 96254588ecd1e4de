"""``flask content import FILE`` and ``flask content export TYPE``."""

from pathlib import Path

import click
from flask.cli import AppGroup

from tradeportal.auth.audit import record_audit
from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.content.transfer import (
    ImportFileError,
    export_records,
    import_records,
    read_records,
)
from tradeportal.db import db

content_cli = AppGroup("content", help="Bulk import and export of trade content.")


@content_cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--type", "type_name", help="Content type (default: from the file).")
def import_command(file: Path, type_name: str | None) -> None:
    """Import FILE (CSV or JSON) all-or-nothing; every bad line is reported."""
    try:
        content_type, records = read_records(file, type_name)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    session = db.session
    label = f"Importing {len(records):,} {content_type.name}"
    # Two passes over the records: validate all, then save all.
    with click.progressbar(length=2 * len(records), label=label, show_pos=True) as bar:
        report = import_records(session, content_type, records, bar.update)
    if not report.ok:
        session.rollback()
        click.echo("", err=True)  # end the progress bar's line
        for where, name, why in report.problems:
            click.echo(f"  {where}: {name}: {why}", err=True)
        raise click.ClickException(
            f"{len(report.problems):,} problem(s) in {file.name}; nothing was imported."
        )
    # The command line has no signed-in account: the audit names the file and its counts.
    record_audit(
        session,
        None,
        "content.imported",
        file.name,
        content_type=content_type.name,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        via="cli",
    )
    session.commit()
    click.echo(
        f"{content_type.name}: {report.created:,} created, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged."
    )


@content_cli.command("export")
@click.argument("type_name", metavar="TYPE")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Default: stdout.")
def export_command(type_name: str, fmt: str, output: Path | None) -> None:
    """Export every record of TYPE as JSON or CSV, in the format import reads."""
    if type_name not in CONTENT_TYPES:
        known = ", ".join(sorted(CONTENT_TYPES))
        raise click.ClickException(f"Unknown content type {type_name!r}; one of: {known}.")
    text = export_records(db.session, CONTENT_TYPES[type_name], fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")


@content_cli.command("types")
def types_command() -> None:
    """List the content types that can be imported and exported."""
    width = max((len(name) for name in CONTENT_TYPES), default=0) + 2
    for name, content_type in sorted(CONTENT_TYPES.items()):
        click.echo(f"{name:<{width}}{content_type.description}")
