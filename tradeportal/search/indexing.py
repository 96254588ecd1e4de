"""Writing the index: full rebuild into a new directory, applying queued changes, and the
drift check between the database and the index.
"""

import errno
import logging
import shutil
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
from tradeportal.search.codec import CODEC_NAME, INDEX_CODEC
from tradeportal.search.documents import SOURCES, entity_term
from tradeportal.search.schema import SCHEMA_VERSION, build_schema
from tradeportal.seed import DataLoad

logger = logging.getLogger(__name__)

# Memory the rebuild's writer may use before it flushes a segment to disk.
REBUILD_LIMIT_MB = 256
# Disk a rebuild needs beside the live index, which stays until the swap: the new index
# and Whoosh's sort runs. Measured on the real corpus (a 54 MiB index): a peak of 270 MiB
# more with one process or two, so six times the live index, plus a margin.
REBUILD_SPACE_FACTOR = 6
REBUILD_SPACE_MARGIN = 32 << 20
MIB = 1 << 20
# Free space below which a drain does not start: a batch's new segment and the merge of
# small ones fit easily; a disk this full would fail half way through Whoosh's commit.
DRAIN_MIN_FREE = 16 << 20


class NotEnoughSpace(RuntimeError):
    """The index directory's disk cannot hold a rebuild; nothing was written."""


class IncompleteBuild(RuntimeError):
    """The new index holds fewer documents than were added; it is not swapped in."""


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
    """Tell whether the live index is missing or built from other data, code or codec."""
    meta = store.meta()
    return (
        not store.is_available()
        or meta.get("schema_version") != SCHEMA_VERSION
        or meta.get("codec") != CODEC_NAME
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
    _check_space(store)
    name, path = store.new_directory()
    ix = index.create_in(str(path), build_schema())
    if procs > 1:
        writer = ix.writer(
            limitmb=REBUILD_LIMIT_MB // procs, procs=procs, multisegment=True, codec=INDEX_CODEC
        )
    else:
        writer = ix.writer(limitmb=REBUILD_LIMIT_MB, codec=INDEX_CODEC)
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
        # A worker process of a multi-process writer that dies (a full disk) leaves its
        # segment out of the commit without a word: count what arrived.
        if ix.doc_count() != sum(per_source.values()):
            raise IncompleteBuild(
                f"The new index holds {ix.doc_count():,} of {sum(per_source.values()):,} "
                "documents; it was discarded and the live index kept."
            )
    except BaseException:
        abandon(writer)
        store.remove_old(keep=_live_names(store))
        raise
    store.write_meta(
        name,
        {
            "schema_version": SCHEMA_VERSION,
            "codec": CODEC_NAME,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "documents": sum(per_source.values()),
            "per_source": dict(per_source),
            "sources": sorted(per_source if sources is not None else SOURCES),
            "data": data_stamp(session),
        },
    )
    seconds = time.perf_counter() - started
    return RebuildReport(name, sum(per_source.values()), seconds, dict(per_source))


def _check_space(store: IndexStore) -> None:
    """Refuse a rebuild the disk cannot hold, before writing anything.

    Whoosh's multi-process writer waits forever for a worker that died of a full disk,
    so running out of space half way must not be where we find out.
    """
    store.root.mkdir(parents=True, exist_ok=True)
    name = store.current_name()
    live = store.root / name if name else None
    used = sum(f.stat().st_size for f in live.rglob("*") if f.is_file()) if live else 0
    needed = int(used * REBUILD_SPACE_FACTOR) + REBUILD_SPACE_MARGIN
    free = shutil.disk_usage(store.root).free
    if free < needed:
        raise NotEnoughSpace(
            f"The search index directory has {free // MIB:,} MiB free; a rebuild needs "
            f"about {needed // MIB:,} MiB (the live index, {used // MIB:,} MiB, stays until "
            "the new one replaces it). Free some space and run it again."
        )


def abandon(writer) -> None:
    """Cancel a writer that failed, and release Whoosh's lock even if cancelling fails.

    On a full disk Whoosh's cancel retries the write that failed and raises again before
    it unlocks: without the release below this process would keep the index locked, and
    every later drain and rebuild fail until it exits.
    """
    try:
        writer.cancel()
    except Exception as error:
        logger.warning("cancelling the failed index writer failed too: %s", error)
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            lock.release()


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
    free = shutil.disk_usage(store.root).free
    if free < DRAIN_MIN_FREE:
        raise OSError(
            errno.ENOSPC,
            f"No space left on device for the index ({free // MIB} MiB free, "
            f"a drain needs {DRAIN_MIN_FREE // MIB} MiB)",
        )
    ix = store.open_index()
    writer = ix.writer(timeout=store.writer_timeout, codec=INDEX_CODEC)
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
        abandon(writer)
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
