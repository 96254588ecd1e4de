"""Public pages, news and events: order, dates, languages, Markdown, labels, bad input."""

import html
import re
from datetime import date

import pytest
from flask_babel import refresh

from tests.pages.conftest import page_record, save_pages
from tests.test_richtext import assert_no_executable_markup


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())


def long_day(app, value: str, language: str = "en") -> str:
    """A day as the pages write it for people (the ``|day`` filter) in ``language``."""
    from tradeportal.i18n import day

    with app.test_request_context(f"/?lang={language}"):
        return day(date.fromisoformat(value))


def entry_titles(response) -> list[str]:
    """The titles of a list page's entries, in order."""
    found = re.findall(
        r'<p class="page-entry-title"><a href="[^"]*"[^>]*>([^<]*)</a>',
        response.get_data(as_text=True),
    )
    return [html.unescape(title) for title in found]


def rich_text(response) -> str:
    match = re.search(r'<div class="rich-text">(.*?)</div>', response.get_data(as_text=True), re.S)
    assert match, "no rich text on the page"
    return match.group(1)


def news(slug: str, published_on: str, **fields) -> dict:
    return page_record(slug, kind="news", title_en=f"News {slug}", published_on=published_on) | {
        "valid_from": "2025-01-01",
        **fields,
    }


def event(slug: str, starts: str, ends: str | None = None, **fields) -> dict:
    return page_record(
        slug,
        kind="event",
        title_en=f"Event {slug}",
        event_starts_on=starts,
        event_ends_on=ends,
        valid_from="2025-01-01",
        **fields,
    )


# --- news ---------------------------------------------------------------------------------


def test_news_lists_what_is_published_on_the_day_newest_first(app_context, client):
    save_pages(
        news("jan", "2025-01-05"),
        news("mar", "2025-03-01"),
        news("feb", "2025-02-01"),
        news("withdrawn", "2025-04-01", valid_to="2025-06-30"),
        news("later", "2025-12-01", valid_from="2025-12-01"),
    )
    response = client.get("/news?date=2025-07-01")
    assert response.status_code == 200
    assert entry_titles(response) == ["News mar", "News feb", "News jan"]
    assert f"3 news items published on {long_day(app_context, '2025-07-01')}" in text_of(response)
    assert entry_titles(client.get("/news?date=2025-06-30")) == [
        "News withdrawn",
        "News mar",
        "News feb",
        "News jan",
    ]
    assert entry_titles(client.get("/news?date=2025-12-01"))[0] == "News later"


def test_news_without_a_date_lists_todays_news(client):
    titles = entry_titles(client.get("/news"))
    assert titles == [
        "Updated guidance for importers of green coffee",
        "The portal now shows the HS 2022 nomenclature",
    ]


def test_news_is_paginated_by_twenty_keeping_the_date(app_context, client):
    save_pages(*(news(f"n{i:02d}", f"2025-02-{i:02d}") for i in range(1, 26)))
    first = client.get("/news?date=2025-03-01")
    assert entry_titles(first)[:2] == ["News n25", "News n24"]
    assert len(entry_titles(first)) == 20
    assert 'href="/news?page=2&amp;date=2025-03-01"' in first.get_data(as_text=True)
    second = client.get("/news?date=2025-03-01&page=2")
    assert entry_titles(second) == [f"News n{i:02d}" for i in range(5, 0, -1)]
    assert client.get("/news?date=2025-03-01&page=3").status_code == 400


PAGE_MESSAGE = "The page is a number from 1 to 10,000."
BAD_QUERIES = [
    ("date=2025-02-30", "That date does not exist."),
    ("date=yesterday", "Dates are written YYYY-MM-DD"),
]


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        *[("/news", page, PAGE_MESSAGE) for page in ("page=0", "page=two", "page=%C2%B2")],
        *[
            (path, query, message)
            for path in ("/news", "/events", "/news/portal-now-uses-hs-2022")
            for query, message in BAD_QUERIES
        ],
    ],
)
def test_bad_parameters_are_a_clear_400(client, path, query, message):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert message in text_of(response)
    assert "<script>" not in response.get_data(as_text=True)


