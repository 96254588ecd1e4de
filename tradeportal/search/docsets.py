"""Which documents match a query, as sets of document numbers, at C speed where possible.

Whoosh walks postings one Python call per document: finding the documents holding two
common words that way took most of a search's time at 100,000 documents. Here a term's
postings are read a whole block at a time into a set, and the words of a query are
combined with set operations. Scoring then reads each field only for the documents
found (see ``FoundDocuments`` and query.found_then_scored).
"""

from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher


def term_ids(reader, fieldname: str, text: str) -> set[int]:
    """Return the (segment) document numbers holding a term, deletions left out."""
    try:
        btext = reader.schema[fieldname].to_bytes(text)
    except (KeyError, ValueError):
        return set()
    if (fieldname, btext) not in reader:
        return set()
    matcher = reader.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        # Deleted documents, filtered one by one by Whoosh: subtract them as a set.
        return _leaf_ids(matcher.child) - set(matcher._ids)
    return _leaf_ids(matcher)


def _leaf_ids(matcher) -> set[int]:
    # whoosh-reloaded 2.7.5's block posting reader (codec/whoosh3.py): decode each block's
    # ids at once. Any other matcher is walked the generic way.
    if not hasattr(matcher, "_read_ids"):
        return set(matcher.all_ids())
    ids: set[int] = set()
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        ids.update(matcher._ids[matcher._i :])
        matcher._next_block()
    return ids


def doc_ids(searcher, q) -> set[int]:
    """Return the document numbers of one segment's ``searcher`` that ``q`` matches."""
    if isinstance(q, wq.Term):
        return term_ids(searcher.reader(), q.fieldname, q.text)
    if isinstance(q, FoundDocuments):
        return q.ids(searcher)
    if isinstance(q, CountedOn):
        return doc_ids(searcher, q.found)
    if isinstance(q, wq.Or):
        found: set[int] = set()
        for sub in q.subqueries:
            found |= doc_ids(searcher, sub)
        return found
    if isinstance(q, wq.And):
        found = None
        for sub in q.subqueries:
            ids = doc_ids(searcher, sub)
            found = ids if found is None else found & ids
            if not found:
                return set()
        return found or set()
    if isinstance(q, wq.AndMaybe):
        return doc_ids(searcher, q.a)
    # Phrases, fuzzy terms, prefixes: Whoosh's own walk.
    return set(q.docs(searcher))


class _Unscored(ListMatcher):
    """Listed documents adding nothing to a score (ListMatcher reads a weight of 0 as
    "no weights given" and scores each document 1)."""

    def weight(self):
        return 0.0

    def score(self):
        return 0.0

    def max_quality(self):
        return 0.0


class FoundDocuments(wq.WrappingQuery):
    """The documents ``child`` matches, each scoring 0: a filter to score on top of."""

    def __init__(self, child):
        super().__init__(child)
        # Per segment reader, for this query's life; the reader is kept with its answer so
        # its id cannot be reused by another reader meanwhile.
        self._found: dict[int, tuple[object, list[int]]] = {}

    def __eq__(self, other):
        return other.__class__ is self.__class__ and self.child == other.child

    def __hash__(self):
        return hash(self.child) ^ 0x5EED

    def _rewrap(self, child):
        return self.__class__(child)

    def ids(self, searcher) -> set[int]:
        return set(self._sorted_ids(searcher))

    def _sorted_ids(self, searcher) -> list[int]:
        reader = searcher.reader()
        if id(reader) not in self._found:
            self._found[id(reader)] = (reader, sorted(doc_ids(searcher, self.child)))
        return self._found[id(reader)][1]

    def matcher(self, searcher, context=None):
        ids = self._sorted_ids(searcher)
        return _Unscored(ids) if ids else NullMatcher()


class CountedOn(wq.WrappingQuery):
    """``child`` as it is (matched and scored by Whoosh), whose documents are those of
    ``found``: the same documents on fewer posting lists, read when counting them."""

    def __init__(self, child, found):
        super().__init__(child)
        self.found = found

    def __eq__(self, other):
        return (
            other.__class__ is self.__class__
            and self.child == other.child
            and self.found == other.found
        )

    def __hash__(self):
        return hash(self.child) ^ hash(self.found)

    def _rewrap(self, child):
        return self.__class__(child, self.found)


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
