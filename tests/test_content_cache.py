"""The product page's cache of rendered sections never shows content older than the database."""

from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import dispose, make_app
from tests.hs.test_views import text_of
from tradeportal.auth.models import AuditEvent
from tradeportal.content_cache import current_generation, product_cache, writes_content
from tradeportal.countries.models import Country
from tradeportal.db import db, utcnow
from tradeportal.regulations.models import Regulation

PAGE = "/hs/090121?market=GBR&origin=MUS"
# The whole-page cache in front would answer repeat visits before the section cache is
# asked (tests/test_page_cache.py): tests marked so watch the sections alone.
SECTIONS_ONLY = pytest.mark.config(PAGE_CACHE_ENTRIES=0)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("INSERT INTO regulations (slug) VALUES (?)", True),
        ('INSERT OR REPLACE INTO "tariff_lines" (id) VALUES (1)', True),
        ("UPDATE countries SET name_en = %(name)s", True),
        ("  delete from regulation_hs_links where id = 3", True),
        ("WITH gone AS (SELECT 1) DELETE FROM tenders WHERE id IN (SELECT 1)", True),
        ("UPDATE users SET last_seen_at = ?", False),
        ("INSERT INTO search_query_log (query) VALUES (?)", False),
        ("DELETE FROM search_queue WHERE id = 4", False),
        ("SELECT * FROM regulations WHERE id = 1 FOR UPDATE", False),
        ("SELECT title_en FROM regulations", False),
    ],
)
def test_a_statement_writes_content_when_it_changes_a_content_table(statement, expected):
    assert writes_content(statement) is expected


def _generation(app) -> int:
    with app.app_context():
        return current_generation(db.session)


def test_committed_content_moves_the_generation_and_nothing_else_does(app):
    start = _generation(app)
    with app.app_context():
        db.session.execute(update(Regulation).values(fees="Rs 100"))
        db.session.rollback()
    assert _generation(app) == start, "a rolled-back change moved it"
    with app.app_context():
        db.session.execute(insert(AuditEvent.__table__).values(at=utcnow(), action="test"))
        db.session.commit()
    assert _generation(app) == start, "a write to a table the page never shows moved it"
    with app.app_context():
        regulation = db.session.scalars(select(Regulation).limit(1)).one()
        regulation.fees = "Rs 200"
        db.session.commit()
    assert _generation(app) == start + 1
    with app.app_context():  # Core, as `flask seed` writes
        db.session.execute(update(Regulation.__table__).values(processing_time="2 days"))
        db.session.commit()
    assert _generation(app) == start + 2


def _shown_regulation(app, page: str) -> Regulation:
    with app.app_context():
        for regulation in db.session.scalars(select(Regulation).order_by(Regulation.id)):
            if regulation.title_en in page:
                return regulation
    raise AssertionError("no regulation is shown on the page")


@SECTIONS_ONLY
def test_a_second_visit_is_served_from_the_cache(app, client):
    first = client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        cache = product_cache()
        hits = cache.hits
    second = client.get(PAGE).get_data(as_text=True)
    assert cache.hits == hits + 1
    assert second == first
    client.get("/search?q=coffee")  # logs the query: not content
    client.get(PAGE)
    assert cache.hits == hits + 2


@pytest.mark.parametrize(
    "layer",
    [pytest.param("sections", marks=SECTIONS_ONLY), "whole page"],
)
def test_a_change_made_by_another_process_shows_at_once(app, client, layer):
    """Two apps on one database stand for two gunicorn workers, or a web worker and `flask
    worker`: each has its own caches, the sections' and the whole pages'."""
    page = text_of(client.get(PAGE))
    regulation = _shown_regulation(app, page)
    other = make_app(Path(app.instance_path), DATABASE_URL=app.config["DATABASE_URL"])
    try:
        with other.app_context():
            changed = db.session.get(Regulation, regulation.id)
            changed.title_en = "Coffee roasting permit, renamed by another process"
            db.session.commit()
    finally:
        dispose(other)
    page = text_of(client.get(PAGE))
    assert "Coffee roasting permit, renamed by another process" in page
    assert regulation.title_en not in page


@SECTIONS_ONLY
def test_the_country_pickers_show_a_country_renamed_by_another_process(app, client):
    """The pickers' list is kept per language and content generation (hs/views.py)."""
    before = client.get(PAGE).get_data(as_text=True)
    assert '<option value="GBR" selected>United Kingdom' in before
    other = make_app(Path(app.instance_path), DATABASE_URL=app.config["DATABASE_URL"])
    try:
        with other.app_context():
            db.session.execute(
                update(Country).where(Country.iso3 == "GBR").values(name_en="Britain, renamed")
            )
            db.session.commit()
    finally:
        dispose(other)
    after = client.get(PAGE).get_data(as_text=True)
    assert after.count('<option value="GBR" selected>Britain, renamed</option>') == 1
    assert '<option value="GBR">Britain, renamed</option>' in after  # the origin picker
    assert "United Kingdom</option>" not in after


def _sections(client, url: str) -> str:
    """The cached part of a product page: from its "On this page" list to "Where it sits"."""
    page = client.get(url).get_data(as_text=True)
    return page[page.index('<nav class="on-this-page"') : page.index('<section class="ancestors">')]


@SECTIONS_ONLY
def test_each_language_day_and_market_has_its_own_entry(app, client):
    english = _sections(client, PAGE)
    french = _sections(client, PAGE + "&lang=fr")
    with app.test_request_context(), force_locale("fr"):
        assert gettext("Calculate the duty and landed cost of a shipment") in french
    assert french != english
    assert _sections(client, "/hs/090121?market=FRA&origin=MUS") != english
    assert _sections(client, PAGE + "&date=2021-06-01") != english
    with app.app_context():
        assert len(product_cache()) == 4


@SECTIONS_ONLY
def test_the_cache_keeps_at_most_its_configured_entries(app, client):
    app.config["PRODUCT_CACHE_ENTRIES"] = 2
    with app.app_context():
        product_cache().max_entries = 2
    for code in ("090121", "090111", "090112"):
        assert client.get(f"/hs/{code}").status_code == 200
    with app.app_context():
        assert len(product_cache()) == 2


def test_a_commit_whose_generation_cannot_move_commits_nothing(app):
    """The change and its generation commit together or not at all, and the error is the
    usual SQLAlchemy one (a clear error page, not a crash)."""
    with app.app_context():
        db.session.execute(text("DROP TABLE content_generation"))
        db.session.commit()
        regulation = db.session.scalars(select(Regulation).order_by(Regulation.id)).first()
        regulation.fees = "Rs 999"
        with pytest.raises(DBAPIError):
            db.session.commit()
        db.session.rollback()
        fees = db.session.scalars(select(Regulation.fees).where(Regulation.id == regulation.id))
        assert fees.one() != "Rs 999"
