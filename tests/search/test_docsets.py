"""Sets of matching documents (docsets.py) against Whoosh's own walk of the postings."""

from datetime import date

import pytest
from whoosh import collectors, sorting
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from tradeportal.search.backend import _Borrowed
from tradeportal.search.docsets import FoundDocuments, doc_ids, matching_documents, term_ids
from tradeportal.search.extension import search_store
from tradeportal.search.query import build_query, code_query, matching_part, split_units, unit_query
from tradeportal.search.results import (
    SearchParams,
    _allowed,
    _code_order,
    _facet_counts,
    _run,
)
from tradeportal.search.schema import FACET_FIELDS

WORDS = [
    "coffee",
    "cotton",
    "roasted coffee",
    "frozen fish fillets",
    "café torréfié",
    "the coffee",
    "0901",
    "men's cotton shirts",
    '"roasted coffee"',
    '"fresh or chilled"',
    "xylophone",
]


def _whoosh_facet_counts(searcher, q, allowed) -> dict[str, dict[str, int]]:
    """Whoosh's own facet counts: every match scored and grouped."""
    facets = {
        name: sorting.FieldFacet(name, allow_overlap=True, maptype=sorting.Count)
        for name in FACET_FIELDS
    }
    results = searcher.search(q, filter=allowed, limit=10, groupedby=facets)
    return {
        name: {key.decode(): n for key, n in results.groups(name).items() if key is not None}
        for name in FACET_FIELDS
    }


def _whoosh_docs(searcher, q) -> set[int]:
    return set(searcher.docs_for_query(q))


@pytest.mark.parametrize("text", WORDS)
def test_the_documents_found_are_those_whoosh_finds(shared_client, text):
    units = split_units(text)
    with shared_client.application.app_context(), search_store().searcher() as borrowed:
        searcher = borrowed.searcher
        everything = set(range(searcher.doc_count_all()))
        some_words = build_query(units)
        assert matching_documents(searcher, some_words, everything) == _whoosh_docs(
            searcher, some_words
        )
        every_word = build_query(units, every_word=True)
        found = _whoosh_docs(searcher, matching_part(every_word))
        # What the search used to intersect: every required word in some field.
        required = [unit_query(u) for u in units if not u.optional] or [
            unit_query(u) for u in units
        ]
        expected = _whoosh_docs(searcher, wq.And(required) if len(required) > 1 else required[0])
        if any(unit.phrase for unit in units):
            # A phrase may also match across two fields of the combined text.
            assert found >= expected
        else:
            assert found == expected
        assert matching_documents(searcher, matching_part(every_word), everything) == found


@pytest.mark.parametrize("text", WORDS[:-1])
def test_pruning_and_set_facets_agree_with_whoosh_scoring_everything(shared_client, text):
    # Scoring every match, with no skipping and no simplified matchers, and grouping the
    # hits for facets is the truth; the search skips what cannot enter the top N and
    # counts facets on sets. Same hits, same scores, same total, same facets.
    params = SearchParams(text=text, day=date.today(), page_size=10)
    q = build_query(split_units(text), every_word=True)
    with shared_client.application.app_context(), search_store().searcher() as borrowed:
        allowed = _allowed(borrowed, params)
        every = collectors.TopCollector(limit=10, usequality=False, replace=0)
        truth = collectors.FilterCollector(every, allow=allowed)
        borrowed.searcher.search_with_collector(q, truth)
        full = truth.results()
        pruned, matched = _run(borrowed, q, params)
        assert [hit["key"] for hit in pruned[:10]] == [hit["key"] for hit in full[:10]]
        # Scores may be added in another order (found_scoring.py): the last bits may differ.
        assert [hit.score for hit in pruned[:10]] == pytest.approx(
            [hit.score for hit in full[:10]], rel=1e-12
        )
        # (Whoosh's top-N collector undercounts its total: count every match.)
        assert len(matched) == len(borrowed.searcher.search(q, filter=allowed, limit=None)) > 0
        expected = _whoosh_facet_counts(borrowed.searcher, q, allowed)
        assert _facet_counts(borrowed, matched) == expected


