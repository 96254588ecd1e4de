"""Signed links: one-click unsubscribe without CSRF (RFC 8058), forged and expired links,
double opt-in confirmation and single-use sign-in links."""

import pytest
from sqlalchemy import select

from tests.alerts.conftest import (
    path_of,
    post_with_token,
    subscribe_directly,
    subscriptions_of,
)
from tests.alerts.test_fanout import outbox
from tests.conftest import DATABASE
from tradeportal.alerts.models import Subscriber, SubscriptionKind
from tradeportal.alerts.tokens import (
    SIGN_IN_SALT,
    FollowRequest,
    _serializer,
    confirm_token,
    sign_in_token,
    unsubscribe_token,
)
from tradeportal.db import db

HS = SubscriptionKind.HS


def token_for(app, subscriber_id: int, make=unsubscribe_token) -> str:
    with app.app_context():
        return make(db.session.get(Subscriber, subscriber_id))


def state_of(app, subscriber_id: int) -> tuple:
    with app.app_context():
        subscriber = db.session.get(Subscriber, subscriber_id)
        return subscriber.disabled_at, len(subscriber.subscriptions)


def test_one_click_unsubscribe_needs_no_session_and_no_csrf_token(app):
    subscriber = subscribe_directly(app, "leaver@example.org", (HS, "0901"))
    token = token_for(app, subscriber)
    client = app.test_client()
    # A GET (a link scanner, a preview) only asks.
    page = client.get(f"/alerts/unsubscribe/{token}")
    assert page.status_code == 200
    assert "Stop all alerts?" in page.text
    assert state_of(app, subscriber) == (None, 1)
    # What Gmail sends: a form POST with List-Unsubscribe=One-Click, nothing else.
    response = client.post(
        f"/alerts/unsubscribe/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    disabled_at, subscriptions = state_of(app, subscriber)
    assert disabled_at is not None and subscriptions == 0
    # Repeating it is harmless and answers the same.
    assert client.post(f"/alerts/unsubscribe/{token}").status_code == 200
    assert "You are unsubscribed" in client.get(f"/alerts/unsubscribe/{token}").text
    # Other alert forms still need their CSRF token.
    refused = client.post("/alerts/subscribe", data={"email": "x@example.org", "hs": "0901"})
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: "not-a-token",
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "WzEsImFhYWFhYWFhYWFhYWFhYWEiXQ.aaaaaa." + token.rsplit(".", 1)[1],
    ],
    ids=["garbage", "altered signature", "altered payload"],
)
def test_a_forged_unsubscribe_link_changes_nothing(app, forge):
    subscriber = subscribe_directly(app, "stays@example.org", (HS, "0901"))
    forged = forge(token_for(app, subscriber))
    client = app.test_client()
    for response in (
        client.get(f"/alerts/unsubscribe/{forged}"),
        client.post(f"/alerts/unsubscribe/{forged}"),
    ):
        assert response.status_code == 404
        assert "not valid" in response.text
    assert state_of(app, subscriber) == (None, 1)


def test_a_link_of_another_kind_or_for_a_deleted_subscriber_does_not_unsubscribe(app):
    subscriber = subscribe_directly(app, "first@example.org", (HS, "0901"))
    sign_in_link = token_for(app, subscriber, sign_in_token)
    client = app.test_client()
    assert client.post(f"/alerts/unsubscribe/{sign_in_link}").status_code == 404
    old_link = token_for(app, subscriber)
    with app.app_context():
        db.session.delete(db.session.get(Subscriber, subscriber))
        db.session.commit()
    # SQLite gives the next subscriber the same id: the old link must not reach it.
    # (PostgreSQL's sequences never reuse an id; there the link only finds nobody.)
    newcomer = subscribe_directly(app, "second@example.org", (HS, "0902"))
    if DATABASE == "sqlite":
        assert newcomer == subscriber
    assert client.post(f"/alerts/unsubscribe/{old_link}").status_code == 404
    assert state_of(app, newcomer) == (None, 1)


@pytest.mark.config(ALERTS_UNSUBSCRIBE_MAX_AGE=-1, ALERTS_CONFIRM_MAX_AGE=-1)
def test_expired_links_are_refused_with_a_way_forward(app):
    subscriber = subscribe_directly(app, "old@example.org", (HS, "0901"))
    client = app.test_client()
    expired = client.post(f"/alerts/unsubscribe/{token_for(app, subscriber)}")
    assert expired.status_code == 400
    assert "expired" in expired.text
    assert state_of(app, subscriber) == (None, 1)
    with app.app_context():
        token = confirm_token(
            FollowRequest("new@example.org", "en", (("hs", "0901", ""),), "daily")
        )
    assert client.get(f"/alerts/confirm/{token}").status_code == 400
    assert post_with_token(client, "/alerts/sign-in", f"/alerts/confirm/{token}").status_code == 400
    assert subscriptions_of(app, "new@example.org") == []


