"""The product page sections of both areas: agreements, rules of origin, country profiles."""

from datetime import date

from tests.countries.helpers import text_of
from tradeportal.agreements.content import (
    collect_agreements,
    collect_rules_of_origin,
    range_label,
)
from tradeportal.countries.content import collect_country_links
from tradeportal.hs.catalog import get_catalog
from tradeportal.product import ProductContext

PRODUCT = "/hs/090121?market=GBR&origin=MUS"


def context(code: str, market=None, origin=None, day=date(2024, 1, 1)) -> ProductContext:
    catalog = get_catalog()
    node = catalog.edition_on(day).get(code, day)
    return ProductContext(
        node=node,
        ancestors=tuple(catalog.ancestors(node)),
        day=day,
        home_country="MUS",
        market=market,
        origin=origin,
    )


def test_the_product_page_shows_agreements_rules_and_profiles(client):
    response = client.get(PRODUCT)
    assert response.status_code == 200
    page, text = response.get_data(as_text=True), text_of(response)
    for key in ("agreements", "rules_of_origin", "countries"):
        assert f'id="{key}"' in page
    assert "Trade agreements and preferences" in text
    assert "United Kingdom - Eastern and Southern Africa States" in text
    assert "ESA-UK Economic Partnership Agreement (EPA)" in text
    assert "Rules of origin" in text
    assert "applies via 0901" in text
    assert "Manufacture from materials of any heading." in text
    assert "Country profiles" in text
    assert 'href="/countries/GBR"' in page and 'href="/countries/MUS"' in page
    # The page's sections come in the registered order.
    assert page.index('id="agreements"') < page.index('id="rules_of_origin"')
    assert page.index('id="rules_of_origin"') < page.index('id="countries"')


def test_without_origin_and_market_only_the_home_profile_is_linked(client):
    response = client.get("/hs/090121")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="agreements"' not in page and 'id="rules_of_origin"' not in page
    assert 'href="/countries/MUS"' in page


def test_on_a_day_before_the_uk_agreement_no_uk_rules_apply(client):
    response = client.get(PRODUCT + "&date=2020-06-01")
    text = text_of(response)
    assert "United Kingdom - Eastern and Southern Africa States" not in text
    assert "No regional trade agreement between these two" in text
    assert 'id="rules_of_origin"' not in response.get_data(as_text=True)


def test_collect_needs_both_countries(app_context):
    assert collect_agreements(context("090121", market="GBR")) is None
    assert collect_agreements(context("090121", origin="MUS")) is None
    assert collect_agreements(context("090121", market="MUS", origin="MUS")) is None
    assert collect_rules_of_origin(context("090121", market="FRA", origin="MUS")) is None
    section = collect_agreements(context("090121", market="GBR", origin="MUS"))
    assert [a.name for a in section.agreements] == [
        "United Kingdom - Eastern and Southern Africa States"
    ]
    assert [s.code for s in section.schemes] == ["esa"]


def test_rules_say_where_they_come_from(app_context):
    subheading = collect_rules_of_origin(context("090121", market="GBR", origin="MUS"))
    (only,) = subheading.rule_sets
    assert (only.label, only.covers_whole_code) == ("0901", True)
    chapter = collect_rules_of_origin(context("09", market="GBR", origin="MUS"))
    labels = {item.label: item.covers_whole_code for item in chapter.rule_sets}
    assert labels == {"0901": False, "0902": False, "0903–0909": False, "0910": False}


def test_country_links_are_unique_and_in_role_order(app_context):
    links = collect_country_links(context("090121", market="GBR", origin="MUS"))
    assert [(link.role, link.country.iso3) for link in links] == [
        ("Destination market", "GBR"),
        ("Origin of the goods", "MUS"),
    ]


def test_range_labels_read_as_codes():
    assert range_label("0901000000", "0901999999") == "0901"
    assert range_label("0100000000", "0199999999") == "01"
    assert range_label("1507000000", "1515999999") == "1507–1515"
    assert range_label("8501100000", "8501109999") == "8501.10"
    assert range_label("0901210000", "0901210000") == "0901.21.00.00"


def test_the_product_sections_in_french(client):
    response = client.get(PRODUCT + "&date=2024-01-01&lang=fr")
    assert response.status_code == 200
    text = text_of(response)
    assert "Accords commerciaux et préférences" in text and "Règles d'origine" in text
    assert "Origine des marchandises : Maurice ; destination : Royaume-Uni" in text
    assert "date : 1 janvier 2024" in text
    assert "s'applique par 0901" in text
    assert "Régimes préférentiels du Royaume-Uni" in text
