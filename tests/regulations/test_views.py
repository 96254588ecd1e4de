"""Regulation, procedure and agency pages, and the product page sections."""

import html
import json
import re
from datetime import date

import pytest

from tests.conftest import run_cli
from tests.regulations.conftest import regulation_record
from tradeportal.hs.catalog import get_catalog
from tradeportal.product import ProductContext
from tradeportal.regulations.content import collect_procedures, collect_regulations


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    body = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def long_day(app, value: date, language: str = "en") -> str:
    """A day as the pages write it for people ("1 June 2026" in the page's language)."""
    from tradeportal.i18n import day

    with app.test_request_context(f"/?lang={language}"):
        return day(value)


def section_html(response, key: str) -> str:
    """The HTML of one product page section."""
    page = response.get_data(as_text=True)
    found = re.search(rf'<section class="product-section" id="{key}">(.*?)</section>', page, re.S)
    assert found, f"no section {key}"
    return found.group(1)


def section_text(response, key: str) -> str:
    """The visible text of one product page section."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section_html(response, key))).split())


# --- the list -------------------------------------------------------------------------


def test_the_list_shows_rules_in_force_with_the_illustrative_label(app, client):
    response = client.get("/regulations?date=2026-06-01")
    assert response.status_code == 200
    text = text_of(response)
    assert f"rules of MUS in force on {long_day(app, date(2026, 6, 1))}" in text
    assert "Phytosanitary import conditions for coffee beans" in text
    assert "Illustrative" in text
    assert "Exporting fish and fishery products to the European Union" in text  # procedures


def test_the_list_filters_by_chapter_kind_and_direction(client):
    text = text_of(client.get("/regulations?chapter=03&direction=export&date=2026-06-01"))
    assert "Health certificate for fishery products exported to the EU" in text
    assert "Sanitary clearance of imported fish and fishery products" not in text
    assert "coffee" not in text.lower().split("procedures")[0]
    text = text_of(client.get("/regulations?kind=prohibition&date=2026-06-01"))
    assert "Ban on plastic bags" in text
    assert "Permit to import firearms" not in text
    # A chapter given as one digit is read as 0N.
    assert "Veterinary import permit for live animals" in text_of(
        client.get("/regulations?chapter=1&date=2026-06-01")
    )


def test_the_as_of_date_changes_what_is_listed(client):
    before = text_of(client.get("/regulations?chapter=22&date=2026-12-31"))
    after = text_of(client.get("/regulations?chapter=22&date=2027-01-01"))
    assert "Health warning on alcoholic beverage labels" not in before
    assert "Health warning on alcoholic beverage labels" in after
    ended = text_of(client.get("/regulations?chapter=72&date=2025-06-30"))
    reopened = text_of(client.get("/regulations?chapter=72&date=2025-07-01"))
    assert "Temporary prohibition on exports of scrap metal" in ended
    assert "Export permit for scrap metal" not in ended
    assert "Temporary prohibition on exports of scrap metal" not in reopened
    assert "Export permit for scrap metal" in reopened


def test_the_list_pages_and_filters_by_agency(client):
    text = text_of(client.get("/regulations?agency=police-firearms&date=2026-06-01"))
    assert "3 rules" in text
    assert "Permit to import explosives and fireworks" in text
    assert "Phytosanitary" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("chapter=9x", "A chapter is two digits"),
        ("chapter=100", "A chapter is two digits"),
        ("chapter=00", "A chapter is two digits"),
        ("kind=ban", "Unknown kind of rule"),
        ("direction=sideways", "Unknown direction"),
        ("date=2026-02-30", "That date does not exist"),
        ("date=tomorrow", "Dates are written YYYY-MM-DD"),
        ("page=0", "The page is a number"),
        ("page=abc", "The page is a number"),
        ("page=500", "There are only 2 pages"),
        ("agency=nobody", "There is no agency"),
        ("agency=%3Cscript%3E", "There is no agency"),
    ],
)
def test_bad_filters_get_a_400_with_a_message(client, query, message):
    response = client.get(f"/regulations?{query}")
    assert response.status_code == 400
    assert message in text_of(response)
    assert "<script>" not in response.get_data(as_text=True)


# --- detail pages ---------------------------------------------------------------------


def test_a_regulation_page_shows_documents_agency_partners_and_procedures(client):
    response = client.get("/regulations/eu-health-certificate-fishery")
    assert response.status_code == 200
    text = text_of(response)
    assert "Health certificate for fishery products exported to the EU Illustrative" in text
    assert "Request for an export health certificate form CA-EXP-1" in text
    assert "Only for exports to Austria, Belgium, Bulgaria" in text
    assert "Goods 03 , 1604 , 1605 except 0301" in text
    assert "Exporting fish and fishery products to the European Union" in text
    page = response.get_data(as_text=True)
    assert 'href="/agencies/competent-authority-seafood"' in page


def test_a_regulation_page_says_when_it_is_not_in_force_on_the_day(app, client):
    text = text_of(client.get("/regulations/alcohol-health-warning?date=2026-06-01"))
    june, january = long_day(app, date(2026, 6, 1)), long_day(app, date(2027, 1, 1))
    assert f"Not in force on {june}: it starts on {january}." in text
    text = text_of(client.get("/regulations/scrap-metal-export-ban?date=2026-06-01"))
    assert f"it ended on {long_day(app, date(2025, 6, 30))}" in text
    assert client.get("/regulations/scrap-metal-export-ban?date=2026-13-01").status_code == 400


def test_a_procedure_page_shows_its_steps_in_order(client):
    response = client.get("/procedures/export-fish-to-eu")
    assert response.status_code == 200
    text = text_of(response)
    steps = re.findall(r"Step (\d) ", text)
    assert steps == ["1", "2", "3", "4", "5"]
    assert text.index("EU list of approved establishments") < text.index(
        "Have the catch certificate validated"
    )
    assert "Fee Rs 1,500 (illustrative)" in text
    assert "Illustrative" in text


def test_an_agency_page_lists_its_contacts_rules_and_procedures(client):
    text = text_of(client.get("/agencies/nppo"))
    assert "Website https://agriculture.govmu.org" in text
    assert "Phytosanitary import conditions for coffee beans" in text
    assert "Importing fresh fruit and vegetables" in text
    assert "Enquiry point" in text_of(client.get("/agencies/trade-enquiry-point"))
    assert "National Plant Protection Office" in text_of(client.get("/agencies"))


@pytest.mark.parametrize(
    "path",
    [
        "/regulations/no-such-rule",
        "/regulations/UPPER",
        "/regulations/%C3%A9t%C3%A9",
        "/procedures/no-such-procedure",
        "/agencies/no-such-agency",
        "/agencies/" + "a" * 300,
    ],
)
def test_unknown_slugs_get_a_404(client, path):
    assert client.get(path).status_code == 404


def test_imported_text_is_escaped(app, client, tmp_path):
    record = regulation_record(
        "escaped", ["0901"], agency="nppo", title_en="<script>alert(1)</script> & co"
    )
    path = tmp_path / "regulations.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    run_cli(app, "content", "import", str(path))
    page = client.get("/regulations/escaped?date=2026-06-01").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


# --- product page ---------------------------------------------------------------------


def product(code, day=date(2026, 6, 1), market=None, origin=None) -> ProductContext:
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


def titles(section) -> dict[str, list[tuple[str, str]]]:
    return {
        group.direction.value: [(item.regulation.slug, item.via) for item in group.items]
        for group in section.groups
    }


def test_collect_groups_by_direction_with_the_prefix_each_rule_applies_through(app_context):
    section = collect_regulations(product("090121"))
    assert section.country_name == "Mauritius"
    found = titles(section)
    assert ("coffee-import-sps", "0901") in found["import"]
    assert ("food-import-clearance", "09") in found["import"]
    assert ("phytosanitary-certificate-export", "0901") in found["export"]
    # The coffee rule excludes 0901.90; the chapter-wide food rule still applies there.
    substitutes = titles(collect_regulations(product("090190")))
    assert "coffee-import-sps" not in dict(substitutes["import"])
    assert "food-import-clearance" in dict(substitutes["import"])


def test_collect_uses_the_market_for_exports_and_the_origin_for_imports(app_context):
    to_france = titles(collect_regulations(product("030389", market="FRA")))
    to_usa = titles(collect_regulations(product("030389", market="USA")))
    anywhere = collect_regulations(product("030389"))
    assert "eu-health-certificate-fishery" in dict(to_france["export"])
    assert "eu-health-certificate-fishery" not in dict(to_usa["export"])
    assert "fish-export-health-certificate" in dict(to_usa["export"])
    limited = next(
        item
        for group in anywhere.groups
        for item in group.items
        if item.regulation.slug == "eu-health-certificate-fishery"
    )
    assert len(limited.partner_names) == 27 and "France" in limited.partner_names
    mangoes_from_india = titles(collect_regulations(product("080450", origin="IND")))
    mangoes_from_kenya = titles(collect_regulations(product("080450", origin="KEN")))
    assert "fruit-fly-treatment" in dict(mangoes_from_india["import"])
    assert "fruit-fly-treatment" not in dict(mangoes_from_kenya["import"])


def test_collect_returns_nothing_for_a_product_without_rules(app_context):
    assert collect_regulations(product("050100")) is None
    assert collect_procedures(product("050100")) is None


def test_collect_procedures_lists_steps_in_order(app_context):
    found = collect_procedures(product("030389"))
    slugs = {procedure.slug: via for procedure, via in found}
    assert slugs == {"export-fish-to-eu": "03"}
    procedure = found[0][0]
    assert [step.position for step in procedure.steps] == [1, 2, 3, 4, 5]


def test_the_product_page_shows_rules_with_via_partner_and_illustrative_label(client):
    response = client.get("/hs/090121?market=GBR&origin=MUS&date=2026-06-01")
    assert response.status_code == 200
    rules = section_text(response, "regulations")
    assert rules.startswith("Rules for trading this product Rules of Mauritius in force")
    assert "Phytosanitary import conditions for coffee beans Illustrative applies via 0901" in rules
    assert "Food import clearance by the Ministry of Health Illustrative applies via 09" in rules
    assert "Export — exports to United Kingdom" in rules
    assert "Processing time 1 working day" in rules
    assert "imports from Mauritius" not in rules


def test_the_product_page_links_each_rule_its_agency_and_the_issuers_of_its_documents(client):
    rules = section_html(client.get("/hs/090121?market=GBR&date=2026-06-01"), "regulations")
    # The rule's page on the same day, the agency's page, the issuer of a listed form.
    assert '<a href="/regulations/coffee-import-sps?date=2026-06-01">' in rules
    nppo = '<a href="/agencies/nppo">National Plant Protection Office (Ministry of Agro-'
    assert nppo in rules
    assert f'form PPO-EXP-2</span> <span class="muted">— from {nppo}' in rules
    tea = section_html(client.get("/hs/090210?date=2026-06-01"), "regulations")
    assert '<a href="https://commerce.govmu.org" rel="noopener">' in tea
    # On today's page the rules link without a date.
    today = section_html(client.get("/hs/090121"), "regulations")
    assert 'href="/regulations/coffee-import-sps"' in today


def test_the_product_page_says_until_when_a_rule_ends(client):
    rules = section_text(client.get("/hs/020711?date=2025-06-01"), "regulations")
    assert "Until 31 December 2025" in rules
    french = section_text(client.get("/hs/020711?date=2025-06-01&lang=fr"), "regulations")
    assert "31 décembre 2025" in french


def test_the_product_page_shows_partner_limits_when_no_market_is_chosen(client):
    rules = section_text(client.get("/hs/030389?date=2026-06-01"), "regulations")
    assert "Only for exports to Austria, Belgium, Bulgaria, Croatia, Cyprus and 22 more." in rules
    chosen = section_text(client.get("/hs/030389?market=FRA&date=2026-06-01"), "regulations")
    assert "Applies to exports to France." in chosen
    procedures = section_text(client.get("/hs/030389?date=2026-06-01"), "procedures")
    assert procedures.startswith("Procedures Exporting fish and fishery products")
    assert "Step 1" in procedures and "Step 5" in procedures


def test_the_product_page_follows_the_date(client):
    old = section_text(client.get("/hs/240220?date=2022-06-01"), "regulations")
    new = section_text(client.get("/hs/240220?date=2023-06-01"), "regulations")
    assert "Pictorial health warnings on tobacco packs" in old
    assert "Plain packaging of tobacco products" not in old
    assert "Plain packaging of tobacco products" in new
    assert "Pictorial health warnings on tobacco packs" not in new


@pytest.mark.parametrize("query", ["page=²", "page=٣", "chapter=98", "chapter=99", "chapter=0"])
def test_odd_digits_and_chapters_beyond_97_are_a_400(client, query):
    assert client.get(f"/regulations?{query}").status_code == 400
