"""English and French: which language a request is in, and content in that language.

The language comes from, in order: ``?lang=`` on the address (and is then remembered in a
cookie), the remembered cookie, the browser's ``Accept-Language``, English. Catalogs live
in ``tradeportal/translations`` and are compiled by ``make install`` (``pybabel compile``).
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date as babel_format_date
from flask import Flask, g, has_request_context, request
from flask_babel import (
    Babel,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
    refresh,
)
from flask_babel import format_currency as babel_format_currency
from flask_babel import format_percent as babel_format_percent
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

LANGUAGES = ("en", "fr")
# The English of the portal's readers is British: "1 January 2026", not "January 1, 2026".
LOCALES = {"en": "en_GB", "fr": "fr"}
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}  # each in its own language
ENGLISH = Locale.parse(LOCALES["en"])  # outside a request
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def N_(text: str) -> str:
    """Mark a message for the catalog without translating it here (gettext_noop).

    For messages that the JSON API returns in English but HTML pages translate when they
    show them (``_(message)``).
    """
    return text


# A page asks for its language and catalog hundreds of times (every ``_()`` of every
# template); Flask-Babel answers each time through four or five context lookups. The two
# functions below read the answer it already cached for the request (``g._flask_babel``)
# and fall back to Flask-Babel whenever that is missing or has changed (``refresh()``,
# ``force_locale()`` put a new locale object there).


def current_locale() -> Locale | None:
    """Flask-Babel's ``get_locale()``, in one lookup once the request has a locale."""
    try:
        state = g.get("_flask_babel")
    except RuntimeError:  # outside an application context
        return None
    locale = getattr(state, "babel_locale", None)
    return locale if locale is not None else get_locale()


def current_translations():
    """Flask-Babel's ``get_translations()``, in one lookup once the request has a catalog."""
    try:
        state = g.get("_flask_babel")
    except RuntimeError:
        return get_translations()
    remembered = getattr(state, "tp_translations", None)
    if remembered is not None and remembered[0] is getattr(state, "babel_locale", None):
        return remembered[1]
    translations = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.tp_translations = (getattr(state, "babel_locale", None), translations)
    return translations


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext`` through the one-lookup catalog (for code run per row)."""
    translated = current_translations().ugettext(string)
    return translated % variables if variables else translated


def chosen_language() -> str:
    """Return "en" or "fr": this request's language, or the one forced for an email."""
    locale = current_locale()
    return locale.language if locale is not None else "en"


def _negotiate() -> str:
    """Flask-Babel's locale selector (it caches the answer for the request)."""
    return LOCALES[_requested_language()]


def locale_for(language: str) -> str:
    """The locale to pass to ``force_locale`` for a language code ("en" -> "en_GB")."""
    return LOCALES.get(language, language)


def _requested_language() -> str:
    if not has_request_context():
        return "en"
    asked = request.args.get("lang", "").strip()
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or "en"


def _remember_language(response):
    """A ``?lang=`` choice becomes the remembered language of this browser."""
    asked = request.args.get("lang", "").strip()
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE,
            asked,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    # Pages differ by language although their address may not: shared caches must know.
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


# Longer parameter values are not carried into the language link: no real choice is that
# long, and a hostile value must not be echoed back on the error page it caused.
MAX_CARRIED_VALUE = 100


def language_url(language: str) -> str:
    """This page's address in ``language``: the same path and parameters, ``lang`` changed."""
    args = {
        name: [value for value in values if len(value) <= MAX_CARRIED_VALUE]
        for name, values in request.args.to_dict(flat=False).items()
    }
    args["lang"] = [language]
    return f"{request.path}?{urlencode(args, doseq=True)}"


@dataclass(frozen=True, slots=True)
class Localized:
    """One text field of a record in the language shown, and whether it stood in."""

    text: str
    language: str
    stands_in: bool  # True: the chosen language has no text, this is the other one

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> Markup:
        """Render as text tagged with its language, labelled when it stands in."""
        if not self.stands_in:
            return Markup.escape(self.text)
        label = _l("in English only") if self.language == "en" else _l("in French only")
        return Markup('<span lang="{}">{}</span> <span class="lang-label">({})</span>').format(
            self.language, self.text, label
        )


def localized(record, field: str, language: str | None = None) -> Localized:
    """Return ``record.<field>_<language>`` or, when empty, the other language's text.

    ``{{ localized(node, 'description') }}`` in a template shows the French description on
    French pages and the English one, labelled "(in English only)", where none exists.
    """
    language = language or chosen_language()
    other = "fr" if language == "en" else "en"
    text = getattr(record, f"{field}_{language}", None)
    if text:
        return Localized(text, language, False)
    fallback = getattr(record, f"{field}_{other}", None) or ""
    return Localized(fallback, other, bool(fallback))


def day(value: date | datetime | None, style: str = "long") -> str:
    """A day for reading: "2 December 2026" / "2 décembre 2026" ("medium": "2 Dec 2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _format_day(value, style, current_locale() or ENGLISH)


@functools.lru_cache(maxsize=8192)
def _format_day(value: date, style: str, locale: Locale) -> str:
    # Babel builds every date from its pattern each time; a page shows the same few days.
    return babel_format_date(value, style, locale=locale)


def moment(value: datetime | None, style: str = "medium") -> str:
    """A date and time for reading, in the portal's time zone."""
    return "" if value is None else format_datetime(value, style)


def number(value, digits: int | None = None) -> str:
    """A number with the language's separators: 1,234.5 / 1 234,5."""
    if value is None:
        return ""
    if digits is not None:
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(Decimal(str(value)), format=pattern)
    return format_decimal(value)


def money(value, currency: str) -> str:
    """An amount with its currency: MUR 1,234.50 / 1 234,50 MUR."""
    if value is None:
        return ""
    return babel_format_currency(Decimal(str(value)), currency)


def percent(value, digits: int = 1) -> str:
    """A share (0.125) as a percentage for reading: 12.5% / 12,5 %."""
    if value is None:
        return ""
    # The language's own pattern ("#,##0%" / "#,##0 %") with the digits asked for.
    pattern = current_locale().percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return babel_format_percent(value, format=pattern)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIMEZONE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=_negotiate)
    # Replace Flask-Babel's template callables with ones reading the request's catalog once.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: current_translations().ugettext(string),
        ngettext=lambda singular, plural, n: current_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: current_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: current_translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    # Flask-Babel caches the locale in the application context; a test client sharing one
    # context between requests would otherwise keep the first request's language.
    app.before_request(refresh)
    app.after_request(_remember_language)
    app.add_template_global(localized)
    app.add_template_global(language_url)
    app.add_template_global(LANGUAGE_NAMES, "language_names")
    app.add_template_global(chosen_language)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.add_template_filter(number)
    app.add_template_filter(money)
    app.add_template_filter(percent)


__all__ = [
    "LANGUAGES",
    "N_",
    "chosen_language",
    "get_locale",
    "gettext",
    "init_app",
    "locale_for",
    "localized",
]
