"""Template filters and globals shared by every page."""

import functools
from collections.abc import Iterable
from urllib.parse import quote

from flask import Flask, request, url_for
from markupsafe import Markup, escape

from tradeportal.hs.codes import LEVEL_NAMES, LEVEL_TITLES, format_code, level_count
from tradeportal.i18n import gettext
from tradeportal.richtext import render_markdown
from tradeportal.validity import today

# Only these query parameters are carried from page to page (never arbitrary input).
CARRIED_PARAMETERS = ("date", "version", "market", "origin")


def carried_args() -> dict[str, str]:
    """Return the view parameters to keep on links and redirects."""
    return {key: request.args[key] for key in CARRIED_PARAMETERS if request.args.get(key)}


_OPTION = Markup('<option value="{}">{}</option>')


def select_options(choices: Iterable[tuple[str, str]], selected: str | None) -> Markup:
    """Render ``<option>`` elements for (value, label) pairs, marking ``selected``.

    Built in Python from a small cache: a Jinja loop over the 249 countries, twice per
    product page, cost more than every query of the page together. The options are
    joined once per list; the selected one is marked in the joined text.
    """
    html = _rendered_options(tuple(choices))
    if selected:
        start = _OPTION_START % escape(selected)
        html = html.replace(start, start[:-1] + " selected>", 1)
    return Markup(html)  # noqa: S704 (escaped by _rendered_options)


_OPTION_START = '<option value="%s">'


@functools.lru_cache(maxsize=16)
def _rendered_options(choices: tuple[tuple[str, str], ...]) -> str:
    # Markup.format escapes the value and the label.
    return "".join(_OPTION.format(value, label) for value, label in choices)


class UrlPattern:
    """The addresses of one endpoint that differ only in one path value, e.g. a slug.

    ``url_for`` costs ~10 µs; a product page listing forty rules with their agencies
    called it eighty times. This calls it once, with a marker in place of the value, and
    builds each address around the quoted value.
    """

    _MARKER = "__value__"
    _SAFE = "!$&'()*+,/:;=@"  # as werkzeug's path converters quote: the same addresses

    def __init__(self, endpoint: str, name: str, **values):
        address = url_for(endpoint, **{name: self._MARKER}, **values)
        self.head, _, self.tail = address.partition(self._MARKER)

    def __call__(self, value: str) -> str:
        return f"{self.head}{quote(value, safe=self._SAFE)}{self.tail}"


def edition_title(edition) -> str:
    """A nomenclature's title in the language shown ("Système harmonisé 2022").

    Takes a tree, a nomenclature row or the title itself; titles the catalog does not
    know (a national tariff's) are shown as stored.
    """
    title = edition if isinstance(edition, str) else getattr(edition, "title", "")
    return gettext(title) if title else ""


def register(app: Flask) -> None:
    app.add_template_global(select_options)
    app.add_template_filter(format_code, "code")
    app.add_template_filter(edition_title)
    app.add_template_filter(render_markdown, "markdown")  # sanitised by nh3
    app.add_template_global(carried_args)
    app.add_template_global(LEVEL_NAMES, "level_names")  # English machine names
    app.add_template_global(LEVEL_TITLES, "level_titles")  # "Heading" / "Position"
    app.add_template_global(level_count)  # "3 headings" / "3 positions"

    @app.context_processor
    def dates():
        return {"today": today()}
