"""Helpers of the pages tests: records saved through the same path as imports."""

from tradeportal.content.transfer import import_records
from tradeportal.db import db
from tradeportal.pages.content import PAGES


def page_record(slug: str, kind: str = "page", **fields) -> dict:
    """Return a minimal import record of a page, news item or event."""
    record = {
        "slug": slug,
        "kind": kind,
        "title_en": f"Title of {slug}",
        "valid_from": "2020-01-01",
    }
    if kind == "event":
        record["event_starts_on"] = "2026-06-01"
    return record | fields


def save_pages(*records: dict) -> None:
    """Import records as `flask content import` would and commit, failing on any problem."""
    report = import_records(
        db.session, PAGES, [(f"item {i}", record) for i, record in enumerate(records, 1)]
    )
    assert report.ok, report.problems
    db.session.commit()
