"""Rebuilding: new directory then swap, readers unaffected, staleness, CLI reports."""

import threading
import time
from datetime import date

from sqlalchemy import update
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher

from tests.search.conftest import cli
from tradeportal.db import db
from tradeportal.search.codec import CODEC_NAME, ArrayLeafMatcher
from tradeportal.search.extension import search_store
from tradeportal.search.indexing import is_stale, rebuild
from tradeportal.search.results import SearchParams, run_search
from tradeportal.seed import DataLoad

# Sources small enough to rebuild in a second or two, many times over.
SMALL = ("regulation", "procedure", "tender", "country", "scheme")


def test_reads_during_rebuilds_never_fail(indexed_app):
    errors, generations, searches = [], set(), [0]
    stop = threading.Event()

    def read_in_a_loop():
        with indexed_app.app_context():
            store = search_store()
            while not stop.is_set():
                try:
                    found = run_search(store, SearchParams(text="permit", day=date.today()))
                    assert found.total > 0
                    with store.searcher() as borrowed:
                        generations.add(borrowed.name)
                    searches[0] += 1
                except Exception as error:  # any failure is the finding
                    errors.append(repr(error))
                time.sleep(0.01)  # let the rebuild have the interpreter too

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        with indexed_app.app_context():
            for _ in range(2):
                rebuild(db.session, search_store(), sources=SMALL)
    finally:
        stop.set()
        reader.join(timeout=60)
    assert errors == []
    assert searches[0] > 0
    assert len(generations) >= 2  # the reader moved to new indexes as they were swapped


def test_a_rebuild_swaps_and_keeps_only_the_previous_directory(indexed_app):
    with indexed_app.app_context():
        store = search_store()
        original = store.current_name()
        first = rebuild(db.session, store, sources=SMALL)
        second = rebuild(db.session, store, sources=SMALL)
        assert store.current_name() == second.name
        kept = sorted(path.name for path in store.root.iterdir() if path.is_dir())
        assert kept == sorted([first.name, second.name])
        assert original not in kept
        assert second.per_source["regulation"] == 64
        # A partial index is not the index the data calls for.
        assert is_stale(db.session, store)


def test_rebuild_if_stale_follows_the_data_loads(indexed_app):
    up_to_date = cli(indexed_app, "search", "rebuild", "--if-stale")
    assert "up to date, not rebuilt" in up_to_date.output
    with indexed_app.app_context():
        db.session.execute(
            update(DataLoad).where(DataLoad.dataset == "regulations").values(checksum="0" * 64)
        )
        db.session.commit()
        assert is_stale(db.session, search_store())


def test_an_index_of_the_former_codec_is_searched_and_reported_stale(indexed_app):
    with indexed_app.app_context():
        store = search_store()
        meta = store.meta()
        assert meta["codec"] == CODEC_NAME
        assert not is_stale(db.session, store)
        # As an index built before the array codec: whoosh3 blocks, no codec recorded.
        writer = store.open_index().writer(codec=W3Codec())
        writer.commit(optimize=True)
        del meta["codec"]
        store.write_meta(store.current_name(), meta)
        with store.open_index().reader() as reader:
            assert isinstance(_postings_matcher(reader), W3LeafMatcher)
        assert is_stale(db.session, store)  # so `search rebuild --if-stale` rebuilds it
    page = indexed_app.test_client().get("/search?q=coffee")
    assert page.status_code == 200 and "0901" in page.text
    with indexed_app.app_context():
        store = search_store()
        rebuild(db.session, store, sources=(*SMALL, "hs"))
        assert store.meta()["codec"] == CODEC_NAME
        with store.open_index().reader() as reader:
            assert isinstance(_postings_matcher(reader), ArrayLeafMatcher)


def _postings_matcher(reader):
    """The postings of the first segment's most frequent English word (in blocks)."""
    segment = next(iter(reader.leaf_readers()))[0]
    word = max(segment.lexicon("all_en"), key=lambda term: segment.doc_frequency("all_en", term))
    matcher = segment.postings("all_en", word)
    return getattr(matcher, "child", matcher)  # inside the filter of deleted documents


def test_check_and_drain_report_in_words(indexed_app):
    check = cli(indexed_app, "search", "check")
    assert check.exit_code == 0
    assert "0 missing, 0 stale, 0 extra" in check.output
    assert "No drift." in check.output
    drain = cli(indexed_app, "search", "drain")
    assert "0 row(s) applied" in drain.output


def test_commands_explain_a_missing_index(app):
    check = cli(app, "search", "check")
    assert check.exit_code == 1
    assert "has not been built yet" in check.output
    drain = cli(app, "search", "drain")
    assert drain.exit_code == 0
    assert "nothing drained" in drain.output
