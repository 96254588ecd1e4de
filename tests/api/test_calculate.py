"""POST /api/v1/calculate: the calculator area's service behind the API's contract."""

from tests.api.conftest import assert_error, json_of

COFFEE = {
    "code": "0901.21",
    "market": "GBR",
    "origin": "MUS",
    "value": "1000",
    "currency": "GBP",
    "quantity": "100",
    "unit": "kg",
    "date": "2026-01-15",
}


def test_roasted_coffee_from_mauritius_into_the_uk_is_explained(api):
    body = json_of(api.post("/api/v1/calculate", json=COFFEE))
    assert body["line_code"] == "09012100" and body["customs_value"] == "1000.00"
    applied = [duty for duty in body["duties"] if duty["applied"]]
    assert [duty["scheme_code"] for duty in applied] == ["esa"]
    assert applied[0]["rules_of_origin"] and body["steps"]
    assert "Set-Cookie" not in api.post("/api/v1/calculate", json=COFFEE).headers


def test_a_bad_calculation_is_refused_with_field_messages(api):
    error = assert_error(api.post("/api/v1/calculate", json={"code": "0901.21"}), 422)
    assert {"market", "value", "currency"} <= set(error["details"])
    assert_error(api.post("/api/v1/calculate", data="code=0901"), 415)
    assert_error(api.post("/api/v1/calculate", data="[1]", content_type="application/json"), 400)


def test_the_calculation_is_in_the_spec(api):
    spec = json_of(api.get("/api/v1/openapi.json"))
    operation = spec["paths"]["/api/v1/calculate"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]
    assert "422" in operation["responses"]
