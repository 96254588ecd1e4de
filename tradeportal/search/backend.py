"""Where the index lives on disk, who may write it, and the searchers that read it.

Layout of the index root (``instance/index/`` by default, ``SEARCH_INDEX_DIR``)::

    CURRENT        the name of the live index directory (replaced atomically)
    writer.lock    flock'ed by the one process that writes
    ix-<stamp>-<random>/   complete Whoosh indexes; the live one and the previous one

A rebuild fills a NEW directory, then points ``CURRENT`` at it, so readers see either
the old index or the new one, never a half-built one (docs/ARCHITECTURE.md rule 2).

Readers borrow a searcher from a small per-process pool: opening one costs ~50 ms, so
it is kept and reopened only when ``CURRENT`` moved or ``up_to_date()`` is false. Never
``Searcher.refresh()``: whoosh-reloaded returns duplicate hits after a merge (§1.3).
"""

import fcntl
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from whoosh import index
from whoosh.index import EmptyIndexError, FileIndex
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher

from tradeportal.search.column_arrays import field_lengths, numeric_column
from tradeportal.search.schema import SCHEMA_VERSION, WEIGHT_SCALE

POINTER = "CURRENT"
LOCK_FILE = "writer.lock"
META_FILE = "portal-meta.json"
_INDEX_NAME = re.compile(r"ix-[0-9]{8}T[0-9]{6}-[0-9a-f]{8}")
# Idle searchers kept per process: one per concurrent request thread is enough.
_POOL_SIZE = 8
_MEMO_SIZE = 64
# Answers as large as the index (a set of document numbers: ~5 MB at 100,000 documents)
# are kept for fewer keys, so dates and filters chosen by a client cannot fill memory.
_LARGE_MEMO_SIZE = 4


class IndexUnavailable(RuntimeError):
    """There is no usable live index (never built, or built by another schema version)."""


class WriterBusy(RuntimeError):
    """Another process holds the index writer lock."""


# BM25 length normalisation compares a field's length with its average over ALL
# documents. Only HS codes have references and only content has bodies, so those
# averages are tiny and a single reference scored 0.3 against 42 for a title word
# (measured): no normalisation for reference lists, less for bodies.
FIELD_B = {"refs_en_B": 0.0, "refs_fr_B": 0.0, "body_en_B": 0.3, "body_fr_B": 0.3}


