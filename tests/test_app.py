"""Application-wide behaviour: configuration, security headers and error pages."""

import pytest

from tests.conftest import make_app
from tradeportal.config import ConfigError


def test_production_refuses_to_start_without_secrets(tmp_path):
    with pytest.raises(ConfigError, match="TRADEPORTAL_SECRET_KEY"):
        make_app(tmp_path, PRODUCTION=True, SECRET_KEY=None)


def test_the_embedded_mode_keeps_its_generated_secret_key(tmp_path):
    from tradeportal import create_app

    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEPORTAL_MAX_QUERY_LENGTH", "50")
    assert make_app(tmp_path).config["MAX_QUERY_LENGTH"] == 50


def test_every_page_carries_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_no_trace(app, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "secret internals" not in page
    assert "Something went wrong" in page
    assert "secret internals" in caplog.text  # but it is logged for the operators


def test_the_stylesheet_is_served(client):
    with client.get("/static/css/site.css") as response:
        assert response.status_code == 200
        assert "@media print" in response.get_data(as_text=True)


def test_an_id_larger_than_the_database_can_hold_is_a_404(client):
    assert client.get("/tenders/99999999999999999999").status_code == 404
    assert client.get("/agreements/99999999999999999999").status_code == 404
    assert client.get("/agreements/0").status_code == 404
    # Beyond a 32-bit id (PostgreSQL's Integer column), still within SQLite's 64 bits.
    assert client.get("/tenders/2147483648").status_code == 404
    assert client.get("/api/v1/tenders/2147483648").status_code == 404


def _client_address_app(tmp_path, **config):
    from flask import request

    app = make_app(tmp_path, **config)
    app.add_url_rule("/_address", "address", lambda: f"{request.remote_addr} {request.scheme}")
    return app


def test_forwarded_headers_are_ignored_without_trusted_proxies(tmp_path):
    client = _client_address_app(tmp_path).test_client()
    response = client.get(
        "/_address", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    )
    # A client cannot choose its own address (it would escape the sign-in rate limit).
    assert response.get_data(as_text=True) == "127.0.0.1 http"


def test_one_trusted_proxy_gives_the_client_address_it_saw(tmp_path):
    client = _client_address_app(tmp_path, TRUSTED_PROXIES=1).test_client()
    response = client.get(
        "/_address",
        headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    # Only the last hop, added by our proxy, is believed; the forged first one is not.
    assert response.get_data(as_text=True) == "203.0.113.9 https"


def test_production_refuses_to_start_without_its_public_https_address(tmp_path):
    database = f"sqlite:///{tmp_path / 'prod.db'}"
    for address in ("http://localhost:5000", "", "http://trade.example.gov.mu"):
        with pytest.raises(ConfigError, match="TRADEPORTAL_PUBLIC_URL"):
            make_app(tmp_path, PRODUCTION=True, DATABASE_URL=database, PUBLIC_URL=address)
    app = make_app(
        tmp_path, PRODUCTION=True, DATABASE_URL=database, PUBLIC_URL="https://trade.example.gov.mu"
    )
    assert app.config["PUBLIC_URL"] == "https://trade.example.gov.mu"


def test_error_pages_and_the_home_page_speak_french(client):
    response = client.get("/nowhere?lang=fr")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Il n&#39;y a pas de page à cette adresse.</h1>" in page or (
        "<h1>Il n'y a pas de page à cette adresse.</h1>" in page
    )
    assert "Erreur 404." in page
    home = client.get("/?lang=fr").get_data(as_text=True)
    assert "Trouvez tout ce qui s&#39;applique à votre produit" in home or (
        "Trouvez tout ce qui s'applique à votre produit" in home
    )
    assert "Système harmonisé 2022" in home and "Chapitres 01–05" in home


def test_the_home_search_box_suggests_like_the_header_one(client):
    page = client.get("/").get_data(as_text=True)
    assert 'list="q-suggestions" data-suggest="/search/suggest" autocomplete="off"' in page
    assert '<datalist id="q-suggestions"></datalist>' in page


NUL_MESSAGE = "The request contains a NUL character, which no field accepts."


@pytest.mark.parametrize(
    "path, status", [("/search?q=coffee%00", 200), ("/hs/09%0001", 400), ("/?lang=%00fr", 200)]
)
def test_a_nul_character_in_the_address_is_dropped_or_refused(client, path, status):
    assert client.get(path).status_code == status


def test_a_nul_character_in_a_form_changes_nothing(client, app):
    from sqlalchemy import func, select

    from tests.auth.conftest import fresh_token
    from tradeportal.auth.models import AuditEvent
    from tradeportal.db import db

    def events():
        with app.app_context():
            return db.session.scalar(select(func.count(AuditEvent.id)))

    before = events()
    form = {"csrf_token": fresh_token(client), "email": "a\x00@example.org", "password": "x"}
    response = client.post("/login", data=form)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert events() == before


def test_a_nul_character_in_api_json_is_the_api_error_shape(client):
    response = client.post("/api/v1/calculate", json={"code": "0901\x0021"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"]["message"] == NUL_MESSAGE


def test_the_nul_refusal_speaks_french(client):
    from tests.auth.conftest import fresh_token

    form = {"csrf_token": fresh_token(client), "email": "a\x00@example.org", "password": "x"}
    page = client.post("/login?lang=fr", data=form).get_data(as_text=True)
    assert "caractère NUL" in page and NUL_MESSAGE not in page
