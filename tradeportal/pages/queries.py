"""Reading pages, news and events as of a day."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tradeportal.db import db
from tradeportal.pages.models import Page, PageKind

NEWS_PAGE_SIZE = 20


@dataclass(frozen=True)
class NewsListing:
    items: list[Page]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True)
class EventListing:
    upcoming: list[Page]  # current and future events, soonest first
    past: list[Page]  # most recent first


def get_page(slug: str) -> Page | None:
    """Return the page, news item or event with this slug, whatever its validity."""
    return db.session.scalar(select(Page).where(Page.slug == slug))


def list_news(day: date, number: int = 1, size: int = NEWS_PAGE_SIZE) -> NewsListing:
    """Return one page of the news in force on ``day``, newest publication first."""
    condition = (Page.kind == PageKind.NEWS) & Page.valid_on(day)
    total = db.session.scalar(select(func.count(Page.id)).where(condition)) or 0
    items = db.session.scalars(
        select(Page)
        .where(condition)
        .order_by(Page.published_on.desc(), Page.id.desc())
        .limit(size)
        .offset((number - 1) * size)
    ).all()
    return NewsListing(list(items), total, number, size)


def list_events(day: date) -> EventListing:
    """Return the events in force on ``day``: those not over yet, then past ones."""
    last_day = func.coalesce(Page.event_ends_on, Page.event_starts_on)
    condition = (Page.kind == PageKind.EVENT) & Page.valid_on(day)
    upcoming = db.session.scalars(
        select(Page)
        .where(condition, last_day >= day)
        .order_by(Page.event_starts_on, last_day, Page.slug)
    ).all()
    past = db.session.scalars(
        select(Page)
        .where(condition, last_day < day)
        .order_by(Page.event_starts_on.desc(), Page.slug)
    ).all()
    return EventListing(list(upcoming), list(past))
