"""Which documents match a query, as sorted arrays of document numbers, at C speed.

Whoosh walks postings one Python call per document: finding the documents holding two
common words that way took most of a search's time at 100,000 documents. Here a term's
posting list is read whole into an array (codec.read_postings), and the words of a
query are combined with NumPy's set operations (building Python sets of the ids cost
~35 ns an id: ~0.3 ms for a common word's list). Scoring then reads each field only for
the documents found (see ``FoundDocuments`` and query.found_then_scored).
"""

from bisect import bisect_left

import numpy as np
from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import WrappingMatcher

from tradeportal.search.codec import Postings, read_postings

# Document numbers of one segment, ascending, without repeats.
_NONE = np.zeros(0, dtype=np.uint32)


class Reads:
    """What one search reads, each once: a term's posting list in a segment
    (codec.read_postings) and the documents holding a phrase. A phrase's documents are
    found from its words' positions, then scored from their weights (found_scoring.py):
    both steps ask here."""

    def __init__(self, *, weights: bool = True):
        self.weights = weights  # read with every list: a search scores what it finds
        # Keyed by the reader's id: readers outlive the search that holds this.
        self._postings: dict[tuple[int, str, bytes], Postings | None] = {}
        self._phrases: dict[tuple[int, str, tuple[str, ...]], np.ndarray | None] = {}

    def postings(self, reader, fieldname: str, btext: bytes, *, positions=False):
        """codec.read_postings (with positions when asked), read once."""
        key = (id(reader), fieldname, btext)
        found = self._postings.get(key)
        if found is None or (positions and found.positions is None):
            found = read_postings(
                reader, fieldname, btext, weights=self.weights, positions=positions
            )
            self._postings[key] = found
        return found

    def phrase(self, reader, fieldname: str, words: list[str]) -> np.ndarray | None:
        """phrase_array, found once."""
        key = (id(reader), fieldname, tuple(words))
        if key not in self._phrases:
            self._phrases[key] = phrase_array(reader, fieldname, words, self)
        return self._phrases[key]


def term_array(reader, fieldname: str, text: str, reads: Reads | None = None) -> np.ndarray:
    """Return the (segment) document numbers holding a term, deletions left out, as a
    sorted array. ``reads``: what the search has read already."""
    try:
        btext = reader.schema[fieldname].to_bytes(text)
    except (KeyError, ValueError):
        return _NONE
    postings = (reads or Reads(weights=False)).postings(reader, fieldname, btext)
    if postings is None:  # another codec: Whoosh's matcher
        if (fieldname, btext) not in reader:
            return _NONE
        return _sorted(reader.postings(fieldname, btext).all_ids())
    ids = np.frombuffer(postings.ids, dtype=np.uint32)
    deleted = reader.deleted_docs_set
    return ids[~np.isin(ids, _sorted(deleted))] if deleted else ids


def _sorted(numbers) -> np.ndarray:
    return np.sort(np.fromiter(numbers, dtype=np.uint32))


def doc_array(searcher, q, reads: Reads | None = None) -> np.ndarray:
    """Return the document numbers of one segment's ``searcher`` that ``q`` matches, as a
    sorted array: words combined by NumPy's set operations, at C speed. ``reads``: what
    the search has read already."""
    reads = reads or Reads(weights=False)
    if isinstance(q, wq.Term):
        return term_array(searcher.reader(), q.fieldname, q.text, reads)
    if isinstance(q, FoundDocuments):
        return q.sorted_ids(searcher, reads)
    if isinstance(q, CountedOn):
        return doc_array(searcher, q.found, reads)
    if isinstance(q, Boosted):
        return doc_array(searcher, q.child, reads)
    if isinstance(q, wq.Or):
        return _union([doc_array(searcher, sub, reads) for sub in q.subqueries])
    if isinstance(q, wq.And):
        found = None
        for sub in q.subqueries:
            ids = doc_array(searcher, sub, reads)
            found = ids if found is None else _intersection(found, ids)
            if not len(found):
                return _NONE
        return _NONE if found is None else found
    if isinstance(q, wq.AndMaybe):
        return doc_array(searcher, q.a, reads)
    if is_phrase(q):
        found = reads.phrase(searcher.reader(), q.fieldname, q.words)
        if found is not None:
            return found
    # Fuzzy terms, prefixes, phrases in old segments: Whoosh's own walk.
    return _sorted(q.docs(searcher))


def is_phrase(q) -> bool:
    """Is ``q`` a phrase that ``phrase_array`` finds: its words one after another?"""
    return type(q) is wq.Phrase and q.slop == 1 and q.char_ranges is None