def test_a_news_item_shows_its_date_and_demo_label(app, client):
    response = client.get("/news/portal-now-uses-hs-2022")
    assert response.status_code == 200
    text = text_of(response)
    assert f"Published {long_day(app, '2026-09-15')}" in text
    assert "Illustrative" in text
    assert '<time datetime="2026-09-15">' in response.get_data(as_text=True)


def test_content_written_by_editors_carries_no_demo_label(app_context, client):
    save_pages(news("official", "2025-01-05", body_en="Official text."))
    response = client.get("/news/official?date=2025-02-01")
    assert response.status_code == 200
    assert "Illustrative" not in text_of(response)
    assert "Illustrative" not in text_of(client.get("/news?date=2025-02-01"))


# --- events -------------------------------------------------------------------------------


def test_events_list_current_and_upcoming_by_start_then_past_ones(app_context, client):
    save_pages(
        event("past-one", "2025-01-10"),
        event("past-two", "2025-03-10", "2025-03-12"),
        event("future-late", "2025-09-01"),
        event("current", "2025-06-25", "2025-07-05"),
        event("future-soon", "2025-08-01"),
        event("today-only", "2025-07-01"),
    )
    response = client.get("/events?date=2025-07-01")
    page = response.get_data(as_text=True)
    upcoming, past = page.split('<h2 id="past">')
    assert entry_titles_of(upcoming) == [
        "Event current",
        "Event today-only",
        "Event future-soon",
        "Event future-late",
    ]
    assert entry_titles_of(past) == ["Event past-two", "Event past-one"]
    dates = f"{long_day(app_context, '2025-06-25')} to {long_day(app_context, '2025-07-05')}"
    assert dates in text_of(response)


def entry_titles_of(fragment: str) -> list[str]:
    return re.findall(r'<p class="page-entry-title"><a href="[^"]*"[^>]*>([^<]*)</a>', fragment)


def test_events_demo_content_on_a_fixed_day(client):
    response = client.get("/events?date=2026-11-23")
    text = text_of(response)
    assert text.index("Information session for new exporters") < text.index("Past events")
    assert text.index("Past events") < text.index("Workshop on the Trade Facilitation Agreement")
    assert "Illustrative" in text


def test_an_event_page_shows_when_and_where(app, client):
    response = client.get("/events/exporters-information-session-2027?date=2026-11-23")
    text = text_of(response)
    assert f"When {long_day(app, '2027-03-10')} to {long_day(app, '2027-03-11')}" in text
    assert "Where Port Louis (illustrative venue)" in text


def test_no_events_says_so(client):
    text = text_of(client.get("/events?date=2000-01-01"))
    assert "No current or upcoming events." in text
    assert "Past events" not in text


# --- free pages, dates and addresses ------------------------------------------------------


