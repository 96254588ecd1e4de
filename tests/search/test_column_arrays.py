"""Columns read whole for scoring give exactly what Whoosh answers one document at a time."""

import pytest
from whoosh import query as wq
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.scoring import BM25F

from tradeportal.search.backend import RankedBM25F
from tradeportal.search.column_arrays import field_lengths, numeric_column
from tradeportal.search.schema import WEIGHT_SCALE


def _index():
    """Four segments; some documents without a title, a weight, or with a long body; the
    last segment has no title at all."""
    schema = Schema(
        key=ID(stored=True, unique=True),
        title=TEXT(),
        body=TEXT(),
        weight=NUMERIC(int, bits=64, sortable=True),
    )
    ix = RamStorage().create_index(schema)
    number = 0
    for batch in range(4):
        writer = ix.writer()
        for _ in range(150):
            document = {"key": str(number), "body": " ".join(["coffee"] * (number % 7 + 1))}
            if number % 4 and batch < 3:
                document["title"] = "roasted coffee " + "beans " * (number % 5)
            if number % 3:
                document["weight"] = 1000 + number * 37
            if number % 50 == 0:
                document["body"] += " tea" * (300 + number)  # lengths past one byte's range
            writer.add_document(**document)
            number += 1
        if batch == 2:
            writer.delete_by_term("key", "7")
        writer.commit(merge=False)
    return ix


def test_field_lengths_are_whooshs_for_every_document():
    ix = _index()
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 4
        for leaf, _offset in searcher.leaf_searchers():
            segment = leaf.reader()
            for fieldname in ("title", "body"):
                lengths = field_lengths(segment, fieldname, default=1)
                assert lengths is not None
                expected = [
                    segment.doc_field_length(docnum, fieldname, 1)
                    for docnum in range(segment.doc_count_all())
                ]
                assert [lengths(docnum) for docnum in range(len(expected))] == expected
                if fieldname == "body":
                    assert max(expected) > 255
                elif segment is searcher.leaf_searchers()[-1][0].reader():
                    assert set(expected) == {1}  # no title in the segment: the default
                else:
                    assert None in expected  # documents without a title


def test_a_numeric_column_is_whooshs_over_all_segments():
    ix = _index()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        values = numeric_column(reader, "weight")
        assert values == list(reader.column_reader("weight"))
        assert len(values) == reader.doc_count_all() == 600
        assert values[1] == 1037 and values[449] == 1000 + 449 * 37


class _WhooshReads(RankedBM25F):
    """The same scoring, reading lengths and weights the way Whoosh does."""

    def scorer(self, searcher, fieldname, text, qf=1):
        return BM25F.scorer(self, searcher, fieldname, text, qf=qf)

    def final(self, searcher, docnum, score):
        value = searcher.reader().column_reader("weight")[docnum]
        return score * (value if value > 0 else WEIGHT_SCALE) / WEIGHT_SCALE


@pytest.mark.parametrize(
    "q",
    [
        wq.Term("body", "coffee"),
        wq.Or([wq.Term("title", "roasted", boost=4.0), wq.Term("body", "tea")]),
        wq.And([wq.Term("title", "beans"), wq.Term("body", "coffee")]),
    ],
    ids=["term", "or", "and"],
)
def test_scores_are_those_of_whooshs_own_reads(q):
    ix = _index()
    with ix.searcher(weighting=RankedBM25F()) as ours_searcher:
        ours = [(hit["key"], hit.score) for hit in ours_searcher.search(q, limit=None)]
    with ix.searcher(weighting=_WhooshReads()) as whoosh_searcher:
        theirs = [(hit["key"], hit.score) for hit in whoosh_searcher.search(q, limit=None)]
    assert ours == theirs and len(ours) > 10
