"""Contract tests of the nomenclature and product routes against the seeded database."""

from tests.api.conftest import assert_error, json_of


def test_the_nomenclatures_held_are_listed(api):
    codes = [row["code"] for row in json_of(api.get("/api/v1/nomenclatures"))["data"]]
    assert {"HS2017", "HS2022"} <= set(codes)


def test_the_tree_has_the_21_sections_with_their_chapters(api):
    data = json_of(api.get("/api/v1/hs?date=2026-01-01"))["data"]
    assert data["edition"]["code"] == "HS2022" and data["as_of"] == "2026-01-01"
    assert [s["numeral"] for s in data["sections"]][:3] == ["I", "II", "III"]
    assert len(data["sections"]) == 21
    section_two = data["sections"][1]
    assert "09" in [chapter["code"] for chapter in section_two["chapters"]]


def test_an_older_edition_is_given_by_name_or_by_date(api):
    by_name = json_of(api.get("/api/v1/hs?version=HS2017"))["data"]
    by_date = json_of(api.get("/api/v1/hs?date=2019-06-01"))["data"]
    assert by_name["edition"]["code"] == by_date["edition"]["code"] == "HS2017"


def test_one_code_with_its_ancestors_children_and_counts(api):
    data = json_of(api.get("/api/v1/hs/0901"))["data"]
    node = data["node"]
    assert node["code"] == "0901" and node["level"] == 4 and node["level_name"] == "heading"
    assert [a["code"] for a in data["ancestors"]] == ["09"]
    children = {child["code"]: child for child in data["children"]}
    assert "090121" in children
    assert children["090121"]["display"] == "0901.21"


def test_codes_are_read_in_any_spelling_and_redirect_to_their_digits(api):
    response = api.get("/api/v1/hs/HS%200901.21?date=2026-01-01")
    assert response.status_code == 301
    assert response.headers["Location"] == "/api/v1/hs/090121?date=2026-01-01"
    assert response.get_json() == {"location": response.headers["Location"], "code": "090121"}


def test_a_padded_national_code_redirects_to_its_subheading(api):
    response = api.get("/api/v1/products/0901210000")
    assert response.status_code == 302
    assert response.headers["Location"] == "/api/v1/products/090121"


def test_a_missing_code_names_its_nearest_ancestor(api):
    error = assert_error(api.get("/api/v1/hs/090199"), 404, "not_found")
    assert error["details"] == {"nearest": "0901"}


def test_a_malformed_code_is_400_with_the_reason(api):
    error = assert_error(api.get("/api/v1/hs/123"), 400, "invalid_parameter")
    assert "leading zero" in error["details"]["code"][0]


def test_the_product_view_has_the_page_sections(api):
    url = "/api/v1/products/090121?market=GBR&origin=MUS&date=2026-01-01"
    data = json_of(api.get(url))["data"]
    assert (data["market"], data["origin"], data["home_country"]) == ("GBR", "MUS", "MUS")
    assert data["node"]["code"] == "090121"
    sections = data["sections"]
    # Mauritius' coffee rules apply via 0901, as on the page.
    items = [item for group in sections["regulations"]["groups"] for item in group["items"]]
    sps = next(item for item in items if item["regulation"]["slug"] == "coffee-import-sps")
    assert sps["via"] == "0901"
    tariffs = sections["tariffs"]
    assert tariffs["market"] == "GBR" and tariffs["line_rows"]
    assert all(row["line"]["code"].startswith("090121") for row in tariffs["line_rows"])
    assert any(p["item"]["scheme_code"] == "esa" for p in tariffs["eligible_preferences"])
    assert sections["rules_of_origin"]["rule_sets"][0]["rule_set"]["scheme"] == "esa"
    assert "United Kingdom" in sections["agreements"]["market"]["name_en"]
    roles = [link["role"] for link in sections["countries"]]
    assert roles == ["Destination market", "Origin of the goods"]


def test_without_market_and_origin_their_sections_are_null(api):
    sections = json_of(api.get("/api/v1/products/090121"))["data"]["sections"]
    assert sections["agreements"] is None and sections["rules_of_origin"] is None
    assert sections["tariffs"]["market"] is None and sections["tariffs"]["line_rows"] == []
    assert set(sections) == {
        "regulations",
        "procedures",
        "tariffs",
        "agreements",
        "rules_of_origin",
        "tenders",
        "countries",
    }


def test_the_product_view_gives_rules_and_procedures_as_their_own_endpoints_do(api):
    """The product view reads plain rows (regulations/briefs.py), the endpoints ORM objects:
    both must say the same of each rule and procedure, HS links aside."""
    url = "/api/v1/products/080450?origin=IND&date=2026-06-01"
    sections = json_of(api.get(url))["data"]["sections"]
    items = [item for group in sections["regulations"]["groups"] for item in group["items"]]
    procedures = sections["procedures"]
    assert items and procedures
    for item in items:
        rule = item["regulation"]
        own = json_of(api.get(f"/api/v1/regulations/{rule['slug']}"))["data"]
        assert {key: own[key] for key in rule} == rule
    for item in procedures:
        procedure = item["procedure"]
        own = json_of(api.get(f"/api/v1/procedures/{procedure['slug']}"))["data"]
        assert {key: own[key] for key in procedure} == procedure
        assert procedure["steps"] and procedure["regulations"]
