"""Reading countries and country groups; cheap checks other areas call on every request."""

import functools
import re
import time
from datetime import date

from flask import current_app
from sqlalchemy import bindparam, func, select

from tradeportal.content_cache import kept_per_generation
from tradeportal.countries.models import Country, CountryGroupMember
from tradeportal.db import db
from tradeportal.i18n import chosen_language
from tradeportal.memo import per_unit_of_work

ISO3_SHAPE = re.compile(r"[A-Z]{3}")
_CODES_KEY = "tradeportal.countries.iso3_codes"
# How long a process trusts its cached code set before checking the last countries load.
_RECHECK_SECONDS = 5.0


def is_iso3_shape(raw: object) -> bool:
    """Tell whether ``raw`` looks like an ISO 3166 alpha-3 code (three capital letters)."""
    return isinstance(raw, str) and ISO3_SHAPE.fullmatch(raw) is not None


def _load_stamp():
    # Imported here: seed imports every area's services, which import this module.
    from tradeportal.seed import DataLoad

    loaded_at = db.session.scalar(select(DataLoad.loaded_at).where(DataLoad.dataset == "countries"))
    # `flask content import` adds territories without a dataset load; codes are never
    # deleted, so the count tells when another process added one.
    return loaded_at, db.session.scalar(select(func.count(Country.id)))


def iso3_codes() -> frozenset[str]:
    """Return every ISO3 code in the countries table, cached per app.

    The cache is refreshed when the countries dataset was reloaded (checked at most every
    few seconds), so a `flask seed` in another process is seen without a restart.
    """
    cached = current_app.extensions.get(_CODES_KEY)
    now = time.monotonic()
    if cached is not None and now - cached[2] < _RECHECK_SECONDS:
        return cached[0]
    stamp = _load_stamp()
    if cached is not None and cached[1] == stamp:
        current_app.extensions[_CODES_KEY] = (cached[0], stamp, now)
        return cached[0]
    codes = frozenset(db.session.scalars(select(Country.iso3)))
    current_app.extensions[_CODES_KEY] = (codes, stamp, now)
    return codes


def invalidate_country_codes() -> None:
    """Forget the cached code set, so this process's next read is fresh."""
    current_app.extensions.pop(_CODES_KEY, None)


def country_exists(iso3: object) -> bool:
    """Tell whether ``iso3`` is a known ISO 3166 alpha-3 code; malformed input is False."""
    return is_iso3_shape(iso3) and iso3 in iso3_codes()


def get_country(iso3: object) -> Country | None:
    """Return the country with this ISO3 code, or None (also for malformed input)."""
    if not is_iso3_shape(iso3):
        return None
    return db.session.scalar(select(Country).where(Country.iso3 == iso3))


def countries_by_iso3(codes) -> dict[str, Country]:
    """Return the known countries among ``codes``, keyed by ISO3."""
    wanted = {code for code in codes if is_iso3_shape(code)}
    seen = _countries_seen()
    missing = wanted - seen.keys()
    if missing:
        found = db.session.scalars(select(Country).where(Country.iso3.in_(missing)))
        seen.update({country.iso3: country for country in found})
        seen.update({code: None for code in missing - seen.keys()})
    return {code: seen[code] for code in wanted if seen[code] is not None}


def country_names() -> dict[str, str]:
    """Every country's name in the page's language (the other one's when missing), by ISO3.

    Kept per language until the content generation moves: product pages name the home
    country, the market, the origin and the partners of rules, and loading Country rows
    for them cost a query or two of ~0.2 ms a page.
    """
    language = chosen_language()
    french, english = Country.name_fr, Country.name_en
    shown, other = (french, english) if language == "fr" else (english, french)

    def read() -> dict[str, str]:
        rows = db.read(select(Country.iso3, shown, other))
        return {iso3: name or fallback or iso3 for iso3, name, fallback in rows}

    return kept_per_generation(("country_names", language), read)


@per_unit_of_work
def _countries_seen() -> dict[str, Country | None]:
    """Countries already read in this unit of work (None: no such country)."""
    return {}


@functools.cache
def _membership_statement(wanted, known):
    """Built once (every product page asks): ``wanted`` of the rows where ``known`` is given."""
    return select(wanted).where(
        known == bindparam("known"), CountryGroupMember.valid_on(bindparam("day"))
    )


@per_unit_of_work
def members_of(group_code: str, day: date) -> frozenset[str]:
    """Return the ISO3 codes of the group's members on ``day`` (empty for an unknown group)."""
    statement = _membership_statement(
        CountryGroupMember.country_iso3, CountryGroupMember.group_code
    )
    return frozenset(db.read(statement, {"known": group_code, "day": day}).scalars())


@per_unit_of_work
def groups_of(iso3: str, day: date) -> frozenset[str]:
    """Return the codes of the groups ``iso3`` belongs to on ``day``."""
    statement = _membership_statement(
        CountryGroupMember.group_code, CountryGroupMember.country_iso3
    )
    return frozenset(db.read(statement, {"known": iso3, "day": day}).scalars())


def group_exists(code: str) -> bool:
    """Tell whether ``code`` names a country group ("EU", "ESA") on any day."""
    statement = select(CountryGroupMember.id).where(CountryGroupMember.group_code == code)
    return db.session.scalar(statement.limit(1)) is not None
