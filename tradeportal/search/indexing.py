"""Writing the index: full rebuild into a new directory, applying queued changes, and the
drift check between the database and the index.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from whoosh import index

from tradeportal.datafiles import Progress
from tradeportal.search.backend import IndexStore
from tradeportal.search.documents import SOURCES, entity_term
from tradeportal.search.schema import SCHEMA_VERSION, build_schema
from tradeportal.seed import DataLoad

logger = logging.getLogger(__name__)

# Memory the rebuild's writer may use before it flushes a segment to disk.
REBUILD_LIMIT_MB = 256


@dataclass
class RebuildReport:
    name: str
    documents: int
    seconds: float
    per_source: dict[str, int]

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def data_stamp(session: Session) -> dict[str, str]:
    """Fingerprints of the reference data loads: a rebuild from other data is stale."""
    rows = session.execute(select(DataLoad.dataset, DataLoad.checksum).order_by(DataLoad.dataset))
    return {dataset: checksum for dataset, checksum in rows}


def is_stale(session: Session, store: IndexStore) -> bool:
    """Tell whether the live index is missing or built from other data or code."""
    meta = store.meta()
    return (
        not store.is_available()
        or meta.get("schema_version") != SCHEMA_VERSION
        or meta.get("data") != data_stamp(session)
        or meta.get("sources") != sorted(SOURCES)
    )


def total_documents(session: Session) -> int:
    """Count the entities a rebuild walks (an upper bound of the documents)."""
    return sum(source.count(session) for source in SOURCES.values())


def build_index(
    session: Session,
    store: IndexStore,
    progress: Progress = lambda n: None,
    *,
    procs: int = 1,
    sources: Iterable[str] | None = None,
):
    """Write every source's documents into a new index directory; return its report.

    The caller holds the writer lock and swaps the pointer. ``sources`` limits the
    build to some sources (tests and benchmarks; such an index reports itself stale).
    With ``procs`` > 1 Whoosh
    analyses in worker processes and leaves one segment per process (measured on the real
    corpus, 2 cores: 25 s with one process, 14 s with two); later incremental commits
    merge small segments as usual.
    """
    started = time.perf_counter()
    name, path = store.new_directory()
    ix = index.create_in(str(path), build_schema())
    if procs > 1:
        writer = ix.writer(limitmb=REBUILD_LIMIT_MB // procs, procs=procs, multisegment=True)
    else:
        writer = ix.writer(limitmb=REBUILD_LIMIT_MB)
    per_source: Counter = Counter()
    try:
        # One read transaction: the documents come from a single snapshot of the data.
        for source in SOURCES.values():
            if sources is not None and source.name not in sources:
                continue
            for _entity_id, document in source.load(session, None):
                writer.add_document(**document)
                per_source[source.name] += 1
                progress(1)
        writer.commit()
    except BaseException:
        writer.cancel()
        store.remove_old(keep=_live_names(store))
        raise
    store.write_meta(
        name,
        {
            "schema_version": SCHEMA_VERSION,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "documents": sum(per_source.values()),
            "per_source": dict(per_source),
            "sources": sorted(per_source if sources is not None else SOURCES),
            "data": data_stamp(session),
        },
    )
    seconds = time.perf_counter() - started
    return RebuildReport(name, sum(per_source.values()), seconds, dict(per_source))


def _live_names(store: IndexStore) -> set[str]:
    name = store.current_name()
    return {name, *store.meta(name).get("previous", [])} if name else set()


def rebuild(
    session: Session,
    store: IndexStore,
    progress: Progress = lambda n: None,
    *,
    procs: int = 1,
    sources: Iterable[str] | None = None,
    drain_after: Callable[[], object] | None = None,
) -> RebuildReport:
    """Build a complete index in a new directory, swap it in, and remove older ones.

    Runs under the writer lock, so no drain writes the old index meanwhile; changes
    committed during the build are still in the queue and ``drain_after`` applies them
    to the new index before the lock is released.
    """
    with store.writer_lock():
        previous = store.current_name()
        report = build_index(session, store, progress, procs=procs, sources=sources)
        session.rollback()  # end the read snapshot: the drain must see newer commits
        meta = store.meta(report.name)
        meta["previous"] = [previous] if previous else []
        store.write_meta(report.name, meta)
        store.swap(report.name)
        if drain_after is not None:
            drain_after()
        # Keep the previous directory: a reader that read the old pointer a moment ago
        # can still open it.
        store.remove_old(keep={report.name, *meta["previous"]})
    return report


@dataclass
class ApplyReport:
    updated: int = 0
    deleted: int = 0
    unknown_sources: Counter = field(default_factory=Counter)


def apply_changes(
    session: Session, store: IndexStore, changes: Iterable[tuple[str, str]]
) -> ApplyReport:
    """Re-read each (source, entity id) and write its document, or delete it when gone.

    Idempotent: applying the same changes twice leaves the same index. The caller holds
    the writer lock.
    """
    by_source: dict[str, list[str]] = {}
    for source_name, entity_id in changes:
        ids = by_source.setdefault(source_name, [])
        if entity_id not in ids:
            ids.append(entity_id)
    report = ApplyReport()
    documents: dict[tuple[str, str], dict | None] = {}
    for source_name, entity_ids in by_source.items():
        source = SOURCES.get(source_name)
        if source is None:
            # Not registered in this process: leave the index alone rather than guess.
            report.unknown_sources[source_name] += len(entity_ids)
            logger.warning("search queue names unknown source %r; skipped", source_name)
            continue
        built = dict(source.load(session, entity_ids))
        for entity_id in entity_ids:
            documents[source_name, entity_id] = built.get(entity_id)
    if not documents:
        return report
    ix = store.open_index()
    writer = ix.writer(timeout=store.writer_timeout)
    try:
        for (source_name, entity_id), document in documents.items():
            writer.delete_by_term("entity", entity_term(source_name, entity_id))
            if document is None:
                report.deleted += 1
            else:
                writer.add_document(**document)
                report.updated += 1
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return report


@dataclass
class DriftReport:
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    indexed: int = 0
    expected: int = 0

    @property
    def drift(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def check(session: Session, store: IndexStore) -> DriftReport:
    """Compare the documents the database gives with those in the live index."""
    indexed: dict[str, str] = {}
    report = DriftReport()
    with store.searcher() as borrowed:
        for stored in borrowed.searcher.all_stored_fields():
            entity = stored["entity"]
            if entity in indexed:
                report.extra.append(entity)  # the same entity twice
            indexed[entity] = stored.get("fingerprint", "")
    expected: dict[str, str] = {}
    for source in SOURCES.values():
        for entity_id, document in source.load(session, None):
            expected[entity_term(source.name, entity_id)] = document["fingerprint"]
    report.indexed, report.expected = len(indexed), len(expected)
    for entity, fingerprint in expected.items():
        if entity not in indexed:
            report.missing.append(entity)
        elif indexed[entity] != fingerprint:
            report.stale.append(entity)
    report.extra += [entity for entity in indexed if entity not in expected]
    return report
