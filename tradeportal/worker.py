"""``flask worker``: scheduled publications, the search drain, alert fan-out and mail.

One loop, several jobs, each its own unit of work; a job that fails is logged and the
loop goes on. SIGTERM stops it between two passes (systemd, containers).
"""

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from tradeportal.alerts.cli import fan_out_alerts
from tradeportal.cms.cli import publish_due_now
from tradeportal.db import db
from tradeportal.mail.sender import send_mail_pass
from tradeportal.search.backend import WriterBusy
from tradeportal.search.extension import search_store
from tradeportal.search.queue import drain

logger = logging.getLogger(__name__)


def publish_scheduled() -> None:
    publish_due_now(echo=lambda line: logger.info("%s", line))


def drain_search() -> None:
    try:
        report = drain(
            db.session, search_store(), batch=int(current_app.config["SEARCH_DRAIN_BATCH"])
        )
    except WriterBusy:
        return  # another process holds the index writer; the rows wait for the next pass
    if report.rows:
        logger.info("search: applied %d queued change(s)", report.rows)


def send_mail() -> None:
    report = send_mail_pass(db.session)
    if report.claimed:
        logger.info("mail: %s", report.summary())


# In dependency order: what a scheduled publication changes is indexed and fanned out to
# subscribers, and the alerts queued go out, all in the same pass.
JOBS = (publish_scheduled, drain_search, fan_out_alerts, send_mail)


def run_pass() -> None:
    """Run every job once, each in its own session."""
    for job in JOBS:
        try:
            job()
        except Exception:
            logger.exception("worker job %s failed; it runs again next pass", job.__name__)
            db.session.rollback()
        finally:
            db.session.remove()


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one pass and exit (cron, tests).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Publish scheduled content, index it, alert subscribers and send mail, until stopped."""
    stopping = threading.Event()
    if not once:
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        click.echo(f"worker: a pass every {interval:g} s; SIGTERM or Ctrl-C to stop.")
    while True:
        run_pass()
        if once or stopping.wait(interval):
            break
    click.echo("worker: stopped.")
