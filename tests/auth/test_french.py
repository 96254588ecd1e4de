"""The account pages in French: labels, errors and flash messages, with the same rules.

A browser that chose French (``?lang=fr``, remembered in a cookie) reads every label,
error and message of sign-in, password change and reset in French; the rate limit and
the CSRF check refuse exactly as in English, and the CLI stays English.
"""

import email
import re
from html import unescape
from pathlib import Path

from tests.auth.conftest import PASSWORD, add_user, fresh_token, sign_in
from tests.conftest import run_cli
from tradeportal.auth.models import Role


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def french_browser(app):
    client = app.test_client()
    assert client.get("/login?lang=fr").status_code == 200  # remembered in a cookie
    return client


def test_the_sign_in_page_and_its_errors_in_french(app):
    add_user(app, "ed@example.org")
    client = french_browser(app)
    page = text(client.get("/login"))
    for words in (
        "Se connecter",
        "Adresse électronique",
        "Mot de passe",
        "Rester connecté sur cet appareil pendant 14 jours",
        "Mot de passe oublié ?",
    ):
        assert words in page, words
    assert "Email address" not in page and "Forgotten your password" not in page

    empty = client.post("/login", data={"csrf_token": fresh_token(client)})
    assert empty.status_code == 422
    assert "Saisissez votre adresse électronique." in text(empty)
    assert "Saisissez un mot de passe." in text(empty)
    wrong = sign_in(client, "ed@example.org", "not the password at all")
    assert wrong.status_code == 200
    assert "L'adresse électronique ou le mot de passe est incorrect." in text(wrong)


def test_signing_in_and_out_in_french_shows_french_messages(app):
    add_user(app, "ed@example.org", Role.EDITOR, name="Edith")
    client = french_browser(app)
    assert sign_in(client, "ed@example.org").status_code == 302
    account = text(client.get("/account"))
    assert "Votre compte" in account and "Rôle Rédacteur" in account
    assert "Se déconnecter sur tous les appareils" in account
    logout = client.post("/logout", data={"csrf_token": fresh_token(client, "/account")})
    assert logout.status_code == 302
    assert "Vous êtes déconnecté." in text(client.get("/login"))


def test_password_change_errors_in_french(app):
    add_user(app, "ed@example.org")
    client = french_browser(app)
    assert sign_in(client, "ed@example.org").status_code == 302
    form = text(client.get("/account/password"))
    assert "Au moins 12 caractères ; quelques mots sans rapport" in form
    short = client.post(
        "/account/password",
        data={
            "csrf_token": fresh_token(client, "/account/password"),
            "current_password": PASSWORD,
            "new_password": "short",
            "new_password_again": "other",
        },
    )
    assert short.status_code == 422
    assert "Utilisez au moins 12 caractères" in text(short)


def test_the_rate_limit_and_the_csrf_check_are_unchanged_in_french(app):
    add_user(app, "ed@example.org")
    client = french_browser(app)
    for _ in range(5):
        assert sign_in(client, "ed@example.org", "wrong password x").status_code == 200
    assert sign_in(client, "ed@example.org").status_code == 429

    other = french_browser(app)
    forged = other.post("/login", data={"email": "ed@example.org", "password": PASSWORD})
    assert forged.status_code == 400
    assert "Ce formulaire a expiré ou ne provient pas de ce site" in text(forged)


def test_a_reset_asked_on_a_french_page_is_emailed_in_french(app):
    add_user(app, "ed@example.org", name="Edith")
    client = french_browser(app)
    answer = client.post(
        "/password/reset",
        data={"csrf_token": fresh_token(client, "/password/reset"), "email": "ed@example.org"},
    )
    assert "Si un compte utilise cette adresse" in text(answer)
    run_cli(app, "mail", "send")
    [path] = sorted((Path(app.instance_path) / "mail").glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Réinitialisez votre mot de passe du portail commercial"
    assert message["Content-Language"] == "fr"
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Bonjour Edith,")
    assert "Le lien ne sert qu'une fois." in body


def test_the_cli_stays_english(app):
    add_user(app, "admin@example.org", Role.ADMIN)
    command = ["users", "create", "bad address", "--name", "X", "--role", "editor"]
    result = app.test_cli_runner().invoke(
        args=[*command, "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code != 0
    assert "Enter an email address like name@example.org." in result.output
