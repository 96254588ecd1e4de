"""Operator commands: ``flask db …`` (alembic) and ``flask seed``."""

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tradeportal.config import ROOT
from tradeportal.datafiles import DataFileError
from tradeportal.db import db
from tradeportal.hs.catalog import invalidate_catalog
from tradeportal.seed import DATASETS, is_up_to_date, load_dataset

MIGRATIONS = ROOT / "migrations"

db_cli = AppGroup("db", help="Database schema migrations (alembic).")


def alembic_config() -> AlembicConfig:
    """Build the alembic config that migrates the current app's database."""
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = db.engine
    return config


def schema_is_current() -> bool:
    """Tell whether the database is migrated to the newest revision."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database schema to REVISION (default: head)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Downgrade the database schema to REVISION (default: one step back)."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate/--empty", default=True, help="Compare models to the database.")
def db_revision(message: str, autogenerate: bool) -> None:
    """Create a new migration file (review it before committing)."""
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@db_cli.command("check")
def db_check() -> None:
    """Fail when the models and the migrated database differ."""
    try:
        command.check(alembic_config())
    except CommandError as error:
        raise click.ClickException(str(error)) from None
    click.echo("No drift: the models match the migrations.")


@db_cli.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    command.current(alembic_config())


@click.command("seed")
@with_appcontext
@click.option("--force", is_flag=True, help="Reload even when the data files did not change.")
def seed(force: bool) -> None:
    """Load the reference data in data/ (idempotent; unchanged datasets are skipped)."""
    if not schema_is_current():
        raise click.ClickException(
            "The database schema is not up to date; run `flask db upgrade` first."
        )
    data_dir = Path(current_app.config["DATA_DIR"])
    session = db.session
    for dataset in DATASETS:
        if not force and is_up_to_date(session, dataset, data_dir):
            click.echo(f"{dataset.name}: unchanged since the last load, skipped.")
            continue
        label = f"Loading {dataset.name}"
        try:
            with click.progressbar(
                length=dataset.size(data_dir), label=label, show_pos=True
            ) as bar:
                report = load_dataset(session, dataset, data_dir, bar.update)
            session.commit()
            invalidate_catalog()
        except DataFileError as error:
            session.rollback()
            raise click.ClickException(
                f"{dataset.name} not loaded, nothing changed: {error}"
            ) from None
        click.echo(f"{dataset.name}: {report.changed:,} rows inserted or updated.")
        for table, counts in report.counts.items():
            click.echo(f"  {table}: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()))
        for reason, count in report.skipped.items():
            click.echo(f"  skipped {count:,} {reason}")


def register(app: Flask) -> None:
    from tradeportal.cms.cli import cms_cli
    from tradeportal.content.cli import content_cli
    from tradeportal.mail.cli import mail_cli
    from tradeportal.opendata.cli import data_cli
    from tradeportal.search.cli import search_cli
    from tradeportal.worker import worker_command

    app.cli.add_command(db_cli)
    app.cli.add_command(seed)
    app.cli.add_command(content_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(cms_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(data_cli)
