"""Keeping the index in step with the database: capture at flush, drain after commit.

A flush that inserts, changes or deletes a watched model (see documents.Watch) writes
``search_queue`` rows through the flush's own connection, so they commit or roll back
with the change itself. After the commit one idempotent drain applies them: it claims
rows in id order, re-reads each entity, updates or deletes its document, commits the
index, and only then deletes the rows it applied. A crash between the two commits
leaves the rows, which the next drain applies again (harmless).

Core bulk writes (``upsert_rows`` in ``flask seed``) bypass the ORM and this capture:
the index follows them by ``flask search rebuild --if-stale`` (see the Makefile).
"""

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session

from tradeportal.db import utcnow
from tradeportal.search.backend import IndexStore
from tradeportal.search.documents import WATCHES
from tradeportal.search.indexing import ApplyReport, apply_changes
from tradeportal.search.models import QueueOp, SearchQueueItem

logger = logging.getLogger(__name__)

_PENDING = "tradeportal.search.queued"
# Set when a commit in this context wrote queue rows; the inline drain reads it.
drain_requested: ContextVar[bool] = ContextVar("search_drain_requested", default=False)


def _watches(instance):
    for cls in type(instance).__mro__:
        yield from WATCHES.get(cls, ())


def _queue_rows(session: Session) -> list[dict]:
    connection = session.connection()
    changes: dict[tuple[str, str], QueueOp] = {}
    candidates = [(instance, QueueOp.UPSERT) for instance in session.new]
    candidates += [
        (instance, QueueOp.UPSERT)
        for instance in session.dirty
        if session.is_modified(instance, include_collections=True)
    ]
    candidates += [(instance, QueueOp.DELETE) for instance in session.deleted]
    for instance, op in candidates:
        for watch in _watches(instance):
            for entity_id in watch.entities(instance, connection):
                own = isinstance(instance, watch.model) and op is QueueOp.DELETE
                key = (watch.source, str(entity_id))
                if own or key not in changes:
                    changes[key] = op
    now = utcnow()
    return [
        {"source": source, "entity_id": entity_id, "op": op, "created_at": now}
        for (source, entity_id), op in sorted(changes.items())
    ]


def _capture(session: Session, _flush_context) -> None:
    """Write queue rows for the watched changes of this flush, in its transaction."""
    rows = _queue_rows(session)
    if rows:
        # Core through the flush's connection: no ORM objects may be added here.
        session.connection().execute(insert(SearchQueueItem.__table__), rows)
        session.info[_PENDING] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_PENDING, False):
        drain_requested.set(True)


def _after_soft_rollback(session: Session, _previous_transaction) -> None:
    session.info.pop(_PENDING, None)


_LISTENERS = (
    ("after_flush", _capture),
    ("after_commit", _after_commit),
    ("after_soft_rollback", _after_soft_rollback),
)


def install_capture() -> None:
    """Listen to every ORM session (idempotent), so any session's change is captured."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


@dataclass
class DrainReport:
    rows: int = 0
    batches: int = 0
    applied: ApplyReport = field(default_factory=ApplyReport)
    skipped: str | None = None  # why nothing was drained


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count(SearchQueueItem.id))) or 0


def drain_locked(session: Session, store: IndexStore, batch: int = 500) -> DrainReport:
    """Apply queued changes until the queue is empty; the caller holds the writer lock."""
    report = DrainReport()
    is_postgres = session.get_bind().dialect.name == "postgresql"
    while True:
        statement = select(
            SearchQueueItem.id, SearchQueueItem.source, SearchQueueItem.entity_id
        ).order_by(SearchQueueItem.id)
        if is_postgres:
            statement = statement.with_for_update(skip_locked=True)
        rows = session.execute(statement.limit(batch)).all()
        if not rows:
            session.commit()
            return report
        applied = apply_changes(session, store, [(row.source, row.entity_id) for row in rows])
        session.execute(
            delete(SearchQueueItem).where(SearchQueueItem.id.in_([row.id for row in rows]))
        )
        session.commit()
        report.rows += len(rows)
        report.batches += 1
        report.applied.updated += applied.updated
        report.applied.deleted += applied.deleted
        report.applied.unknown_sources.update(applied.unknown_sources)


def drain(
    session: Session, store: IndexStore, *, batch: int = 500, timeout: float | None = None
) -> DrainReport:
    """Take the writer lock (waiting up to ``timeout`` s) and drain the queue.

    Without a live index there is nothing to update: the rows wait for the rebuild,
    which drains them into the new index.
    """
    if not store.is_available():
        return DrainReport(skipped="no search index has been built yet")
    with store.writer_lock(timeout):
        return drain_locked(session, store, batch)


def drain_forever(session_factory, store: IndexStore, *, interval: float, batch: int, echo):
    """Drain, then poll the queue every ``interval`` seconds (the production worker)."""
    while True:
        session = session_factory()
        try:
            report = drain(session, store, batch=batch)
            if report.rows:
                echo(f"applied {report.rows} queued change(s)")
        except OSError as error:  # a full disk: the rows stay queued for the next poll
            logger.error("search drain could not write the index: %s", error)
            session.rollback()
        finally:
            session.close()
        time.sleep(interval)
