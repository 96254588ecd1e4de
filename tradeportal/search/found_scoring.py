"""Scoring the documents a search of words found, one field term at a time.

A search of words scores each document on every text field of each word, with the
field's boost (query.unit_query: an Or of eight boosted field terms per word). Whoosh
scores that through a tree of matchers built for each segment and walked with several
Python calls per document and field: ~15 µs a document, most of a two-word search at
100,000 documents (measured).

Here the documents are found first, as sets (docsets.py), then each field term visits
only them, in order: blocks of postings holding none of them are skipped on their header
(codec.ArrayLeafMatcher), and a block is searched by bisection, or read through when many
of them fall in it. A document holding the term is scored by Whoosh's own
scorer (BM25F with the field's parameters) and the weighting's ``final`` step; scores
add up as Whoosh adds them, perhaps in another order (a difference in the last bits:
tests/search/test_found_scoring.py compares both on every query shape).

Queries made of terms, boosts, Or and And are scored here: one word (docsets.CountedOn),
"every word" (query.found_then_scored) and "some words" (build_query). Phrases, fuzzy
terms and code prefixes go to Whoosh. So do searches finding more than ``MAX_FOUND``
documents, which score every one of them here, while Whoosh's collector skips blocks of
postings that cannot enter the top N.
"""

import heapq
import operator
from bisect import bisect_left, bisect_right
from functools import cached_property

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import WeightLengthScorer

from tradeportal.search.backend import RankedBM25F
from tradeportal.search.codec import ArrayLeafMatcher
from tradeportal.search.column_arrays import LENGTH_OF_CODE, FieldLengths
from tradeportal.search.docsets import Boosted, CountedOn, FoundDocuments, doc_ids

# Documents found (in force, through the filters) above which Whoosh scores instead. The
# bench's largest searches found ~35,000 documents: 30 ms here, 43-65 ms in Whoosh.
MAX_FOUND = 40_000
# A block holding at least 1/DENSE as many documents to score as postings is read
# posting by posting (one dict lookup each) rather than bisected for each document.
DENSE = 8


def expressible(q) -> bool:
    """Is ``q``'s score a sum of field term scores that this module can compute?"""
    if type(q) is wq.Term:
        return not q.minquality
    if isinstance(q, Boosted):
        return expressible(q.child)
    if type(q) is wq.Or:
        return not q.minmatch and q.scale is None and all(map(expressible, q.subqueries))
    if type(q) is wq.And:
        return all(map(expressible, q.subqueries))
    return False


def _scored_part(q):
    """Return (what finds the documents, what scores them), or None if not scored here."""
    if isinstance(q, wq.AndMaybe) and isinstance(q.a, FoundDocuments) and expressible(q.b):
        return q.a, q.b
    if type(q) is wq.Or and expressible(q):
        return q, q
    if isinstance(q, CountedOn) and expressible(q.child):
        return q.found, q.child
    return None


class _Documents:
    """The documents of one segment to score: sorted numbers, and where each one is."""

    def __init__(self, numbers: list[int]):
        self.numbers = numbers

    @cached_property
    def index(self) -> dict[int, int]:
        return dict(zip(self.numbers, range(len(self.numbers)), strict=True))


def _add_score(segment, q, documents: _Documents, scores: list[float], boost: float) -> None:
    """Add ``boost`` times ``q``'s score of each document to ``scores`` (same order)."""
    boost *= q.boost
    if isinstance(q, wq.Term):
        _add_term_score(segment, q.fieldname, q.text, documents, scores, boost)
    elif isinstance(q, Boosted):
        _add_score(segment, q.child, documents, scores, boost)
    elif isinstance(q, wq.Or):
        for sub in q.subqueries:
            _add_score(segment, sub, documents, scores, boost)
    else:  # And: the sum of its parts, for the documents that have every part
        parts = []
        for sub in q.subqueries:
            part = [0.0] * len(documents.numbers)
            _add_score(segment, sub, documents, part, 1.0)
            parts.append(part)
        for index, values in enumerate(zip(*parts, strict=True)):
            # A part found scores above 0: BM25 of a term present is positive.
            if all(values):
                scores[index] += boost * sum(values)


