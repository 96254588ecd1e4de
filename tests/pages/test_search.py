"""Pages, news and events in the search index: found after the drain, by English or French."""

import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from tests.conftest import run_cli
from tests.pages.conftest import page_record, save_pages
from tradeportal.db import db
from tradeportal.pages.models import Page
from tradeportal.pages.search_source import load_pages, page_document
from tradeportal.search.extension import search_store


def hit_targets(response) -> list[str]:
    """The pages the result links lead to, in order (through /search/go or direct)."""
    targets = []
    for href in re.findall(r'<p class="hit-title"><a href="([^"]+)"', response.text):
        parts = urlsplit(href.replace("&amp;", "&"))
        targets.append(parse_qs(parts.query)["to"][0] if parts.path == "/search/go" else href)
    return targets


def test_a_document_carries_both_languages_and_plain_body_text(app_context):
    page = db.session.scalar(select(Page).where(Page.slug == "how-to-find-your-hs-code"))
    document = page_document(page)
    assert document["type"] == "page"
    assert document["key"] == f"page:{page.id}"
    assert document["link"] == {
        "endpoint": "pages.page_detail",
        "values": {"slug": "how-to-find-your-hs-code"},
    }
    assert document["language"] == "en fr"
    assert document["title_fr"] == "Comment trouver votre code SH"
    assert "**" not in document["body_en"]
    assert "](" not in document["body_en"]
    assert "Start from words or from a code" in document["body_en"]
    assert "Partir de mots" in document["body_fr"]
    assert document["is_demo"] is True
    assert [entity for entity, _ in load_pages(db.session, [str(page.id), "x"])] == [str(page.id)]


def test_a_new_page_is_found_after_the_drain_and_follows_its_changes(empty_app):
    client = empty_app.test_client()
    run_cli(empty_app, "search", "rebuild")
    with empty_app.app_context():
        save_pages(
            page_record(
                "cargo-inspections",
                kind="news",
                title_en="Cargo inspections at the harbour",
                title_fr="Inspections des cargaisons au port",
                body_en="Inspectors check **refrigerated containers** first.",
                body_fr="Les inspecteurs contrôlent d'abord les **conteneurs réfrigérés**.",
            )
        )
    # Leaving the app context after the commit ran the inline drain.
    response = client.get("/search", query_string={"q": "refrigerated containers"})
    assert hit_targets(response) == ["/news/cargo-inspections"]
    assert "Cargo inspections at the harbour" in response.text
    french = client.get("/search", query_string={"q": "conteneurs réfrigérés"})
    assert hit_targets(french) == ["/news/cargo-inspections"]

    with empty_app.app_context():
        page = db.session.scalar(select(Page).where(Page.slug == "cargo-inspections"))
        page.title_en = "Harbour checks of reefer boxes"
        page.body_en = "Reefer boxes are checked first."
        db.session.commit()
    assert hit_targets(client.get("/search", query_string={"q": "reefer"})) == [
        "/news/cargo-inspections"
    ]
    assert hit_targets(client.get("/search", query_string={"q": "refrigerated containers"})) == []
    with empty_app.app_context():
        search_store().close()


def test_the_type_facet_and_the_date_limit_pages(empty_app):
    client = empty_app.test_client()
    run_cli(empty_app, "search", "rebuild")
    with empty_app.app_context():
        save_pages(
            page_record(
                "seminar",
                kind="event",
                title_en="Seminar on quarantine rules",
                valid_from="2025-01-01",
                valid_to="2025-12-31",
            ),
            # Something in force later: with nothing in force on a day the search applies
            # no date filter at all (an empty allow-set is falsy to Whoosh's collector).
            page_record("customs-hours", title_en="Customs opening hours"),
        )
    found = client.get("/search", query_string={"q": "quarantine", "date": "2025-06-01"})
    assert hit_targets(found) == ["/events/seminar?date=2025-06-01"]
    assert "Pages" in found.text
    filtered = client.get(
        "/search", query_string={"q": "quarantine", "date": "2025-06-01", "type": "page"}
    )
    assert hit_targets(filtered) == ["/events/seminar?date=2025-06-01"]
    later = client.get("/search", query_string={"q": "quarantine", "date": "2026-01-01"})
    assert hit_targets(later) == []
    with empty_app.app_context():
        search_store().close()