def test_a_forged_confirmation_link_subscribes_nobody(app):
    client = app.test_client()
    with app.app_context():
        token = confirm_token(
            FollowRequest("real@example.org", "en", (("hs", "0901", ""),), "daily")
        )
    payload, stamp, signature = token.split(".")
    other = token.replace(payload, payload[::-1])
    for forged in ("abc", other, f"{payload}.{stamp}.{signature[::-1]}"):
        assert client.get(f"/alerts/confirm/{forged}").status_code == 404
        response = post_with_token(client, "/alerts/sign-in", f"/alerts/confirm/{forged}")
        assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Subscriber.id)) is None


def test_confirming_twice_adds_nothing_new(app):
    client = app.test_client()
    with app.app_context():
        request = FollowRequest("twice@example.org", "en", (("hs", "0901", ""),), "weekly")
        token = confirm_token(request)
    for _ in range(2):
        response = post_with_token(client, f"/alerts/confirm/{token}", f"/alerts/confirm/{token}")
        assert response.status_code == 302
    assert subscriptions_of(app, "twice@example.org") == [("hs", "0901", "")]


def sign_in_link(app) -> str:
    (email,) = [e for e in outbox(app) if e.kind == "sign_in"][-1:]
    return next(word for word in email.body_text.split() if "/alerts/sign-in/" in word)


def test_a_sign_in_link_opens_the_preferences_once(app):
    subscribe_directly(app, "member@example.org", (HS, "0901"))
    client = app.test_client()
    assert client.get("/alerts/preferences").headers["Location"].endswith("/alerts/sign-in")
    answer = post_with_token(
        client, "/alerts/sign-in", "/alerts/sign-in", {"email": "Member@Example.org "}
    )
    assert answer.status_code == 200
    assert "Check your email" in answer.text
    link = path_of(sign_in_link(app))
    assert client.get(link).status_code == 200
    opened = post_with_token(client, link, link)
    assert opened.status_code == 302
    page = client.get("/alerts/preferences")
    assert page.status_code == 200
    assert "member@example.org" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    # The same link a second time (a forwarded email, a shared screen) does not work.
    other = app.test_client()
    again = post_with_token(other, "/alerts/sign-in", link)
    assert again.status_code == 400
    assert other.get("/alerts/preferences").status_code == 302


def test_using_a_sign_in_link_spends_the_older_ones_but_not_the_next(app):
    """Links made before a sign-in are spent; one asked for right after works at once."""
    subscribe_directly(app, "quick@example.org", (HS, "0901"))

    def ask_for_link() -> str:
        asked = post_with_token(
            app.test_client(), "/alerts/sign-in", "/alerts/sign-in", {"email": "quick@example.org"}
        )
        assert asked.status_code == 200
        return path_of(sign_in_link(app))

    def open_link(link: str) -> int:
        return post_with_token(app.test_client(), link, link).status_code

    older, newer = ask_for_link(), ask_for_link()
    assert open_link(newer) == 302
    assert open_link(older) == 400
    # Asked for within the same second as that use, the next link still works once:
    # links count sign-ins, they do not compare whole-second times.
    following = ask_for_link()
    assert open_link(following) == 302
    assert open_link(following) == 400


def test_a_sign_in_link_of_the_former_format_is_expired_not_forged(app):
    """Links sent before links carried a sign-in stamp get "expired, ask again"."""
    subscriber = subscribe_directly(app, "early@example.org", (HS, "0901"))
    with app.app_context():
        member = db.session.get(Subscriber, subscriber)
        link = f"/alerts/sign-in/{_serializer(SIGN_IN_SALT).dumps([member.id, member.fingerprint])}"
    client = app.test_client()
    page = client.get(link)
    assert page.status_code == 400 and "Ask for a new one" in page.text
    opened = post_with_token(client, "/alerts/sign-in", link)
    assert opened.status_code == 400
    assert client.get("/alerts/preferences").status_code == 302  # not signed in


def test_asking_a_sign_in_link_for_an_unknown_address_looks_the_same_and_sends_nothing(app):
    client = app.test_client()
    answer = post_with_token(
        client, "/alerts/sign-in", "/alerts/sign-in", {"email": "who@example.org"}
    )
    assert answer.status_code == 200
    assert "If <strong>who@example.org</strong> receives alerts" in answer.text
    assert outbox(app) == []


def test_sign_in_requests_are_rate_limited_per_address(app):
    subscribe_directly(app, "flooded@example.org", (HS, "0901"))
    statuses = []
    for _ in range(4):
        client = app.test_client()  # as from different browsers
        response = post_with_token(
            client, "/alerts/sign-in", "/alerts/sign-in", {"email": "flooded@example.org"}
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    assert len([e for e in outbox(app) if e.kind == "sign_in"]) == 3


@pytest.mark.config(ALERTS_MAX_SUBSCRIPTIONS=1)
def test_confirming_beyond_the_subscription_limit_is_refused_and_adds_nothing(app):
    subscribe_directly(app, "full@example.org", (HS, "0901"))
    client = app.test_client()
    with app.app_context():
        token = confirm_token(FollowRequest("full@example.org", "en", (("hs", "17", ""),), "daily"))
    response = post_with_token(client, f"/alerts/confirm/{token}", f"/alerts/confirm/{token}")
    assert response.status_code == 422
    assert "at most 1 thing." in response.text
    assert subscriptions_of(app, "full@example.org") == [("hs", "0901", "")]
