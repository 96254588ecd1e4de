"""Saving and exporting countries as content records (``flask content import|export``).

Services flush, never commit. A save changes only what differs, so importing the same
file twice changes nothing.
"""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.content.registry import ImportProblem
from tradeportal.countries.models import Country
from tradeportal.countries.queries import invalidate_country_codes

COUNTRY_FIELDS = (
    "iso2",
    "numeric",
    "m49",
    "name_en",
    "name_fr",
    "short_name_en",
    "formal_name_en",
    "cldr_name",
    "region",
    "subregion",
    "currency_code",
    "currency_name",
    "capital",
    "sovereignty",
    "is_sids",
    "is_ldc",
    "is_lldc",
)


def save_country(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one country on its ISO3 code; return True when created."""
    holder = session.scalar(
        select(Country.iso3).where(Country.iso2 == record["iso2"], Country.iso3 != record["iso3"])
    )
    if holder is not None:
        raise ImportProblem("iso2", f"{record['iso2']} is already the alpha-2 code of {holder}.")
    country = session.scalar(select(Country).where(Country.iso3 == record["iso3"]))
    created = country is None
    if created:
        country = Country(iso3=record["iso3"])
        session.add(country)
    for name in COUNTRY_FIELDS:
        if getattr(country, name) != record[name]:
            setattr(country, name, record[name])
    session.flush()
    if created:
        # Other areas check codes against a cached set: let them see the new territory.
        invalidate_country_codes()
    return created


def export_countries(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every country as the Input schema loads it back."""
    for country in session.scalars(select(Country).order_by(Country.iso3)):
        yield {"iso3": country.iso3} | {name: getattr(country, name) for name in COUNTRY_FIELDS}
