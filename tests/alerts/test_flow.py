"""The whole journey with real email: sign up from a product page, confirm, get one clear
alert when an editor publishes a matching change, leave with one click."""

import re
from datetime import date

from babel.dates import format_date
from sqlalchemy import select

from tests.alerts.conftest import (
    COFFEE_FOR_UK,
    fan_out,
    html_of,
    links_in,
    path_of,
    post_with_token,
    publish_amendment,
    publish_new,
    send_mail,
    subscriptions_of,
    text_of,
)
from tradeportal.alerts.models import AlertDelivery, Subscriber
from tradeportal.db import db


def raw_header_of(data: bytes, name: str) -> str:
    """Return a header as sent on the wire, unfolded but not decoded."""
    head = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii")
    unfolded = head.replace("\n ", " ").replace("\n\t", " ")
    for line in unfolded.split("\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} header")


def sign_up(client, sink, email: str, **fields) -> None:
    """Sign up through the form, then follow the emailed link and confirm."""
    before = len(sink.handler.messages)
    page = client.get("/alerts/subscribe", query_string={"hs": fields.get("hs", "")})
    assert page.status_code == 200
    response = post_with_token(
        client,
        "/alerts/subscribe",
        "/alerts/subscribe",
        {"email": email, **fields},
    )
    assert response.status_code == 200, response.text
    assert "Check your email" in response.text
    return before


def confirmation_link(app, sink, email: str) -> str:
    send_mail(app)
    received = sink.handler.received_by(email)
    assert received, "no confirmation email reached the SMTP server"
    message = received[-1].message
    assert message["Subject"] in (
        "Confirm your trade portal alerts",
        "Confirmez vos alertes du portail commercial",
    )
    (link,) = [url for url in links_in(message) if "/alerts/confirm/" in url]
    return link


def test_a_subscriber_following_0901_and_gbr_gets_one_clear_email_and_leaves_in_one_click(
    smtp_app, sink, editors, client
):
    app = smtp_app
    email = "exporter@example.org"
    # Two clicks from the product page: the alerts link, then the prefilled form.
    product = client.get("/hs/090121?market=GBR")
    assert "/alerts/subscribe?hs=0901.21&amp;market=GBR" in product.text
    form = client.get("/alerts/subscribe?hs=0901.21&market=GBR")
    assert 'value="0901.21"' in form.text
    sign_up(client, sink, email, hs="0901", country="GBR")
    # Nothing is stored before the address is confirmed.
    assert subscriptions_of(app, email) == []

    link = confirmation_link(app, sink, email)
    confirm_page = client.get(path_of(link))
    assert confirm_page.status_code == 200
    assert "0901" in confirm_page.text and "GBR" in confirm_page.text
    confirmed = post_with_token(client, path_of(link), path_of(link))
    assert confirmed.status_code == 302
    assert subscriptions_of(app, email) == [("country", "GBR", ""), ("hs", "0901", "")]
    assert "exporter@example.org" in client.get(confirmed.headers["Location"]).text

    # An editor publishes a regulation for 0901.21 and the UK market; a publisher approves.
    publish_new(app, editors, COFFEE_FOR_UK)
    assert "1 change event(s) fanned out to 1 subscriber(s)" in fan_out(app)
    send_mail(app)
    alerts = [
        item for item in sink.handler.received_by(email) if "Confirm" not in item.message["Subject"]
    ]
    assert len(alerts) == 1, [item.message["Subject"] for item in alerts]
    message = alerts[0].message
    assert message["Subject"] == (
        "New: Phytosanitary certificate for green coffee to the United Kingdom (0901.21)"
    )
    text = text_of(message)
    # It says which subscriptions matched, and how.
    assert "You follow 0901 → this applies to 0901.21." in text
    assert "You follow GBR → this change names GBR." in text
    assert f"In force from {format_date(date(2026, 1, 1), 'long', locale='en_GB')}." in text
    item_link = next(url for url in links_in(message) if "/regulations/" in url)
    assert item_link.endswith(
        "/regulations/green-coffee-uk-phytosanitary-certificate?date=2026-01-01"
    )
    assert client.get(path_of(item_link)).status_code == 200
    html = html_of(message)
    assert "You follow 0901 → this applies to 0901.21." in html
    # RFC 8058 one-click unsubscribe, by mail client: POST without session or CSRF token.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw_header = raw_header_of(alerts[0].data, "List-Unsubscribe")
    assert "=?" not in raw_header, (
        "List-Unsubscribe went out as RFC 2047 encoded words, which mail clients cannot read "
        "as URLs: the mail area must not fold headers at 78 characters. " + raw_header
    )
    # The https link only: no mailto that no part of the portal would read.
    assert re.fullmatch(r"<http://localhost:5000/alerts/unsubscribe/[^<>,\s]+>", raw_header)
    https_link = message["List-Unsubscribe"].strip("<>")
    mail_client = app.test_client()
    left = mail_client.post(path_of(https_link), data={"List-Unsubscribe": "One-Click"})
    assert left.status_code == 200
    assert "You are unsubscribed" in left.text
    assert subscriptions_of(app, email) == []

    # A later change to the same item reaches nobody.
    changed = COFFEE_FOR_UK | {"summary": "Each consignment needs a certificate and a permit."}
    publish_amendment(app, editors, changed)
    assert "1 change event(s) fanned out to 0 subscriber(s)" in fan_out(app)
    count = len(sink.handler.received_by(email))
    send_mail(app)
    assert len(sink.handler.received_by(email)) == count


def test_french_subscribers_get_french_alerts_with_a_compact_before_and_after(
    smtp_app, sink, editors, client
):
    app = smtp_app
    email = "exportatrice@example.fr"
    publish_new(app, editors, COFFEE_FOR_UK)
    fan_out(app)  # published before the subscription: not sent to it
    sign_up(client, sink, email, hs="0901.21", market="GBR", language="fr")
    link = confirmation_link(app, sink, email)
    assert post_with_token(client, path_of(link), path_of(link)).status_code == 302
    assert subscriptions_of(app, email) == [("hs", "090121", "GBR")]

    amended = COFFEE_FOR_UK | {"summary": "Un certificat et un permis par envoi."}
    publish_amendment(app, editors, amended)
    fan_out(app)
    send_mail(app)
    alerts = [r for r in sink.handler.received_by(email) if "Confirmez" not in r.message["Subject"]]
    assert len(alerts) == 1
    message = alerts[0].message
    assert message["Subject"].startswith("Modifié : Phytosanitary certificate")
    assert message["Content-Language"] == "fr"
    text = text_of(message)
    assert "Vous suivez 0901.21 (marché GBR) → ceci s'applique à 0901.21." in text
    assert "Ce qui a changé" in text
    assert (
        "résumé : Each consignment travels with a phytosanitary certificate. → Un certificat"
        in text
    )
    with app.app_context():
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        deliveries = db.session.scalars(
            select(AlertDelivery).where(AlertDelivery.subscriber_id == subscriber.id)
        ).all()
    assert len(deliveries) == 1
