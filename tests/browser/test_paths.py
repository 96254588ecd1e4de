"""The three paths people take through the portal, in a real browser.

The newcomer finds coffee, follows it for the UK market and leaves in one click; the editor
drafts, has it reviewed and published, and finds it on the site; a French speaker does
their business in French. Screenshots of each step are kept (see conftest).
"""

import re
from email.message import EmailMessage

from playwright.sync_api import Page, expect

from tests.alerts.conftest import COFFEE_FOR_UK, links_in, subscriptions_of
from tests.alerts.test_done_when import publish_through_the_editor_screens
from tests.auth.conftest import PASSWORD, add_user
from tests.browser.conftest import Portal, screenshot
from tests.conftest import run_cli
from tradeportal.auth.models import Role


def emails_to(portal: Portal, address: str) -> list[EmailMessage]:
    return [received.message for received in portal.sink.handler.received_by(address)]


def link_in(message: EmailMessage, part: str) -> str:
    (link,) = {url for url in links_in(message) if part in url}
    return link


def test_the_newcomer_finds_coffee_follows_it_for_the_uk_and_leaves_in_one_click(
    portal: Portal, page: Page
):
    email = "newcomer@example.org"
    add_user(portal.app, "editor@ministry.example", Role.EDITOR)
    add_user(portal.app, "publisher@ministry.example", Role.PUBLISHER)

    page.goto(portal.at("/"))
    screenshot(page, "01-home")
    page.locator('input[name="q"]').first.fill("coffee")
    page.get_by_role("button", name="Search").first.click()
    expect(page).to_have_url(re.compile(r"/search\?q=coffee"))
    screenshot(page, "02-search-coffee")

    page.locator('a[href*="to=/hs/090121"]').first.click()
    expect(page).to_have_url(re.compile(r"/hs/090121$"))
    expect(page.locator("h1")).to_contain_text("roasted")
    page.select_option("#market", "GBR")
    page.get_by_role("button", name="Show what applies").click()
    expect(page).to_have_url(re.compile(r"/hs/090121\?.*market=GBR"))
    expect(page.locator("#tariffs")).to_contain_text("United Kingdom")
    screenshot(page, "03-product-0901-21-for-gbr")

    page.locator('a[href*="/alerts/subscribe?hs=0901.21"]').first.click()
    expect(page.locator("#field-hs")).to_have_value("0901.21")
    expect(page.locator("#field-market")).to_have_value("GBR")
    page.fill("#field-email", email)
    screenshot(page, "04-subscribe")
    page.get_by_role("button", name="Send me the confirmation link").click()
    expect(page.locator("h1")).to_contain_text("Check your email")
    assert subscriptions_of(portal.app, email) == []  # nothing is followed before confirming

    run_cli(portal.app, "mail", "send")
    (confirmation,) = emails_to(portal, email)
    page.goto(link_in(confirmation, "/alerts/confirm/"))
    expect(page.locator("main")).to_contain_text("0901.21")
    page.get_by_role("button", name="Confirm my alerts").click()
    expect(page.locator("main")).to_contain_text("0901")
    screenshot(page, "05-alerts-confirmed")
    assert subscriptions_of(portal.app, email) == [("hs", "090121", "GBR")]

    # An editor publishes a UK rule for green and roasted coffee; the worker runs its pass.
    publish_through_the_editor_screens(portal.app, COFFEE_FOR_UK)
    run_cli(portal.app, "worker", "--once")
    alert = emails_to(portal, email)[-1]
    assert alert["Subject"].startswith("New: ") and COFFEE_FOR_UK["title_en"] in alert["Subject"]
    assert "0901.21" in alert.get_body(("plain",)).get_content()

    page.goto(link_in(alert, "/alerts/unsubscribe/"))
    screenshot(page, "06-unsubscribe")
    page.get_by_role("button", name="Unsubscribe from all alerts").click()
    expect(page.locator("h1")).to_contain_text("unsubscribed")
    assert subscriptions_of(portal.app, email) == []


def sign_in(page: Page, portal: Portal, email: str) -> None:
    page.goto(portal.at("/login"))
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account-nav")).to_contain_text("Sign out")


def sign_out(page: Page) -> None:
    page.locator(".account-nav").get_by_role("button", name="Sign out").click()
    expect(page.locator(".account-nav")).to_contain_text("Sign in")


def test_the_editor_drafts_has_it_reviewed_and_finds_it_on_the_site_and_in_search(
    portal: Portal, page: Page
):
    add_user(portal.app, "editor@ministry.example", Role.EDITOR)
    add_user(portal.app, "publisher@ministry.example", Role.PUBLISHER)
    title = "Vanilla exports need a quality certificate"

    sign_in(page, portal, "editor@ministry.example")
    page.goto(portal.at("/manage/content/regulations/new"))
    fields = {
        "slug": "vanilla-quality-certificate",
        "title_en": title,
        "country_iso3": "MUS",
        "hs_prefixes": "0905",
        "agency": "mra-customs",
        "valid_from": "2026-01-01",
        "summary": "Each vanilla consignment needs a quality certificate from the board.",
    }
    for name, value in fields.items():
        page.fill(f"#field-{name}", value)
    page.select_option("#field-kind", "certificate_document")
    page.select_option("#field-direction", "export")
    screenshot(page, "10-editor-new-draft")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/manage/items/\d+$"))
    item_page = page.url
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("main")).to_contain_text("review")
    screenshot(page, "11-editor-sent-for-review")
    sign_out(page)

    sign_in(page, portal, "publisher@ministry.example")
    page.goto(item_page + "/review")
    screenshot(page, "12-publisher-review")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("main")).to_contain_text("ublished")
    sign_out(page)

    run_cli(portal.app, "worker", "--once")  # the search drain, as in production
    page.goto(portal.at("/regulations/vanilla-quality-certificate"))
    expect(page.locator("h1")).to_contain_text(title)
    page.locator('input[name="q"]').first.fill("vanilla quality certificate")
    page.get_by_role("button", name="Search").first.click()
    expect(page.locator("main")).to_contain_text(title)
    screenshot(page, "13-published-and-found")
