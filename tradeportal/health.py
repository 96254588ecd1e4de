"""Health checks for load balancers and process supervisors.

``/healthz`` says the process answers (liveness) and touches nothing else, so a slow
database never gets a healthy web worker restarted. ``/readyz`` says whether this process
can serve (readiness): the database answers, the live search index opens, and the mail
outbox is moving. Each check reports its own failure as a short reason; the details go
to the log, never to the response (the routes are public).
"""

import logging
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from tradeportal.auth.extension import csrf, limiter
from tradeportal.db import db
from tradeportal.mail.outbox import oldest_queued_age
from tradeportal.search.backend import IndexUnavailable
from tradeportal.search.extension import search_store

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
# Probes come every few seconds from the same addresses: a limit would fail them.
limiter.exempt(bp)
csrf.exempt(bp)


class CheckFailed(Exception):
    """A check's answer was received and is bad (the message is the reason shown)."""


def check_database() -> dict:
    """The database answers a query through the pool."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {}


def check_search_index() -> dict:
    """The live index opens and a searcher reads it."""
    try:
        with search_store().searcher() as borrowed:
            return {"documents": borrowed.searcher.doc_count()}
    except IndexUnavailable as error:
        logger.warning("readiness: %s", error)  # may name a path: logged, not shown
        raise CheckFailed("no usable search index: run `flask search rebuild`") from None


def check_mail_outbox() -> dict:
    """No queued email has waited longer than READY_MAIL_MAX_AGE_SECONDS."""
    session = db.session
    try:
        age = oldest_queued_age(session)
    finally:
        session.rollback()  # end the read transaction; nothing was written
    seconds = None if age is None else int(age.total_seconds())
    limit = int(current_app.config["READY_MAIL_MAX_AGE_SECONDS"])
    if seconds is not None and limit and seconds > limit:
        raise CheckFailed(
            f"the oldest queued email has waited {seconds} s (more than {limit} s): "
            "is `flask worker` running and the mail relay reachable?"
        )
    return {"oldest_queued_seconds": seconds}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "search_index": check_search_index,
    "mail_outbox": check_mail_outbox,
}


def _run(name: str, check: Callable[[], dict]) -> dict:
    try:
        return {"ok": True, **check()}
    except CheckFailed as failure:
        return {"ok": False, "reason": str(failure)}
    except Exception as error:
        # Messages of driver and OS errors name hosts and paths: log them, show the kind.
        logger.warning("readiness check %s failed: %r", name, error)  # every probe: short
        return {
            "ok": False,
            "reason": f"{name.replace('_', ' ')} check failed: {type(error).__name__}",
        }


def _no_store(response):
    # Probes must see the live state, never a cached answer from a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


bp.after_request(_no_store)


@bp.get("/healthz")
def healthz():
    """The process is up and answers requests."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Whether this process can serve: 200 when every check passes, 503 otherwise."""
    checks = {name: _run(name, check) for name, check in CHECKS.items()}
    ready = all(result["ok"] for result in checks.values())
    return jsonify(status="ok" if ready else "fail", checks=checks), 200 if ready else 503
