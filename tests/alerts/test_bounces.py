"""Repeated hard bounces pause a subscriber; a new emailed link, once mail is allowed, resumes.

Mail goes through the real outbox and sender to an aiosmtpd server that refuses the
bouncing address at RCPT, as a receiving server does for a mailbox that is gone.
"""

from html import unescape

from sqlalchemy import select

from tests.alerts.conftest import (
    COFFEE_FOR_UK,
    LINK,
    fan_out,
    path_of,
    post_with_token,
    publish_new,
    send_mail,
    subscribe_directly,
    text_of,
)
from tests.alerts.test_fanout import outbox
from tests.alerts.test_preferences import signed_in_client
from tests.auth.conftest import add_user, fresh_token, sign_in
from tests.conftest import run_cli
from tradeportal.alerts.models import AlertDelivery, Language, Subscriber, SubscriptionKind
from tradeportal.alerts.services import confirm_subscription
from tradeportal.alerts.tokens import FollowRequest
from tradeportal.auth.models import Role
from tradeportal.db import db, utcnow
from tradeportal.mail.models import MailSuppression

HS = SubscriptionKind.HS
GONE = "gone@example.org"
REFUSAL = "550 5.1.1 No such user here"


def regulation(number: int) -> dict:
    return COFFEE_FOR_UK | {"slug": f"coffee-rule-{number}", "title_en": f"Coffee rule {number}"}


def state_of(app, email: str) -> tuple:
    """Return (bounced_at is set, disabled_at is set, number of subscriptions)."""
    with app.app_context():
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        return (
            subscriber.bounced_at is not None,
            subscriber.disabled_at is not None,
            len(subscriber.subscriptions),
        )


def reached_by(app, event_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Subscriber.email)
                .join(AlertDelivery, AlertDelivery.subscriber_id == Subscriber.id)
                .where(AlertDelivery.event_id == event_id)
                .order_by(Subscriber.email)
            )
        )


def sign_in_requests(app) -> int:
    return len([email for email in outbox(app) if email.kind == "sign_in"])


def test_hard_bounces_pause_alerts_until_a_new_link_arrives(smtp_app, sink, editors):
    app = smtp_app
    subscribe_directly(app, GONE, (HS, "0901"))
    subscribe_directly(app, "fine@example.org", (HS, "0901"))
    browser = signed_in_client(app, GONE)  # the preference centre is open in a browser
    send_mail(app)  # the sign-in email arrived while the mailbox still existed

    # The mailbox goes away; three alerts are refused for good.
    sink.handler.refuse_rcpt[GONE] = REFUSAL
    for number in range(3):
        publish_new(app, editors, regulation(number))
    fan_out(app)
    send_mail(app)
    with app.app_context():
        suppression = db.session.scalar(
            select(MailSuppression).where(MailSuppression.address == GONE)
        )
        assert suppression.is_suppressed and suppression.hard_bounces == 3
    # Paused, not unsubscribed: what it follows is kept for when mail works again.
    assert state_of(app, GONE) == (True, False, 1)
    assert "1 active, 1 paused after hard bounces, 0 unsubscribed" in (
        run_cli(app, "alerts", "status").output
    )

    # The next publication prepares nothing for the paused address.
    fourth = publish_new(app, editors, regulation(4))
    fan_out(app)
    assert reached_by(app, fourth) == ["fine@example.org"]

    # The preference centre says why, and what to do.
    page = unescape(browser.get("/alerts/preferences").text)
    assert "Your alerts are paused" in page
    assert (
        f"refused our emails as undeliverable 3 times (its last answer: “RCPT refused: {REFUSAL}”)"
        in page
    )
    assert "ask the portal team to allow mail to it again" in page
    # Asking for a link while suppressed looks the same and sends nothing.
    requests = sign_in_requests(app)
    asked = post_with_token(
        app.test_client(), "/alerts/sign-in", "/alerts/sign-in", {"email": GONE}
    )
    assert asked.status_code == 200 and "Check your email" in asked.text
    assert sign_in_requests(app) == requests

    # The mailbox is back and an admin lifts the suppression: alerts stay paused…
    del sink.handler.refuse_rcpt[GONE]
    add_user(app, "admin@ministry.example", Role.ADMIN)
    admin = app.test_client()
    assert sign_in(admin, "admin@ministry.example").status_code == 302
    lifted = admin.post(
        f"/manage/mail/suppressions/{suppression.id}/unsuppress",
        data={"csrf_token": fresh_token(admin, "/manage/mail/")},
        follow_redirects=True,
    )
    assert "Alerts to it resume when its subscriber signs in again" in lifted.text
    assert state_of(app, GONE) == (True, False, 1)
    fifth = publish_new(app, editors, regulation(5))
    fan_out(app)
    assert reached_by(app, fifth) == ["fine@example.org"]

    # …until the subscriber opens a link that reached the mailbox.
    page = browser.get("/alerts/preferences").text
    assert "Email me a sign-in link" in page
    received = len(sink.handler.received_by(GONE))
    asked = post_with_token(browser, "/alerts/preferences", "/alerts/sign-in", {"email": GONE})
    assert asked.status_code == 200
    send_mail(app)
    [message] = [item.message for item in sink.handler.received_by(GONE)[received:]]
    [link] = [url for url in LINK.findall(text_of(message)) if "/alerts/sign-in/" in url]
    opened = post_with_token(browser, path_of(link), path_of(link))
    assert opened.status_code == 302
    assert "your alerts are back on" in browser.get("/alerts/preferences").text
    assert state_of(app, GONE) == (False, False, 1)
    sixth = publish_new(app, editors, regulation(6))
    fan_out(app)
    assert reached_by(app, sixth) == ["fine@example.org", GONE]


def test_confirming_a_sign_up_keeps_a_suppressed_address_paused(app):
    with app.app_context():
        now = utcnow()
        db.session.add(
            MailSuppression(address=GONE, hard_bounces=3, reason=REFUSAL, suppressed_at=now)
        )
        request = FollowRequest(GONE, Language.EN.value, (("hs", "0901", ""),), "immediate")
        confirmation = confirm_subscription(db.session, request, now)
        db.session.commit()
        assert confirmation.subscriber.confirmed_at is not None
        assert not confirmation.subscriber.is_active
    assert state_of(app, GONE) == (True, False, 1)
