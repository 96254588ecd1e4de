"""Issue 6's "done when", end to end through the editor screens and a real SMTP server.

A subscriber following 0901 and GBR gets one clear email, in their language, when an
editor publishes a change affecting 0901.21 for the UK market, and leaves with one click.
Beside it, the reliability cases that start from a real publication: the relay is down
while an editor publishes, and a publisher double-clicks "approve".
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from tests.alerts.conftest import (
    COFFEE_FOR_UK,
    html_of,
    path_of,
    post_with_token,
    subscribe_directly,
    subscriptions_of,
    text_of,
)
from tests.alerts.test_flow import confirmation_link, sign_up
from tests.auth.conftest import csrf_token_from, sign_in
from tests.conftest import run_cli
from tests.mail.smtp_sink import SmtpSink, free_port
from tradeportal.alerts.models import SubscriptionKind
from tradeportal.cms.models import ChangeEvent
from tradeportal.db import db, utcnow
from tradeportal.mail.models import MailStatus, OutboundEmail
from tradeportal.mail.sender import send_due

TITLE = COFFEE_FOR_UK["title_en"]
# What each language's email must say (subject, the two explanations, the date line).
EXPECTED = {
    "en": {
        "subject": f"New: {TITLE} (0901.21)",
        "hs": "You follow 0901 → this applies to 0901.21.",
        "country": "You follow GBR → this change names GBR.",
    },
    "fr": {
        "subject": f"Nouveau : {TITLE} (0901.21)",
        "hs": "Vous suivez 0901 → ceci s'applique à 0901.21.",
        "country": "Vous suivez GBR → cette modification mentionne GBR.",
    },
}


def staff_client(app, email: str):
    """A browser signed in to the editor screens with an existing account."""
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def form_token_and_version(client, path: str) -> dict[str, str]:
    """Read what the form on ``path`` posts: its CSRF token and the item version shown."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    fields = {"csrf_token": csrf_token_from(page)}
    version = re.search(r'name="version" value="(\d+)"', page.text)
    if version:
        fields["version"] = version.group(1)
    return fields


def draft_and_submit(app, payload: dict) -> int:
    """An editor drafts a regulation on the editor screens and sends it for review."""
    editor = staff_client(app, "editor@ministry.example")
    new = "/manage/content/regulations/new"
    created = editor.post(new, data=form_token_and_version(editor, new) | payload)
    assert created.status_code == 302, created.text
    item_id = int(re.search(r"/manage/items/(\d+)$", created.headers["Location"]).group(1))
    item_page = f"/manage/items/{item_id}"
    submitted = editor.post(f"{item_page}/submit", data=form_token_and_version(editor, item_page))
    assert submitted.status_code == 302, submitted.text
    return item_id


def approve_from_review_page(app, item_id: int, clicks: int = 1) -> list[int]:
    """A publisher opens the review page and clicks "approve" ``clicks`` times."""
    publisher = staff_client(app, "publisher@ministry.example")
    form = form_token_and_version(publisher, f"/manage/items/{item_id}/review")
    return [
        publisher.post(f"/manage/items/{item_id}/approve", data=form).status_code
        for _ in range(clicks)
    ]


