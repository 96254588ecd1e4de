"""Content types as subscribers follow them: groups in the forms, the fan-out and the feeds."""

import re
from xml.etree import ElementTree as ET

from sqlalchemy import select

from tests.alerts.conftest import (
    COFFEE_FOR_UK,
    fan_out,
    post_with_token,
    publish_new,
    subscribe_directly,
    subscriptions_of,
)
from tests.alerts.test_matching import make_subscriber
from tradeportal.alerts.groups import GROUPS, groups_of, unclassified
from tradeportal.alerts.matching import count_audience
from tradeportal.alerts.models import Language, SubscriptionKind
from tradeportal.alerts.services import confirm_subscription
from tradeportal.alerts.tokens import FollowRequest, confirm_token
from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.db import db, utcnow
from tradeportal.mail.models import OutboundEmail

TYPE, HS = SubscriptionKind.CONTENT_TYPE, SubscriptionKind.HS
ATOM = "{http://www.w3.org/2005/Atom}"
NEWS = {
    "slug": "coffee-week",
    "kind": "news",
    "title_en": "Coffee week",
    "valid_from": "2026-01-01",
}
EVENT = {
    "slug": "coffee-fair",
    "kind": "event",
    "title_en": "Coffee fair",
    "valid_from": "2026-01-01",
    "event_starts_on": "2027-03-01",
}
FREE_PAGE = {"slug": "help", "kind": "page", "title_en": "Help", "valid_from": "2020-01-01"}
SEARCH_REFERENCE = {
    "term": "flat white",
    "language": "en",
    "code": "0901.21",
    "valid_from": "2022-01-01",
}
GROUP_NAMES = [
    "regulations",
    "procedures",
    "tariffs",
    "agreements",
    "countries",
    "tenders",
    "news",
    "events",
]


def alerts_to(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboundEmail.to_address, OutboundEmail.body_text)
            .where(OutboundEmail.kind == "alert")
            .order_by(OutboundEmail.id)
        )
        return [tuple(row) for row in rows]


