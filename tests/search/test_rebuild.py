"""Rebuilding: new directory then swap, readers unaffected, staleness, CLI reports."""

import threading
import time
from datetime import date

from sqlalchemy import update

from tests.search.conftest import cli
from tradeportal.db import db
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
