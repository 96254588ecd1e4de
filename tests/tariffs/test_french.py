"""Tariff pages in French; the API's rate readings stay English."""

from tests.tariffs.test_views import tariffs_section
from tradeportal.tariffs.rate_display import describe_rate
from tradeportal.tariffs.rates import parse_rate


def normal_spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_rate_readings_are_english_unless_a_page_asks_for_its_language(app):
    specific = parse_rate("34.00 GBP/100kg")
    with app.test_request_context("/?lang=fr"):
        assert describe_rate(parse_rate("12.5%")) == "12.5% of the customs value"
        assert describe_rate(parse_rate("12.5%"), localized=True) == (
            "12,5 % de la valeur en douane"
        )
        assert normal_spaces(describe_rate(specific, localized=True)) == "34,00 GBP par 100 kg"
        assert describe_rate(parse_rate("Free"), localized=True) == "Exempt (0 %)"
    with app.test_request_context("/"):
        assert describe_rate(specific, localized=True) == "GBP 34.00 per 100 kg"


def test_the_product_section_is_in_french(client):
    section = normal_spaces(tariffs_section(client.get("/hs/080291?market=GBR&origin=MUS&lang=fr")))
    assert "Droits à l'importation : Royaume-Uni" in section
    assert (
        "Ligne SH 2017 0802.90.50, scindée dans le SH 2022 entre 0802.91, 0802.92, 0802.99"
        in section
    )
    assert "Marchandises originaires de Maurice" in section
    assert "20 % de la valeur en douane" in section
    assert "Taxes intérieures : Maurice" in section
    assert "of the customs value" not in section


def test_the_schedules_list_is_in_french(client):
    page = normal_spaces(client.get("/tariffs?lang=fr").get_data(as_text=True))
    assert "<h1>Tarifs douaniers</h1>" in page
    assert "En vigueur depuis le 1 janvier 2021" in page
    assert "ad valorem" in page and "Nomenclature" in page


def test_the_api_keeps_english_readings(client):
    body = client.get(
        "/api/v1/tariffs/UKGT-2021/lines?prefix=0901", headers={"Accept-Language": "fr"}
    ).get_json()
    readings = [line["rate_readable"] for line in body["data"] if line.get("rate_readable")]
    assert readings and all("de la valeur" not in text for text in readings)
    assert any("of the customs value" in text for text in readings)
