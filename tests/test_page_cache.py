"""Whole product pages for visitors who are not signed in: shared, never personal.

That they are never stale is tested with the section cache (tests/test_content_cache.py).
"""

import pytest

from tests.auth.conftest import CHEAP_HASHING, add_user, sign_in
from tradeportal.auth.models import Role
from tradeportal.content_cache import page_cache

PAGE = "/hs/090121?market=GBR&origin=MUS"


def _cached(app) -> int:
    with app.app_context():
        return len(page_cache())


def _hits(app) -> int:
    with app.app_context():
        return page_cache().hits


def test_a_repeat_visit_gets_the_same_page_and_headers_from_the_cache(app, client):
    first = client.get(PAGE)
    hits = _hits(app)
    second = client.get(PAGE)
    assert _hits(app) == hits + 1
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert second.mimetype == "text/html"
    # The response hooks run on a cached answer too.
    for header in ("Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert second.headers.get(header) == first.headers.get(header), header


@pytest.mark.config(**CHEAP_HASHING)
def test_a_signed_in_visitor_neither_gets_nor_leaves_a_shared_page(app, client):
    anonymous = client.get(PAGE).get_data(as_text=True)
    assert _cached(app) == 1
    add_user(app, "editor@example.org", Role.EDITOR, name="Editor Emma")
    assert sign_in(client, "editor@example.org").status_code == 302
    hits = _hits(app)
    signed_in = client.get(PAGE).get_data(as_text=True)
    assert "Editor Emma" in signed_in and "Editor Emma" not in anonymous
    assert 'name="csrf_token"' in signed_in
    assert _hits(app) == hits
    assert _cached(app) == 1
    stranger = app.test_client().get(PAGE).get_data(as_text=True)
    assert "Editor Emma" not in stranger and 'name="csrf_token"' not in stranger


def test_the_language_a_browser_asks_for_gets_its_own_page(app, client):
    english = client.get(PAGE).get_data(as_text=True)
    french = app.test_client().get(PAGE, headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in french.get_data(as_text=True)
    assert '<html lang="en">' in english
    assert _cached(app) == 2


def test_redirects_errors_and_unknown_parameters_are_never_kept(app, client):
    assert client.get("/hs/0901.21").status_code == 301
    assert client.get("/hs/090121?market=ZZZ").status_code == 400
    assert client.get("/hs/090121?date=2026-02-30").status_code == 400
    assert client.get("/hs/0901xx").status_code == 400
    echoed = client.get("/hs/090121?utm_source=newsletter")
    assert echoed.status_code == 200
    assert "utm_source=newsletter" in echoed.get_data(as_text=True)  # the language link
    assert _cached(app) == 0


def test_parameters_in_another_order_share_one_page(app, client):
    client.get("/hs/090121?market=GBR&origin=MUS")
    hits = _hits(app)
    client.get("/hs/090121?origin=MUS&market=GBR")
    assert _hits(app) == hits + 1
    assert _cached(app) == 1


@pytest.mark.config(PAGE_CACHE_ENTRIES=2)
def test_the_page_cache_keeps_at_most_its_configured_entries(app, client):
    for code in ("090121", "090111", "090112"):
        assert client.get(f"/hs/{code}").status_code == 200
    assert _cached(app) == 2


@pytest.mark.config(PAGE_CACHE_ENTRIES=0)
def test_no_entries_turns_the_page_cache_off(app, client):
    client.get(PAGE)
    client.get(PAGE)
    assert _cached(app) == 0
    assert _hits(app) == 0
