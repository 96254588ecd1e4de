"""Alert pages and emails in English and French.

Subscribers store the language of their emails: the one chosen on the form, which starts
as the language of the page they signed up on. Every email (confirmation, sign-in link,
alert, reminder, digest) is rendered in it, with its dates, also by the worker, which runs
outside any request.
"""

from html import unescape

from sqlalchemy import select

from tests.alerts.conftest import (
    COFFEE_FOR_UK,
    fan_out,
    html_of,
    links_in,
    path_of,
    post_with_token,
    publish_new,
    send_mail,
    subscribe_directly,
    text_of,
)
from tradeportal.alerts.models import Language, Subscriber, SubscriptionKind
from tradeportal.db import db
from tradeportal.mail.models import OutboundEmail

HS = SubscriptionKind.HS


def subscriber_language(app, email: str) -> Language:
    with app.app_context():
        return db.session.scalar(select(Subscriber.language).where(Subscriber.email == email))


def sign_up_and_confirm(app, sink, client, email: str, page_language: str, **fields):
    """Sign up on a page in ``page_language`` (the form's language left as offered)."""
    page = f"/alerts/subscribe?lang={page_language}"
    form = client.get(page).text
    # The language menu offers the page's language first.
    assert f'<option value="{page_language}" lang="{page_language}" selected>' in form
    answer = post_with_token(
        client, page, "/alerts/subscribe", {"email": email, "hs": "0901", "language": "", **fields}
    )
    assert answer.status_code == 200, answer.text
    send_mail(app)
    (confirmation,) = [r.message for r in sink.handler.received_by(email)]
    (link,) = [url for url in links_in(confirmation) if "/alerts/confirm/" in url]
    confirmed = post_with_token(client, path_of(link), path_of(link))
    assert confirmed.status_code == 302
    return confirmation


def test_a_french_subscriber_gets_a_french_confirmation_and_alert_and_an_english_one_english(
    smtp_app, sink, editors
):
    app = smtp_app
    french, english = app.test_client(), app.test_client()
    confirmation_fr = sign_up_and_confirm(app, sink, french, "exportatrice@example.fr", "fr")
    confirmation_en = sign_up_and_confirm(app, sink, english, "exporter@example.org", "en")
    assert subscriber_language(app, "exportatrice@example.fr") is Language.FR
    assert subscriber_language(app, "exporter@example.org") is Language.EN

    assert confirmation_fr["Subject"] == "Confirmez vos alertes du portail commercial"
    assert confirmation_fr["Content-Language"] == "fr"
    text = text_of(confirmation_fr)
    assert text.startswith("Bonjour,")
    assert "Confirmez avec ce lien (valable 72 heures) :" in text
    assert "Confirmer mes alertes" in unescape(html_of(confirmation_fr))
    assert '<html lang="fr">' in html_of(confirmation_fr)
    assert confirmation_en["Subject"] == "Confirm your trade portal alerts"
    assert confirmation_en["Content-Language"] == "en"
    assert "Confirm with this link (it works for 72 hours):" in text_of(confirmation_en)
    assert "Bonjour" not in text_of(confirmation_en)

    # One publication reaches both in the same worker pass, outside any request.
    publish_new(app, editors, COFFEE_FOR_UK)
    fan_out(app)
    send_mail(app)
    (alert_fr,) = sink.handler.received_by("exportatrice@example.fr")[1:]
    (alert_en,) = sink.handler.received_by("exporter@example.org")[1:]

    message = alert_fr.message
    assert message["Subject"] == f"Nouveau : {COFFEE_FOR_UK['title_en']} (0901.21)"
    assert message["Content-Language"] == "fr"
    text, html = text_of(message), unescape(html_of(message))
    for french_words in (
        "Une modification correspondant à ce que vous suivez a été publiée",
        "Réglementations · Codes SH 0901.21",
        "En vigueur à partir du 1 janvier 2026.",
        "Pourquoi vous recevez ceci :",
        "Vous suivez 0901 → ceci s'applique à 0901.21.",
        "résumé : Each consignment travels with a phytosanitary certificate.",
        "Consulter la version du 1 janvier 2026 : http://localhost:5000/regulations/",
        "Se désabonner de toutes les alertes : http://localhost:5000/alerts/unsubscribe/",
    ):
        assert french_words in text, french_words
    assert "En vigueur à partir du 1 janvier 2026." in html
    assert "Consulter la version du 1 janvier 2026" in html
    assert "You follow" not in text and "January" not in text

    message = alert_en.message
    assert message["Subject"] == f"New: {COFFEE_FOR_UK['title_en']} (0901.21)"
    assert message["Content-Language"] == "en"
    text = text_of(message)
    assert "In force from 1 January 2026." in text
    assert "You follow 0901 → this applies to 0901.21." in text
    assert "Vous suivez" not in text and "janvier" not in text

    # The one-click unsubscribe headers are the same in both languages.
    for received in (alert_fr, alert_en):
        assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert received.message["List-Unsubscribe"].startswith(
            "<http://localhost:5000/alerts/unsubscribe/"
        )


