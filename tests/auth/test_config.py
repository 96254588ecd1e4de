"""Cookie and session settings: Secure in production, bounded lifetimes, the header area."""

import hashlib
import re
import time

import pytest
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.auth.conftest import CHEAP_HASHING, add_user, sign_in
from tests.conftest import dispose, make_app, run_cli
from tradeportal.auth.models import Role
from tradeportal.config import ConfigError


def test_production_cookies_are_secure(tmp_path):
    database = f"sqlite:///{tmp_path / 'prod.db'}"
    app = make_app(
        tmp_path,
        PRODUCTION=True,
        DATABASE_URL=database,
        PUBLIC_URL="https://trade.example.gov.mu",
        **CHEAP_HASHING,
    )
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["REMEMBER_COOKIE_SECURE"] is True
        run_cli(app, "db", "upgrade")
        add_user(app, "ed@example.org")
        client = app.test_client()
        response = sign_in(client, "ed@example.org", remember=True)
        assert response.status_code == 302
        cookies = response.headers.getlist("Set-Cookie")
        assert len(cookies) == 2
        for cookie in cookies:
            assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        dispose(app)


def test_embedded_cookies_are_not_secure_by_default(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is False


@pytest.mark.parametrize("seconds", [15 * 24 * 3600, 0, -1])
def test_a_remember_duration_beyond_fourteen_days_is_refused(tmp_path, seconds):
    with pytest.raises(ConfigError, match="at most 14 days"):
        make_app(tmp_path, REMEMBER_COOKIE_DURATION=seconds)


def _session_cookie_signed_at(app, payload: dict, signed_at: float) -> str:
    class BackdatedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(signed_at)

    serializer = URLSafeTimedSerializer(
        app.secret_key,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer=BackdatedSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return serializer.dumps(payload)


def test_a_session_cookie_older_than_the_session_lifetime_is_refused(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    with client.session_transaction() as session:
        payload = dict(session)
    lifetime = app.permanent_session_lifetime.total_seconds()
    assert lifetime == 12 * 3600
    client.set_cookie("session", _session_cookie_signed_at(app, payload, time.time() - 60))
    assert client.get("/manage/").status_code == 200  # the forged cookie is well made
    stale = _session_cookie_signed_at(app, payload, time.time() - lifetime - 60)
    client.set_cookie("session", stale)
    assert client.get("/manage/").status_code == 302


def test_the_header_offers_sign_in_or_the_account(app):
    anonymous = app.test_client().get("/login").get_data(as_text=True)
    # After the language switch ("Français"), the sign-in link.
    assert re.search(
        r'<div class="account-nav">\s*<a class="language-switch"[^>]*>Français</a> ·\s*'
        r'<a href="/login">Sign in</a>',
        anonymous,
    )
    add_user(app, "ed@example.org", Role.EDITOR, name="Edith")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    page = client.get("/account").get_data(as_text=True)
    header = page.split('<div class="account-nav">', 1)[1].split("</div>", 1)[0]
    assert '<a href="/account">Edith</a>' in header
    assert '<a href="/manage/">Manage</a>' in header
    assert re.search(r'<form class="inline-form" action="/logout" method="post">', header)
    assert re.search(r'name="csrf_token" value="[^"]+"', header)