def phrase_array(reader, fieldname: str, words: list[str], reads: Reads) -> np.ndarray | None:
    """Return the documents (sorted numbers, deletions left out) whose ``fieldname``
    holds ``words`` one after another, as Whoosh's Phrase finds them; None when the
    positions are not kept as arrays (a segment of an earlier codec): ask Whoosh then.

    Each word's positions in the documents holding every word become keys (document,
    position - its place in the phrase): the phrase starts where every word has a key.
    """
    if fieldname not in reader.schema or not words:
        return _NONE
    lists, found = [], None
    for word in words:
        try:
            btext = reader.schema[fieldname].to_bytes(word)
        except ValueError:
            return _NONE
        postings = reads.postings(reader, fieldname, btext, positions=True)
        if postings is None:
            return None
        ids = np.frombuffer(postings.ids, dtype=np.uint32)
        found = ids if found is None else _intersection(found, ids)
        if not len(found):
            return _NONE
        lists.append(postings)
    deleted = reader.deleted_docs_set
    if deleted:
        found = found[~np.isin(found, _sorted(deleted))]
    if len(found) <= _FEW:
        return _phrase_in_few(lists, found)
    starts = None
    for place, postings in enumerate(lists):
        # A word before its place (position < place) cannot follow the earlier words; its
        # key falls on the previous document's position 2**32 - 1, which none reaches.
        keys = _position_keys(postings, found) - place
        starts = keys if starts is None else _intersection(starts, keys)
    # Keys are sorted: so are their documents, each repeated once per phrase it holds.
    return _distinct((starts >> 32).astype(np.uint32))


# Up to this many documents holding every word of a phrase, their positions are read
# and compared one document at a time: NumPy's calls cost more (~1 µs each, some thirty
# per word), and their arrays would hold every position of the words' lists.
_FEW = 8


def _phrase_in_few(lists, found: np.ndarray) -> np.ndarray:
    """phrase_array's last step for a few documents: those where some position of the
    first word is followed by the others, in order."""
    holding = []
    for docnum in found.tolist():
        starts = None
        for place, postings in enumerate(lists):
            at = bisect_left(postings.ids, docnum)
            shifted = {position - place for position in postings.positions.of(at)}
            starts = shifted if starts is None else starts & shifted
            if not starts:
                break
        if starts:
            holding.append(docnum)
    return np.array(holding, dtype=np.uint32)


def _position_keys(postings, documents: np.ndarray) -> np.ndarray:
    """(document << 32) + position of each position of the term in ``documents`` (all
    holding it), sorted."""
    ids = np.frombuffer(postings.ids, dtype=np.uint32)
    kept = postings.positions  # codec.PositionColumns: read where they lie, not copied
    counts = np.frombuffer(kept.counts, dtype="<u4")
    at = ids.searchsorted(documents)
    each = counts[at].astype(np.int64)
    # Where each document's positions start: the counts before it, summed up to the last.
    first = np.cumsum(counts[: at[-1] + 1], dtype=np.int64)[at] - each
    # The indexes first[i] .. first[i] + each[i] - 1 of every document i, in one array.
    steps = np.arange(each.sum()) - np.repeat(np.cumsum(each) - each, each)
    positions = np.frombuffer(kept.positions, dtype="<u4")[np.repeat(first, each) + steps]
    return (np.repeat(documents.astype(np.int64), each) << 32) + positions


# NumPy's union1d, intersect1d and unique sort or hash whole arrays; these use that the
# arrays are sorted already (measured: a third of the time of finding two words).


def _union(parts: list[np.ndarray]) -> np.ndarray:
    parts = [part for part in parts if len(part)]
    if len(parts) <= 1:
        return parts[0] if parts else _NONE
    return _distinct(np.sort(np.concatenate(parts), kind="stable"))  # a radix sort


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """A sorted array without its repeats."""
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def _intersection(one: np.ndarray, other: np.ndarray) -> np.ndarray:
    small, large = (one, other) if len(one) <= len(other) else (other, one)
    if not len(small):
        return _NONE
    if len(large) < 4 * len(small) and large[-1] < 64 * len(large):
        # Document numbers of two lists of like sizes: a table over the larger's range
        # (bisecting costs a few comparisons a number: 65 µs for two of 5,000, against
        # 32 µs for a table, measured); not for position keys, spread over 2**32 a
        # document.
        table = np.zeros(int(large[-1]) + 1, dtype=bool)
        table[large] = True
        small = small[small <= large[-1]]
        return small[table[small]]
    positions = np.minimum(np.searchsorted(large, small), len(large) - 1)
    return small[large[positions] == small]


