"""Operator commands: ``flask search rebuild|check|drain``."""

from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup

from tradeportal.db import db
from tradeportal.search.backend import IndexUnavailable, WriterBusy
from tradeportal.search.extension import search_store
from tradeportal.search.indexing import (
    IncompleteBuild,
    NotEnoughSpace,
    check,
    is_stale,
    rebuild,
    total_documents,
)
from tradeportal.search.queue import drain, drain_forever, drain_locked, pending_count

search_cli = AppGroup("search", help="The full-text search index (Whoosh).")


@contextmanager
def index_write_errors():
    """Turn what stops an index write into one clear line and exit status 1."""
    try:
        yield
    except WriterBusy as error:
        raise click.ClickException(f"{error} Try again when it has finished.") from None
    except (NotEnoughSpace, IncompleteBuild) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(
            f"The search index could not be written: {error.strerror or error}. Nothing is "
            "lost: the database holds every change and the queue what is not indexed yet. "
            "Fix the cause, then run `flask search drain` (or `flask search rebuild`)."
        ) from None


@search_cli.command("rebuild")
@click.option("--if-stale", is_flag=True, help="Only when the index is missing or outdated.")
def rebuild_command(if_stale: bool) -> None:
    """Build a fresh index in a new directory, swap it in, then apply queued changes."""
    session, store = db.session, search_store()
    if if_stale and not is_stale(session, store):
        click.echo("search index: up to date, not rebuilt.")
        return
    config = current_app.config
    with (
        index_write_errors(),
        click.progressbar(length=total_documents(session), label="Indexing", show_pos=True) as bar,
    ):
        report = rebuild(
            session,
            store,
            bar.update,
            procs=int(config["SEARCH_REBUILD_PROCS"]),
            drain_after=lambda: drain_locked(session, store, config["SEARCH_DRAIN_BATCH"]),
        )
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
    with index_write_errors():
        report = drain(db.session, store, batch=batch)
    if report.skipped:
        click.echo(f"search queue: nothing drained, {report.skipped}.")
        return
    click.echo(
        f"search queue: {report.rows} row(s) applied in {report.batches} batch(es): "
        f"{report.applied.updated} document(s) written, {report.applied.deleted} removed."
    )
    for source, count in report.applied.unknown_sources.items():
        click.echo(f"  skipped {count} change(s) of unknown source {source!r}")
