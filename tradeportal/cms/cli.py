"""Operator command: ``flask cms publish-due`` publishes scheduled drafts whose time has come."""

import click
from flask.cli import AppGroup

from tradeportal.cms.workflow import publish_due
from tradeportal.db import db

cms_cli = AppGroup("cms", help="The editorial workflow.")


def publish_due_now(echo=click.echo) -> int:
    """Publish what is due in one unit of work; return how many were published."""
    events = publish_due(db.session)
    db.session.commit()
    for event in events:
        echo(f"published {event.content_type}: {event.label} ({event.kind.value})")
    return len(events)


@cms_cli.command("publish-due")
def publish_due_command() -> None:
    """Publish every scheduled draft whose publication time has passed (idempotent)."""
    count = publish_due_now()
    click.echo(f"cms: {count} scheduled publication(s) done.")
