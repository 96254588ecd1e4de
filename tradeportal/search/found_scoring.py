"""Scoring the documents a search of words found, one field term at a time.

A search of words scores each document on every text field of each word, with the
field's boost (query.unit_query: an Or of eight boosted field terms per word). Whoosh
scores that through a tree of matchers built for each segment and walked with several
Python calls per document and field: ~15 µs a document, most of a two-word search at
100,000 documents (measured).

Here the documents are found first, as sorted arrays (docsets.py), then each field
term's posting list is read whole (codec.read_postings) and searched for those documents
only, all with NumPy. The documents holding the term are scored at once by Whoosh's own
BM25 formula (BM25FScorer._score, with the field's parameters) given arrays: the same
float operations in the same order, so the same scores. Then the weighting's ``final``
step, on arrays too. Scores add up as Whoosh adds them, perhaps in another order (a
difference in the last bits: tests/search/test_found_scoring.py compares both on every
query shape). Postings of another codec, and scorers of other formulas, are read through
Whoosh's matcher, one posting at a time.

Queries made of terms, phrases, boosts, Or and And are scored here: one word
(docsets.CountedOn), "every word" and a phrase (query.found_then_scored), "some words"
(build_query). A phrase scores as Whoosh's does: the sum of its words' scores in the
documents holding it (found from positions, docsets.phrase_array). Fuzzy terms and code
prefixes go to Whoosh. Every document found is scored, even the ~35,000
of the bench's largest searches (4-9 ms; Whoosh's collector, which skips blocks of
postings that cannot enter the top N, took 30-70 ms on them).
"""

from bisect import bisect_left

import numpy as np
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer

from tradeportal.search.backend import RankedBM25F
from tradeportal.search.column_arrays import LENGTH_OF_CODE, FieldLengths, field_lengths
from tradeportal.search.docsets import (
    Boosted,
    CountedOn,
    FoundDocuments,
    Reads,
    doc_array,
    is_phrase,
)


def expressible(q) -> bool:
    """Is ``q``'s score a sum of field term scores that this module can compute?"""
    if type(q) is wq.Term:
        return not q.minquality
    if isinstance(q, Boosted):
        return expressible(q.child)
    if type(q) is wq.Or:
        return not q.minmatch and q.scale is None and all(map(expressible, q.subqueries))
    if type(q) is wq.And:
        return bool(q.subqueries) and all(map(expressible, q.subqueries))
    return is_phrase(q)


def _scored_part(q):
    """Return (what finds the documents, what scores them), or None if not scored here."""
    if isinstance(q, wq.AndMaybe) and isinstance(q.a, FoundDocuments) and expressible(q.b):
        return q.a, q.b
    if type(q) is wq.Or and expressible(q):
        return q, q
    if isinstance(q, CountedOn) and expressible(q.child):
        return q.found, q.child
    return None


# A length's byte code -> the length (0: a document without the field, holding no term).
_LENGTHS = np.array([0.0, *LENGTH_OF_CODE[1:]])


class _Search:
    """What one search's scoring shares across segments: what it has read (docsets.Reads)
    and a field term's scorer (its idf and the field's average length are the whole
    index's)."""

    def __init__(self, searcher):
        self.weighting = searcher.weighting
        self.scorers: dict[tuple[str, str], object] = {}
        self.reads = Reads()

    def lengths(self, reader, fieldname: str):
        if isinstance(self.weighting, RankedBM25F):  # kept with the searcher
            return self.weighting.field_lengths(reader, fieldname)
        return field_lengths(reader, fieldname, default=1)


def _add_score(search, segment, q, numbers: np.ndarray, scores: np.ndarray, boost) -> None:
    """Add ``boost`` times ``q``'s score of each document (sorted ``numbers`` of one
    segment) to ``scores`` (same order)."""
    boost *= q.boost
    if isinstance(q, wq.Term):
        _add_term_score(search, segment, q.fieldname, q.text, numbers, scores, boost)
    elif isinstance(q, Boosted):
        _add_score(search, segment, q.child, numbers, scores, boost)
    elif isinstance(q, wq.Or):
        for sub in q.subqueries:
            _add_score(search, segment, sub, numbers, scores, boost)
    elif isinstance(q, wq.Phrase):
        _add_phrase_score(search, segment, q, numbers, scores, boost)
    else:  # And: the sum of its parts, for the documents that have every part
        parts = []
        for sub in q.subqueries:
            part = np.zeros(len(numbers))
            _add_score(search, segment, sub, numbers, part, 1.0)
            parts.append(part)
        # A part found scores above 0: BM25 of a term present is positive.
        every = np.logical_and.reduce([part != 0 for part in parts])
        scores[every] += boost * sum(parts)[every]


def _add_phrase_score(search, segment, q, numbers, scores, boost) -> None:
    """A phrase scores as Whoosh's Phrase does: the sum of its words' scores, in the
    documents holding it (found once per search: finding them asked first)."""
    found = search.reads.phrase(segment.reader(), q.fieldname, q.words)
    if found is None:  # positions of an earlier codec: Whoosh finds the phrase
        found = doc_array(segment, q, search.reads)
    if not len(found):
        return
    # Which of ``numbers`` hold it (both sorted; np.isin costs ~10 µs on any size).
    at = np.minimum(found.searchsorted(numbers), len(found) - 1)
    holding = np.flatnonzero(found[at] == numbers)
    if not len(holding):
        return
    words = np.zeros(len(holding))
    for word in q.words:
        _add_term_score(search, segment, q.fieldname, word, numbers[holding], words, 1.0)
    scores[holding] += boost * words


