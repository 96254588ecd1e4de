"""Tariff pages and the product page section, as a visitor sees them."""

import html
import re

import pytest


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    body = re.sub(
        r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def tariffs_section(response) -> str:
    """The visible text of the product page's "Tariffs and taxes" section."""
    page = response.get_data(as_text=True)
    match = re.search(r'<section class="product-section" id="tariffs">(.*?)</section>', page, re.S)
    assert match, "the product page has no tariffs section"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def test_schedules_list(client):
    response = client.get("/tariffs")
    assert response.status_code == 200
    text = text_of(response)
    assert "UK Global Tariff 2021" in text
    assert "EU Common External Tariff 2020 (as recorded by the UK)" in text
    assert text.count("11,830 lines") == 2
    assert "10 unparsed" in text
    assert "2,962 to several" in text


def test_schedule_lists_its_chapters(client):
    response = client.get("/tariffs/UKGT-2021")
    assert response.status_code == 200
    assert 'href="/tariffs/UKGT-2021?prefix=08"' in response.get_data(as_text=True)
    assert "Fruit and nuts" in text_of(response)


def test_schedule_filtered_by_prefix(client):
    response = client.get("/tariffs/UKGT-2021?prefix=0802")
    assert response.status_code == 200
    text = text_of(response)
    assert "19 lines under 0802" in text
    assert "0802.90.50" in text
    assert "2% of the customs value" in text
    dotted = client.get("/tariffs/UKGT-2021?prefix=0802.90")
    assert "3 lines under 0802.90" in text_of(dotted)


def test_schedule_pages(client):
    first = client.get("/tariffs/UKGT-2021?prefix=84")
    assert 'rel="next"' in first.get_data(as_text=True)
    assert "Page 1 of 20" in text_of(first)
    second = client.get("/tariffs/UKGT-2021?prefix=84&page=2")
    assert second.status_code == 200
    assert 'rel="prev"' in second.get_data(as_text=True)
    assert client.get("/tariffs/UKGT-2021?prefix=84&page=21").status_code == 404


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("prefix=08a2", "letters are not allowed"),
        ("prefix=080", "this one has 3"),
        ("prefix=%3Cscript%3E", "letters are not allowed"),
        ("prefix=84&page=x", "whole number"),
        ("prefix=84&page=0", "numbered from 1"),
        ("page=9999999", "whole number"),
    ],
)
def test_bad_filters_get_a_400_with_the_reason(client, query, says):
    response = client.get(f"/tariffs/UKGT-2021?{query}")
    assert response.status_code == 400
    assert says in text_of(response)
    assert "<script>" not in response.get_data(as_text=True)


def test_unknown_schedule_is_404(client):
    response = client.get("/tariffs/NOPE-2021")
    assert response.status_code == 404
    assert "no tariff schedule" in text_of(response)


def test_product_page_without_a_market_shows_home_taxes_and_invites_a_choice(client):
    response = client.get("/hs/090121")
    assert response.status_code == 200
    section = tariffs_section(response)
    assert "Taxes in Mauritius" in section
    assert "15% of the customs value" in section
    assert "Choose a destination market" in section
    assert "Import duties" not in section


def test_product_page_with_market_and_eligible_origin(client):
    response = client.get("/hs/080291?market=GBR&origin=MUS")
    assert response.status_code == 200
    section = tariffs_section(response)
    assert "Import duties in United Kingdom" in section
    assert "0802.90.50" in section
    assert "HS 2017 line 0802.90.50, split in HS 2022 between 0802.91, 0802.92, 0802.99" in section
    assert "For goods originating in Mauritius" in section
    assert "rules of origin" in section
    assert "Taxes in United Kingdom" in section
    assert "20% of the customs value" in section


def test_product_page_with_an_origin_that_does_not_qualify(client):
    section = tariffs_section(client.get("/hs/090121?market=GBR&origin=MDG"))
    assert "qualify for none of the preferences" in section
    assert "for goods originating in Mauritius, Seychelles, Zimbabwe" in section
    assert "For goods originating in" not in section


def test_product_page_without_origin_lists_the_preferences_to_qualify_for(client):
    section = tariffs_section(client.get("/hs/090121?market=GBR"))
    assert "0901.21.00" in section
    assert "Choose the origin of the goods" in section


def test_product_page_before_and_after_the_uk_global_tariff(client):
    before = tariffs_section(client.get("/hs/010129?market=GBR&date=2020-12-31"))
    after = tariffs_section(client.get("/hs/010129?market=GBR&date=2021-01-01"))
    assert "EU Common External Tariff 2020" in before and "11.5%" in before
    assert "UK Global Tariff 2021" in after and "10.0%" in after
    assert "UK Global Tariff 2021" not in before


def test_product_page_for_a_market_without_schedule(client):
    section = tariffs_section(client.get("/hs/090121?market=USA"))
    assert "holds no tariff schedule" in section


def test_seasonal_rate_shows_the_season_of_the_day(client):
    winter = tariffs_section(client.get("/hs/030241?market=GBR&date=2021-01-15"))
    summer = tariffs_section(client.get("/hs/030241?market=GBR&date=2021-03-15"))
    assert "On this date: 14% of the customs value" in winter
    assert "On this date: free (0%)" in summer


def test_illustrative_content_is_labelled(client):
    section = tariffs_section(client.get("/hs/2203"))
    assert "Excise duty on alcoholic beverages" in section
    assert "Illustrative" in section
    assert "applies via" not in section  # linked to 2203 itself, VAT to all goods
    heading_of_vat = tariffs_section(client.get("/hs/090121"))
    assert "Illustrative" not in heading_of_vat


def test_a_chapter_shows_the_first_lines_and_the_count(client):
    section = tariffs_section(client.get("/hs/84?market=GBR"))
    assert "Showing 25 of 990 tariff lines for 84" in section
    assert "Browse UKGT-2021 under 84" in section
