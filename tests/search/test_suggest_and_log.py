"""Autocomplete JSON, and the query log editors read (zero results, abandoned searches)."""

import re
from collections import Counter
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tradeportal.db import db
from tradeportal.search.extension import search_store
from tradeportal.search.models import SearchQueryLog
from tradeportal.search.querylog import is_local_path, top_zero_result_queries
from tradeportal.search.suggest import _SMALL_SPAN, _best, _span, build_vocabulary


def suggestions(client, text: str) -> list[dict]:
    response = client.get("/search/suggest", query_string={"q": text})
    assert response.status_code == 200
    assert response.is_json
    payload = response.get_json()
    assert set(payload) == {"query", "suggestions"}
    for item in payload["suggestions"]:
        assert set(item) == {"label", "code", "url"}
        assert item["url"].startswith("/hs/")
    assert len(payload["suggestions"]) <= 10
    return payload["suggestions"]


def test_suggestions_complete_descriptions(shared_client):
    found = suggestions(shared_client, "cof")
    assert len(found) == 10
    assert all("coffee" in item["label"].lower() for item in found[:5])


def test_suggestions_come_from_search_references(shared_client):
    found = suggestions(shared_client, "lapt")
    assert found[0]["code"] == "847130"
    assert found[0]["label"].startswith("laptop → 8471.30")


def test_suggestions_complete_codes(shared_client):
    found = suggestions(shared_client, "0901")
    assert [item["code"] for item in found][:2] == ["0901", "090111"]
    assert all(item["code"].startswith("0901") for item in found)
    assert suggestions(shared_client, "0901.2")[0]["code"] == "090121"


def test_suggestions_take_words_in_any_order_and_language(shared_client):
    assert any(item["code"] == "090121" for item in suggestions(shared_client, "roasted cof"))
    assert any(item["code"].startswith("0901") for item in suggestions(shared_client, "café tor"))


@pytest.mark.parametrize("raw", ["", "c", "   ", "😀😀", '"(*', "x" * 5000, "\x00\x01"])
def test_suggest_answers_any_input_with_json(shared_client, raw):
    suggestions(shared_client, raw)


def test_suggest_without_an_index_is_empty(client):
    assert suggestions(client, "coffee") == []


def log_row(app, query: str) -> SearchQueryLog | None:
    with app.app_context():
        row = db.session.scalar(select(SearchQueryLog).where(SearchQueryLog.query == query))
        if row is not None:
            db.session.expunge(row)
        return row


def test_searches_without_results_are_counted(indexed_app):
    client = indexed_app.test_client()
    for _ in range(3):
        client.get("/search", query_string={"q": "Xyzzyplugh  Qwzxv"})
    client.get("/search", query_string={"q": "coffee"})
    row = log_row(indexed_app, "xyzzyplugh qwzxv")
    assert (row.searches, row.zero_results, row.abandoned) == (3, 3, 0)
    with indexed_app.app_context():
        top = top_zero_result_queries(db.session)
    assert [(q.query, q.zero_results) for q in top] == [("xyzzyplugh qwzxv", 3)]


def test_a_search_is_abandoned_until_one_of_its_results_is_followed(indexed_app):
    client = indexed_app.test_client()
    page = client.get("/search", query_string={"q": "coffee"})
    assert log_row(indexed_app, "coffee").abandoned == 1
    links = re.findall(r'href="(/search/go\?[^"]+)"', page.text)
    assert links
    first, second = (link.replace("&amp;", "&") for link in links[:2])
    followed = client.get(first)
    assert followed.status_code == 302
    assert followed.headers["Location"] == parse_qs(urlsplit(first).query)["to"][0]
    row = log_row(indexed_app, "coffee")
    assert (row.searches, row.abandoned, row.followed) == (1, 0, 1)
    # Back to the results and another one: still one search, followed once.
    client.get(second)
    row = log_row(indexed_app, "coffee")
    assert (row.searches, row.abandoned, row.followed) == (1, 0, 1)
    # Later pages carry the same search's token and are not counted again.
    next_page = re.search(r'href="(/search\?[^"]*page=2[^"]*)"', page.text).group(1)
    client.get(next_page.replace("&amp;", "&"))
    assert log_row(indexed_app, "coffee").searches == 1


def test_a_forged_token_counts_nothing_but_still_leads_on(indexed_app):
    client = indexed_app.test_client()
    client.get("/search", query_string={"q": "green tea"})
    response = client.get("/search/go", query_string={"t": "forged", "to": "/hs/090210"})
    assert response.headers["Location"] == "/hs/090210"
    assert log_row(indexed_app, "green tea").abandoned == 1


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "hs/0901",
        "",
        "/hs/0901\r\nSet-Cookie: x=1",
    ],
)
def test_the_follow_hop_only_goes_to_local_pages(shared_client, target):
    response = shared_client.get("/search/go", query_string={"to": target})
    assert response.status_code == 400
    assert not is_local_path(target)


def test_local_paths_are_accepted():
    assert is_local_path("/hs/090121?date=2020-01-01")
    assert is_local_path("/regulations/coffee-import-sps")


def test_every_prefix_shared_by_many_keys_is_answered_in_advance(shared_client):
    # "mat" as a whole key sorts before "material…": the prefixes behind a shorter key
    # must be found too, or typing them ranks keys on every keystroke.
    with shared_client.application.app_context(), search_store().searcher() as borrowed:
        vocabulary = build_vocabulary(borrowed, date.today())
    keys = [key for key, _index, _position in vocabulary.keys]
    shared = Counter(key[:length] for key in keys for length in range(2, 6) if len(key) >= length)
    many = {prefix for prefix, count in shared.items() if count > _SMALL_SPAN}
    assert len(many) > 500
    assert many <= set(vocabulary.top)
    for prefix in sorted(many)[::50]:
        low, high = _span(vocabulary.keys, prefix)
        assert vocabulary.top[prefix] == _best(vocabulary, range(low, high), 10)
