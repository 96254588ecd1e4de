"""Index sync: capture at flush in the same transaction, idempotent drain, killed writers."""

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date

import pytest
from sqlalchemy import create_engine, delete, select, text

from tests.search.conftest import add_regulation, cli, queue_rows
from tradeportal.db import db
from tradeportal.regulations.models import Regulation, RegulationHsLink
from tradeportal.search.extension import search_store
from tradeportal.search.indexing import apply_changes, check
from tradeportal.search.models import SearchQueueItem, SearchReference
from tradeportal.search.results import SearchParams, run_search


def titles(app, words: str, day: date | None = None) -> list[str]:
    with app.app_context():
        found = run_search(search_store(), SearchParams(text=words, day=day or date.today()))
        return [str(hit.title.striptags()) for hit in found.hits]


def regulation(session, slug="coffee-import-sps") -> Regulation:
    return session.scalar(select(Regulation).where(Regulation.slug == slug))


def raw_count(app) -> int:
    """Count queue rows on a separate connection: only committed rows are visible."""
    engine = create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM search_queue")).scalar()
    finally:
        engine.dispose()


@pytest.mark.config(SEARCH_DRAIN_INLINE=False)
def test_a_change_writes_its_queue_row_in_the_same_transaction(indexed_app):
    with indexed_app.app_context():
        session = db.session
        found = regulation(session)
        found.title_en = "Phytosanitary import conditions for green coffee"
        session.flush()
        # Visible inside the transaction, not outside it yet.
        assert session.execute(select(SearchQueueItem.source, SearchQueueItem.entity_id)).all() == [
            ("regulation", str(found.id))
        ]
        assert raw_count(indexed_app) == 0
        session.rollback()
        assert raw_count(indexed_app) == 0
        found = regulation(session)
        found.title_en = "Phytosanitary import conditions for green coffee"
        session.commit()
        entity_id = str(found.id)
    assert queue_rows(indexed_app) == [("regulation", entity_id, "upsert")]


@pytest.mark.config(SEARCH_DRAIN_INLINE=False)
def test_a_child_row_change_queues_its_owner(indexed_app):
    with indexed_app.app_context():
        session = db.session
        found = regulation(session)
        found.hs_links.append(RegulationHsLink(prefix="2101"))
        session.commit()
        owner = str(found.id)
    assert queue_rows(indexed_app) == [("regulation", owner, "upsert")]


@pytest.mark.config(SEARCH_DRAIN_INLINE=False)
def test_a_new_reference_queues_its_code_and_the_codes_below(indexed_app):
    with indexed_app.app_context():
        session = db.session
        session.add(
            SearchReference(
                term="kopi luwak", language="en", code="0901", valid_from=date(2022, 1, 1)
            )
        )
        session.commit()
    queued = queue_rows(indexed_app)
    assert {source for source, _entity, _op in queued} == {"hs_node"}
    assert len(queued) == 6  # 0901 and its five subheadings in HS 2022
    assert cli(indexed_app, "search", "drain").exit_code == 0
    assert titles(indexed_app, "kopi luwak")[0].startswith("Coffee, whether or not roasted")


def test_a_committed_change_is_drained_after_the_unit_of_work(indexed_app):
    with indexed_app.app_context():
        found = regulation(db.session)
        found.title_en = "Phytosanitary rules for quokkaberry coffee"
        db.session.commit()
        assert queue_rows(indexed_app)  # still queued inside the unit of work
    # Leaving the app context ran the inline drain.
    assert queue_rows(indexed_app) == []
    assert titles(indexed_app, "quokkaberry") == ["Phytosanitary rules for quokkaberry coffee"]
    assert cli(indexed_app, "search", "check").exit_code == 0


def test_a_deleted_entity_leaves_the_index(indexed_app):
    with indexed_app.app_context():
        add_regulation(db.session, "wombat-rule", "Wombatite rule", date(2020, 1, 1))
    assert titles(indexed_app, "wombatite") == ["Wombatite rule"]
    with indexed_app.app_context():
        db.session.delete(regulation(db.session, "wombat-rule"))
        db.session.commit()
    assert titles(indexed_app, "wombatite") == []
    assert cli(indexed_app, "search", "check").exit_code == 0


