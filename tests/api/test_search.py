"""Search and suggest through the API, with the real index."""

import pytest

from tests.api.conftest import assert_error, json_of


def test_words_find_ranked_hits_with_facets_and_links(indexed_api):
    body = json_of(indexed_api.get("/api/v1/search?q=roasted+coffee&per_page=5"))
    first = body["data"][0]
    assert first["code"] == "090121" and first["type"] == "hs"
    assert "<mark>" not in first["title"]  # plain text, not the page's highlights
    assert first["url"] == "/hs/090121" and first["api_url"] == "/api/v1/hs/090121"
    assert body["query"]["text"] == "roasted coffee" and body["meta"]["total"] >= 5
    assert "type" in body["facets"]
    assert json_of(indexed_api.get(first["api_url"]))["data"]["node"]["code"] == "090121"


def test_a_code_lists_itself_and_the_codes_below_it(indexed_api):
    body = json_of(indexed_api.get("/api/v1/search?q=0901"))
    assert body["query"]["code"] == "0901"
    codes = [hit["code"] for hit in body["data"]]
    assert codes[0] == "0901" and all(code.startswith("0901") for code in codes)
    # A code of no valid length is refused with the reason, as the box says it.
    error = assert_error(indexed_api.get("/api/v1/search?q=0901.2"), 400)
    assert "leading zero" in error["details"]["q"][0]


def test_filters_and_bounds(indexed_api):
    only = json_of(indexed_api.get("/api/v1/search?q=coffee&type=regulation&facets=false"))
    assert only["data"] and all(hit["type"] == "regulation" for hit in only["data"])
    assert only["facets"] == {}
    assert_error(indexed_api.get("/api/v1/search?q=coffee&type=spaceship"), 400)
    assert_error(indexed_api.get("/api/v1/search?q=" + "a" * 201), 400)
    assert_error(indexed_api.get("/api/v1/search?q=coffee&page=51"), 400)
    assert_error(indexed_api.get("/api/v1/search"), 400)
    error = assert_error(indexed_api.get("/api/v1/search?q=coffee&page=40"), 422)
    assert error["code"] == "page_out_of_range"


def test_suggest_completes_what_is_typed(indexed_api):
    body = json_of(indexed_api.get("/api/v1/suggest?q=coff"))
    assert body["query"] == "coff"
    assert "0901" in [entry["code"] for entry in body["data"]]
    assert json_of(indexed_api.get("/api/v1/suggest?q=c"))["data"] == []


@pytest.mark.parametrize("url", ["/api/v1/search?q=coffee"])
def test_without_an_index_search_is_503_and_suggest_is_empty(api, url):
    assert_error(api.get(url), 503, "search_unavailable")
    assert json_of(api.get("/api/v1/suggest?q=coffee"))["data"] == []