class RankedBM25F(BM25F):
    """BM25F times a per-document weight (the ``weight`` column, see schema.py).

    Product codes weigh more than other content, and the edition in force more than
    older ones, without changing how words score within a document.

    One instance per searcher: the weights and field lengths it reads for scoring are
    read once per reader (see column_arrays.py), kept with the reader so that its id is
    not reused meanwhile.
    """

    use_final = True

    def __init__(self):
        super().__init__(B=0.75, K1=1.2, **FIELD_B)
        self._weights: dict[int, tuple] = {}
        self._lengths: dict[tuple[int, str], tuple] = {}

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            lengths = self.field_lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths
        return scorer

    def field_lengths(self, reader, fieldname: str):
        """column_arrays.field_lengths of one segment reader, read once."""
        key = (id(reader), fieldname)
        if key not in self._lengths:
            self._lengths[key] = (reader, field_lengths(reader, fieldname, default=1))
        return self._lengths[key][1]

    def _document_weights(self, searcher):
        reader = searcher.reader()
        found = self._weights.get(id(reader))
        if found is None:
            weights = numeric_column(reader, "weight") or reader.column_reader("weight")
            found = self._weights[id(reader)] = (reader, np.array(list(weights), dtype=float))
        return found[1]

    def final(self, searcher, docnum, score):
        # Collectors call final() with the top searcher and sorting with each segment's.
        value = float(self._document_weights(searcher)[docnum])
        return score * (value if value > 0 else WEIGHT_SCALE) / WEIGHT_SCALE

    def final_scores(self, searcher, docnums: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """``final()`` of many documents at once (top searcher numbers): the same
        operations, on arrays."""
        values = self._document_weights(searcher)[docnums]
        return scores * np.where(values > 0, values, WEIGHT_SCALE) / WEIGHT_SCALE


@dataclass
class _Borrowed:
    name: str
    index: FileIndex
    searcher: Searcher
    # Answers that stay true as long as this searcher's view of the index does, such as
    # the documents in force on a day (costly: a range query over every document).
    memo: dict = field(default_factory=dict)
    large_memo: dict = field(default_factory=dict)

    @property
    def generation(self) -> tuple[str, int]:
        return self.name, self.searcher.reader().generation()

    def remember(self, key, compute, *, large: bool = False):
        """Return ``compute()``, computed once per key while this searcher lives (the
        oldest key is forgotten first; ``large`` answers have a smaller store)."""
        memo, size = (self.large_memo, _LARGE_MEMO_SIZE) if large else (self.memo, _MEMO_SIZE)
        if key not in memo:
            if len(memo) >= size:
                memo.pop(next(iter(memo)))
            memo[key] = compute()
        return memo[key]


class IndexStore:
    """The index root of one app: pointer, directories, writer lock and reader pool."""

    def __init__(self, root: Path, writer_timeout: float = 60.0):
        self.root = Path(root)
        self.writer_timeout = writer_timeout
        self._pool: list[_Borrowed] = []
        self._pool_lock = threading.Lock()

    # -- the pointer and the directories ---------------------------------------------

    def current_name(self) -> str | None:
        """Return the live index directory's name, or None when none was built."""
        try:
            name = (self.root / POINTER).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return name if _INDEX_NAME.fullmatch(name) else None

    def meta(self, name: str | None = None) -> dict:
        """Return what the rebuild recorded about an index directory (the live one)."""
        name = name or self.current_name()
        if name is None:
            return {}
        try:
            return json.loads((self.root / name / META_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def new_directory(self) -> tuple[str, Path]:
        """Create an empty directory for a rebuild."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"ix-{stamp}-{secrets.token_hex(4)}"
        path = self.root / name
        path.mkdir(parents=True)
        return name, path

    def write_meta(self, name: str, meta: dict) -> None:
        _write_atomically(self.root / name / META_FILE, json.dumps(meta, indent=2))

    def swap(self, name: str) -> None:
        """Point readers at ``name``: a rename is atomic, so no reader sees a torn pointer."""
        if not _INDEX_NAME.fullmatch(name) or not (self.root / name).is_dir():
            raise ValueError(f"not an index directory: {name!r}")
        _write_atomically(self.root / POINTER, name + "\n")

    def remove_old(self, keep: set[str]) -> list[str]:
        """Delete index directories not in ``keep``; return their names."""
        removed = []
        for path in self.root.iterdir():
            if path.is_dir() and _INDEX_NAME.fullmatch(path.name) and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        return removed

    def open_index(self, name: str | None = None) -> FileIndex:
        """Open the live index (or ``name``); raise IndexUnavailable when there is none."""
        name = name or self.current_name()
        if name is None:
            raise IndexUnavailable("The search index has not been built yet.")
        if self.meta(name).get("schema_version") != SCHEMA_VERSION:
            raise IndexUnavailable("The search index was built by another version.")
        try:
            return index.open_dir(str(self.root / name))
        except (EmptyIndexError, FileNotFoundError, OSError) as error:
            raise IndexUnavailable(f"The search index cannot be opened: {error}") from error

    def is_available(self) -> bool:
        try:
            self.open_index()
        except IndexUnavailable:
            return False
        return True

    # -- the single writer ----------------------------------------------------------

    @contextmanager
    def writer_lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the OS lock that makes this process the only index writer.

        ``timeout`` 0 tries once; None waits up to ``writer_timeout``. The kernel releases
        the lock when the process dies, so a killed writer never blocks the next one.
        """
        timeout = self.writer_timeout if timeout is None else timeout
        self.root.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WriterBusy("Another process is writing the search index.") from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(handle)

    # -- readers --------------------------------------------------------------------

    @contextmanager
    def searcher(self) -> Iterator[_Borrowed]:
        """Borrow an up-to-date searcher of the live index for the duration of a block."""
        borrowed = self._checkout()
        try:
            yield borrowed
        finally:
            self._checkin(borrowed)

    def _checkout(self) -> _Borrowed:
        name = self.current_name()
        stale = []
        found = None
        with self._pool_lock:
            while self._pool and found is None:
                candidate = self._pool.pop()
                if candidate.name == name and candidate.searcher.up_to_date():
                    found = candidate
                else:
                    stale.append(candidate)
        for candidate in stale:
            candidate.searcher.close()
        if found is not None:
            return found
        try:
            ix = self.open_index(name)
        except IndexUnavailable:
            # A rebuild may have swapped and cleaned up between reading the pointer and
            # opening: read the pointer once more before giving up.
            name = self.current_name()
            ix = self.open_index(name)
        return _Borrowed(name, ix, ix.searcher(weighting=RankedBM25F()))

    def _checkin(self, borrowed: _Borrowed) -> None:
        with self._pool_lock:
            if len(self._pool) < _POOL_SIZE:
                self._pool.append(borrowed)
                return
        borrowed.searcher.close()

    def close(self) -> None:
        """Close every pooled searcher (at app shutdown, in tests)."""
        with self._pool_lock:
            pool, self._pool = self._pool, []
        for borrowed in pool:
            borrowed.searcher.close()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    # Make the rename itself durable (Whoosh does not fsync its own files; see §2.1).
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
