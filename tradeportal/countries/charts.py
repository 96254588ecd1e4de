"""The numbers behind a country profile's charts: its agreements over time, its EU access."""

from datetime import date

from flask import url_for

from tradeportal.agreements.queries import AgreementFilters, list_agreements
from tradeportal.charts import Segment, Timeline, stacked, timeline

# A profile charts at most this many agreements (an EU member has about sixty).
MAX_AGREEMENTS = 200


def agreements_timeline(iso3: str, day: date) -> Timeline | None:
    """Every agreement naming the country (directly or through a group) that had entered
    into force by the day shown, placed on one time axis with that day marked.

    Later agreements are left out like everywhere else on an "as of" page: a reader looking
    at 2019 must not take an agreement of 2021 for one that applied then."""
    agreements, _total = list_agreements(AgreementFilters(country=iso3), 1, MAX_AGREEMENTS)
    return timeline(
        (
            (
                agreement.name,
                url_for("agreements.detail", agreement_id=agreement.id),
                agreement.valid_from,
                agreement.valid_to,
            )
            for agreement in agreements
            if agreement.valid_from is not None and agreement.valid_from <= day
        ),
        day,
    )


def eu_access_segments(profile) -> list[Segment]:
    """The EU tariff lines a country's goods enter duty-free, and the others."""
    return stacked(
        [
            ("free", profile.duty_free_codes),
            ("dutiable", profile.cn_codes - profile.duty_free_codes),
        ]
    )
