"""What every /api/v1 answer shares: the error shape, pagination, ETags, CORS, limits."""

import pytest

from tests.api.conftest import COFFEE_SPS, assert_error, json_of, publish_title


def test_an_unknown_address_under_the_api_is_a_json_404(api):
    error = assert_error(api.get("/api/v1/no-such-thing"), 404, "not_found")
    assert error["details"] == {}


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(api):
    response = api.delete("/api/v1/regulations")
    error = assert_error(response, 405, "method_not_allowed")
    assert "GET" in error["details"]["allowed"]
    assert "GET" in response.headers["Allow"]


def test_malformed_parameters_are_400_with_a_message_per_parameter(api):
    response = api.get("/api/v1/regulations?per_page=1000&page=x&colour=blue")
    error = assert_error(response, 400, "invalid_parameter")
    assert set(error["details"]) == {"per_page", "page", "colour"}
    assert "100" in error["details"]["per_page"][0]
    assert "Unknown parameter" in error["details"]["colour"][0]


@pytest.mark.parametrize(
    "query, name",
    [
        ("date=2026-02-30", "date"),  # no such day
        ("date=31/01/2026", "date"),
        ("date=1066-10-14", "date"),  # outside the range dates are read in
        ("market=G1", "market"),
    ],
)
def test_impossible_dates_and_malformed_countries_are_400(api, query, name):
    error = assert_error(api.get(f"/api/v1/products/0901?{query}"), 400, "invalid_parameter")
    assert list(error["details"]) == [name]


def test_a_route_without_parameters_still_refuses_unknown_ones(api):
    error = assert_error(api.get("/api/v1/nomenclatures?verison=HS2017"), 400)
    assert list(error["details"]) == ["verison"]


def test_well_formed_parameters_naming_nothing_are_422(api):
    error = assert_error(api.get("/api/v1/products/0901?market=XXX"), 422, "unknown_country")
    assert list(error["details"]) == ["market"]
    assert_error(api.get("/api/v1/hs?version=HS1996"), 422, "unprocessable")


def test_pages_are_bounded_and_linked(api):
    first = json_of(api.get("/api/v1/countries?per_page=100"))
    meta = first["meta"]
    assert meta["page"] == 1 and meta["per_page"] == 100 and len(first["data"]) == 100
    assert meta["pages"] == -(-meta["total"] // 100) and meta["total"] > 200
    assert first["links"]["prev"] is None
    second = json_of(api.get(first["links"]["next"]))
    assert second["meta"]["page"] == 2
    assert {c["iso3"] for c in first["data"]}.isdisjoint(c["iso3"] for c in second["data"])
    last = json_of(api.get(first["links"]["last"]))
    assert last["links"]["next"] is None
    assert len(last["data"]) == meta["total"] - 100 * (meta["pages"] - 1)


def test_a_page_past_the_last_is_422_and_says_how_many_there_are(api):
    pages = json_of(api.get("/api/v1/countries?per_page=100"))["meta"]["pages"]
    error = assert_error(api.get(f"/api/v1/countries?per_page=100&page={pages + 1}"), 422)
    assert error["code"] == "page_out_of_range"
    assert f"1 to {pages}" in error["details"]["page"][0]


def test_an_empty_list_has_one_empty_page(api):
    body = json_of(api.get("/api/v1/countries?q=nowhere-at-all"))
    assert body["data"] == [] and body["meta"]["total"] == 0 and body["meta"]["pages"] == 1


def test_the_etag_answers_304_until_a_publication_changes_it(app, api):
    url = "/api/v1/regulations/" + COFFEE_SPS
    first = api.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = api.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    publish_title(app, COFFEE_SPS, "Phytosanitary conditions for coffee (amended)")
    changed = api.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert json_of(changed)["data"]["title_en"] == "Phytosanitary conditions for coffee (amended)"


def test_an_etag_confirms_only_the_address_it_came_from(api):
    etag = api.get("/api/v1/hs/0901").headers["ETag"]
    other = api.get("/api/v1/hs/0902", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["ETag"] != etag


def test_errors_carry_no_etag(api):
    assert "ETag" not in api.get("/api/v1/hs/9999").headers


def test_every_origin_may_read_and_preflight_passes(api):
    response = api.get("/api/v1/nomenclatures", headers={"Origin": "https://broker.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = api.options(
        "/api/v1/nomenclatures",
        headers={
            "Origin": "https://broker.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    # Errors too, or a browser could not read why it was refused.
    error = api.get("/api/v1/nowhere", headers={"Origin": "https://broker.example"})
    assert error.headers["Access-Control-Allow-Origin"] == "*"


def test_the_api_sets_no_cookie(api):
    for url in ("/api/v1/products/090121?market=GBR&origin=MUS", "/api/v1/docs", "/api/v1/x"):
        assert "Set-Cookie" not in api.get(url).headers


@pytest.mark.config(API_RATE_LIMIT="3 per minute")
def test_past_the_rate_limit_requests_are_429_with_retry_after(api):
    # One budget for the whole API, whichever routes are asked.
    for url in ("/api/v1/nomenclatures", "/api/v1/hs", "/api/v1/tariffs"):
        assert api.get(url).status_code == 200
    response = api.get("/api/v1/nomenclatures")
    error = assert_error(response, 429, "rate_limited")
    assert "3 per 1 minute" in error["details"]["limit"]
    assert int(response.headers["Retry-After"]) > 0
    # The pages have their own limits: the portal stays usable.
    assert api.get("/hs").status_code == 200


def test_an_unexpected_failure_is_a_json_500(app, api):
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/api/v1/broken", "api_broken", broken)
    error = assert_error(api.get("/api/v1/broken"), 500, "internal_error")
    assert "boom" not in error["message"]
