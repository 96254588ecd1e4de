"""Answers remembered for a unit of work are forgotten as soon as anything is written."""

from datetime import date

from sqlalchemy import delete, event, insert

from tradeportal.countries.models import CountryGroupMember
from tradeportal.countries.queries import groups_of
from tradeportal.db import db

DAY = date(2026, 1, 1)


def _count_statements(engine):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


def test_a_repeated_question_runs_one_statement(app_context):
    seen, stop = _count_statements(db.engine)
    try:
        first = groups_of("MUS", DAY)
        second = groups_of("MUS", DAY)
    finally:
        stop()
    assert first == second and "ESA" in first
    assert len([s for s in seen if "country_group_members" in s]) == 1


def test_an_orm_flush_forgets_the_answer(app_context):
    assert "TESTGROUP" not in groups_of("MUS", DAY)
    db.session.add(
        CountryGroupMember(
            group_code="TESTGROUP",
            country_iso3="MUS",
            group_name="Test group",
            source_url="https://example.org/",
            valid_from=date(2020, 1, 1),
        )
    )
    db.session.flush()
    assert "TESTGROUP" in groups_of("MUS", DAY)


def test_a_core_write_forgets_the_answer(app_context):
    assert "ESA" in groups_of("MUS", DAY)
    db.session.execute(delete(CountryGroupMember).where(CountryGroupMember.group_code == "ESA"))
    assert "ESA" not in groups_of("MUS", DAY)
    db.session.execute(
        insert(CountryGroupMember).values(
            group_code="ESA",
            country_iso3="MUS",
            group_name="Eastern and Southern Africa",
            source_url="https://example.org/",
            valid_from=date(2020, 1, 1),
        )
    )
    assert "ESA" in groups_of("MUS", DAY)


def test_a_rollback_forgets_the_answer(app_context):
    db.session.execute(delete(CountryGroupMember).where(CountryGroupMember.country_iso3 == "MUS"))
    assert groups_of("MUS", DAY) == frozenset()
    db.session.rollback()
    assert "ESA" in groups_of("MUS", DAY)
