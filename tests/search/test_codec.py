"""The array codec stores and reads back exactly the postings whoosh3 does."""

import random

import numpy as np
import pytest
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.matching import ReadTooFar
from whoosh.scoring import BM25F

from tradeportal.search.codec import (
    INDEX_CODEC,
    ArrayCodec,
    ArrayLeafMatcher,
    ArrayPostingsWriter,
    ColumnLeafMatcher,
    _term_info,
    read_postings,
)

WORDS = ["coffee", "tea", "roasted", "green", "beans", "sugar", "cane", "fish", "frozen"]


def _documents(rng: random.Random, count: int):
    for number in range(count):
        yield {
            "key": str(number),
            # Several hundred postings for common words: many blocks per term; term
            # frequencies vary, so do the weights within a block.
            "body": " ".join(rng.choices(WORDS, k=rng.randint(1, 30))),
            # Each word at most once: blocks whose weights are all 1.
            "tags": " ".join(rng.sample(WORDS, rng.randint(0, 3))),
            "size": rng.randrange(1000),
            # Rare words: blocks of one posting; each item twice: blocks whose weights
            # are all 2.
            "title": f"item{number % 97} item{number % 97} " + ("unique" if number == 5 else ""),
            # A word repeated: keyword values (frequencies, of a fixed size) that differ.
            "labels": " ".join(rng.choices(WORDS[:3], k=rng.randint(0, 5))),
        }


def _index(codec, batches=3, per_batch=400, delete=()):
    schema = Schema(
        key=ID(stored=True, unique=True),
        body=TEXT(),
        tags=KEYWORD(),
        size=NUMERIC(int),
        title=TEXT(),
        labels=KEYWORD(),
    )
    ix = RamStorage().create_index(schema)
    rng = random.Random(4)
    for batch in range(batches):
        writer = ix.writer(codec=codec)
        for document in _documents(rng, per_batch):
            document["key"] = f"{batch}-{document['key']}"
            writer.add_document(**document)
        for key in delete:
            writer.delete_by_term("key", key)
        writer.commit(merge=False)
    return ix


def _postings(reader, fieldname, btext):
    matcher = reader.postings(fieldname, btext)
    items = []
    while matcher.is_active():
        items.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return items


def _blocks(reader, fieldname, btext):
    matcher = reader.postings(fieldname, btext)
    matcher = getattr(matcher, "child", matcher)
    if not hasattr(matcher, "_next_block"):
        return None  # inlined postings
    stats = []
    while matcher.is_active():
        stats.append(
            (
                matcher.block_min_id(),
                matcher.block_max_id(),
                matcher.block_max_weight(),
                matcher.block_min_length(),
                matcher.block_max_length(),
            )
        )
        matcher._next_block()
    return stats


def test_every_posting_and_block_statistic_is_whoosh3s():
    theirs, ours = _index(W3Codec()), _index(ArrayCodec())
    compared = blocks = 0
    with theirs.reader() as their_reader, ours.reader() as our_reader:
        for (segment, _), (our_segment, _) in zip(
            their_reader.leaf_readers(), our_reader.leaf_readers(), strict=True
        ):
            assert sorted(segment.all_terms()) == sorted(our_segment.all_terms())
            for fieldname, btext in segment.all_terms():
                expected = _postings(segment, fieldname, btext)
                assert _postings(our_segment, fieldname, btext) == expected
                assert _blocks(our_segment, fieldname, btext) == _blocks(segment, fieldname, btext)
                compared += len(expected)
                blocks += len(_blocks(our_segment, fieldname, btext) or [])
    assert compared > 20_000 and blocks > 2000, (compared, blocks)
    # The postings were really written by this codec, in blocks.
    with ours.reader() as reader:
        segment = next(iter(reader.leaf_readers()))[0]
        assert isinstance(segment.postings("body", b"coffee"), ArrayLeafMatcher)


def _positions(postings) -> list[list[int]]:
    """Each posting's positions, from read_postings' whole columns of counts and positions,
    checked against those read for one posting at a time."""
    counts = np.frombuffer(postings.positions.counts, dtype="<u4").tolist()
    positions = np.frombuffer(postings.positions.positions, dtype="<u4").tolist()
    found, start = [], 0
    for count in counts:
        found.append(list(positions[start : start + count]))
        start += count
    assert start == len(positions)
    assert [list(postings.positions.of(index)) for index in range(len(found))] == found
    return found


