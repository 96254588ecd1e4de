"""How a schedule's duty rates are spread, per chapter: the numbers behind its chart.

Lines are put in bands people compare markets by: duty-free, ad valorem up to 5 %, 5–10 %,
10–20 %, above 20 %, then the rates a percentage cannot summarise (specific, compound,
seasonal…) and those kept as text only.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from tradeportal.charts import Segment, stacked
from tradeportal.db import db
from tradeportal.tariffs.models import TariffLine, TariffSchedule
from tradeportal.tariffs.rates import RateKind

# In the order they are drawn, from no duty to the highest.
BANDS = ("free", "up_to_5", "5_to_10", "10_to_20", "over_20", "other", "unparsed")
# Upper bounds (inclusive) of the ad valorem bands, in percent.
AD_VALOREM_BANDS = ((5.0, "up_to_5"), (10.0, "5_to_10"), (20.0, "10_to_20"))


def band_of(kind: RateKind, ad_valorem_pct: float | None) -> str:
    """Return the band of one rate."""
    if kind is RateKind.FREE or (kind is RateKind.AD_VALOREM and ad_valorem_pct == 0):
        return "free"
    if kind is RateKind.AD_VALOREM and ad_valorem_pct is not None:
        for bound, band in AD_VALOREM_BANDS:
            if ad_valorem_pct <= bound:
                return band
        return "over_20"
    return "unparsed" if kind is RateKind.UNPARSED else "other"


@dataclass(frozen=True, slots=True)
class Distribution:
    """Lines per band, for one chapter or the whole schedule."""

    chapter: str | None  # None: the whole schedule
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def segments(self) -> list[Segment]:
        return stacked((band, self.counts.get(band, 0)) for band in BANDS)


def rate_distribution(schedule: TariffSchedule) -> tuple[Distribution, list[Distribution]]:
    """Return the schedule's whole distribution and one per chapter (in chapter order)."""
    chapter = func.substr(TariffLine.code, 1, 2)
    rows = db.session.execute(
        select(chapter, TariffLine.rate_kind, TariffLine.ad_valorem_pct, func.count())
        .where(TariffLine.schedule_id == schedule.id)
        .group_by(chapter, TariffLine.rate_kind, TariffLine.ad_valorem_pct)
    )
    whole: dict[str, int] = {}
    chapters: dict[str, dict[str, int]] = {}
    for code, kind, pct, count in rows:
        band = band_of(kind, pct)
        whole[band] = whole.get(band, 0) + count
        per_chapter = chapters.setdefault(code, {})
        per_chapter[band] = per_chapter.get(band, 0) + count
    return Distribution(None, whole), [
        Distribution(code, chapters[code]) for code in sorted(chapters)
    ]
