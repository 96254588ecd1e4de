"""Reading agreements, preference schemes and rules of origin "as of" a day."""

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from tradeportal.agreements.models import (
    AgreementParty,
    OriginRuleSet,
    PreferenceScheme,
    SchemeCountry,
    TradeAgreement,
)
from tradeportal.countries.models import CountryGroupMember
from tradeportal.countries.queries import groups_of
from tradeportal.db import db
from tradeportal.memo import per_unit_of_work

UK = "GBR"
CODE_LENGTH = 10


def _party_active(party, day: date):
    """SQL condition: the party's own entry and exit dates (if any) include ``day``."""
    return or_(party.joined_on.is_(None), party.joined_on <= day) & or_(
        party.left_on.is_(None), party.left_on >= day
    )


def _party_is(party, iso3, groups):
    """SQL condition: this party row stands for ``iso3`` directly or through a group.

    ``iso3`` and ``groups`` are values or bind parameters (``groups`` an expanding one).
    """
    return or_(party.country_iso3 == iso3, party.group_code.in_(groups))


def agreements_between(origin_iso3: str, market_iso3: str, day: date) -> list[TradeAgreement]:
    """Return the agreements in force on ``day`` to which both countries are parties.

    A country counts as a party directly or through a group it belongs to that day (a
    member state through "European Union"); the two must be different party entries, so two
    EU members are not "between" themselves under an EU-Morocco agreement.
    """
    parameters = {
        "day": day,
        "origin": origin_iso3,
        "origin_groups": sorted(groups_of(origin_iso3, day)),
        "market": market_iso3,
        "market_groups": sorted(groups_of(market_iso3, day)),
    }
    return list(db.session.scalars(_between_statement(), parameters))


@functools.cache
def _between_statement():
    """Built once, run with parameters: the product page asks this on every visit."""
    origin_party, market_party = aliased(AgreementParty), aliased(AgreementParty)
    day = bindparam("day")
    return (
        select(TradeAgreement)
        .join(origin_party, origin_party.agreement_id == TradeAgreement.id)
        .join(
            market_party,
            and_(
                market_party.agreement_id == TradeAgreement.id,
                market_party.id != origin_party.id,
            ),
        )
        .where(
            TradeAgreement.valid_on(day),
            _party_is(
                origin_party, bindparam("origin"), bindparam("origin_groups", expanding=True)
            ),
            _party_is(
                market_party, bindparam("market"), bindparam("market_groups", expanding=True)
            ),
            _party_active(origin_party, day),
            _party_active(market_party, day),
        )
        .distinct()
        .order_by(TradeAgreement.valid_from.desc(), TradeAgreement.name)
    )


def agreements_of(iso3: str, day: date) -> list[TradeAgreement]:
    """Return the agreements in force on ``day`` that ``iso3`` is party to (or via a group)."""
    statement = (
        select(TradeAgreement)
        .join(AgreementParty, AgreementParty.agreement_id == TradeAgreement.id)
        .where(
            TradeAgreement.valid_on(day),
            _party_is(AgreementParty, iso3, groups_of(iso3, day)),
            _party_active(AgreementParty, day),
        )
        .distinct()
        .order_by(TradeAgreement.name)
    )
    return list(db.session.scalars(statement))


@functools.cache
def _schemes_statement():
    """Built once, run with parameters: the product page asks this on every visit."""
    covered = select(SchemeCountry.scheme_id).where(
        _party_is(SchemeCountry, bindparam("iso3"), bindparam("groups", expanding=True))
    )
    return (
        select(PreferenceScheme)
        .where(PreferenceScheme.valid_on(bindparam("day")), PreferenceScheme.id.in_(covered))
        .order_by(PreferenceScheme.title)
    )


@per_unit_of_work
def schemes_of(iso3: str, day: date) -> tuple[PreferenceScheme, ...]:
    """Return the UK preference schemes in force on ``day`` that cover ``iso3``."""
    parameters = {"iso3": iso3, "groups": sorted(groups_of(iso3, day)), "day": day}
    return tuple(db.session.scalars(_schemes_statement(), parameters))


def schemes_for(origin_iso3: str, market_iso3: str, day: date) -> list[PreferenceScheme]:
    """Return the UK schemes that apply to goods from ``origin`` entering ``market``.

    Imports into the UK use every scheme covering the origin. Exports from the UK use the
    reciprocal agreements covering the market (never the UK's unilateral schemes).
    """
    if market_iso3 == UK and origin_iso3 != UK:
        return list(schemes_of(origin_iso3, day))
    if origin_iso3 == UK and market_iso3 != UK:
        return [scheme for scheme in schemes_of(market_iso3, day) if not scheme.is_unilateral]
    return []


