"""The calculator page in French; the API's explanations stay English."""

import html

from tests.calculator.test_views import COFFEE, text_of
from tests.calculator.test_views import field_errors as escaped_field_errors


def field_errors(response) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in escaped_field_errors(response).items()}


def normal_spaces(text: str) -> str:
    """French numbers use (narrow) no-break spaces: compare them as plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_the_page_explains_the_calculation_in_french(client):
    response = client.get("/calculator", query_string=COFFEE | {"lang": "fr"})
    assert response.status_code == 200
    text = normal_spaces(text_of(response))
    assert "Calculateur des droits et du coût rendu frontière" in text
    assert "Coût rendu frontière : 12 000,00 GBP" in text
    assert "Droit NPF : 6 % de la valeur en douane 6 % × 10 000,00 GBP 600,00 GBP" in text
    assert "économie de 600,00 GBP par rapport au droit NPF" in text
    assert "le 15 janvier 2026" in text
    assert "Valeur en douane (CAF)" in text and "Customs value" not in text


def test_form_errors_are_in_french(client):
    response = client.get(
        "/calculator", query_string=COFFEE | {"quantity": "5", "basis": "FOB", "lang": "fr"}
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["unit"] == "Indiquez l'unité de la quantité."
    assert errors["freight"] == "Une valeur FAB nécessite le coût du fret (0 s'il n'y en a pas)."
    bad_unit = field_errors(
        client.get("/calculator", query_string=COFFEE | {"unit": "gallon", "lang": "fr"})
    )
    assert bad_unit["unit"].startswith("Doit être l'un des suivants : kg, tonne")


def test_the_api_answers_in_english_whatever_the_browser_asks(client):
    payload = {key: value for key, value in COFFEE.items() if key != "run"}
    body = client.post(
        "/api/v1/calculate", json=payload, headers={"Accept-Language": "fr"}
    ).get_json()
    labels = [step["label"] for step in body["steps"]]
    assert "Customs value (CIF)" in labels
    assert any(step["formula"] == "6% × 10,000.00 GBP" for step in body["steps"])
    refused = client.post(
        "/api/v1/calculate",
        json=payload | {"quantity": "5"},
        headers={"Accept-Language": "fr"},
    ).get_json()
    assert refused["error"]["details"]["unit"] == ["Give the unit of the quantity."]
