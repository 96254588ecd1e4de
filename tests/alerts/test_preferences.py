"""Sign-up and the preference centre: prefilled forms, validation, watchlists, settings."""

import io

from sqlalchemy import select

from tests.alerts.conftest import path_of, post_with_token, subscribe_directly, subscriptions_of
from tests.alerts.test_fanout import outbox
from tests.alerts.test_links import sign_in_link
from tradeportal.alerts.models import (
    Frequency,
    Language,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from tradeportal.db import db

HS = SubscriptionKind.HS
PREFERENCES = "/alerts/preferences"
ALL_CHANGES = ["new", "amended", "withdrawn", "upcoming"]  # as the form is ticked


def signed_in_client(app, email: str):
    """A browser with the preference centre open for ``email`` (through an emailed link)."""
    client = app.test_client()
    post_with_token(client, "/alerts/sign-in", "/alerts/sign-in", {"email": email})
    link = path_of(sign_in_link(app))
    assert post_with_token(client, link, link).status_code == 302
    return client


def subscription_rows(app, email: str) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(
            select(Subscription)
            .join(Subscriber)
            .where(Subscriber.email == email)
            .order_by(Subscription.id)
        )
        return [
            (s.kind.value, s.value, s.market, [c.value for c in s.changes], s.frequency.value)
            for s in rows
        ]


def test_product_and_country_pages_offer_alerts_in_two_clicks(client):
    product = client.get("/hs/090121")
    assert 'id="alerts"' in product.text
    assert 'href="/alerts/subscribe?hs=0901.21"' in product.text
    assert 'href="/hs/090121/changes.atom"' in product.text
    country = client.get("/countries/GBR")
    assert 'href="/alerts/subscribe?country=GBR"' in country.text
    assert 'href="/countries/GBR/changes.atom"' in country.text
    form = client.get("/alerts/subscribe?country=GBR")
    assert '<option value="GBR" selected>' in form.text


def test_sign_up_refuses_bad_input_clearly_and_stores_nothing(client, app):
    cases = [
        ({"email": "someone@example.org"}, "Choose at least one thing to follow"),
        ({"email": "not an address", "hs": "0901"}, "Enter an email address like"),
        ({"email": "a@example.org", "hs": "0305.10"}, "Follow 0309.10 instead."),
        ({"email": "a@example.org", "hs": "99"}, "No such code in Harmonized System 2022."),
        ({"email": "a@example.org", "country": "XXX"}, "three-letter ISO code"),
        ({"email": "a@example.org", "content_type": "<script>"}, "Choose one of the kinds"),
        ({"email": "a@example.org", "content_type": "search-references"}, "Choose one of the"),
        ({"email": "a@example.org", "market": "GBR"}, "A market narrows an HS code"),
    ]
    for data, message in cases:
        response = post_with_token(client, "/alerts/subscribe", "/alerts/subscribe", data)
        assert response.status_code == 422, data
        assert message in response.text, (data, response.text)
    echoed = post_with_token(
        client, "/alerts/subscribe", "/alerts/subscribe", {"email": "<b>x</b>", "hs": "0901"}
    )
    assert "<b>x</b>" not in echoed.text and "&lt;b&gt;x&lt;/b&gt;" in echoed.text
    assert outbox(app) == []


def test_the_preference_centre_adds_changes_and_removes_subscriptions(app):
    subscribe_directly(app, "prefs@example.org", (HS, "0901"))
    client = signed_in_client(app, "prefs@example.org")
    page = client.get(f"{PREFERENCES}?hs=0902.10&market=GBR")
    assert 'value="0902.10"' in page.text

    added = post_with_token(
        client,
        PREFERENCES,
        f"{PREFERENCES}/subscriptions",
        {"hs": "0902.10", "market": "GBR", "changes": ["new", "withdrawn"], "frequency": "daily"},
    )
    assert added.status_code == 302
    added = post_with_token(
        client,
        PREFERENCES,
        f"{PREFERENCES}/subscriptions",
        {"content_type": "tariffs", "changes": ALL_CHANGES},
    )
    assert added.status_code == 302
    assert subscription_rows(app, "prefs@example.org") == [
        ("hs", "0901", "", ["new", "amended", "withdrawn", "upcoming"], "immediate"),
        ("hs", "090210", "GBR", ["new", "withdrawn"], "daily"),
        (
            "content_type",
            "tariffs",
            "",
            ["new", "amended", "withdrawn", "upcoming"],
            "immediate",
        ),
    ]
    page = client.get(PREFERENCES)
    assert 'HS <span class="code">0902.10</span> in GBR' in page.text
    assert "Content: Tariffs and taxes" in page.text

    refused = post_with_token(
        client, PREFERENCES, f"{PREFERENCES}/subscriptions", {"hs": "0901", "changes": []}
    )
    assert refused.status_code == 422
    assert "Tick at least one kind of change." in refused.text

    with app.app_context():
        first = db.session.scalar(select(Subscription.id).where(Subscription.value == "0901"))
    removed = post_with_token(client, PREFERENCES, f"{PREFERENCES}/subscriptions/{first}/remove")
    assert removed.status_code == 302
    assert [row[1] for row in subscription_rows(app, "prefs@example.org")] == [
        "090210",
        "tariffs",
    ]
    # Someone else's subscription is not one's to remove.
    other = subscribe_directly(app, "other@example.org", (HS, "17"))
    with app.app_context():
        theirs = db.session.scalar(
            select(Subscription.id).where(Subscription.subscriber_id == other)
        )
    assert (
        post_with_token(
            client, PREFERENCES, f"{PREFERENCES}/subscriptions/{theirs}/remove"
        ).status_code
        == 404
    )
    assert subscriptions_of(app, "other@example.org") == [("hs", "17", "")]


def test_language_frequency_and_leaving_from_the_preference_centre(app):
    subscribe_directly(app, "settings@example.org", (HS, "0901"), (HS, "17"))
    client = signed_in_client(app, "settings@example.org")
    saved = post_with_token(
        client, PREFERENCES, f"{PREFERENCES}/settings", {"language": "fr", "frequency": "weekly"}
    )
    assert saved.status_code == 302
    with app.app_context():
        subscriber = db.session.scalar(
            select(Subscriber).where(Subscriber.email == "settings@example.org")
        )
        assert subscriber.language is Language.FR
        assert {s.frequency for s in subscriber.subscriptions} == {Frequency.WEEKLY}
    bad = post_with_token(client, PREFERENCES, f"{PREFERENCES}/settings", {"language": "de"})
    assert bad.status_code == 422

    left = post_with_token(client, PREFERENCES, f"{PREFERENCES}/unsubscribe")
    assert left.status_code == 200
    assert "You are unsubscribed" in left.text
    assert subscriptions_of(app, "settings@example.org") == []
    assert client.get(PREFERENCES).status_code == 302  # signed out too


def test_a_watchlist_is_sorted_and_its_codes_followed(app):
    subscribe_directly(app, "list@example.org", (HS, "0901"))
    client = signed_in_client(app, "list@example.org")
    csv = (
        "code,description\n"
        "0901.21,Coffee not roasted\n"
        "0901,Coffee (followed already)\n"
        "030510;440140\n"
        "9999,Not a code\n"
        "09.01.21,Same as line 2\n"
        "12a4,Letters\n"
    )
    token_page = client.get(PREFERENCES)
    from tests.auth.conftest import csrf_token_from

    response = client.post(
        f"{PREFERENCES}/watchlist",
        data={
            "csrf_token": csrf_token_from(token_page),
            "file": (io.BytesIO(csv.encode()), "codes.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    text = response.text
    assert "In force (2)" in text and "Expired (2)" in text and "Not usable (3)" in text
    assert (
        "0305.10 is a code of Harmonized System 2017; in Harmonized System 2022 it became 0309.10."
        in text
    )
    assert "it became 4401.41, 4401.49." in text
    assert "Line 5: <strong>9999</strong> — No such code in Harmonized System 2022." in text
    assert "Already listed on line 2." in text
    assert "HS codes are made of digits only" in text
    assert "(already followed)" in text
    # The form ticks the new active codes and the successors; following them adds them.
    followed = post_with_token(
        client,
        PREFERENCES,
        f"{PREFERENCES}/watchlist/follow",
        {"code": ["090121", "030910", "440141", "440149"]},
    )
    assert followed.status_code == 302
    assert [row[1] for row in subscription_rows(app, "list@example.org")] == [
        "0901",
        "090121",
        "030910",
        "440141",
        "440149",
    ]
    # An expired code sent anyway is refused and nothing is added.
    refused = post_with_token(
        client, PREFERENCES, f"{PREFERENCES}/watchlist/follow", {"code": ["0902", "030510"]}
    )
    assert refused.status_code == 422
    assert "Nothing was added." in refused.text
    assert len(subscription_rows(app, "list@example.org")) == 5


def test_a_pasted_watchlist_and_its_limits(app):
    subscribe_directly(app, "paste@example.org", (HS, "0901"))
    client = signed_in_client(app, "paste@example.org")
    response = post_with_token(
        client, PREFERENCES, f"{PREFERENCES}/watchlist", {"codes": "0902\n1701 14"}
    )
    assert response.status_code == 200
    assert "In force (2)" in response.text
    empty = post_with_token(client, PREFERENCES, f"{PREFERENCES}/watchlist", {"codes": " "})
    assert empty.status_code == 422
    too_many = "\n".join(f"{n:02d}" for n in range(1, 100)) * 11
    assert (
        post_with_token(
            client, PREFERENCES, f"{PREFERENCES}/watchlist", {"codes": too_many}
        ).status_code
        == 422
    )


def test_the_cms_impact_preview_counts_subscribers(app):
    from tests.alerts.conftest import COFFEE_FOR_UK
    from tradeportal.cms.impact import impact_of
    from tradeportal.content.registry import CONTENT_TYPES
    from tradeportal.validity import today

    subscribe_directly(app, "one@example.org", (HS, "09"))
    subscribe_directly(app, "two@example.org", (SubscriptionKind.COUNTRY, "GBR"))
    subscribe_directly(app, "three@example.org", (HS, "17"))
    with app.app_context():
        kind = CONTENT_TYPES["regulations"]
        record = kind.input_schema().load(COFFEE_FOR_UK)
        impact = impact_of(db.session, kind, None, record, today(), "MUS")
    assert impact.audience == 2