def test_a_whole_posting_list_read_at_once_is_what_the_matcher_walks():
    # Every term of every segment: lists of one posting or many blocks, blocks of
    # weights all 1, all equal or each their own, positions of text fields.
    ix = _index(ArrayCodec(), delete=["0-3", "1-17"])
    compared = with_positions = 0
    with ix.reader() as reader:
        for segment, _ in reader.leaf_readers():
            for fieldname, btext in segment.all_terms():
                # The matcher leaves deleted documents out; read_postings leaves it to
                # the caller (a set difference, not a test per posting).
                matcher = segment.postings(fieldname, btext)
                expected = []
                while matcher.is_active():
                    positions = None
                    if matcher.supports("positions"):
                        positions = matcher.value_as("positions")
                    expected.append((matcher.id(), matcher.weight(), positions))
                    matcher.next()
                deleted = segment.deleted_docs_set
                has_positions = segment.schema[fieldname].format.supports("positions")
                postings = read_postings(
                    segment, fieldname, btext, weights=True, positions=has_positions
                )
                got = list(zip(postings.ids, postings.weights, strict=True))
                positions = _positions(postings) if has_positions else [None] * len(got)
                got = [(d, w, p) for (d, w), p in zip(got, positions, strict=True)]
                assert [item for item in got if item[0] not in deleted] == expected
                with_positions += has_positions
                assert list(read_postings(segment, fieldname, btext, weights=False).ids) == [
                    docnum for docnum, _, _ in got
                ]
                assert read_postings(segment, fieldname, btext, weights=False).weights is None
                compared += len(got)
            assert not read_postings(segment, "body", b"absent", weights=True).ids
            assert not read_postings(segment, "nofield", b"coffee", weights=True).ids
    assert compared > 20_000 and with_positions > 100, (compared, with_positions)


def test_a_term_is_looked_up_as_whoosh_looks_it_up():
    # Every key of every segment's term index, and keys it does not hold: the same bytes
    # (or None) as whoosh's own HashReader, on its memory-mapped file.
    rng = random.Random(11)
    with _index(ArrayCodec()).reader() as reader:
        looked_up = 0
        for segment, _ in reader.leaf_readers():
            tindex = segment._terms._tindex
            assert getattr(tindex.dbfile, "_buf", None) is not None  # the probe runs
            keys = list(tindex.keys())
            absent = [key + b"x" for key in rng.sample(keys, 200)] + [b"", b"\xff" * 40]
            for key in keys + absent:
                assert _term_info(tindex, key) == tindex.get(key)
                looked_up += 1
        assert looked_up > 500


def test_posting_lists_of_other_codecs_and_versions_are_left_to_their_matchers():
    for codec in (W3Codec(), _FirstVersionCodec(), _SecondVersionCodec(), _ThirdVersionCodec()):
        with _index(codec, batches=1).reader() as reader:
            assert reader.postings("body", b"coffee").is_active()
            assert read_postings(reader, "body", b"coffee", weights=True) is None
    with _index(ArrayCodec(), batches=1).reader() as reader:
        assert read_postings(reader, "body", b"coffee", weights=True, positions=True).ids
        # A field without positions: its ids, none of them.
        assert read_postings(reader, "tags", b"coffee", weights=True).ids
        assert read_postings(reader, "tags", b"coffee", weights=True, positions=True) is None


def test_skipping_lands_where_whoosh3_lands():
    theirs, ours = _index(W3Codec(), batches=1, per_batch=1500), _index(ArrayCodec(), 1, 1500)
    rng = random.Random(9)
    with theirs.reader() as their_reader, ours.reader() as our_reader:
        for word in ("coffee", "sugar", "item3"):
            field = "title" if word.startswith("item") else "body"
            btext = word.encode()
            for _ in range(30):
                their_matcher = their_reader.postings(field, btext)
                our_matcher = our_reader.postings(field, btext)
                while their_matcher.is_active():
                    target = their_matcher.id() + rng.choice((0, 1, 2, 50, 300, 700))
                    try:
                        their_matcher.skip_to(target)
                    except ReadTooFar:
                        pytest.fail("whoosh3 read too far")
                    our_matcher.skip_to(target)
                    assert our_matcher.is_active() == their_matcher.is_active()
                    if not their_matcher.is_active():
                        break
                    assert our_matcher.id() == their_matcher.id()
                    their_matcher.next()
                    our_matcher.next()
                assert not our_matcher.is_active()
                with pytest.raises(ReadTooFar):
                    our_matcher.skip_to(10**6)


