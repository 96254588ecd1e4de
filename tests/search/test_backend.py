"""The index store: atomic pointer swap, one writer across processes, pooled searchers,
and the Whoosh behaviours the design works around (measured here, not assumed)."""

import subprocess
import sys
import textwrap
from datetime import date

import pytest
from whoosh import fields, index
from whoosh import query as wq

from tradeportal.search.backend import IndexStore, IndexUnavailable, WriterBusy
from tradeportal.search.documents import make_document
from tradeportal.search.schema import SCHEMA_VERSION, build_schema


def small_index(store: IndexStore, titles: list[str]) -> str:
    """Build a complete index of a few documents in a new directory and swap it in."""
    name, path = store.new_directory()
    ix = index.create_in(str(path), build_schema())
    writer = ix.writer()
    for number, title in enumerate(titles):
        writer.add_document(**_document(number, title))
    writer.commit()
    store.write_meta(name, {"schema_version": SCHEMA_VERSION})
    store.swap(name)
    return name


def _document(number: int, title: str) -> dict:
    return make_document(
        source="test",
        entity_id=str(number),
        key=f"test:{number}",
        doc_type="page",
        title=title,
        link={"endpoint": "site.home", "values": {}},
        valid_from=date(2000, 1, 1),
        valid_to=None,
        weight=1.0,
        languages=["en"],
        title_en=title,
    )


def titles_found(store: IndexStore, word: str) -> list[str]:
    with store.searcher() as borrowed:
        hits = borrowed.searcher.search(wq.Term("title_en", word), limit=None)
        return sorted(hit["title"] for hit in hits)


def test_no_index_is_reported_as_unavailable(tmp_path):
    store = IndexStore(tmp_path / "index")
    assert store.current_name() is None
    with pytest.raises(IndexUnavailable), store.searcher():
        pass


def test_an_index_of_another_schema_version_is_not_used(tmp_path):
    store = IndexStore(tmp_path / "index")
    name = small_index(store, ["coffee"])
    store.write_meta(name, {"schema_version": SCHEMA_VERSION + 1})
    assert not store.is_available()


def test_the_pointer_swap_switches_readers_and_keeps_the_previous_directory(tmp_path):
    store = IndexStore(tmp_path / "index")
    first = small_index(store, ["roasted coffee"])
    assert titles_found(store, "coffe") == ["roasted coffee"]
    second = small_index(store, ["green tea", "black tea"])
    assert store.current_name() == second
    assert titles_found(store, "coffe") == []
    assert titles_found(store, "tea") == ["black tea", "green tea"]
    store.remove_old(keep={second, first})
    assert (store.root / first).is_dir()
    store.remove_old(keep={second})
    assert not (store.root / first).exists()
    with pytest.raises(ValueError):
        store.swap("../elsewhere")


def test_a_pooled_searcher_is_reopened_after_a_commit_never_refreshed(tmp_path):
    store = IndexStore(tmp_path / "index")
    small_index(store, ["coffee"])
    with store.searcher() as borrowed:
        first_searcher = borrowed.searcher
    with store.searcher() as borrowed:
        assert borrowed.searcher is first_searcher  # reused while up to date
    writer = store.open_index().writer()
    writer.add_document(**_document(7, "decaffeinated coffee"))
    writer.commit()
    with store.searcher() as borrowed:
        assert borrowed.searcher is not first_searcher
        assert borrowed.searcher.doc_count() == 2
    assert first_searcher.is_closed


def test_one_writer_across_processes(tmp_path):
    store = IndexStore(tmp_path / "index")
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from tradeportal.search.backend import IndexStore
                with IndexStore(Path({str(store.root)!r})).writer_lock():
                    print("locked", flush=True)
                    sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout.readline().strip() == "locked"
            with pytest.raises(WriterBusy), store.writer_lock(timeout=0.2):
                pass
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(timeout=30)
            with store.writer_lock(timeout=5):
                pass  # released when the other process let go
        finally:
            holder.kill()


def test_a_killed_writer_releases_its_lock(tmp_path):
    store = IndexStore(tmp_path / "index")
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from pathlib import Path; "
            "from tradeportal.search.backend import IndexStore; "
            f"lock = IndexStore(Path({str(store.root)!r})).writer_lock(); lock.__enter__(); "
            "print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WriterBusy), store.writer_lock(timeout=0.2):
            pass
        holder.kill()
    with store.writer_lock(timeout=5):
        pass


def test_whoosh_refresh_returns_duplicates_after_a_merge_so_we_reopen(tmp_path):
    """Keeps the measurement behind "never Searcher.refresh()" (research §1.3)."""
    schema = fields.Schema(id=fields.ID(stored=True, unique=True), body=fields.TEXT)
    ix = index.create_in(str(tmp_path), schema)
    writer = ix.writer()
    for number in range(200):
        writer.add_document(id=f"base{number}", body="tender")
    writer.commit()
    refreshed = ix.searcher()
    mismatches = 0
    for round_number in range(12):
        writer = ix.writer()
        for number in range(5):
            writer.update_document(id=f"n{round_number}-{number}", body="tender")
        writer.commit()
        refreshed = refreshed.refresh()
        with ix.searcher() as fresh:
            mismatches += refreshed.doc_count() != fresh.doc_count()
    refreshed.close()
    assert mismatches > 0  # if this starts failing, the fork fixed its refresh() bug


def test_whoosh_unsigned_numeric_ranges_match_everything_so_validity_is_signed(tmp_path):
    """Keeps the measurement behind the signed validity fields (schema.py)."""
    found = {}
    for signed in (False, True):
        schema = fields.Schema(day=fields.NUMERIC(int, bits=32, signed=signed, stored=True))
        (tmp_path / str(signed)).mkdir()
        ix = index.create_in(str(tmp_path / str(signed)), schema)
        writer = ix.writer()
        for day in (736330, 738156, 3652059):
            writer.add_document(day=day)
        writer.commit()
        with ix.searcher() as searcher:
            hits = searcher.search(wq.NumericRange("day", None, 737180), limit=None)
            found[signed] = sorted(hit["day"] for hit in hits)
    assert found[True] == [736330]
    assert found[False] == [736330, 738156, 3652059]
    assert build_schema()["valid_from"].signed and build_schema()["valid_to"].signed
