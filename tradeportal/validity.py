"""Time validity: every dated record answers "was this in force on day D?" the same way.

``valid_to`` is the last day in force (inclusive); ``None`` means open-ended.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, or_
from sqlalchemy.orm import Mapped, mapped_column

from tradeportal.i18n import N_

# Outside this range a date is a typo, not a query about the past or the future.
EARLIEST_DATE = date(1950, 1, 1)
LATEST_DATE = date(2100, 12, 31)
# Only the plain calendar form: fromisoformat alone also takes week dates and compact forms.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InvalidDate(ValueError):
    """A user-supplied date that cannot be used.

    ``str(error)`` is English (the API); pages show it translated:
    ``render_error(400, error)`` or ``tradeportal.errors.people_message(error)``.
    """

    def __init__(self, template: str, **values):
        self.template, self.values = template, values
        super().__init__(template % values if values else template)


class ValidityMixin:
    """Adds ``valid_from``/``valid_to`` columns and the in-force test."""

    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    def is_valid_on(self, day: date) -> bool:
        """Tell whether this record is in force on ``day``."""
        return is_valid_on(self.valid_from, self.valid_to, day)

    @classmethod
    def valid_on(cls, day: date):
        """SQL condition selecting rows in force on ``day``."""
        return (cls.valid_from <= day) & or_(cls.valid_to.is_(None), cls.valid_to >= day)


def is_valid_on(valid_from: date, valid_to: date | None, day: date) -> bool:
    """Tell whether a validity window contains ``day`` (both ends inclusive)."""
    return valid_from <= day and (valid_to is None or day <= valid_to)


def today() -> date:
    """Return today's date in the portal's time zone."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def parse_as_of(raw: str | None) -> date:
    """Turn an ``as of`` query parameter into a date; empty means today."""
    if raw is None or not raw.strip():
        return today()
    text = raw.strip()
    if not ISO_DATE.fullmatch(text):
        raise InvalidDate(N_("Dates are written YYYY-MM-DD, for example 2026-01-31."))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidDate(
            N_("That date does not exist. Dates are written YYYY-MM-DD, for example 2026-01-31.")
        ) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InvalidDate(
            N_("Choose a date between %(earliest)s and %(latest)s."),
            earliest=EARLIEST_DATE.isoformat(),
            latest=LATEST_DATE.isoformat(),
        )
    return day
