"""Scoring the documents found term by term (found_scoring.py) against Whoosh scoring
every match with its own matchers, on the real corpus and on small indexes built to
reach every path (sparse and dense blocks, whoosh3 segments, deletions, ties)."""

import random
from datetime import date

import pytest
from whoosh import collectors
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from tradeportal.search.codec import INDEX_CODEC, ArrayCodec, ArrayPostingsWriter
from tradeportal.search.docsets import FoundDocuments, boosted
from tradeportal.search.extension import search_store
from tradeportal.search.found_scoring import top_found
from tradeportal.search.query import build_query, split_units
from tradeportal.search.results import SearchParams, _allowed, run_search


def _whoosh_top(searcher, q, allowed: set[int], limit: int) -> list[tuple[float, int]]:
    """Whoosh's answer: every match scored, no block skipping, no simplified matchers."""
    every = collectors.TopCollector(limit=limit, usequality=False, replace=0)
    collector = collectors.FilterCollector(every, allow=allowed)
    searcher.search_with_collector(q, collector)
    return [(hit.score, hit.docnum) for hit in collector.results()]


def _assert_same(got, expected):
    assert [docnum for _, docnum in got] == [docnum for _, docnum in expected]
    # The same sums, perhaps added in another order: the last bits may differ.
    assert [score for score, _ in got] == pytest.approx([s for s, _ in expected], rel=1e-12)


SEARCHES = [
    "coffee",  # one word: found on the combined fields, scored on each
    "café",
    "roasted coffee",
    "café torréfié",
    "frozen fish fillets",
    "the coffee",  # a stop word: scored, not required
    "man-made fibres",  # a word of two terms: an And within each field
    "man-made",  # one such word alone: an Or of the fields' Ands
    "cotton shirts",
    "live animals",
    "coffee xylophone",  # every word: nothing; some words: coffee
    "roasted 0901",  # a code among the words: the codes field, scored by weight only
    '"roasted coffee"',  # a phrase: found and scored from positions
    '"café torréfié"',
    '"frozen fish fillets"',  # three words: each must follow the one before
    'bovine "live animals"',  # a word and a phrase
    '"coffee roasted"',  # the words in the other order
]


@pytest.mark.parametrize("every_word", [True, False], ids=["every word", "some words"])
@pytest.mark.parametrize("text", SEARCHES)
def test_the_search_scores_and_ranks_as_whoosh_does(shared_client, text, every_word):
    q = build_query(split_units(text), every_word=every_word)
    params = SearchParams(text=text, day=date.today())
    with shared_client.application.app_context(), search_store().searcher() as borrowed:
        searcher = borrowed.searcher
        allowed = _allowed(borrowed, params)
        found = top_found(searcher, q, allowed, 60)
        assert found is not None, "this query shape is scored by found_scoring"
        top, matched = found
        _assert_same(top, _whoosh_top(searcher, q, allowed, 60))
        assert matched == set(searcher.docs_for_query(q)) & allowed
    if text != "coffee xylophone" or not every_word:
        assert top


def test_filters_keep_their_documents_and_mask_as_one_answer_per_searcher(shared_client):
    # The searcher keeps few answers as large as the index (backend._LARGE_MEMO_SIZE,
    # 4): the mask found_scoring takes is kept with its filter's set, not beside it, so
    # four filters' answers are all kept.
    kinds = ["hs", "country", "page", "regulation"]
    searches = [
        SearchParams(text="coffee", day=date.today(), filters={"type": kind}) for kind in kinds
    ]
    with shared_client.application.app_context():
        store = search_store()
        for params in searches:
            run_search(store, params)
        with store.searcher() as borrowed:
            assert sorted(borrowed.large_memo) == sorted(
                ("filter", params.day, (("type", kind),), False)
                for params, kind in zip(searches, kinds, strict=True)
            )
            assert _allowed(borrowed, searches[0])


WORDS = ["tea", "coffee", "sugar", "roasted", "green", "beans"]


