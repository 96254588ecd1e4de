"""The one-lookup language and catalog (``tradeportal.i18n``) follow every change Flask-Babel
knows of: the request's language, ``force_locale`` (emails in the subscriber's language)
and ``refresh()``. They read Flask-Babel's per-request answer, so a stale one would show
a page or an email in the wrong language."""

from datetime import date

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, refresh

from tradeportal.i18n import chosen_language, day, gettext

from .test_translations import CATALOG

MESSAGE = "Agency"


@pytest.fixture(scope="module")
def french_agency() -> str:
    with CATALOG.open("rb") as handle:
        text = read_po(handle, locale="fr")[MESSAGE].string
    assert text and text != MESSAGE  # the test needs a message French writes differently
    return text


def _template_text() -> str:
    return render_template_string("{{ _(message) }}", message=MESSAGE)


def test_a_forced_language_applies_inside_and_ends_with_the_block(empty_app, french_agency):
    with empty_app.test_request_context("/?lang=en"):
        assert (_template_text(), gettext(MESSAGE), chosen_language()) == (MESSAGE, MESSAGE, "en")
        with force_locale("fr"):
            assert (_template_text(), gettext(MESSAGE)) == (french_agency, french_agency)
            assert chosen_language() == "fr"
            assert "janvier" in day(date(2026, 1, 2))
        assert (_template_text(), gettext(MESSAGE), chosen_language()) == (MESSAGE, MESSAGE, "en")
        assert "January" in day(date(2026, 1, 2))


def test_a_refresh_reads_the_language_again(empty_app, french_agency):
    with empty_app.test_request_context("/?lang=fr"):
        assert _template_text() == french_agency
        # An email sent from inside a French request, in English, then the page goes on.
        with force_locale("en_GB"):
            assert _template_text() == MESSAGE
        refresh()
        assert (_template_text(), gettext(MESSAGE), chosen_language()) == (
            french_agency,
            french_agency,
            "fr",
        )


def test_outside_a_request_messages_and_days_are_english(empty_app):
    with empty_app.app_context():
        assert gettext(MESSAGE) == MESSAGE
        assert day(date(2026, 1, 2)) == "2 January 2026"
    assert gettext(MESSAGE) == MESSAGE  # no application at all
    assert chosen_language() == "en"


def test_placeholders_are_filled_like_flask_babel(empty_app):
    with empty_app.test_request_context("/?lang=en"):
        assert gettext("applies via %(code)s", code="0901") == "applies via 0901"
