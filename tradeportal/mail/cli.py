"""Operator commands: ``flask mail send`` (deliver what is due) and ``flask mail status``."""

import click
from flask import current_app
from flask.cli import AppGroup

from tradeportal.db import db, utcnow
from tradeportal.mail.outbox import oldest_queued_age
from tradeportal.mail.queries import count_suppressed, counts_by_status, recent_failures
from tradeportal.mail.sender import send_all_due
from tradeportal.mail.transports import transport_from_config

mail_cli = AppGroup("mail", help="The outbox of outbound email.")


@mail_cli.command("send")
@click.option("--batch", type=click.IntRange(1, 10_000), help="Emails per pass (one connection).")
def send_command(batch: int | None) -> None:
    """Send every email that is due now; failures wait for their next try."""
    config = current_app.config
    transport = transport_from_config(config, current_app.instance_path)
    report = send_all_due(
        db.session, batch=batch or int(config["MAIL_SEND_BATCH"]), transport=transport
    )
    click.echo(f"mail via {transport.describe()}: {report.summary()}.")
    for error in report.errors[:20]:
        click.echo(f"  {error}")


@mail_cli.command("status")
def status_command() -> None:
    """Show how many emails are in each state, the oldest waiting one and recent failures."""
    session = db.session
    counts = counts_by_status(session)
    click.echo("outbox: " + ", ".join(f"{n} {status.value}" for status, n in counts.items()))
    age = oldest_queued_age(session)
    if age is None:
        click.echo("oldest queued: none waiting.")
    else:
        click.echo(f"oldest queued: waiting {_duration(age.total_seconds())}.")
    click.echo(f"suppressed addresses: {count_suppressed(session)}.")
    failures = recent_failures(session, limit=20)
    if not failures:
        click.echo("no failed emails.")
        return
    click.echo(f"last {len(failures)} failure(s), newest first:")
    now = utcnow()
    for email in failures:
        click.echo(
            f"  #{email.id} {email.kind} to {email.to_address}, {email.attempts} tries, "
            f"queued {_duration((now - email.created_at).total_seconds())} ago: {email.last_error}"
        )


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
