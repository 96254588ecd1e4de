"""Writing pages, news and events: an idempotent upsert on slug, and the matching export.

Services flush, never commit. A save changes only what differs from the stored page, so
importing the same file twice changes nothing.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.content.records import CONTENT_FIELDS, assign_changed
from tradeportal.pages.models import Page

PAGE_FIELDS = (
    "kind",
    "title_en",
    "title_fr",
    "summary_en",
    "summary_fr",
    "body_en",
    "body_fr",
    "published_on",
    "event_starts_on",
    "event_ends_on",
    "event_location",
)
DATE_FIELDS = (
    "valid_from",
    "valid_to",
    "last_verified_on",
    "published_on",
    "event_starts_on",
    "event_ends_on",
)


def save_page(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one page from a validated record; return True when created."""
    page = session.scalar(select(Page).where(Page.slug == record["slug"]))
    created = page is None
    if created:
        page = Page(slug=record["slug"])
        session.add(page)
    assign_changed(page, {name: record[name] for name in PAGE_FIELDS + CONTENT_FIELDS})
    session.flush()
    return created


def page_record(page: Page) -> dict[str, Any]:
    """Return a page as an import record (dates as YYYY-MM-DD, the kind by value)."""
    record = {"slug": page.slug}
    record |= {name: getattr(page, name) for name in PAGE_FIELDS + CONTENT_FIELDS}
    record["kind"] = page.kind.value
    for name in DATE_FIELDS:
        record[name] = record[name].isoformat() if record[name] else None
    return record


def export_pages(session: Session, slugs: Iterable[str] | None = None) -> Iterator[dict]:
    """Yield every page (or those with ``slugs``) as an import record, by slug."""
    query = select(Page).order_by(Page.slug)
    if slugs is not None:
        query = query.where(Page.slug.in_(list(slugs)))
    for page in session.scalars(query):
        yield page_record(page)