def _add_term_score(segment, fieldname, text, documents, scores, boost) -> None:
    if fieldname not in segment.schema:
        return
    try:
        btext = segment.schema[fieldname].to_bytes(text)
    except ValueError:
        return
    if (fieldname, btext) not in segment.reader():
        return
    matcher = segment.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):
        # Deleted documents are never among those found (docsets.term_ids).
        matcher = matcher.child
    if isinstance(matcher, ArrayLeafMatcher) and isinstance(matcher.scorer, WeightLengthScorer):
        _add_block_scores(matcher, documents, scores, boost)
        return
    score = matcher.scorer.score
    for index, docnum in enumerate(documents.numbers):
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            scores[index] += boost * score(matcher)


def _add_block_scores(matcher, documents: _Documents, scores: list[float], boost: float):
    """What ``matcher.scorer.score(matcher)`` answers for each document holding the
    term, read block by block instead of posting by posting.

    A term's score depends only on the posting's weight and the field's length, stored
    as one of 256 byte codes: each pair is scored once and then looked up.
    """
    score, lengths = matcher.scorer._score, matcher.scorer.dfl
    if isinstance(lengths, FieldLengths):
        length_key, length_of = lengths.codes.__getitem__, LENGTH_OF_CODE.__getitem__
    else:  # keyed on the document: nothing is shared, the answers are the same
        length_key, length_of = int, lengths
    known: dict[tuple[float, int], float] = {}
    numbers = documents.numbers
    start, count = 0, len(numbers)
    while start < count and matcher.is_active():
        last = matcher.block_max_id()
        if numbers[start] <= last:
            # Documents start..end-1 fall in this block: the earlier ones were before it.
            end = bisect_right(numbers, last, start)
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            for index, position in _in_block(documents, start, end, ids):
                key = (weights[position], length_key(numbers[index]))
                found = known.get(key)
                if found is None:
                    found = known[key] = boost * score(key[0], length_of(key[1]))
                scores[index] += found
            start = end
        matcher._next_block()


def _in_block(documents: _Documents, start: int, end: int, ids) -> list[tuple[int, int]]:
    """(index in documents, position in the block) of documents start..end-1 in ``ids``."""
    numbers = documents.numbers
    if (end - start) * DENSE < len(ids):  # a few documents: bisect the block for each
        pairs, position = [], 0
        for index in range(start, end):
            position = bisect_left(ids, numbers[index], position)
            if ids[position] == numbers[index]:  # the block's last id is >= the number
                pairs.append((index, position))
        return pairs
    index_of = documents.index.get  # many: look each posting up
    return [
        (index, position)
        for position, docnum in enumerate(ids)
        if (index := index_of(docnum)) is not None
    ]


def top_found(searcher, q, allowed: set[int], limit: int):
    """Return the best ``limit`` documents of ``q`` in ``allowed`` as (score, document
    number), best first (equal scores: the lower number first, as Whoosh orders them),
    and the set of every document found; None when ``q`` is not scored here."""
    parts = _scored_part(q)
    if parts is None:
        return None
    finding, scoring = parts
    segments = []
    for segment, offset in searcher.leaf_searchers():
        if isinstance(finding, FoundDocuments):
            found = finding.sorted_ids(segment)
        else:
            found = sorted(doc_ids(segment, finding))
        numbers = [docnum for docnum in found if docnum + offset in allowed]
        segments.append((segment, offset, numbers))
    if sum(len(numbers) for _, _, numbers in segments) > MAX_FOUND:
        return None
    numbers: list[int] = []
    scores: list[float] = []
    for segment, offset, local in segments:
        if not local:
            continue
        local_scores = [0.0] * len(local)
        _add_score(segment, scoring, _Documents(local), local_scores, 1.0)
        numbers.extend(docnum + offset for docnum in local)
        scores.extend(local_scores)
    weighting = searcher.weighting
    if isinstance(weighting, RankedBM25F):
        scores = weighting.final_scores(searcher, numbers, scores)
    elif weighting.use_final:
        scores = [weighting.final(searcher, n, s) for n, s in zip(numbers, scores, strict=True)]
    # Best score first, then the lower number: (score, -number) compared as tuples.
    best = heapq.nlargest(limit, zip(scores, map(operator.neg, numbers), strict=True))
    return [(score, -negated) for score, negated in best], set(numbers)
