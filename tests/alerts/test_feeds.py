"""Atom feeds per HS code, country and content type: valid Atom 1.0, the emails' content."""

from xml.etree import ElementTree as ET

import pytest

from tests.alerts.conftest import COFFEE_FOR_UK, fan_out, publish_amendment, publish_new

ATOM = "{http://www.w3.org/2005/Atom}"
SUGAR_FOR_FRANCE = COFFEE_FOR_UK | {
    "slug": "cane-sugar-france-quota-licence",
    "title_en": "Quota licence for cane sugar to France",
    "partners": "FRA",
    "hs_prefixes": "1701",
    "summary": "Shipments under the quota need a licence.",
}


def feed(client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    # What Atom 1.0 (RFC 4287) requires of a feed and of each entry.
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text, name
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href").startswith("http://localhost:5000/")
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text, name
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert entry.find(f"{ATOM}content").get("type") == "html"
    return root


def titles(root: ET.Element) -> list[str]:
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


@pytest.fixture
def published(app, editors):
    """A coffee regulation (0901.21, UK), then sugar (1701, France), then a coffee amendment."""
    coffee = publish_new(app, editors, COFFEE_FOR_UK)
    sugar = publish_new(app, editors, SUGAR_FOR_FRANCE)
    amended = publish_amendment(app, editors, COFFEE_FOR_UK | {"fees": "MUR 500"})
    fan_out(app)
    return coffee, sugar, amended


def test_hs_feeds_carry_the_changes_at_above_and_below_the_code(client, published):
    coffee, _, amended = published
    subheading = feed(client, "/hs/090121/changes.atom")
    assert titles(subheading) == [
        "Amended: Phytosanitary certificate for green coffee to the United Kingdom",
        "New: Phytosanitary certificate for green coffee to the United Kingdom",
    ]
    ids = [entry.find(f"{ATOM}id").text for entry in subheading.findall(f"{ATOM}entry")]
    assert ids == [
        f"tag:localhost,2026:change-event/{amended}",
        f"tag:localhost,2026:change-event/{coffee}",
    ]
    newest = subheading.find(f"{ATOM}entry")
    content = newest.find(f"{ATOM}content").text
    assert "You follow 0901.21 → this applies to 0901.21." in content
    assert "MUR 500" in content
    assert newest.find(f"{ATOM}link").get("href") == (
        "http://localhost:5000/regulations/green-coffee-uk-phytosanitary-certificate"
        "?date=2026-01-01"
    )
    # The chapter's feed has the changes below it; the heading's reads "applies to 0901.21".
    assert len(titles(feed(client, "/hs/09/changes.atom"))) == 2
    heading = feed(client, "/hs/0901/changes.atom")
    assert (
        "You follow 0901 → this applies to 0901.21."
        in heading.find(f"{ATOM}entry/{ATOM}content").text
    )
    # A national line under 0901.21 sees them too ("applies to all of 0901.21").
    assert len(titles(feed(client, "/hs/0901.21.10/changes.atom"))) == 2
    assert titles(feed(client, "/hs/1701/changes.atom")) == [
        "New: Quota licence for cane sugar to France"
    ]
    assert titles(feed(client, "/hs/0902/changes.atom")) == []
    # Entry ids never change between readings.
    again = feed(client, "/hs/090121/changes.atom")
    assert [e.find(f"{ATOM}id").text for e in again.findall(f"{ATOM}entry")] == ids


def test_country_and_content_type_feeds(client, published):
    assert len(titles(feed(client, "/countries/GBR/changes.atom"))) == 2
    assert titles(feed(client, "/countries/fra/changes.atom")) == [
        "New: Quota licence for cane sugar to France"
    ]
    # The home country names every one of these regulations.
    assert len(titles(feed(client, "/countries/MUS/changes.atom"))) == 3
    assert len(titles(feed(client, "/alerts/feeds/regulations.atom"))) == 3
    assert titles(feed(client, "/alerts/feeds/tenders.atom")) == []


@pytest.mark.config(ALERTS_FEED_SIZE=1)
def test_feeds_keep_the_newest_entries(client, published):
    assert titles(feed(client, "/alerts/feeds/regulations.atom")) == [
        "Amended: Phytosanitary certificate for green coffee to the United Kingdom"
    ]


def test_bad_feed_addresses_get_clear_errors(client):
    assert client.get("/hs/09x1/changes.atom").status_code == 400
    assert client.get("/countries/XXX/changes.atom").status_code == 404
    assert client.get("/countries/<b>/changes.atom").status_code == 404
    assert client.get("/alerts/feeds/nothing.atom").status_code == 404
    empty = feed(client, "/hs/0101/changes.atom")
    assert titles(empty) == []
