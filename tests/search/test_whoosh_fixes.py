"""Two Whoosh matcher bugs that cost documents part of their score, and their fixes."""

from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.matching.binary import AndMaybeMatcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.scoring import BM25F

from tradeportal.search.docsets import Boosted

# Documents 0-9: "coffee" in 1, 5, 9; "tea" in 4, 5.
BODIES = [
    "sugar",
    "coffee",
    "sugar",
    "sugar",
    "tea",
    "coffee tea",
    "sugar",
    "sugar",
    "sugar",
    "coffee",
]


def _index():
    ix = RamStorage().create_index(Schema(key=ID(stored=True), body=TEXT()))
    writer = ix.writer()
    for number, body in enumerate(BODIES):
        writer.add_document(key=str(number), body=body)
    writer.commit()
    return ix


def _matcher(searcher, word):
    return wq.Term("body", word).matcher(searcher)


def test_and_maybe_adds_the_optional_score_after_a_skip():
    with _index().searcher(weighting=BM25F()) as searcher:
        both = wq.Or([wq.Term("body", "coffee"), wq.Term("body", "tea")])
        expected = {hit.docnum: hit.score for hit in searcher.search(both, limit=None)}
        matcher = AndMaybeMatcher(_matcher(searcher, "coffee"), _matcher(searcher, "tea"))
        matcher.skip_to(3)  # "coffee" lands on 5; "tea" must too, not stop on 4
        assert matcher.id() == 5
        assert matcher.score() == expected[5]
        # The same after skipping by quality: the optional matcher follows.
        matcher = AndMaybeMatcher(_matcher(searcher, "coffee"), _matcher(searcher, "tea"))
        matcher.skip_to_quality(0.0)
        matcher.skip_to(5)
        assert matcher.score() == expected[5]


def test_a_boosted_group_is_not_dropped_below_its_boosted_best_score():
    both = wq.And([wq.Term("body", "coffee"), wq.Term("body", "tea")])
    with _index().searcher(weighting=BM25F()) as searcher:
        best = both.matcher(searcher).max_quality()
        bar = best * 2  # above the group's own best score, under four times it
        whooshs = WrappingMatcher(both.matcher(searcher), boost=4.0).replace(bar)
        assert not whooshs.is_active()  # the bug: dropped, though it can score 4 × best
        ours = Boosted(both, 4.0).matcher(searcher).replace(bar)
        assert ours.is_active() and ours.max_quality() == 4.0 * best
        assert not Boosted(both, 4.0).matcher(searcher).replace(best * 5).is_active()
        # Scores are Whoosh's boosted scores.
        boosted = searcher.search(Boosted(both, 4.0), limit=None)
        plain = searcher.search(wq.And(both.subqueries, boost=4.0), limit=None)
        assert [(hit.docnum, hit.score) for hit in boosted] == [
            (hit.docnum, hit.score) for hit in plain
        ]
        assert len(plain) == 1