def test_a_free_page_renders(client):
    response = client.get("/pages/about-this-portal")
    assert response.status_code == 200
    assert "<h1>About this portal" in response.get_data(as_text=True)
    assert "<h2>What you can find here</h2>" in rich_text(response)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/pages/no-such-page", "There is no page at this address."),
        ("/news/no-such-news", "There is no news item at this address."),
        ("/events/no-such-event", "There is no event at this address."),
        ("/pages/Not%20a%20slug", "There is no page at this address."),
        ("/pages/" + "a" * 300, "There is no page at this address."),
    ],
)
def test_unknown_addresses_are_404(client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert message in text_of(response)


def test_a_page_not_yet_published_on_the_day_is_404_with_its_start(app, client):
    response = client.get("/news/portal-now-uses-hs-2022?date=2026-09-14")
    assert response.status_code == 404
    day, start = long_day(app, "2026-09-14"), long_day(app, "2026-09-15")
    assert f"This news item is not published on {day}: it is published from {start}." in text_of(
        response
    )
    assert client.get("/news/portal-now-uses-hs-2022?date=2026-09-15").status_code == 200


def test_a_withdrawn_page_is_404_after_its_last_day(app_context, client):
    save_pages(page_record("old-help", valid_to="2025-06-30"))
    assert client.get("/pages/old-help?date=2025-06-30").status_code == 200
    response = client.get("/pages/old-help?date=2025-07-01")
    assert response.status_code == 404
    day, end = long_day(app_context, "2025-07-01"), long_day(app_context, "2025-06-30")
    assert f"no longer published on {day}: its last day was {end}" in text_of(response)


def test_an_address_of_the_wrong_kind_redirects_keeping_date_and_language(client):
    response = client.get("/pages/portal-now-uses-hs-2022?date=2026-11-01&lang=fr")
    assert response.status_code == 302
    assert response.headers["Location"] == "/news/portal-now-uses-hs-2022?date=2026-11-01&lang=fr"
    response = client.get("/news/about-this-portal")
    assert response.headers["Location"] == "/pages/about-this-portal"


def test_the_navigation_links_to_news_and_events(client):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/news">News</a>' in page
    assert '<a href="/events">Events</a>' in page


# --- languages ----------------------------------------------------------------------------


def test_french_is_shown_when_asked_and_translated(client):
    english = client.get("/pages/how-to-find-your-hs-code")
    assert "<h1>How to find your HS code" in english.get_data(as_text=True)
    assert 'href="/pages/how-to-find-your-hs-code?lang=fr"' in english.get_data(as_text=True)
    french = client.get("/pages/how-to-find-your-hs-code?lang=fr")
    page = french.get_data(as_text=True)
    assert '<html lang="fr">' in page  # the interface follows the page's language
    assert "<h1>Comment trouver votre code SH" in page
    assert "Disponible en anglais uniquement" not in text_of(french)
    assert (
        'href="/pages/how-to-find-your-hs-code?lang=en" hreflang="en" lang="en">English</a>' in page
    )
    assert '<a href="/">Accueil</a>' in page


def test_french_falls_back_to_english_with_a_visible_label(app_context, client):
    save_pages(
        page_record("english-only", title_en="Customs hours", body_en="Open **daily**."),
        page_record(
            "half-translated",
            title_en="Half",
            title_fr="Moitié",
            body_en="Body.",
            summary_en="Summary.",
            summary_fr="Résumé.",
        ),
    )
    for slug, title in (("english-only", "Customs hours"), ("half-translated", "Half")):
        response = client.get(f"/pages/{slug}?lang=fr")
        assert response.status_code == 200
        text = text_of(response)
        assert "Disponible en anglais uniquement" in text
        assert f'<h1 lang="en">{title}' in response.get_data(as_text=True)
    refresh()  # the test's app context outlives requests, and Flask-Babel caches in it
    english = client.get("/pages/english-only?lang=en")
    assert "Available in English only" not in text_of(english)
    assert "<h1>Customs hours" in english.get_data(as_text=True)


def test_lists_show_french_titles_and_label_untranslated_items(app_context, client):
    save_pages(
        news("translated", "2025-02-01", title_fr="Traduit"),
        news("untranslated", "2025-01-01"),
    )
    response = client.get("/news?date=2025-03-01&lang=fr")
    assert entry_titles(response) == ["Traduit", "News untranslated"]
    assert text_of(response).count("Disponible en anglais uniquement") == 1
    assert "1 février 2025" in text_of(response)
    assert 'href="/news/translated?date=2025-03-01&amp;lang=fr"' in response.get_data(as_text=True)


# --- Markdown -----------------------------------------------------------------------------


def test_the_body_is_rendered_markdown_and_sanitised(app_context, client):
    body = (
        "## Opening hours\n\n| Day | Hours |\n|--|--:|\n| Monday | 9–16 |\n\n"
        "Read [the guide](/pages/how-to-find-your-hs-code) or [this](javascript:alert(1)).\n\n"
        '<script>alert("x")</script> <img src=x onerror=alert(1)>'
    )
    save_pages(page_record("hours", body_en=body, summary_en="<b>not bold</b>"))
    response = client.get("/pages/hours")
    body_html = rich_text(response)
    assert "<h2>Opening hours</h2>" in body_html
    assert '<td class="align-right">9–16</td>' in body_html
    assert (
        '<a href="/pages/how-to-find-your-hs-code" rel="noopener noreferrer nofollow">'
        "the guide</a>" in body_html
    )
    assert "&lt;script&gt;" in body_html
    assert_no_executable_markup(body_html)
    page = response.get_data(as_text=True)
    assert "<script>" not in page
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page  # summaries are plain text
