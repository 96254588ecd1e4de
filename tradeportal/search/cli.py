"""Operator commands: ``flask search rebuild|check|drain``."""

import click
from flask import current_app
from flask.cli import AppGroup

from tradeportal.db import db
from tradeportal.search.backend import IndexUnavailable, WriterBusy
from tradeportal.search.extension import search_store
from tradeportal.search.indexing import check, is_stale, rebuild, total_documents
from tradeportal.search.queue import drain, drain_forever, drain_locked, pending_count

search_cli = AppGroup("search", help="The full-text search index (Whoosh).")


@search_cli.command("rebuild")
@click.option("--if-stale", is_flag=True, help="Only when the index is missing or outdated.")
def rebuild_command(if_stale: bool) -> None:
    """Build a fresh index in a new directory, swap it in, then apply queued changes."""
    session, store = db.session, search_store()
    if if_stale and not is_stale(session, store):
        click.echo("search index: up to date, not rebuilt.")
        return
    config = current_app.config
    try:
        with click.progressbar(
            length=total_documents(session), label="Indexing", show_pos=True
        ) as bar:
            report = rebuild(
                session,
                store,
                bar.update,
                procs=int(config["SEARCH_REBUILD_PROCS"]),
                drain_after=lambda: drain_locked(session, store, config["SEARCH_DRAIN_BATCH"]),
            )
    except WriterBusy as error:
        raise click.ClickException(f"{error} Try again when it has finished.") from None
    click.echo(
        f"search index: {report.documents:,} documents in {report.seconds:.1f} s "
        f"({report.docs_per_second:,.0f} docs/s), now live as {report.name}."
    )
    for source, count in report.per_source.items():
        click.echo(f"  {source}: {count:,}")


@search_cli.command("check")
@click.option("--show", default=10, show_default=True, help="Entities listed per kind.")
def check_command(show: int) -> None:
    """Compare the index with the database; exit with status 1 on any drift."""
    session = db.session
    try:
        report = check(session, search_store())
    except IndexUnavailable as error:
        raise click.ClickException(f"{error} Run `flask search rebuild`.") from None
    pending = pending_count(session)
    click.echo(
        f"search index: {report.indexed:,} documents indexed, {report.expected:,} expected; "
        f"{len(report.missing)} missing, {len(report.stale)} stale, {len(report.extra)} extra; "
        f"{pending} change(s) queued."
    )
    for label, entities in (
        ("missing", report.missing),
        ("stale", report.stale),
        ("extra", report.extra),
    ):
        for entity in entities[:show]:
            click.echo(f"  {label}: {entity}")
    if report.drift:
        click.echo(
            "Drift found: run `flask search drain` (queued changes) or `flask search rebuild`."
        )
        raise SystemExit(1)
    click.echo("No drift.")


@search_cli.command("drain")
@click.option("--loop", is_flag=True, help="Keep polling the queue (the production worker).")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
def drain_command(loop: bool, interval: float) -> None:
    """Apply the queued index changes (idempotent; safe to re-run after a crash)."""
    store, batch = search_store(), int(current_app.config["SEARCH_DRAIN_BATCH"])
    if loop:
        click.echo(f"Draining the search queue every {interval:g} s; Ctrl-C to stop.")
        factory = db.session.session_factory
        drain_forever(factory, store, interval=interval, batch=batch, echo=click.echo)
        return
    try:
        report = drain(db.session, store, batch=batch)
    except WriterBusy as error:
        raise click.ClickException(f"{error} Try again when it has finished.") from None
    if report.skipped:
        click.echo(f"search queue: nothing drained, {report.skipped}.")
        return
    click.echo(
        f"search queue: {report.rows} row(s) applied in {report.batches} batch(es): "
        f"{report.applied.updated} document(s) written, {report.applied.deleted} removed."
    )
    for source, count in report.applied.unknown_sources.items():
        click.echo(f"  skipped {count} change(s) of unknown source {source!r}")