def code_range(code: str) -> tuple[str, str]:
    """Return the 10-digit range a code covers: 0901 -> (0901000000, 0901999999)."""
    return code.ljust(CODE_LENGTH, "0"), code.ljust(CODE_LENGTH, "9")


def origin_rules_for(code: str, scheme_codes, day: date) -> list[OriginRuleSet]:
    """Return the rule sets of these schemes in force on ``day`` whose range overlaps ``code``."""
    scheme_codes = list(scheme_codes)
    if not scheme_codes:
        return []
    low, high = code_range(code)
    parameters = {"schemes": scheme_codes, "low": low, "high": high, "day": day}
    return list(db.session.scalars(_origin_rules_statement(), parameters))


@functools.cache
def _origin_rules_statement():
    return (
        select(OriginRuleSet)
        .join(PreferenceScheme, PreferenceScheme.id == OriginRuleSet.scheme_id)
        .where(
            PreferenceScheme.code.in_(bindparam("schemes", expanding=True)),
            OriginRuleSet.code_min <= bindparam("high"),
            OriginRuleSet.code_max >= bindparam("low"),
            OriginRuleSet.valid_on(bindparam("day")),
        )
        # The scheme is in the session already (schemes_of): no SQL to reach it.
        .options(selectinload(OriginRuleSet.rules))
        .order_by(PreferenceScheme.code, OriginRuleSet.code_min, OriginRuleSet.position)
    )


@dataclass(frozen=True)
class AgreementFilters:
    country: str | None = None
    status: str | None = None
    agreement_type: str | None = None


def agreement_statuses() -> list[str]:
    """Return the statuses present, for the filter."""
    return list(db.session.scalars(select(TradeAgreement.status).distinct().order_by("status")))


def agreement_types() -> list[str]:
    """Return the agreement types present, for the filter."""
    statement = (
        select(TradeAgreement.agreement_type)
        .where(TradeAgreement.agreement_type.is_not(None))
        .distinct()
        .order_by(TradeAgreement.agreement_type)
    )
    return list(db.session.scalars(statement))


def _filtered(filters: AgreementFilters):
    statement = select(TradeAgreement)
    if filters.country:
        # Party at any time, directly or through a group it belonged to at some point.
        groups = set(
            db.session.scalars(
                select(CountryGroupMember.group_code).where(
                    CountryGroupMember.country_iso3 == filters.country
                )
            )
        )
        statement = statement.where(
            TradeAgreement.id.in_(
                select(AgreementParty.agreement_id).where(
                    _party_is(AgreementParty, filters.country, groups)
                )
            )
        )
    if filters.status:
        statement = statement.where(TradeAgreement.status == filters.status)
    if filters.agreement_type:
        statement = statement.where(TradeAgreement.agreement_type == filters.agreement_type)
    return statement


def list_agreements(
    filters: AgreementFilters, page: int, per_page: int
) -> tuple[list[TradeAgreement], int]:
    """Return one page of agreements matching the filters, and how many match in all."""
    statement = _filtered(filters)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.scalars(
        statement.order_by(TradeAgreement.name, TradeAgreement.valid_from)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), total


def get_agreement(agreement_id: int) -> TradeAgreement | None:
    """Return one agreement with its parties."""
    statement = (
        select(TradeAgreement)
        .where(TradeAgreement.id == agreement_id)
        .options(selectinload(TradeAgreement.parties))
    )
    return db.session.scalar(statement)


def get_scheme(code: str) -> PreferenceScheme | None:
    """Return a preference scheme with its countries."""
    statement = (
        select(PreferenceScheme)
        .where(PreferenceScheme.code == code)
        .options(selectinload(PreferenceScheme.countries))
    )
    return db.session.scalar(statement)


def scheme_rule_sets(scheme: PreferenceScheme, page: int, per_page: int):
    """Return one page of a scheme's rule sets with their rules, and the total."""
    in_scheme = OriginRuleSet.scheme_id == scheme.id
    total = db.session.scalar(select(func.count(OriginRuleSet.id)).where(in_scheme))
    rows = db.session.scalars(
        select(OriginRuleSet)
        .where(in_scheme)
        .options(selectinload(OriginRuleSet.rules))
        .order_by(OriginRuleSet.position)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), total