@pytest.mark.config(SEARCH_DRAIN_INLINE=False)
def test_draining_twice_changes_nothing(indexed_app):
    with indexed_app.app_context():
        session = db.session
        found = regulation(session)
        found.title_en = "Phytosanitary rules for numbatine coffee"
        session.commit()
        changes = [("regulation", str(found.id)), ("hs_node", "999999999")]
        store = search_store()
        with store.writer_lock():
            first = apply_changes(session, store, changes)
            with store.searcher() as borrowed:
                count = borrowed.searcher.doc_count()
            second = apply_changes(session, store, changes)
        assert (first.updated, first.deleted) == (second.updated, second.deleted) == (1, 1)
        with store.searcher() as borrowed:
            assert borrowed.searcher.doc_count() == count
        assert check(session, store).drift == 0
    assert titles(indexed_app, "numbatine") == ["Phytosanitary rules for numbatine coffee"]


def _child(app, body: str) -> subprocess.Popen:
    """Start a real process on this test's database and index."""
    script = textwrap.dedent(
        f"""
        import os, signal, sys, time
        from sqlalchemy import select
        from tradeportal import create_app
        from tradeportal.db import db
        from tradeportal.regulations.models import Regulation
        app = create_app({{
            "INSTANCE_PATH": {app.instance_path!r},
            "DATABASE_URL": {app.config["DATABASE_URL"]!r},
            "SECRET_KEY": "test-secret-key",
        }})
        with app.app_context():
            session = db.session
            regulation = session.scalar(
                select(Regulation).where(Regulation.slug == "coffee-import-sps")
            )
            regulation.title_en = "Phytosanitary rules for bilbyite coffee"
            session.commit()
        """
    ) + textwrap.indent(textwrap.dedent(body), "    ")
    return subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )


def test_a_writer_killed_before_the_drain_converges_on_the_next_drain(indexed_app):
    # The child commits, then is killed inside its unit of work: before the inline drain.
    with _child(indexed_app, 'print("committed", flush=True)\ntime.sleep(120)\n') as child:
        assert child.stdout.readline().strip() == "committed"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert [source for source, *_ in queue_rows(indexed_app)] == ["regulation"]
    drift = cli(indexed_app, "search", "check")
    assert drift.exit_code == 1
    assert "1 stale" in drift.output
    assert cli(indexed_app, "search", "drain").exit_code == 0
    converged = cli(indexed_app, "search", "check")
    assert converged.exit_code == 0, converged.output
    assert "0 missing, 0 stale, 0 extra; 0 change(s) queued" in converged.output
    assert titles(indexed_app, "bilbyite") == ["Phytosanitary rules for bilbyite coffee"]


def test_a_drain_killed_between_index_commit_and_queue_delete_redoes_the_work(indexed_app):
    # The child applies the queued change to the index, then dies before deleting the rows.
    body = """
    from sqlalchemy.orm import Session
    from tradeportal.search.extension import search_store
    from tradeportal.search.indexing import apply_changes
    from tradeportal.search.models import SearchQueueItem
    session = Session(bind=db.engine)
    rows = session.execute(select(SearchQueueItem.source, SearchQueueItem.entity_id)).all()
    with search_store().writer_lock():
        apply_changes(session, search_store(), [tuple(row) for row in rows])
        os.kill(os.getpid(), signal.SIGKILL)
    """
    with _child(indexed_app, body) as child:
        child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert queue_rows(indexed_app)  # the rows survived the crash
    assert titles(indexed_app, "bilbyite") == ["Phytosanitary rules for bilbyite coffee"]
    result = cli(indexed_app, "search", "drain")
    assert "1 document(s) written" in result.output
    assert cli(indexed_app, "search", "check").exit_code == 0
    assert titles(indexed_app, "bilbyite") == ["Phytosanitary rules for bilbyite coffee"]


@pytest.mark.config(SEARCH_DRAIN_INLINE=False)
def test_check_reports_what_bypassed_the_queue(indexed_app):
    with indexed_app.app_context():
        found = regulation(db.session)
        # A Core write (like `flask seed`) is not captured at flush.
        db.session.execute(
            Regulation.__table__.update()
            .where(Regulation.id == found.id)
            .values(title_en="Changed behind the index's back")
        )
        db.session.execute(delete(SearchQueueItem))
        db.session.commit()
        entity = f"regulation:{found.id}"
    result = cli(indexed_app, "search", "check")
    assert result.exit_code == 1
    assert f"stale: {entity}" in result.output
    assert "Drift found" in result.output
