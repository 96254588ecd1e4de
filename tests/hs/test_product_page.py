"""The product page: everything that applies to a code, for a market, an origin and a day."""

import csv
import json
from pathlib import Path

import pytest

from tests.hs.test_views import text_of

DATA = Path(__file__).resolve().parents[2] / "data"


def uk_file_rates(code8: str) -> tuple[str, str]:
    """Read (EU CET, UK Global Tariff) rates of a line straight from the source file."""
    with (DATA / "tariffs/uk-global-tariff.csv").open(encoding="utf-8") as source:
        for row in csv.DictReader(source):
            if row["commodity"] == code8:
                return row["cet_duty_rate"], row["ukgt_duty_rate"]
    raise AssertionError(f"{code8} not in the file")


def demo_regulation(slug: str) -> dict:
    items = json.loads((DATA / "regulations/regulations.json").read_text())["items"]
    return next(item for item in items if item["slug"] == slug)


def sections_of(response) -> list[str]:
    page = response.get_data(as_text=True)
    return [
        key
        for key in (
            "regulations",
            "procedures",
            "tariffs",
            "agreements",
            "rules_of_origin",
            "tenders",
            "countries",
        )
        if f'<section class="product-section" id="{key}">' in page
    ]


def test_coffee_for_the_uk_from_mauritius_shows_everything_that_applies(client):
    response = client.get("/hs/090121?market=GBR&origin=MUS")
    assert response.status_code == 200
    text = text_of(response)
    assert {
        "regulations",
        "tariffs",
        "agreements",
        "rules_of_origin",
        "tenders",
        "countries",
    } <= set(sections_of(response))
    _cet, ukgt = uk_file_rates("09012100")
    assert f"0901.21.00 Roasted coffee (excl. decaffeinated) {ukgt}" in text
    assert "For goods originating in Mauritius: 0.00%" in text
    assert "United Kingdom - Eastern and Southern Africa States" in text
    assert "Illustrative" in text  # the home-country regulations are demo content
    assert "applies via 0901" in text


def test_without_a_market_the_page_still_shows_home_rules_and_taxes(client):
    response = client.get("/hs/090121")
    assert response.status_code == 200
    assert "regulations" in sections_of(response)
    assert "Value added tax" in text_of(response)
    assert "Import duties in" not in text_of(response)


def test_the_market_schedule_follows_the_date(client):
    cet, ukgt = uk_file_rates("09012100")
    assert cet != ukgt  # the file changed this rate on 2021-01-01
    before = text_of(client.get("/hs/090121?market=GBR&origin=MUS&date=2020-12-31"))
    after = text_of(client.get("/hs/090121?market=GBR&origin=MUS&date=2021-01-01"))
    assert f"Roasted coffee (excl. decaffeinated) {cet}" in before.replace(" %", "%")
    assert f"Roasted coffee (excl. decaffeinated) {ukgt}" in after


def test_an_eu_member_market_gets_the_eu_schedule(client):
    text = text_of(client.get("/hs/090121?market=FRA&origin=MUS&date=2020-06-01"))
    assert "EU-CET-2020" in text


@pytest.mark.parametrize("slug", ["alcohol-health-warning", "energy-label-appliances"])
def test_the_date_picker_shows_rules_that_start_in_the_future(client, slug):
    regulation = demo_regulation(slug)
    code = regulation["hs_prefixes"][0]
    title = regulation["title_en"]
    assert title not in text_of(client.get(f"/hs/{code}?date=2026-12-31"))
    assert title in text_of(client.get(f"/hs/{code}?date={regulation['valid_from']}"))


def test_an_ended_rule_disappears_the_day_after_its_end(client):
    regulation = demo_regulation("scrap-metal-export-ban")
    code, title = regulation["hs_prefixes"][0], regulation["title_en"]
    assert title in text_of(client.get(f"/hs/{code}?date={regulation['valid_to']}"))
    assert title not in text_of(client.get(f"/hs/{code}?date=2025-07-01"))


def test_a_lower_case_market_is_accepted(client):
    response = client.get("/hs/090121?market=gbr&origin=mus")
    assert response.status_code == 200
    assert "tariffs" in sections_of(response)


@pytest.mark.parametrize(
    "query",
    [
        "market=XXX",
        "origin=ZZZ",
        "market=GB",
        "market=<script>alert(1)</script>",
        "origin=" + "A" * 5000,
        "market=GBR&date=2021-13-01",
        "market=GBR&date=0001-01-01",
    ],
)
def test_bad_market_origin_or_date_is_a_clear_400(client, query):
    response = client.get(f"/hs/090121?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page
    assert "A" * 100 not in page


def test_the_chosen_market_and_origin_are_kept_while_browsing(client):
    page = client.get("/hs/0901?market=GBR&origin=MUS").get_data(as_text=True)
    assert 'href="/hs/090121?market=GBR&amp;origin=MUS"' in page


def test_every_subheading_page_of_a_chapter_renders(client):
    # A whole chapter with every section active: no 500 anywhere.
    for code in ("03", "0306", "030617", "85", "8549", "854911", "71", "7102", "710239"):
        response = client.get(f"/hs/{code}?market=GBR&origin=MUS")
        assert response.status_code == 200, code
