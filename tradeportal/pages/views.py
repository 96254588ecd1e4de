"""Public pages of the free pages, news and events, as of a day, in English or French."""

from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for

from tradeportal.errors import render_error
from tradeportal.pages.models import LANGUAGES, Page, PageKind
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
NOUNS = {PageKind.PAGE: "page", PageKind.NEWS: "news item", PageKind.EVENT: "event"}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


class BadParameter(ValueError):
    """A query parameter of these pages that cannot be used."""


@bp.app_template_filter("page_date")
def page_date(day: date, language: str = "en") -> str:
    """Write a day out in words: "5 March 2027", "5 mars 2027"."""
    return f"{day.day} {MONTHS.get(language, MONTHS['en'])[day.month - 1]} {day.year}"


def _read_language() -> str:
    raw = (request.args.get("lang") or "en").strip()
    if raw not in LANGUAGES:
        raise BadParameter("The language is en (English) or fr (French).")
    return raw


def _read_page_number() -> int:
    raw = request.args.get("page")
    if not raw:
        return 1
    # isascii: "²".isdigit() is true but int("²") fails.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_NEWS_PAGE:
        raise BadParameter(f"The page is a number from 1 to {MAX_NEWS_PAGE:,}.")
    return int(raw)


def _view_args(day: date, language: str) -> dict[str, str]:
    """The parameters that links between these pages keep: a chosen date and French."""
    chosen = request.args.get("date", "").strip()
    args = {"date": day.isoformat()} if chosen else {}
    return args | ({"lang": language} if language != "en" else {})


def _not_in_force_message(page: Page, day: date) -> str:
    noun = NOUNS[page.kind]
    if page.valid_from > day:
        return (
            f"This {noun} is not published on {day.isoformat()}: "
            f"it is published from {page.valid_from.isoformat()}."
        )
    return (
        f"This {noun} is no longer published on {day.isoformat()}: "
        f"its last day was {page.valid_to.isoformat()}."
    )


def _detail(slug: str, kind: PageKind):
    """Show one page of ``kind``; a slug of another kind goes to that kind's address."""
    try:
        day = parse_as_of(request.args.get("date"))
        language = _read_language()
    except (InvalidDate, BadParameter) as error:
        return render_error(400, str(error))
    page = get_page(slug) if SLUG.fullmatch(slug) else None
    if page is None:
        return render_error(404, f"There is no {NOUNS[kind]} at this address.")
    if page.kind is not kind:
        target = url_for(DETAIL_ENDPOINTS[page.kind], slug=page.slug, **_view_args(day, language))
        return redirect(target, 302)
    if not page.is_valid_on(day):
        return render_error(404, _not_in_force_message(page, day))
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
        language = _read_language()
        number = _read_page_number()
    except (InvalidDate, BadParameter) as error:
        return render_error(400, str(error))
    listing = list_news(day, number)
    if number > listing.pages:
        return render_error(400, f"There are only {listing.pages:,} page(s) of news.")
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
        language = _read_language()
    except (InvalidDate, BadParameter) as error:
        return render_error(400, str(error))
    return render_template(
        "pages/events.html",
        listing=list_events(day),
        day=day,
        language=language,
        view_args=_view_args(day, language),
    )