@pytest.mark.parametrize(
    "q",
    [
        wq.Term("body", "coffee"),
        wq.And([wq.Term("body", "roasted"), wq.Term("body", "beans")]),
        wq.Phrase("body", ["green", "coffee"]),
        wq.Or([wq.Term("tags", "sugar", boost=3.0), wq.Term("body", "cane")]),
        wq.NumericRange("size", 100, 200),
    ],
    ids=["term", "and", "phrase", "or", "range"],
)
def test_searches_find_and_score_the_same_with_deletions_and_mixed_segments(q):
    # A segment written by whoosh3, then segments of this codec, some documents deleted:
    # what an index built before this codec becomes after later commits.
    theirs = _index(W3Codec(), delete=("0-3", "1-7", "2-100"))
    mixed = _index(W3Codec(), batches=1, per_batch=400)
    writer = mixed.writer(codec=INDEX_CODEC)
    writer.delete_by_term("key", "0-3")
    writer.commit(merge=False)
    rng = random.Random(4)  # the same documents as _index: skip the first batch's
    for _ in _documents(rng, 400):
        pass
    for batch in (1, 2):
        writer = mixed.writer(codec=INDEX_CODEC)
        for document in _documents(rng, 400):
            document["key"] = f"{batch}-{document['key']}"
            writer.add_document(**document)
        for key in ("1-7", "2-100"):
            writer.delete_by_term("key", key)
        writer.commit(merge=False)
    with theirs.searcher(weighting=BM25F()) as expected, mixed.searcher(weighting=BM25F()) as got:
        assert len(got.reader().leaf_readers()) == 3
        want = [(hit["key"], hit.score) for hit in expected.search(q, limit=None)]
        have = [(hit["key"], hit.score) for hit in got.search(q, limit=None)]
    assert have == want and want


def test_a_merge_rewrites_old_segments_with_this_codec():
    ix = _index(W3Codec())
    writer = ix.writer(codec=INDEX_CODEC)
    writer.commit(optimize=True)
    with ix.reader() as reader:
        assert reader.doc_count() == 1200
        assert isinstance(reader.postings("body", b"tea"), ArrayLeafMatcher)
        assert len(_postings(reader, "body", b"tea")) > 500


class _FirstVersionWriter(ArrayPostingsWriter):
    as_columns = False
    ids_as_deltas = True
    positions_as_arrays = False


class _SecondVersionWriter(ArrayPostingsWriter):
    as_columns = False
    positions_as_arrays = False


class _ThirdVersionWriter(ArrayPostingsWriter):
    as_columns = False


class _FirstVersionCodec(ArrayCodec):
    postings_writer_class = _FirstVersionWriter


class _SecondVersionCodec(ArrayCodec):
    postings_writer_class = _SecondVersionWriter


class _ThirdVersionCodec(ArrayCodec):
    postings_writer_class = _ThirdVersionWriter


@pytest.mark.parametrize(
    "codec",
    [_FirstVersionCodec(), _SecondVersionCodec(), _ThirdVersionCodec()],
    ids=["id deltas", "positions pickled", "blocks one after another"],
)
def test_posting_lists_of_earlier_versions_read_the_same(codec):
    # Indexes built by earlier versions (blocks one after another) are read by Whoosh's
    # matchers until rebuilt: every posting and block statistic as this version's.
    earlier, now = _index(codec), _index(ArrayCodec())
    with earlier.reader() as old_reader, now.reader() as reader:
        old_segment = next(iter(old_reader.leaf_readers()))[0]
        segment = next(iter(reader.leaf_readers()))[0]
        matcher = old_segment.postings("body", b"coffee")
        assert type(matcher) is ArrayLeafMatcher
        assert matcher._deltas == codec.postings_writer_class.ids_as_deltas
        assert type(segment.postings("body", b"coffee")) is ColumnLeafMatcher
        for fieldname, btext in segment.all_terms():
            assert _postings(old_segment, fieldname, btext) == _postings(segment, fieldname, btext)
            assert _blocks(old_segment, fieldname, btext) == _blocks(segment, fieldname, btext)
