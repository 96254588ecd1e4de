"""Small charts drawn on the server as SVG: the geometry here, the drawing in templates/charts/.

No JavaScript and no chart library: a chart is a few rectangles whose positions are
percentages of its width (so it stretches with the page and prints), computed here from
plain numbers. The templates add the words (translated) and a text alternative, because a
chart must never be the only way to read a number.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of a 100 % stacked bar: ``x`` and ``width`` in percent of the bar."""

    key: str
    count: int
    x: float
    width: float

    @property
    def share(self) -> float:
        """The part's share of the whole (0 to 1), for reading."""
        return self.width / 100


def stacked(counts: Iterable[tuple[str, int]]) -> list[Segment]:
    """Lay ``(key, count)`` parts end to end over 100 %; parts of zero are left out."""
    parts = [(key, count) for key, count in counts if count > 0]
    total = sum(count for _, count in parts)
    segments, x = [], 0.0
    for key, count in parts:
        width = 100 * count / total
        segments.append(Segment(key, count, round(x, 3), round(width, 3)))
        x += width
    return segments


@dataclass(frozen=True, slots=True)
class Span:
    """One row of a timeline: a period from ``start`` to ``end`` (``None``: still running)."""

    label: str
    href: str | None
    start: date
    end: date | None
    x: float  # percent of the axis
    width: float


@dataclass(frozen=True, slots=True)
class Timeline:
    spans: list[Span]
    ticks: list[tuple[int, float]]  # (year, x in percent) on the axis
    marker_x: float  # the day the page is shown for
    first: date
    last: date


def timeline(
    periods: Iterable[tuple[str, str | None, date, date | None]], marker: date
) -> Timeline | None:
    """Place ``(label, href, start, end)`` periods on one axis running to after ``marker``.

    The axis starts on 1 January of the earliest start and ends a year after the latest of
    ``marker`` and the last known end, so open periods visibly run on. Returns ``None`` when
    there is nothing to draw.
    """
    periods = sorted(periods, key=lambda period: (period[2], period[0]))
    if not periods:
        return None
    first = date(periods[0][2].year, 1, 1)
    ends = [end for *_, end in periods if end is not None]
    last = date(max([marker, *ends]).year + 1, 1, 1)
    length = (last - first).days

    def at(day: date) -> float:
        return round(100 * (day - first).days / length, 3)

    spans = [
        Span(label, href, start, end, at(start), max(at(end or last) - at(start), 0.4))
        for label, href, start, end in periods
    ]
    years = last.year - first.year
    step = next(step for step in (1, 2, 5, 10, 20, 50) if years / step <= 8)
    ticks = [
        (year, at(date(year, 1, 1)))
        for year in range(first.year, last.year + 1)
        if (year - first.year) % step == 0
    ]
    return Timeline(spans, ticks, at(marker), first, last)
