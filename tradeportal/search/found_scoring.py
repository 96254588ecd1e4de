"""Scoring the documents a search of words found, one field term at a time.

A search of words scores each document on every text field of each word, with the
field's boost (query.unit_query: an Or of eight boosted field terms per word). Whoosh
scores that through a tree of matchers built for each segment and walked with several
Python calls per document and field: ~15 µs a document, most of a two-word search at
100,000 documents (measured).

Here the documents are found first, as sets (docsets.py), then each field term's posting
list is read whole, in one pass over its bytes (codec.read_postings), and looked up for
those documents only. A document holding the term is scored by Whoosh's own scorer
(BM25F with the field's parameters), once per (weight, field length) and search, and the
weighting's ``final`` step; scores add up as Whoosh adds them, perhaps in another order
(a difference in the last bits: tests/search/test_found_scoring.py compares both on
every query shape). Postings of another codec are read through Whoosh's matcher.

Queries made of terms, boosts, Or and And are scored here: one word (docsets.CountedOn),
"every word" (query.found_then_scored) and "some words" (build_query). Phrases, fuzzy
terms and code prefixes go to Whoosh. So do searches finding more than ``MAX_FOUND``
documents, which score every one of them here, while Whoosh's collector skips blocks of
postings that cannot enter the top N.
"""

import heapq
import operator
from bisect import bisect_left

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import WeightLengthScorer

from tradeportal.search.backend import RankedBM25F
from tradeportal.search.codec import read_postings
from tradeportal.search.column_arrays import LENGTH_OF_CODE, FieldLengths, field_lengths
from tradeportal.search.docsets import Boosted, CountedOn, FoundDocuments, doc_ids

# Documents found (in force, through the filters) above which Whoosh scores instead. The
# bench's largest searches found ~35,000 documents: 30 ms here, 43-65 ms in Whoosh.
MAX_FOUND = 40_000
# A posting list of more than DENSE postings per document to score is bisected for each
# document; a shorter one is read into a dict (at C speed) and looked up for each.
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


class _Search:
    """What one search's scoring shares across segments.

    A field term's BM25F score depends only on the posting's weight and the document's
    field length (stored as one of 256 byte codes), with the idf and average length of
    the whole index: each (weight, length code) is scored once per term and search, for
    every segment.
    """

    def __init__(self, searcher):
        self.weighting = searcher.weighting
        self.known: dict[tuple[str, str], tuple] = {}  # field term -> (score, its answers)

    def lengths(self, reader, fieldname: str):
        if isinstance(self.weighting, RankedBM25F):  # kept with the searcher
            return self.weighting.field_lengths(reader, fieldname)
        return field_lengths(reader, fieldname, default=1)


def _add_score(search, segment, q, numbers: list[int], scores: list[float], boost) -> None:
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
    else:  # And: the sum of its parts, for the documents that have every part
        parts = []
        for sub in q.subqueries:
            part = [0.0] * len(numbers)
            _add_score(search, segment, sub, numbers, part, 1.0)
            parts.append(part)
        for index, values in enumerate(zip(*parts, strict=True)):
            # A part found scores above 0: BM25 of a term present is positive.
            if all(values):
                scores[index] += boost * sum(values)


def _add_term_score(search, segment, fieldname, text, numbers, scores, boost) -> None:
    if fieldname not in segment.schema:
        return
    try:
        btext = segment.schema[fieldname].to_bytes(text)
    except ValueError:
        return
    reader = segment.reader()
    postings = read_postings(reader, fieldname, btext, weights=True)
    if postings is not None and not postings.ids:
        return
    lengths = search.lengths(reader, fieldname) if postings is not None else None
    if not isinstance(lengths, FieldLengths):
        _add_matcher_scores(segment, fieldname, btext, numbers, scores, boost)
        return
    known = search.known.get((fieldname, text))
    if known is None:
        scorer = search.weighting.scorer(segment, fieldname, text)
        if not isinstance(scorer, WeightLengthScorer):
            _add_matcher_scores(segment, fieldname, btext, numbers, scores, boost)
            return
        known = search.known[fieldname, text] = (scorer._score, {})
    score, answers = known
    codes = lengths.codes
    for index, weight in _weights_of(numbers, postings):
        key = (weight, codes[numbers[index]])
        found = answers.get(key)
        if found is None:
            found = answers[key] = score(weight, LENGTH_OF_CODE[key[1]])
        scores[index] += boost * found


def _weights_of(numbers: list[int], postings) -> list[tuple[int, float]]:
    """(index in numbers, weight) of each document holding the term."""
    ids, weights = postings
    if len(numbers) * DENSE < len(ids):  # a few documents: bisect the list for each
        pairs, position, end = [], 0, len(ids)
        for index, docnum in enumerate(numbers):
            position = bisect_left(ids, docnum, position)
            if position == end:
                break
            if ids[position] == docnum:
                pairs.append((index, weights[position]))
        return pairs
    weight_of = dict(zip(ids, weights, strict=True)).get  # many: built at C speed
    return [
        (index, weight)
        for index, docnum in enumerate(numbers)
        if (weight := weight_of(docnum)) is not None
    ]


def _add_matcher_scores(segment, fieldname, btext, numbers, scores, boost) -> None:
    """Score through Whoosh's matcher and scorer, one posting at a time: postings of
    another codec, or a scorer that is not a function of weight and length."""
    if (fieldname, btext) not in segment.reader():
        return
    matcher = segment.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):
        # Deleted documents are never among those found (docsets.term_ids).
        matcher = matcher.child
    score = matcher.scorer.score
    for index, docnum in enumerate(numbers):
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            scores[index] += boost * score(matcher)


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
    search = _Search(searcher)
    numbers: list[int] = []
    scores: list[float] = []
    for segment, offset, local in segments:
        if not local:
            continue
        local_scores = [0.0] * len(local)
        _add_score(search, segment, scoring, local, local_scores, 1.0)
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