def publish_through_the_editor_screens(app, payload: dict) -> None:
    assert approve_from_review_page(app, draft_and_submit(app, payload)) == [302]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_follower_of_0901_and_gbr_gets_one_email_in_their_language_and_leaves_in_one_click(
    smtp_app, sink, editors, client, language
):
    app, email = smtp_app, f"exporter-{language}@example.org"
    expected = EXPECTED[language]
    # From the product page: the alerts link, then the prefilled form.
    assert "/alerts/subscribe?hs=0901.21&amp;market=GBR" in client.get("/hs/090121?market=GBR").text
    sign_up(client, sink, email, hs="0901", country="GBR", language=language)
    assert subscriptions_of(app, email) == []  # nothing stored before confirmation
    link = confirmation_link(app, sink, email)
    assert post_with_token(client, path_of(link), path_of(link)).status_code == 302
    assert subscriptions_of(app, email) == [("country", "GBR", ""), ("hs", "0901", "")]
    confirmations = len(sink.handler.received_by(email))

    publish_through_the_editor_screens(app, COFFEE_FOR_UK)
    run_cli(app, "worker", "--once")  # fan-out, then the mail pass, as in production

    received = sink.handler.received_by(email)[confirmations:]
    assert len(received) == 1, [item.message["Subject"] for item in received]
    message = received[0].message
    assert message["Subject"] == expected["subject"]
    assert message["Content-Language"] == language
    assert message.get_content_type() == "multipart/alternative"
    text, html = text_of(message), unescape(html_of(message))
    for explanation in (expected["hs"], expected["country"]):
        assert explanation in text and explanation in html
    assert "/regulations/green-coffee-uk-phytosanitary-certificate?date=2026-01-01" in text

    # One click in the mail client: a POST with no session, no cookie and no CSRF token.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Only the https link: the portal processes no unsubscribe mailbox.
    https = message["List-Unsubscribe"].strip(" <>")
    assert https.startswith("http://localhost:5000/alerts/unsubscribe/") and "," not in https
    left = app.test_client().post(
        path_of(https),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert left.status_code == 200
    assert subscriptions_of(app, email) == []

    # The next publication on the same code reaches nobody.
    publish_through_the_editor_screens(
        app, COFFEE_FOR_UK | {"slug": "green-coffee-uk-labels", "title_en": "Labels"}
    )
    run_cli(app, "worker", "--once")
    assert len(sink.handler.received_by(email)) == confirmations + 1


def test_smtp_down_during_a_publication_loses_nothing_and_all_arrive_once_it_returns(app, editors):
    port = free_port()  # nothing listens there yet: the relay is down
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_URL=f"smtp://127.0.0.1:{port}")
    followers = ["one@example.org", "deux@example.fr", "three@example.org"]
    for address in followers:
        subscribe_directly(app, address, (SubscriptionKind.HS, "0901"))

    publish_through_the_editor_screens(app, COFFEE_FOR_UK)
    run_cli(app, "worker", "--once")
    with app.app_context():
        rows = db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "alert"))
        rows = {row.to_address: row for row in rows}
        assert sorted(rows) == sorted(followers)
        assert {row.status for row in rows.values()} == {MailStatus.QUEUED}
        assert all("cannot connect" in row.last_error for row in rows.values())
        message_ids = {address: row.message_id for address, row in rows.items()}

    sink = SmtpSink(port).start()
    try:
        with app.app_context():
            back = utcnow() + timedelta(seconds=app.config["MAIL_RETRY_MAX"] + 1)
            assert send_due(db.session, now=back).sent == 3
            assert send_due(db.session, now=back + timedelta(hours=1)).claimed == 0
    finally:
        sink.stop()
    assert not sink.handler.problems, sink.handler.problems
    assert sorted(m.recipients[0] for m in sink.handler.messages) == sorted(followers)
    assert {m.recipients[0]: m.message_id for m in sink.handler.messages} == message_ids


def test_a_double_clicked_approve_publishes_once_and_sends_one_alert(smtp_app, sink, editors):
    app = smtp_app
    subscribe_directly(app, "once@example.org", (SubscriptionKind.HS, "0901"))
    item_id = draft_and_submit(app, COFFEE_FOR_UK)
    # Both clicks post the same form: the second finds the item already published.
    assert approve_from_review_page(app, item_id, clicks=2) == [302, 409]
    run_cli(app, "worker", "--once")
    run_cli(app, "worker", "--once")  # a second pass finds nothing new
    with app.app_context():
        assert db.session.scalar(select(func.count(ChangeEvent.id))) == 1
    assert len(sink.handler.received_by("once@example.org")) == 1
