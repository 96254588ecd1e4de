"""Which tenders concern a code on a day, and open/closed at the deadline boundary."""

from datetime import date, timedelta

from sqlalchemy import select

from tradeportal.db import db
from tradeportal.tenders.models import Tender
from tradeportal.tenders.queries import (
    TenderFilters,
    closed_tenders_for_chapter,
    search_tenders,
    tenders_for,
)

ITAPAJI = "construction of itapaji small hydro power project"  # CPV 09 -> HS 27, active
DEVON = "CP1093-14 Connecting Devon and Somerset Superfast Extension Programme"  # CPV 32 -> 85xx
STANDING_LIST = "STANDING LIST OF CONSTRUCTION CONTRACTORS AND SUB-CONTRACTORS"  # active


def tender_titled(title: str) -> Tender:
    return db.session.scalar(select(Tender).where(Tender.title == title))


def open_ids(day: date) -> set[int]:
    return set(db.session.scalars(select(Tender.id).where(Tender.open_on(day))))


def closed_ids(day: date) -> set[int]:
    return set(db.session.scalars(select(Tender.id).where(Tender.closed_on(day))))


def test_the_deadline_day_is_still_open_and_the_next_day_is_closed(app_context):
    tender = tender_titled(STANDING_LIST)
    deadline = tender.deadline
    assert deadline == date(2020, 3, 31)
    for day, expected_open in [
        (deadline - timedelta(days=1), True),
        (deadline, True),
        (deadline + timedelta(days=1), False),
    ]:
        assert tender.is_open_on(day) is expected_open
        assert (tender.id in open_ids(day)) is expected_open
        assert (tender.id in closed_ids(day)) is not expected_open


def test_before_its_release_a_tender_is_neither_open_nor_closed(app_context):
    tender = tender_titled(STANDING_LIST)
    released = tender.valid_from
    assert tender.id in open_ids(released)
    day_before = released - timedelta(days=1)
    assert tender.id not in open_ids(day_before) | closed_ids(day_before)


def test_a_tender_without_status_or_with_a_final_status_is_closed(app_context):
    unsuccessful = tender_titled(DEVON)
    day = unsuccessful.deadline - timedelta(days=5)
    assert not unsuccessful.is_open_on(day) and unsuccessful.id in closed_ids(day)
    compiled = tender_titled("Harvesting Equipment")  # buyandsell: no tender, no status
    assert compiled.status is None and compiled.id in closed_ids(date(2016, 1, 1))


def test_tenders_for_a_code_come_through_its_ancestors(app_context):
    itapaji = tender_titled(ITAPAJI)
    deadline = itapaji.deadline
    found = tenders_for("270900", deadline, open_only=True)
    assert [(match.tender.id, match.prefix, match.cpv_prefix) for match in found] == [
        (itapaji.id, "27", "09")
    ]
    assert tenders_for("270900", deadline + timedelta(days=1), open_only=True) == []
    later = tenders_for("270900", deadline + timedelta(days=1), open_only=False)
    assert [match.tender.id for match in later] == [itapaji.id]


def test_a_chapter_page_also_gets_tenders_linked_below_it(app_context):
    devon = tender_titled(DEVON)
    day = date(2026, 1, 1)
    in_chapter = tenders_for("85", day, open_only=False)
    assert [(m.tender.id, m.prefix, m.within) for m in in_chapter] == [(devon.id, "8517", True)]
    subheading = tenders_for("851762", day, open_only=False)
    assert [(m.tender.id, m.prefix, m.within) for m in subheading] == [(devon.id, "8517", False)]
    # A heading page does not collect its siblings' links.
    assert tenders_for("8471", day, open_only=False) == []
    assert tenders_for("0901", day, open_only=False) == []


def test_closed_tenders_for_a_chapter_are_the_most_recent_first(app_context):
    day = date(2026, 1, 1)
    closed = closed_tenders_for_chapter("85", day)
    assert [match.tender.title for match in closed] == [DEVON]
    assert closed_tenders_for_chapter("27", date(2016, 8, 21)) == []  # still open that day


def test_search_pages_cover_every_tender_once(app_context):
    filters = TenderFilters(day=date(2026, 1, 1))
    first = search_tenders(filters)
    assert first.total == 74 and first.pages == 4 and len(first.items) == 20
    seen = []
    for page in range(1, 5):
        seen += [
            tender.id for tender in search_tenders(TenderFilters(day=filters.day, page=page)).items
        ]
    assert len(seen) == len(set(seen)) == 74
    assert sum(first.counts["country"].values()) == 74
    assert first.counts["language"] == {"en": 54, "fr": 20}
    assert first.counts["status"]["open"] + first.counts["status"]["closed"] == 74
