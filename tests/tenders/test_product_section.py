"""The "Tenders and opportunities" section of the product page."""

import html
import re
from datetime import date

from tradeportal.hs.catalog import get_catalog
from tradeportal.product import PRODUCT_SECTIONS, ProductContext
from tradeportal.tenders.content import collect_tenders

DEVON = "CP1093-14 Connecting Devon and Somerset Superfast Extension Programme"
ITAPAJI = "construction of itapaji small hydro power project"


def context(code: str, day: date) -> ProductContext:
    catalog = get_catalog()
    node = catalog.trees["HS2022"].nodes[code]
    return ProductContext(
        node=node,
        ancestors=tuple(catalog.ancestors(node)),
        day=day,
        home_country="MUS",
        market=None,
        origin=None,
    )


def test_the_section_is_registered_at_order_70():
    section = next(s for s in PRODUCT_SECTIONS if s.key == "tenders")
    assert (section.title, section.order) == ("Tenders and opportunities", 70)
    assert section.template == "tenders/_product_section.html"


def test_with_nothing_open_the_chapter_s_latest_closed_tenders_are_shown(app_context):
    found = collect_tenders(context("851762", date(2026, 1, 1)))
    assert found["open"] == [] and found["chapter"] == "85"
    assert [match.tender.title for match in found["closed"]] == [DEVON]
    assert not found["closed"][0].tender.is_open_on(date(2026, 1, 1))


def test_an_open_tender_is_shown_as_open_up_to_its_deadline_day(app_context):
    found = collect_tenders(context("2709", date(2016, 8, 21)))
    assert [(m.tender.title, m.prefix, m.cpv_prefix) for m in found["open"]] == [
        (ITAPAJI, "27", "09")
    ]
    assert found["closed"] == []
    after = collect_tenders(context("2709", date(2016, 8, 22)))
    assert after["open"] == [] and [m.tender.title for m in after["closed"]] == [ITAPAJI]


def test_a_product_without_tenders_says_so_and_links_to_the_list(app_context, client):
    found = collect_tenders(context("0901", date(2026, 1, 1)))
    assert found == {"open": [], "closed": [], "chapter": "09"}
    response = client.get("/hs/0901?date=2026-01-01")
    assert '<section class="product-section" id="tenders">' in response.get_data(as_text=True)
    assert "No tender in the portal concerns chapter 09." in text_of(response)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_the_product_page_shows_closed_tenders_labelled_with_a_link_to_the_list(client):
    response = client.get("/hs/8517")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    section = page[page.index('id="tenders"') :]
    section = section[: section.index("</section>")]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())
    assert "Tenders and opportunities" in text
    assert "Sample data from public OCDS releases (2011–2018), not current tenders" in text
    assert f"{DEVON} closed" in text
    assert "deadline 31 Jan 2015" in text
    assert "applies via 8517 (from CPV 32)" in text
    assert 'href="/tenders?chapter=85"' in section


def test_the_product_page_of_a_chapter_lists_tenders_linked_below_it(client):
    # The portal's HS editions start in 2017, when no linked sample tender is open any more.
    text = text_of(client.get("/hs/27?date=2017-01-01"))
    assert "No tender concerning this product was open on 1 January 2017" in text
    assert f"{ITAPAJI} closed" in text and "applies via 27 (from CPV 09)" in text
    chapter_85 = text_of(client.get("/hs/85"))
    assert "linked to HS 8517 (from CPV 32), within chapter 85" in chapter_85


def test_the_product_section_in_french(client):
    text = text_of(client.get("/hs/27?date=2017-01-01&lang=fr"))
    assert "Appels d'offres et opportunités" in text
    assert "Aucun appel d'offres concernant ce produit n'était ouvert le 1 janvier 2017" in text
    assert "Tous les appels d'offres" in text