def test_the_language_chosen_on_the_form_wins_over_the_page(smtp_app, sink):
    app, client = smtp_app, smtp_app.test_client()
    confirmation = sign_up_and_confirm(
        app, sink, client, "choisit@example.org", "fr", language="en"
    )
    assert confirmation["Subject"] == "Confirm your trade portal alerts"
    assert subscriber_language(app, "choisit@example.org") is Language.EN


def test_the_sign_in_link_goes_out_in_the_subscribers_language_whatever_the_page(app):
    subscribe_directly(app, "lecteur@example.fr", (HS, "0901"), language=Language.FR)
    client = app.test_client()
    answer = post_with_token(
        client, "/alerts/sign-in?lang=en", "/alerts/sign-in", {"email": "lecteur@example.fr"}
    )
    assert "Check your email" in answer.text  # the page stays English
    with app.app_context():
        email = db.session.scalar(select(OutboundEmail).where(OutboundEmail.kind == "sign_in"))
    assert email.subject == "Votre lien pour gérer vos alertes du portail commercial"
    assert email.language == "fr"
    assert "utilisable une fois pendant 60 minutes :" in email.body_text


def test_alert_pages_in_french(app):
    client = app.test_client()
    page = client.get("/alerts/subscribe?lang=fr").text
    for words in (
        "Recevoir des alertes par courriel",
        "Adresse électronique",
        "Ce que vous suivez",
        "Code SH ou début de code",
        "Résumé quotidien",
        "Langue des courriels",
        "M'envoyer le lien de confirmation",
    ):
        assert words in page, words
    assert "Get email alerts" not in page
    refused = post_with_token(
        client, "/alerts/subscribe?lang=fr", "/alerts/subscribe", {"email": "pas-une-adresse"}
    )
    assert refused.status_code == 422
    assert "Saisissez une adresse électronique de la forme nom@example.org." in refused.text
    nothing = post_with_token(
        client, "/alerts/subscribe?lang=fr", "/alerts/subscribe", {"email": "a@example.org"}
    )
    assert nothing.status_code == 422
    assert "Choisissez au moins un élément à suivre : un code SH, un pays" in nothing.text


def test_the_preference_centre_in_french(app):
    subscribe_directly(app, "pref@example.fr", (HS, "090121"), language=Language.FR)
    client = app.test_client()
    post_with_token(client, "/alerts/sign-in", "/alerts/sign-in", {"email": "pref@example.fr"})
    with app.app_context():
        email = db.session.scalar(select(OutboundEmail).where(OutboundEmail.kind == "sign_in"))
    link = next(word for word in email.body_text.split() if "/alerts/sign-in/" in word)
    assert post_with_token(client, path_of(link), path_of(link)).status_code == 302
    page = client.get("/alerts/preferences?lang=fr").text
    assert "Les alertes sont envoyées à <strong>pref@example.fr</strong>, en français." in page
    assert 'SH <span class="code">0901.21</span>' in page
    assert "Immédiatement" in page and "Se désabonner de tout" in page
    assert "Nouveau, Modifié, Retiré, Entrée en vigueur prochaine" in page


def test_feeds_stay_english_on_a_french_browser(app, editors):
    publish_new(app, editors, COFFEE_FOR_UK)
    fan_out(app)
    feed = app.test_client().get("/hs/0901/changes.atom", headers={"Accept-Language": "fr"})
    assert feed.status_code == 200
    body = feed.get_data(as_text=True)
    assert 'xml:lang="en"' in body
    assert "New: Phytosanitary certificate" in body
    assert "In force from 1 January 2026." in unescape(body)
    assert "Nouveau" not in body
