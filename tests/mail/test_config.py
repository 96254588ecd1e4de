"""Mail settings are checked at start-up: a bad SMTP_URL stops the app with a clear error."""

import pytest

from tests.conftest import make_app
from tradeportal.config import ConfigError
from tradeportal.mail.transports import SmtpTransport, parse_smtp_url, transport_from_config


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SMTP_URL": "http://mail.example.org"}, "must start with smtp:// or smtps://"),
        ({"SMTP_URL": "smtp://"}, "names no host"),
        ({"SMTP_URL": "smtp://mail.example.org:99999"}, "cannot be read"),
        ({"SMTP_URL": "smtp://mail.example.org:587/path"}, "must not have a path"),
        ({"SMTP_URL": "smtp://mail.example.org?starttls=maybe"}, "must be 1 or 0"),
        ({"SMTP_URL": "smtp://mail.example.org?tls=1"}, "unknown option(s) tls"),
        ({"SMTP_URL": "smtps://mail.example.org?starttls=1"}, "choose one"),
        ({"SMTP_URL": "smtp://:secret@mail.example.org"}, "password but no user name"),
        ({"SMTP_URL": "smtp://u:p@mail.example.org:587"}, "unencrypted"),
        ({"SMTP_URL": "smtp://h?starttls=1&cafile=/no/such/file.pem"}, "cafile"),
        ({"MAIL_TRANSPORT": "smtp"}, "SMTP_URL is empty"),
        ({"MAIL_TRANSPORT": "pigeon"}, "MAIL_TRANSPORT must be one of file, smtp"),
        ({"MAIL_FROM": "nobody"}, "MAIL_FROM must be an address"),
        ({"MAIL_FROM": "Portal <a@b.org>\nBcc: x@y.org"}, "MAIL_FROM must be an address"),
        ({"MAIL_MESSAGE_ID_DOMAIN": "bad domain"}, "MAIL_MESSAGE_ID_DOMAIN"),
        ({"MAIL_MAX_ATTEMPTS": 0}, "MAIL_MAX_ATTEMPTS must be a positive number"),
        ({"MAIL_RETRY_BASE": "60"}, "MAIL_RETRY_BASE must be a positive number"),
    ],
)
def test_bad_mail_settings_stop_the_app(tmp_path, overrides, complaint):
    with pytest.raises(ConfigError) as raised:
        make_app(tmp_path, **overrides)
    assert complaint in str(raised.value)


def test_the_password_never_appears_in_the_error(tmp_path):
    with pytest.raises(ConfigError) as raised:
        make_app(tmp_path, SMTP_URL="smtp://user:hunter2-secret@mail.example.org?starttls=2")
    assert "hunter2" not in str(raised.value)


def test_the_smtp_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEPORTAL_SMTP_URL", "smtp://mail.example.org:2525?starttls=yes")
    monkeypatch.setenv("TRADEPORTAL_MAIL_TRANSPORT", "smtp")
    app = make_app(tmp_path)
    transport = transport_from_config(app.config, app.instance_path)
    assert isinstance(transport, SmtpTransport)
    assert transport.describe() == "smtp://mail.example.org:2525, STARTTLS"


def test_a_bad_smtp_url_in_the_environment_stops_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEPORTAL_SMTP_URL", "smtp//mail.example.org")
    with pytest.raises(ConfigError, match="must start with smtp://"):
        make_app(tmp_path)


def test_smtp_urls_are_read_fully():
    settings = parse_smtp_url("smtp://portal%40gov:p%40ss%2Fword@relay.gov.example:587?starttls=1")
    assert settings.host == "relay.gov.example"
    assert settings.port == 587
    assert settings.starttls and not settings.implicit_tls
    assert settings.username == "portal@gov"
    assert settings.password == "p@ss/word"
    assert "p@ss" not in repr(settings) and "p@ss" not in settings.describe()
    implicit = parse_smtp_url("smtps://u:p@relay.gov.example")
    assert (implicit.port, implicit.implicit_tls, implicit.starttls) == (465, True, False)
    plain = parse_smtp_url("smtp://localhost")
    assert (plain.port, plain.uses_tls, plain.username) == (25, False, None)
    # A relay on this machine may take a password without TLS.
    assert parse_smtp_url("smtp://u:p@127.0.0.1:25").username == "u"


def test_the_defaults_are_the_embedded_mode(tmp_path):
    app = make_app(tmp_path)
    assert app.config["MAIL_TRANSPORT"] == "file"
    assert app.config["MAIL_MESSAGE_ID_DOMAIN"] == "localhost"
    assert app.config["MAIL_HARD_BOUNCE_LIMIT"] == 3
    assert app.config["MAIL_MAX_ATTEMPTS"] == 8