def _small_index():
    schema = Schema(key=ID(stored=True, unique=True), body=TEXT())
    ix = RamStorage().create_index(schema)
    writer = ix.writer()
    for number in range(600):  # several posting blocks per term
        words = ["tea"] + (["coffee"] if number % 3 == 0 else []) + (["sugar"] * (number % 2))
        writer.add_document(key=str(number), body=" ".join(words))
    writer.commit()
    return ix


def test_deleted_documents_are_left_out():
    ix = _small_index()
    writer = ix.writer()
    writer.delete_by_term("key", "3")
    writer.delete_by_term("key", "4")
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        leaf, _offset = searcher.leaf_searchers()[0]
        for word in ("tea", "coffee", "sugar", "absent"):
            assert term_ids(leaf.reader(), "body", word) == _whoosh_docs(
                searcher, wq.Term("body", word)
            )
        both = wq.And([wq.Term("body", "coffee"), wq.Term("body", "sugar")])
        assert doc_ids(leaf, both) == _whoosh_docs(searcher, both)
        assert 3 not in doc_ids(leaf, wq.Term("body", "coffee"))


def test_found_documents_score_nothing_of_their_own():
    ix = _small_index()
    found = FoundDocuments(wq.Term("body", "coffee"))
    scored = wq.Term("body", "sugar")
    with ix.searcher() as searcher:
        alone = {hit["key"]: hit.score for hit in searcher.search(scored, limit=None)}
        combined = searcher.search(wq.AndMaybe(found, scored), limit=None)
        assert len(combined) == 200  # every third of 600
        for hit in combined:
            assert hit.score == pytest.approx(alone.get(hit["key"], 0.0))
    assert FoundDocuments(wq.Term("body", "coffee")) == found
    assert FoundDocuments(wq.Term("body", "tea")) != found


@pytest.mark.parametrize("digits", ["09", "0901", "090121", "8471"])
def test_code_listings_count_like_whoosh(shared_client, digits):
    params = SearchParams(text="", day=date.today(), code_prefix=digits)
    q = code_query(digits)
    with shared_client.application.app_context(), search_store().searcher() as borrowed:
        allowed = _allowed(borrowed, params)
        listed, matched = _run(borrowed, q, params)
        assert len(matched) == len(borrowed.searcher.search(q, filter=allowed, limit=None)) > 0
        assert [hit["code"] for hit in listed] == sorted(hit["code"] for hit in listed)
        expected = _whoosh_facet_counts(borrowed.searcher, q, allowed)
        assert _facet_counts(borrowed, matched) == expected


def test_code_order_read_once_sorts_like_whoosh_across_segments():
    # Three segments, shared and missing codes: the column read once per searcher must
    # map every segment's documents to their own codes, ties in Whoosh's order.
    schema = Schema(key=ID(stored=True, unique=True), code=ID(stored=True, sortable=True))
    ix = RamStorage().create_index(schema)
    codes = ["0901", "090121", "", "8471", "0901", "61", "090121", "7", "61", "0101"]
    for segment in range(3):
        writer = ix.writer()
        for number, code in enumerate(codes):
            fields = {"key": f"{segment}:{number}"}
            if code:
                fields["code"] = code[segment % 2 :] if number % 3 == 0 else code
            writer.add_document(**fields)
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3
        borrowed = _Borrowed("test", ix, searcher)
        for q in (wq.Every(), wq.Prefix("code", "09")):
            expected = [hit["key"] for hit in searcher.search(q, limit=None, sortedby="code")]
            ordered = searcher.search(q, limit=None, sortedby=_code_order(borrowed))
            assert [hit["key"] for hit in ordered] == expected
        assert len(borrowed.memo) == 1  # the column, read once for both searches
