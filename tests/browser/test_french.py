"""A French speaker does their business in French: the browser asks for French, every page
answers in French, the choice of language is remembered, and the emails follow."""

import re

from playwright.sync_api import Page, expect

from tests.alerts.conftest import links_in
from tests.browser.conftest import Portal, screenshot
from tests.conftest import run_cli

MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang")


def test_a_french_browser_gets_french_pages_dates_and_emails(portal: Portal, open_page):
    page = open_page(locale="fr-FR")  # Accept-Language: fr-FR
    page.goto(portal.at("/"))
    assert html_lang(page) == "fr"
    nav = page.locator("nav.site-nav")
    expect(nav).to_contain_text("Réglementation")
    expect(nav).not_to_contain_text("Regulations")
    screenshot(page, "fr-01-home")

    page.locator('input[name="q"]').first.fill("café torréfié")
    page.locator('form[role="search"] button[type="submit"]').first.click()
    expect(page.locator('a[href*="to=/hs/090121"]').first).to_be_visible()
    screenshot(page, "fr-02-search-cafe-torrefie")
    page.locator('a[href*="to=/hs/090121"]').first.click()
    page.select_option("#market", "GBR")
    page.locator("form.trade-context button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"market=GBR"))
    main = page.locator("main")
    # French headings and a date written the French way ("1 janvier 2022").
    expect(main).to_contain_text("Droits de douane")
    expect(main).to_contain_text(re.compile(rf"\d{{1,2}} ({MONTHS}) \d{{4}}"))
    expect(page.locator("h1")).to_contain_text("torréfié")
    screenshot(page, "fr-03-product-0901-21-for-gbr")

    # Subscribing from a French page: the emails are French without being asked.
    page.locator('a[href*="/alerts/subscribe?hs=0901.21"]').first.click()
    expect(page.locator("#field-language")).to_have_value("fr")
    page.fill("#field-email", "exportatrice@example.fr")
    page.locator("form.account-form button[type=submit]").click()
    run_cli(portal.app, "mail", "send")
    (message,) = [m.message for m in portal.sink.handler.received_by("exportatrice@example.fr")]
    assert message["Subject"] == "Confirmez vos alertes du portail commercial"
    assert message["Content-Language"] == "fr"
    (link,) = [url for url in links_in(message) if "/alerts/confirm/" in url]
    page.goto(link)
    assert html_lang(page) == "fr"
    screenshot(page, "fr-04-confirm")


def test_the_language_switch_is_remembered_from_page_to_page(portal: Portal, open_page):
    page = open_page(locale="en-GB")
    page.goto(portal.at("/regulations"))
    assert html_lang(page) == "en"
    page.locator("a.language-switch").click()
    assert html_lang(page) == "fr"
    expect(page).to_have_url(re.compile(r"/regulations\?lang=fr"))
    # The next pages, reached without ?lang=, stay French although the browser asks English.
    page.locator("nav.site-nav a[href='/tariffs']").click()
    assert html_lang(page) == "fr"
    expect(page.locator("a.language-switch")).to_have_text("English")
    page.locator("a.language-switch").click()
    assert html_lang(page) == "en"
    page.goto(portal.at("/countries"))
    assert html_lang(page) == "en"
