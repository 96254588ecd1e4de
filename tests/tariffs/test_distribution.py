"""The spread of a schedule's duty rates by band, per chapter: the numbers behind its chart."""

import pytest
from sqlalchemy import func, select

from tradeportal.db import db
from tradeportal.tariffs.distribution import BANDS, band_of, rate_distribution
from tradeportal.tariffs.models import TariffLine
from tradeportal.tariffs.queries import all_schedules, chapter_counts
from tradeportal.tariffs.rates import RateKind


@pytest.mark.parametrize(
    ("kind", "percent", "band"),
    [
        (RateKind.FREE, None, "free"),
        (RateKind.AD_VALOREM, 0.0, "free"),
        (RateKind.AD_VALOREM, 5.0, "up_to_5"),
        (RateKind.AD_VALOREM, 5.5, "5_to_10"),
        (RateKind.AD_VALOREM, 10.0, "5_to_10"),
        (RateKind.AD_VALOREM, 12.0, "10_to_20"),
        (RateKind.AD_VALOREM, 20.1, "over_20"),
        (RateKind.SPECIFIC, None, "other"),
        (RateKind.COMPOUND, 8.0, "other"),
        (RateKind.UNPARSED, None, "unparsed"),
    ],
)
def test_each_rate_falls_in_one_band(kind, percent, band):
    assert band_of(kind, percent) == band


def test_every_line_is_counted_once_in_its_chapter(app_context):
    schedules = all_schedules()
    assert schedules, "the seeded database holds tariff schedules"
    for schedule in schedules:
        whole, chapters = rate_distribution(schedule)
        lines = db.session.scalar(select(func.count()).where(TariffLine.schedule_id == schedule.id))
        assert whole.total == lines
        assert [(c.chapter, c.total) for c in chapters] == chapter_counts(schedule)
        assert set(whole.counts) <= set(BANDS)
        assert sum(s.width for s in whole.segments) == pytest.approx(100, abs=0.01)


def test_free_lines_of_a_chapter_match_the_lines_stored_as_free(app_context):
    schedule = all_schedules()[0]
    _, chapters = rate_distribution(schedule)
    coffee = next(c for c in chapters if c.chapter == "09")
    free = db.session.scalar(
        select(func.count()).where(
            TariffLine.schedule_id == schedule.id,
            TariffLine.code.startswith("09"),
            (TariffLine.rate_kind == RateKind.FREE)
            | ((TariffLine.rate_kind == RateKind.AD_VALOREM) & (TariffLine.ad_valorem_pct == 0)),
        )
    )
    assert coffee.counts.get("free", 0) == free > 0
