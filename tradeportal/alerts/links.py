"""Absolute links for emails and feeds, and where each kind of content is shown.

Emails are built by the worker, outside any request, so links are made from the
``PUBLIC_URL`` setting, never from a request's Host header (which a client chooses).
"""

from datetime import date, timedelta

from werkzeug.routing import BuildError

from tradeportal.alerts.groups import groups_of
from tradeportal.cms.models import ChangeEvent, ChangeKind
from tradeportal.public_links import public_url

# Content type → (endpoint, URL argument, record field): the page showing one record.
RECORD_PAGES = {
    "regulations": ("regulations.regulation_detail", "slug", "slug"),
    "procedures": ("regulations.procedure_detail", "slug", "slug"),
    "agencies": ("regulations.agency_detail", "slug", "slug"),
    "countries": ("countries.detail", "raw", "iso3"),
    "country-profiles": ("countries.detail", "raw", "country"),
    "origin-schemes": ("agreements.scheme", "code", "code"),
    "origin-rules": ("agreements.scheme", "code", "scheme"),
    "tariff-schedules": ("tariffs.schedule", "code", "code"),
    "tariff-lines": ("tariffs.schedule", "code", "schedule"),
    "preferential-rates": ("tariffs.schedule", "code", "schedule"),
}
PAGE_KINDS = {
    "page": "pages.page_detail",
    "news": "pages.news_detail",
    "event": "pages.event_detail",
}


def as_of_day(event: ChangeEvent) -> date:
    """Return the day to show the item as of: in force, or its last day before withdrawal."""
    day = event.effective_on or event.published_at.date()
    if event.kind is ChangeKind.WITHDRAWN:
        return day - timedelta(days=1)
    return day


def item_url(event: ChangeEvent) -> str:
    """Return the page of the changed item as of its date (or the closest page that shows it)."""
    record = event.after or event.before or {}
    day = as_of_day(event).isoformat()
    page = RECORD_PAGES.get(event.content_type)
    if event.content_type == "pages" and record.get("kind") in PAGE_KINDS:
        page = (PAGE_KINDS[record["kind"]], "slug", "slug")
    if page is not None and record.get(page[2]):
        endpoint, argument, field = page
        try:
            return public_url(endpoint, **{argument: str(record[field])}, date=day)
        except BuildError:
            pass  # a value the route refuses: fall back to the product or country page
    if event.hs_prefixes:
        return public_url("hs.detail", raw=event.hs_prefixes[0], date=day)
    if event.countries:
        return public_url("countries.detail", raw=event.countries[0], date=day)
    groups = groups_of(event.content_type, record)
    if groups:
        return public_url("alerts.content_type_feed", content_type=groups[0])
    return public_url("alerts.subscribe_form")
