"""Public pages of the free pages, news and events, as of a day, in English or French.

The language is the site's (``tradeportal.i18n``): a page shows its French texts on French
pages when it has a complete translation, else its English ones, labelled.
"""

from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tradeportal.errors import render_error
from tradeportal.i18n import N_, chosen_language
from tradeportal.i18n import day as format_day
from tradeportal.pages.models import Page, PageKind
from tradeportal.pages.queries import get_page, list_events, list_news
from tradeportal.regulations.schemas import SLUG
from tradeportal.validity import InvalidDate, parse_as_of

bp = Blueprint("pages", __name__)

MAX_NEWS_PAGE = 10_000
DETAIL_ENDPOINTS = {
    PageKind.PAGE: "pages.page_detail",
    PageKind.NEWS: "pages.news_detail",
    PageKind.EVENT: "pages.event_detail",
}
# Whole sentences per kind: French nouns have genders ("cette page", "cet événement").
NOT_FOUND = {
    PageKind.PAGE: N_("There is no page at this address."),
    PageKind.NEWS: N_("There is no news item at this address."),
    PageKind.EVENT: N_("There is no event at this address."),
}
NOT_YET = {
    PageKind.PAGE: N_("This page is not published on %(day)s: it is published from %(start)s."),
    PageKind.NEWS: N_(
        "This news item is not published on %(day)s: it is published from %(start)s."
    ),
    PageKind.EVENT: N_("This event is not published on %(day)s: it is published from %(start)s."),
}
NO_LONGER = {
    PageKind.PAGE: N_("This page is no longer published on %(day)s: its last day was %(end)s."),
    PageKind.NEWS: N_(
        "This news item is no longer published on %(day)s: its last day was %(end)s."
    ),
    PageKind.EVENT: N_("This event is no longer published on %(day)s: its last day was %(end)s."),
}


class BadParameter(ValueError):
    """A query parameter of these pages that cannot be used (English; pages translate it)."""

    def __init__(self, template: str, **values):
        self.template, self.values = template, values
        super().__init__(template % values if values else template)


def _read_page_number() -> int:
    raw = request.args.get("page")
    if not raw:
        return 1
    # isascii: "²".isdigit() is true but int("²") fails.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_NEWS_PAGE:
        raise BadParameter(N_("The page is a number from 1 to %(max)s."), max=MAX_NEWS_PAGE)
    return int(raw)


def _view_args(day: date, language: str) -> dict[str, str]:
    """The parameters that links between these pages keep: a chosen date and language.

    The language is kept only when this address chose it (``?lang=fr``), so shared links
    stay in it; otherwise the remembered choice (a cookie) needs no parameter.
    """
    chosen = request.args.get("date", "").strip()
    args = {"date": day.isoformat()} if chosen else {}
    asked = request.args.get("lang", "").strip() == language
    return args | ({"lang": language} if asked and language != "en" else {})


def _not_in_force(page: Page, day: date) -> str:
    if page.valid_from > day:
        return _(NOT_YET[page.kind], day=format_day(day), start=format_day(page.valid_from))
    return _(NO_LONGER[page.kind], day=format_day(day), end=format_day(page.valid_to))


def _detail(slug: str, kind: PageKind):
    """Show one page of ``kind``; a slug of another kind goes to that kind's address."""
    try:
        day = parse_as_of(request.args.get("date"))
    except InvalidDate as error:
        return render_error(400, error)
    language = chosen_language()
    page = get_page(slug) if SLUG.fullmatch(slug) else None
    if page is None:
        return render_error(404, NOT_FOUND[kind])
    if page.kind is not kind:
        target = url_for(DETAIL_ENDPOINTS[page.kind], slug=page.slug, **_view_args(day, language))
        return redirect(target, 302)
    if not page.is_valid_on(day):
        return render_error(404, _not_in_force(page, day))
    text = page.text_in(language)
    return render_template(
        "pages/detail.html",
        page=page,
        endpoint=DETAIL_ENDPOINTS[page.kind],
        text=text,
        day=day,
        language=language,
        view_args=_view_args(day, language),
        date_args=_view_args(day, "en"),
    )


@bp.get("/pages/<slug>")
def page_detail(slug: str):
    """Show a free page (about the portal, help)."""
    return _detail(slug, PageKind.PAGE)


@bp.get("/news/<slug>")
def news_detail(slug: str):
    """Show one news item."""
    return _detail(slug, PageKind.NEWS)


@bp.get("/events/<slug>")
def event_detail(slug: str):
    """Show one event."""
    return _detail(slug, PageKind.EVENT)


@bp.get("/news")
def news():
    """List the news in force on a day, newest first, twenty at a time."""
    try:
        day = parse_as_of(request.args.get("date"))
        number = _read_page_number()
    except (InvalidDate, BadParameter) as error:
        return render_error(400, error)
    language = chosen_language()
    listing = list_news(day, number)
    if number > listing.pages:
        return render_error(400, _too_far(listing.pages))
    return render_template(
        "pages/news.html",
        listing=listing,
        day=day,
        language=language,
        view_args=_view_args(day, language),
    )


@bp.get("/events")
def events():
    """List the events in force on a day: current and upcoming first, then past ones."""
    try:
        day = parse_as_of(request.args.get("date"))
    except InvalidDate as error:
        return render_error(400, error)
    language = chosen_language()
    return render_template(
        "pages/events.html",
        listing=list_events(day),
        day=day,
        language=language,
        view_args=_view_args(day, language),
    )


def _too_far(pages: int) -> BadParameter:
    """A page number past the last page of news."""
    if pages == 1:
        return BadParameter(N_("There is only 1 page of news."))
    return BadParameter(N_("There are only %(num)s pages of news."), num=pages)