def term_ids(reader, fieldname: str, text: str) -> set[int]:
    """``term_array`` as a set."""
    return set(term_array(reader, fieldname, text).tolist())


def doc_ids(searcher, q) -> set[int]:
    """``doc_array`` as a set."""
    return set(doc_array(searcher, q).tolist())


class _Unscored(ListMatcher):
    """Listed documents adding nothing to a score (ListMatcher reads a weight of 0 as
    "no weights given" and scores each document 1)."""

    def weight(self):
        return 0.0

    def score(self):
        return 0.0

    def max_quality(self):
        return 0.0


class _Wrapping(wq.WrappingQuery):
    """A query around ``child`` and a few more values (``_values``), equal to another of
    its class with the same ones: the search compares queries to skip repeated ones."""

    def _values(self) -> tuple:
        return ()

    def __eq__(self, other):
        return (
            other.__class__ is self.__class__
            and self.child == other.child
            and self._values() == other._values()
        )

    def __hash__(self):
        return hash((self.__class__.__name__, self.child, self._values()))

    def _rewrap(self, child):
        return self.__class__(child, *self._values())


class FoundDocuments(_Wrapping):
    """The documents ``child`` matches, each scoring 0: a filter to score on top of."""

    def __init__(self, child):
        super().__init__(child)
        # Per segment reader, for this query's life; the reader is kept with its answer so
        # its id cannot be reused by another reader meanwhile.
        self._found: dict[int, tuple[object, np.ndarray]] = {}

    def sorted_ids(self, searcher, reads: Reads | None = None) -> np.ndarray:
        reader = searcher.reader()
        if id(reader) not in self._found:
            self._found[id(reader)] = (reader, doc_array(searcher, self.child, reads))
        return self._found[id(reader)][1]

    def matcher(self, searcher, context=None):
        ids = self.sorted_ids(searcher)
        return _Unscored(ids.tolist()) if len(ids) else NullMatcher()


class CountedOn(_Wrapping):
    """``child`` as it is (matched and scored by Whoosh), whose documents are those of
    ``found``: the same documents on fewer posting lists, read when counting them."""

    def __init__(self, child, found):
        super().__init__(child)
        self.found = found

    def _values(self) -> tuple:
        return (self.found,)


class _BoostedMatcher(WrappingMatcher):
    """Whoosh's boost wrapper, simplified against a bar in boosted units.

    whoosh-reloaded 2.7.5's wrapper passes the bar to its child unchanged when a matcher
    is simplified on the way (``replace``), so a boosted group (the title's words, boost
    4) whose unboosted best score was under the bar could be dropped though it could
    still lift a document into the top N (tests/search/test_whoosh_fixes.py). None of the
    bench's 400 searches happened to meet it; whoosh_fixes.py is the bug they did meet.
    """

    def replace(self, minquality=0):
        child = self.child.replace(minquality / self.boost if minquality else 0)
        if not child.is_active():
            return NullMatcher()
        return self if child is self.child else self._replacement(child)


class Boosted(_Wrapping):
    """``child`` with its scores multiplied by ``boost`` (see _BoostedMatcher)."""

    def __init__(self, child, boost: float):
        super().__init__(child)
        self.boost = boost

    def _values(self) -> tuple:
        return (self.boost,)

    def __repr__(self):
        return f"{self.__class__.__name__}({self.child!r}, {self.boost})"

    def matcher(self, searcher, context=None):
        matcher = self.child.matcher(searcher, context)
        return _BoostedMatcher(matcher, boost=self.boost) if matcher.is_active() else matcher


def boosted(q, boost: float):
    """Return ``q`` scoring ``boost`` times as much (``q`` itself for a boost of 1)."""
    return q if boost == 1.0 else Boosted(q, boost)


def _global(ids: set[int], offset: int) -> set[int]:
    return ids if not offset else {docnum + offset for docnum in ids}


def matching_documents(searcher, q, allowed: set[int]) -> set[int]:
    """Return the documents of ``q`` (top searcher numbers) that are in ``allowed``."""
    found: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        found |= _global(doc_ids(leaf, q), offset) & allowed
    return found


def facet_documents(searcher, fieldname: str) -> dict[str, set[int]]:
    """Return the documents of each value of a keyword field (top searcher numbers)."""
    documents: dict[str, set[int]] = {}
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        for value in reader.lexicon(fieldname):
            text = value.decode("utf-8")
            ids = _global(term_ids(reader, fieldname, text), offset)
            documents.setdefault(text, set()).update(ids)
    return documents