def _add_term_score(search, segment, fieldname, text, numbers, scores, boost) -> None:
    if fieldname not in segment.schema:
        return
    try:
        btext = segment.schema[fieldname].to_bytes(text)
    except ValueError:
        return
    reader = segment.reader()
    postings = search.reads.postings(reader, fieldname, btext)
    if postings is not None and not postings.ids:
        return
    lengths = search.lengths(reader, fieldname) if postings is not None else None
    if not isinstance(lengths, FieldLengths):
        _add_matcher_scores(segment, fieldname, btext, numbers, scores, boost)
        return
    scorer = search.scorers.get((fieldname, text))
    if scorer is None:
        scorer = search.scorers[fieldname, text] = search.weighting.scorer(segment, fieldname, text)
    if type(scorer) is not BM25FScorer:  # one whose formula may not take arrays
        _add_matcher_scores(segment, fieldname, btext, numbers, scores, boost)
        return
    if len(numbers) <= _FEW:
        _add_few_scores(postings, lengths.codes, scorer, numbers, scores, boost)
        return
    # Where each document would be in the list, and which ones are there.
    ids = np.frombuffer(postings.ids, dtype=np.uint32)
    positions = np.minimum(np.searchsorted(ids, numbers), len(ids) - 1)
    holding = np.flatnonzero(ids[positions] == numbers)
    if not len(holding):
        return
    weights = np.frombuffer(postings.weights, dtype=np.float32)[positions[holding]]
    codes = np.frombuffer(lengths.codes, dtype=np.uint8)[numbers[holding]]
    # Whoosh's own BM25 formula, given arrays: the same float operations in the same
    # order as for one document.
    scores[holding] += boost * scorer._score(weights.astype(float), _LENGTHS[codes])


# Up to this many documents, scoring one at a time in Python is cheaper than NumPy's two
# dozen calls of ~1 µs each (a phrase is often in a few documents of a field).
_FEW = 8
_LENGTH_VALUES = _LENGTHS.tolist()


def _add_few_scores(postings, codes: bytes, scorer, numbers, scores, boost) -> None:
    """_add_term_score's NumPy step for a few documents, one at a time: the same float
    operations, as Whoosh does them for one document."""
    ids, weights, at = postings.ids, postings.weights, 0
    for index, docnum in enumerate(numbers.tolist()):  # ascending
        at = bisect_left(ids, docnum, at)
        if at == len(ids):
            return
        if ids[at] == docnum:
            scores[index] += boost * scorer._score(weights[at], _LENGTH_VALUES[codes[docnum]])


def _add_matcher_scores(segment, fieldname, btext, numbers, scores, boost) -> None:
    """Score through Whoosh's matcher and scorer, one posting at a time: postings of
    another codec, or a scorer that is not a function of weight and length."""
    if (fieldname, btext) not in segment.reader():
        return
    matcher = segment.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):
        # Deleted documents are never among those found (docsets.term_array).
        matcher = matcher.child
    score = matcher.scorer.score
    for index, docnum in enumerate(numbers.tolist()):
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            scores[index] += boost * score(matcher)


def allowed_mask(allowed: set[int], doc_count: int) -> np.ndarray:
    """The documents a search may return, as a boolean array over document numbers
    (from a set of them; numbers outside the index are left out)."""
    mask = np.zeros(doc_count, dtype=bool)
    numbers = np.fromiter(allowed, dtype=np.int64, count=len(allowed))
    mask[numbers[(numbers >= 0) & (numbers < doc_count)]] = True
    return mask


def top_found(searcher, q, allowed, limit: int):
    """Return the best ``limit`` documents of ``q`` in ``allowed`` as (score, document
    number), best first (equal scores: the lower number first, as Whoosh orders them),
    and the set of every document found; None when ``q`` is not scored here.

    ``allowed``: a set of document numbers, or its ``allowed_mask`` (results.py keeps
    one per searcher and filters).
    """
    parts = _scored_part(q)
    if parts is None:
        return None
    finding, scoring = parts
    if not isinstance(allowed, np.ndarray):
        allowed = allowed_mask(allowed, searcher.doc_count_all())
    search = _Search(searcher)
    numbers, scores = [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
    for segment, offset in searcher.leaf_searchers():
        if isinstance(finding, FoundDocuments):
            found = finding.sorted_ids(segment, search.reads)
        else:
            found = doc_array(segment, finding, search.reads)
        local = found[allowed[found.astype(np.int64) + offset]]
        if not len(local):
            continue
        local_scores = np.zeros(len(local))
        _add_score(search, segment, scoring, local, local_scores, 1.0)
        numbers.append(local.astype(np.int64) + offset)
        scores.append(local_scores)
    found, scored = np.concatenate(numbers), np.concatenate(scores)
    weighting = searcher.weighting
    if isinstance(weighting, RankedBM25F):
        scored = weighting.final_scores(searcher, found, scored)
    elif weighting.use_final:
        scored = np.array(
            [
                weighting.final(searcher, n, s)
                for n, s in zip(found.tolist(), scored.tolist(), strict=True)
            ]
        )
    # Best score first, then the lower number.
    best = np.lexsort((found, -scored))[:limit]
    top = list(zip(scored[best].tolist(), found[best].tolist(), strict=True))
    return top, set(found.tolist())
