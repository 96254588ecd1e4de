"""The main pages in a real browser: accessible (axe-core), usable without JavaScript, on a
phone, printed; with screenshots of each kept as artifacts."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.auth.conftest import PASSWORD, add_user
from tests.browser.conftest import ARTIFACTS, Portal, axe_violations, screenshot
from tradeportal.auth.models import Role
from tradeportal.db import db
from tradeportal.tenders.models import Tender

# (name, address) of the pages most people see; {tender} is filled from the database.
PUBLIC_PAGES = [
    ("home", "/"),
    ("search", "/search?q=coffee"),
    ("hs-index", "/hs"),
    ("product", "/hs/090121?origin=MUS&market=GBR"),
    ("product-sheet", "/hs/090121/sheet?origin=MUS&market=GBR"),
    ("regulations", "/regulations"),
    ("regulation", "/regulations/spices-aflatoxin-limits"),
    ("tariffs", "/tariffs"),
    ("tariff-schedule", "/tariffs/UKGT-2021"),
    ("calculator", "/calculator?code=090121&market=GBR&origin=MUS&customs_value=1000"),
    ("agreements", "/agreements"),
    ("countries", "/countries"),
    ("country", "/countries/MUS"),
    ("tenders", "/tenders"),
    ("tender", "/tenders/{tender}"),
    ("news", "/news"),
    ("events", "/events"),
    ("subscribe", "/alerts/subscribe?hs=0901.21&market=GBR"),
    ("login", "/login"),
    ("data-sources", "/about/data"),
    ("open-data", "/data/"),
    ("api-docs", "/api/v1/docs"),
]
EDITOR_PAGES = [
    ("manage", "/manage"),
    ("manage-new-regulation", "/manage/content/regulations/new"),
]


def address(portal: Portal, path: str) -> str:
    if "{tender}" in path:
        with portal.app.app_context():
            tender = db.session.scalar(select(Tender.id).order_by(Tender.id).limit(1))
        path = path.format(tender=tender)
    return portal.at(path)


def check_page(page: Page, name: str) -> list[dict]:
    """Screenshot the page shown and return axe's serious and critical findings on it."""
    assert page.locator("main#main").count() == 1, f"{name}: no main landmark"
    assert page.locator("h1").count() >= 1, f"{name}: no heading"
    screenshot(page, name)
    return axe_violations(page, name)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_main_pages_have_no_serious_accessibility_violation(portal, open_page, language):
    page = open_page(locale="fr-FR" if language == "fr" else "en-GB")
    problems = {}
    for name, path in PUBLIC_PAGES:
        response = page.goto(address(portal, path))
        assert response.status == 200, (path, response.status)
        assert page.locator("html").get_attribute("lang") == language, path
        found = check_page(page, f"{language}-{name}")
        if found:
            problems[path] = found
    assert problems == {}


def test_editor_pages_have_no_serious_accessibility_violation(portal, page):
    add_user(portal.app, "editor@ministry.example", Role.EDITOR)
    page.goto(portal.at("/login"))
    page.fill("#field-email", "editor@ministry.example")
    page.fill("#field-password", PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    expect(page.locator(".account-nav")).to_contain_text("Sign out")
    problems = {}
    for name, path in EDITOR_PAGES:
        assert page.goto(portal.at(path)).status == 200, path
        found = check_page(page, f"en-{name}")
        if found:
            problems[path] = found
    assert problems == {}


def test_the_product_page_reads_on_a_phone(portal, open_page):
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(portal.at("/hs/090121?origin=MUS&market=GBR"))
    # Nothing wider than the screen: no sideways scrolling to read a product page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    screenshot(page, "phone-product")


def test_without_javascript_search_and_the_product_context_still_work(portal, open_page):
    page = open_page(java_script_enabled=False)
    page.goto(portal.at("/"))
    page.locator('input[name="q"]').first.fill("0901.21")
    page.locator('form[role="search"] button[type="submit"]').first.click()
    expect(page).to_have_url(re.compile(r"/hs/090121"))
    page.select_option("#market", "GBR")
    page.fill("#as-of-date", "2025-06-30")
    page.locator("form.trade-context button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"market=GBR.*date=2025-06-30|date=2025-06-30.*market=GBR"))
    expect(page.locator("#tariffs")).to_be_visible()
    # The print button needs JavaScript, so it stays hidden; the CSV link does not.
    page.goto(portal.at("/hs/090121/sheet?market=GBR"))
    expect(page.locator("button[data-print]")).to_be_hidden()
    expect(page.locator('a[href*="/sheet.csv"]')).to_be_visible()


def test_autocomplete_offers_products_as_you_type(portal, page):
    page.goto(portal.at("/regulations"))
    page.locator("#header-q").press_sequentially("coffe", delay=30)
    options = page.locator("#header-q-suggestions option")
    expect(options.first).to_be_attached()
    values = options.evaluate_all("nodes => nodes.map(n => n.value + ' ' + (n.label || ''))")
    assert any("coffee" in value.lower() for value in values), values


def test_the_product_sheet_prints_without_navigation(portal, page):
    page.goto(portal.at("/hs/090121/sheet?origin=MUS&market=GBR"))
    expect(page.locator("button[data-print]")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator("form.trade-context")).to_be_hidden()
    expect(page.locator("table.checklist").first).to_be_visible()
    screenshot(page, "print-product-sheet")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "product-sheet-0901-21-MUS-GBR.pdf").write_bytes(pdf)


def test_the_accessibility_check_finds_what_it_should(page):
    # The harness itself: a page with an image lacking a text alternative and an unlabelled
    # field must be reported, or a clean report above would mean nothing.
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main id="main"><h1>t</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<input type="text"></main></body></html>'
    )
    found = {finding["id"] for finding in axe_violations(page, "self-check")}
    assert {"image-alt", "label"} <= found