def _index(segments):
    """An index of several segments: each (codec, documents, keys to delete)."""
    ix = RamStorage().create_index(
        Schema(key=ID(stored=True, unique=True), title=TEXT(), body=TEXT())
    )
    rng = random.Random(7)
    number = 0
    for codec, count, delete in segments:
        writer = ix.writer(codec=codec)
        for _ in range(count):
            # Most documents alike (ties), some with more words; "sugar" in 1 of 40.
            body = ["tea"] + (["coffee"] * rng.randint(1, 3) if number % 3 == 0 else [])
            body += ["sugar"] if number % 40 == 0 else []
            body += rng.sample(WORDS, 2) if number % 7 == 0 else []
            title = "green tea" if number % 11 == 0 else "tea"
            writer.add_document(key=str(number), title=title, body=" ".join(body))
            number += 1
        for key in delete:
            writer.delete_by_term("key", key)
        writer.commit(merge=False)
    return ix


class _SecondVersionWriter(ArrayPostingsWriter):
    as_columns = False
    positions_as_arrays = False


class _SecondVersionCodec(ArrayCodec):
    postings_writer_class = _SecondVersionWriter


def _scored(words):
    """A word in the title (boost 4) or the body, as the portal's queries are built."""
    return wq.Or(
        [wq.Or([boosted(wq.Term("title", word), 4.0), wq.Term("body", word)]) for word in words]
    )


PHRASES = [["green", "tea"], ["tea", "coffee"], ["coffee", "coffee"]]


def _phrases(*phrases, boost=4.0):
    return wq.Or(
        [boosted(wq.Phrase("title", words), boost) for words in phrases]
        + [wq.Phrase("body", words) for words in phrases]
    )


QUERIES = {
    "every word": wq.AndMaybe(
        FoundDocuments(wq.And([wq.Term("body", "tea"), wq.Term("body", "coffee")])),
        _scored(["coffee", "green", "sugar"]),
    ),
    # A word repeated ("coffee coffee"), and phrases whose words are often apart.
    "phrases": wq.AndMaybe(
        FoundDocuments(_phrases(["green", "tea"], ["tea", "coffee"], ["coffee", "coffee"])),
        wq.Or(
            [
                _phrases(["green", "tea"], ["tea", "coffee"], ["coffee", "coffee"]),
                _scored(["sugar"]),
            ]
        ),
    ),
    "some words": wq.Or(
        [
            boosted(wq.And([_scored(["coffee"]), _scored(["green"])]), 4.0),
            _scored(["coffee", "green", "sugar"]),
        ]
    ),
}


@pytest.mark.parametrize("name", QUERIES)
@pytest.mark.parametrize("every", [1, 5, 50], ids=["dense", "every 5th", "sparse"])
def test_blocks_dense_and_sparse_segments_of_both_codecs_and_deletions(name, every):
    # A whoosh3 segment (read posting by posting), then two of this codec, with
    # deletions; allowing every document fills blocks with documents to score, allowing
    # one in 50 leaves most blocks without any.
    ix = _index(
        [
            (W3Codec(), 700, ["3", "30"]),
            (INDEX_CODEC, 1500, ["900", "1200"]),
            (_SecondVersionCodec(), 300, []),  # an earlier version: read by Whoosh
            (INDEX_CODEC, 900, ["2400"]),
        ]
    )
    q = QUERIES[name]
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 4
        allowed = set(range(0, searcher.doc_count_all(), every))
        for limit in (1, 10, 200):
            top, matched = top_found(searcher, q, allowed, limit)
            expected = _whoosh_top(searcher, q, allowed, limit)
            _assert_same(top, expected)
            assert len(top) == min(limit, len(matched))
        assert matched == set(searcher.docs_for_query(q)) & allowed
        # Many documents score alike: equal scores are ordered by number, as Whoosh does.
        scores = [score for score, _ in top]
        assert len(set(scores)) < len(scores)


def test_other_queries_are_left_to_whoosh():
    ix = _index([(INDEX_CODEC, 300, [])])
    found = FoundDocuments(wq.Term("body", "tea"))
    with ix.searcher() as searcher:
        everything = set(range(searcher.doc_count_all()))
        for scoring in (
            wq.Phrase("body", ["green", "tea"], slop=2),
            wq.Or([wq.Term("body", "tea"), wq.FuzzyTerm("body", "cofee")]),
            wq.Or([wq.Term("body", "tea")], scale=0.5),
        ):
            assert top_found(searcher, wq.AndMaybe(found, scoring), everything, 10) is None
        assert top_found(searcher, wq.Term("body", "tea"), everything, 10) is None
        q = wq.AndMaybe(found, _scored(["coffee"]))
        assert top_found(searcher, q, everything, 10) is not None
