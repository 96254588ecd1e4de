"""The chart geometry: parts laid end to end over 100 %, periods placed on one time axis."""

from datetime import date

import pytest

from tradeportal.charts import stacked, timeline


def test_stacked_parts_cover_the_bar_in_order_and_skip_empty_ones():
    segments = stacked([("free", 1), ("up_to_5", 0), ("over_20", 3)])
    assert [s.key for s in segments] == ["free", "over_20"]
    assert [(s.x, s.width) for s in segments] == [(0.0, 25.0), (25.0, 75.0)]
    assert segments[1].share == pytest.approx(0.75)


def test_stacked_widths_add_up_to_the_whole_with_awkward_counts():
    segments = stacked([("a", 1), ("b", 1), ("c", 1)])
    assert sum(s.width for s in segments) == pytest.approx(100, abs=0.01)
    assert segments[-1].x + segments[-1].width == pytest.approx(100, abs=0.01)


def test_stacked_with_nothing_draws_nothing():
    assert stacked([("a", 0)]) == []


def test_timeline_axis_runs_from_the_first_start_to_after_the_day_shown():
    chart = timeline(
        [
            ("Later", "/b", date(2010, 7, 1), None),
            ("Earlier", None, date(2000, 1, 1), date(2004, 12, 31)),
        ],
        marker=date(2020, 1, 1),
    )
    assert [span.label for span in chart.spans] == ["Earlier", "Later"]
    assert chart.first == date(2000, 1, 1) and chart.last == date(2021, 1, 1)
    earlier, later = chart.spans
    assert earlier.x == 0
    # Five years of twenty-one: a quarter of the axis, near enough.
    assert earlier.width == pytest.approx(100 * 5 / 21, abs=0.2)
    # A running period reaches the end of the axis.
    assert later.x + later.width == pytest.approx(100)
    assert 0 < chart.marker_x < 100
    years = [year for year, _ in chart.ticks]
    assert years[0] == 2000 and len(years) <= 9 and years == sorted(years)


def test_a_period_of_one_day_stays_visible():
    chart = timeline([("Day", None, date(2020, 5, 1), date(2020, 5, 1))], marker=date(2020, 5, 1))
    assert chart.spans[0].width > 0


def test_timeline_of_nothing_is_none():
    assert timeline([], marker=date(2020, 1, 1)) is None
