"""The /calculator page as a visitor uses it: prefill, results with steps, field errors."""

import html
import re

import pytest

COFFEE = {
    "run": "1",
    "code": "0901.21",
    "origin": "MUS",
    "market": "GBR",
    "value": "10000",
    "currency": "GBP",
    "date": "2026-01-15",
}


def text_of(response) -> str:
    body = response.get_data(as_text=True)
    main = re.search(r"<main.*?</main>", body, re.S).group(0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def field_errors(response) -> dict[str, str]:
    page = response.get_data(as_text=True)
    return dict(re.findall(r'<p class="field-error" id="error-([a-z_]+)">([^<]*)</p>', page))


def test_link_from_the_product_page_prefills_without_computing(client):
    response = client.get("/calculator?code=090121&market=GBR&origin=MUS")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="code" type="text" value="090121"' in page
    assert '<option value="GBR" selected>' in page
    assert '<option value="MUS" selected>' in page
    assert "Step by step" not in page and not field_errors(response)


def test_product_page_links_to_the_calculator(client):
    page = client.get("/hs/090121?market=GBR&origin=MUS").get_data(as_text=True)
    assert 'href="/calculator?code=090121&amp;market=GBR&amp;origin=MUS"' in page


def test_coffee_from_mauritius_is_explained_step_by_step(client):
    response = client.get("/calculator", query_string=COFFEE)
    assert response.status_code == 200
    text = text_of(response)
    assert "Landed cost at the border: 12,000.00 GBP" in text
    for expected in (
        "1 Tariff line UK Global Tariff 2021, line 0901.21.00",
        "3 MFN duty: 6% of the customs value 6% × 10,000.00 GBP 600.00 GBP",
        "6 Duty applied 0.00% under the ESA–UK Economic Partnership Agreement; "
        "saves 600.00 GBP against MFN 0.00 GBP",
        "7 VAT base customs value 10,000.00 GBP + duty 0.00 GBP 10,000.00 GBP",
        "8 Value added tax (standard rate): 20% of the VAT base 20% × 10,000.00 GBP 2,000.00 GBP",
        "Manufacture from materials of any heading.",
    ):
        assert expected in text, expected


def test_choosing_among_lines_links_keep_the_other_fields(client):
    response = client.get("/calculator", query_string={**COFFEE, "code": "0901"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "choose the line of the goods" in field_errors(response)["code"]
    link = re.search(r'href="(/calculator\?[^"]*code=09012100[^"]*)"', page).group(1)
    followed = client.get(html.unescape(link))
    assert "Landed cost at the border: 12,000.00 GBP" in text_of(followed)


def test_missing_exchange_rate_shows_next_to_its_field(client):
    response = client.get("/calculator", query_string={**COFFEE, "currency": "USD"})
    assert response.status_code == 200
    assert "give the exchange rate (GBP for 1 USD)" in field_errors(response)["exchange_rate"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": ""}, "value", "Missing data for required field."),
        ({"value": "-5"}, "value", "Must be at least 0.01"),
        ({"value": "ten"}, "value", "Not a valid number."),
        ({"value": "NaN"}, "value", "Special numeric values"),
        ({"value": "1e400"}, "value", "at most"),
        ({"code": "coffee"}, "code", "letters are not allowed"),
        ({"code": "0" * 500}, "code", "too long"),
        ({"market": "XXX"}, "market", "XXX is not a known country code."),
        ({"market": "<script>"}, "market", "is not an ISO 3166 alpha-3 code"),
        ({"currency": "pounds"}, "currency", "three-letter ISO 4217"),
        ({"date": "2026-02-30"}, "date", "is not a real date"),
        ({"quantity": "5"}, "unit", "Give the unit of the quantity."),
        ({"unit": "barrel", "quantity": "5"}, "unit", "Must be one of"),
        ({"basis": "FOB"}, "freight", "A FOB value needs the freight cost"),
        ({"freight": "10"}, "freight", "A CIF value already includes freight"),
    ],
)
def test_bad_input_is_a_400_with_the_message_next_to_the_field(client, changes, field, message):
    response = client.get("/calculator", query_string={**COFFEE, **changes})
    assert response.status_code == 400
    errors = field_errors(response)
    assert message in html.unescape(errors[field]), errors
    assert "Step by step" not in response.get_data(as_text=True)
    assert "<script>" not in text_of(response).replace("&lt;script&gt;", "")


def test_hostile_query_strings_never_break_the_page(client):
    for query in (
        "run=1&code=%00&value=%FF&market=GBR",
        "run=1&" + "&".join(f"code={n}" for n in range(50)),
        "run=1&value=" + "9" * 5000,
        "run=1&exchange_rate=0&code=090121&market=GBR&value=1&currency=USD",
        "run=1&exchange_rate=1e-999999999&code=090121&market=GBR&value=1&currency=USD",
        "run=1&quantity=1e-999999999&unit=kg&code=090121&market=GBR&value=1&currency=GBP",
    ):
        response = client.get("/calculator?" + query)
        assert response.status_code == 400, query


def test_page_is_printable(client):
    response = client.get("/calculator", query_string=COFFEE)
    page = response.get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/css/calculator\.css)"', page).group(1)
    with client.get(stylesheet) as css:
        assert css.status_code == 200
        rules = css.get_data(as_text=True)
    assert "@media print" in rules and ".calculator-form" in rules
