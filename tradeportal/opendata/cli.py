"""``flask data dump``: write the open data dumps served under /data/."""

import click
from flask import current_app
from flask.cli import AppGroup

from tradeportal.db import db
from tradeportal.opendata.dumps import dumps_root, write_dump
from tradeportal.opendata.tables import TABLES

data_cli = AppGroup("data", help="Open bulk data: versioned CSV and JSON dumps.")


@data_cli.command("dump")
@click.option("--force", is_flag=True, help="Write a new version even if nothing changed.")
def dump_command(force: bool) -> None:
    """Dump the public content as CSV and JSON, with a manifest and checksums."""
    root = dumps_root(current_app.instance_path, current_app.config.get("DATA_DUMP_DIR"))
    with click.progressbar(
        length=len(TABLES),
        label="Dumping",
        item_show_func=lambda table: table.name if table else "",
    ) as bar:

        def advance(table) -> None:
            bar.update(1, table)

        result = write_dump(db.session, root, force=force, progress=advance)
    # Nothing was written to the database; end the read transaction cleanly.
    db.session.rollback()
    if result.unchanged:
        click.echo(f"Unchanged since dump {result.version}; nothing written.")
        return
    files = result.manifest["files"]
    total = sum(entry["bytes"] for entry in files)
    click.echo(
        f"Dump {result.version}: {len(files)} files, {total:,} bytes, in {root / result.version}"
    )