def titles(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    root = ET.fromstring(response.data)
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_every_content_type_of_the_cms_has_its_place(app):
    # A new area's content type must be put in a group (or said to never alert) here.
    assert unclassified(CONTENT_TYPES) == []
    assert list(GROUPS) == GROUP_NAMES
    assert groups_of("tariff-schedule-markets") == ("tariffs",)
    assert groups_of("origin-rules") == groups_of("origin-schemes") == ("agreements",)
    assert groups_of("pages", {"kind": "news"}) == ("news",)
    assert groups_of("pages", {"kind": "event"}) == ("events",)
    assert groups_of("pages", {"kind": "page"}) == ()
    assert groups_of("search-references") == ()


def test_news_events_and_free_pages_reach_their_own_followers(app, editors):
    subscribe_directly(app, "news@example.org", (TYPE, "news"), language=Language.FR)
    subscribe_directly(app, "events@example.org", (TYPE, "events"))
    publish_new(app, editors, NEWS, "pages")
    fan_out(app)
    [(to, text)] = alerts_to(app)
    assert to == "news@example.org"
    assert "Vous suivez tous les contenus « actualités » → ceci en fait partie." in text
    publish_new(app, editors, EVENT, "pages")
    fan_out(app)
    assert [to for to, _ in alerts_to(app)] == ["news@example.org", "events@example.org"]
    assert "You follow all events → this is one of them." in alerts_to(app)[1][1]
    # A free page (about, help) is in no group: nobody is alerted.
    publish_new(app, editors, FREE_PAGE, "pages")
    assert "fanned out to 0 subscriber(s)" in fan_out(app)
    assert len(alerts_to(app)) == 2


def test_search_references_alert_nobody_even_on_their_hs_code(app, editors, client):
    subscribe_directly(app, "coffee@example.org", (HS, "0901"))
    publish_new(app, editors, SEARCH_REFERENCE, "search-references")
    assert "1 change event(s) fanned out to 0 subscriber(s)" in fan_out(app)
    assert alerts_to(app) == []
    assert titles(client, "/hs/0901/changes.atom") == []
    # The same subscriber still hears of a regulation on that code.
    publish_new(app, editors, COFFEE_FOR_UK)
    fan_out(app)
    assert [to for to, _ in alerts_to(app)] == ["coffee@example.org"]


def test_group_feeds_and_the_old_feed_addresses(app, editors, client):
    publish_new(app, editors, NEWS, "pages")
    publish_new(app, editors, EVENT, "pages")
    publish_new(app, editors, COFFEE_FOR_UK)
    fan_out(app)
    assert titles(client, "/alerts/feeds/news.atom") == ["New: Coffee week"]
    assert titles(client, "/alerts/feeds/events.atom") == ["New: Coffee fair"]
    assert titles(client, "/alerts/feeds/regulations.atom") == [
        "New: Phytosanitary certificate for green coffee to the United Kingdom"
    ]
    assert titles(client, "/alerts/feeds/tariffs.atom") == []
    # The feeds of raw content types move, permanently, to their group's feed.
    for old, new in [
        ("tariff-lines", "tariffs"),
        ("origin-rules", "agreements"),
        ("pages", "news"),
    ]:
        moved = client.get(f"/alerts/feeds/{old}.atom")
        assert moved.status_code == 301, old
        assert moved.headers["Location"].endswith(f"/alerts/feeds/{new}.atom")
    assert client.get("/alerts/feeds/search-references.atom").status_code == 404
    assert client.get("/alerts/feeds/nothing.atom").status_code == 404


def content_select(page: str) -> str:
    found = page[page.index('id="field-content_type"') :]
    return found[: found.index("</select>")]


def test_the_forms_offer_the_groups_in_english_and_french(client):
    form = client.get("/alerts/subscribe").text
    select_html = content_select(form)
    assert re.findall(r'<option value="([^"]+)"', select_html) == GROUP_NAMES
    assert ">Tariffs and taxes<" in select_html and "Tarifs" not in select_html
    # A French page offers them in French only.
    french = content_select(client.get("/alerts/subscribe?lang=fr").text)
    assert re.findall(r'<option value="([^"]+)"', french) == GROUP_NAMES
    assert ">Réglementations<" in french and ">Actualités<" in french
    assert "Tariffs" not in french and "Regulations" not in french
    client.get("/alerts/subscribe?lang=en")  # back to English for the rest
    assert "search-references" not in form and "tariff-schedule-markets" not in form
    # An old link naming a raw type chooses its group.
    prefilled = client.get("/alerts/subscribe?type=tariff-lines").text
    assert '<option value="tariffs" selected>' in prefilled
    unknown = client.get("/alerts/subscribe?type=search-references").text
    assert " selected>" not in content_select(unknown)


def test_raw_content_type_names_are_refused_by_the_forms(client, app):
    for raw in ("tariff-lines", "search-references", "pages"):
        refused = post_with_token(
            client,
            "/alerts/subscribe",
            "/alerts/subscribe",
            {"email": "a@example.org", "content_type": raw},
        )
        assert refused.status_code == 422, raw
        assert "Choose one of the kinds of content listed: regulations, procedures" in refused.text
    with app.app_context():
        assert db.session.scalar(select(OutboundEmail.id)) is None


def test_a_confirmation_link_from_before_the_groups_follows_the_groups(app, client):
    follows = (
        ("content_type", "tariff-lines", ""),
        ("content_type", "internal-taxes", ""),
        ("content_type", "pages", ""),
        ("content_type", "search-references", ""),
    )
    request = FollowRequest("old-link@example.org", "en", follows, "daily")
    with app.test_request_context():
        token = confirm_token(request)
    page = client.get(f"/alerts/confirm/{token}")
    assert re.findall(r"<li>\s*Content: ([^<]+?)\s*</li>", page.text) == [
        "Tariffs and taxes",
        "News",
        "Events",
    ]
    with app.app_context():
        confirm_subscription(db.session, request, utcnow())
        db.session.commit()
    assert subscriptions_of(app, "old-link@example.org") == [
        ("content_type", "events", ""),
        ("content_type", "news", ""),
        ("content_type", "tariffs", ""),
    ]


def test_the_cms_audience_of_a_page_depends_on_its_kind(empty_app):
    with empty_app.app_context():
        make_subscriber("news@example.org", (TYPE, "news"))
        make_subscriber("events@example.org", (TYPE, "events"))
        make_subscriber("tariffs@example.org", (TYPE, "tariffs"))
        page = {"content_type": "pages", "hs_prefixes": [], "countries": []}
        assert count_audience(db.session, page | {"after": NEWS}) == 1
        assert count_audience(db.session, page | {"after": FREE_PAGE}) == 0
        # Without the record it may be either: the preview counts both.
        assert count_audience(db.session, page) == 2
        assert count_audience(db.session, page | {"content_type": "preferential-rates"}) == 1
        reference = {"content_type": "search-references", "hs_prefixes": ["0901"]}
        assert count_audience(db.session, reference | {"countries": []}) == 0
