"""Reading tariffs: which schedules, lines, preferences and taxes apply to a product.

Links are HS prefixes. What applies to a code comes from links on the code or an ancestor
(``prefix IN prefixes_of(code)``); lines listed under a heading come from links below it
(a range on the indexed prefix column, equivalent to ``prefix LIKE code || '%'`` but usable
as an index range on every backend).
"""

import functools
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, exists, func, select, union
from sqlalchemy.orm import selectinload

from tradeportal.countries.queries import groups_of, members_of
from tradeportal.db import db
from tradeportal.hs.catalog import Node, get_catalog
from tradeportal.hs.prefixes import below, below_parameters, prefixes_of, resolve_applicability
from tradeportal.memo import per_unit_of_work
from tradeportal.tariffs.models import (
    InternalTax,
    InternalTaxLink,
    PreferentialRate,
    PreferentialRateLink,
    TariffLine,
    TariffLineLink,
    TariffSchedule,
)
from tradeportal.tariffs.rates import RateKind

LINES_LIMIT = 25


def edition_of(node: Node) -> str:
    """Return the HS edition a node belongs to (a national line's base edition)."""
    tree = get_catalog().trees.get(node.nomenclature)
    if tree is not None and tree.base_code:
        return tree.base_code
    return node.nomenclature


def market_applies(market: str, code: str, day: date) -> bool:
    """Tell whether ``market`` is ``code`` or, for a group code, one of its members on ``day``."""
    return market == code or market in members_of(code, day)


@functools.cache
def _schedules_statement():
    return (
        select(TariffSchedule)
        .where(TariffSchedule.valid_on(bindparam("day")))
        .options(selectinload(TariffSchedule.markets))
        .order_by(TariffSchedule.code)
    )


@per_unit_of_work
def schedules_for(market_iso3: str, day: date) -> tuple[TariffSchedule, ...]:
    """Return the schedules a market applied on ``day``: its own, its group's, or adopted."""
    in_force = db.session.scalars(_schedules_statement(), {"day": day}).all()
    return tuple(
        schedule
        for schedule in in_force
        if market_applies(market_iso3, schedule.reporter, day)
        or any(
            extra.is_valid_on(day) and market_applies(market_iso3, extra.market, day)
            for extra in schedule.markets
        )
    )


@dataclass
class LineMatch:
    line: TariffLine
    via: str | None = None  # the ancestor prefix the line applies through
    below: bool = False  # the line sits below the code asked, e.g. under a heading
    split_into: list[str] = field(default_factory=list)  # HS 2022 codes its subheading went to


@dataclass
class LinesAnswer:
    schedules: tuple[TariffSchedule, ...]
    nomenclature: str
    matches: list[LineMatch]
    total: int
    limit: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.matches)


@functools.cache
def _lines_statement():
    """The lines linked to a code, its ancestors or below it, with the total (built once)."""
    # Two index range scans joined by UNION: an OR of the two conditions would make the
    # planner read every link of the edition (17 ms instead of 0.1 ms per query).
    in_edition = (TariffLineLink.nomenclature == bindparam("nomenclature")) & ~(
        TariffLineLink.excluded
    )
    matched = union(
        select(TariffLineLink.line_id).where(
            in_edition, TariffLineLink.prefix.in_(bindparam("prefixes", expanding=True))
        ),
        select(TariffLineLink.line_id).where(
            in_edition, below(TariffLineLink.prefix, bindparam("code"), bindparam("code_end"))
        ),
    ).subquery()
    return (
        select(TariffLine, func.count().over().label("total"))
        .join(matched, TariffLine.id == matched.c.line_id)
        .join(TariffSchedule)
        .where(
            TariffLine.schedule_id.in_(bindparam("schedule_ids", expanding=True)),
            TariffLine.valid_on(bindparam("day")),
        )
        .order_by(TariffSchedule.code, TariffLine.code)
        .limit(bindparam("limit"))
    )


@functools.cache
def _line_links_statement():
    return select(TariffLineLink.line_id, TariffLineLink.prefix, TariffLineLink.nomenclature).where(
        TariffLineLink.line_id.in_(bindparam("ids", expanding=True))
    )


def tariff_lines_for(
    code: str,
    market_iso3: str,
    day: date,
    *,
    nomenclature: str | None = None,
    limit: int = LINES_LIMIT,
) -> LinesAnswer:
    """Return the lines of the market's schedules that apply to ``code`` or sit below it.

    ``nomenclature`` is the HS edition ``code`` belongs to (default: the one in force on
    ``day``); HS 2017 based lines are reached from HS 2022 codes through the UNSD table.
    """
    if nomenclature is None:
        edition = get_catalog().edition_on(day)
        nomenclature = edition.code if edition else "HS2022"
    schedules = schedules_for(market_iso3, day)
    if not schedules:
        return LinesAnswer((), nomenclature, [], 0, limit)
    rows = db.session.execute(
        _lines_statement(),
        {
            "nomenclature": nomenclature,
            "prefixes": prefixes_of(code),
            **below_parameters(code),
            "schedule_ids": [schedule.id for schedule in schedules],
            "day": day,
            "limit": limit,
        },
    ).all()
    page = [line for line, _total in rows]
    total = rows[0][1] if rows else 0
    # Filtered by edition here, not in SQL: a condition on the edition tempts SQLite into
    # its (edition, prefix) index and a scan of every link of the edition.
    editions = {nomenclature, "HS2022"}
    links = [
        row
        for row in db.read(_line_links_statement(), {"ids": [line.id for line in page]})
        if row.nomenclature in editions
    ]
    matches = [_line_match(line, code, nomenclature, links) for line in page]
    return LinesAnswer(schedules, nomenclature, matches, total, limit)


def _line_match(line: TariffLine, code: str, nomenclature: str, links) -> LineMatch:
    own = [p for line_id, p, n in links if line_id == line.id and n == nomenclature]
    successors = [p for line_id, p, n in links if line_id == line.id and n == "HS2022"]
    ancestors = [p for p in own if p != code and code.startswith(p)]
    match = LineMatch(line)
    if code not in own:
        if ancestors:
            match.via = max(ancestors, key=len)
        else:
            match.below = True
    if line.schedule.nomenclature != "HS2022" and len(successors) > 1:
        match.split_into = sorted(successors)
    return match


@dataclass
class Applicable:
    """A tax or preference that applies to a code, and through which prefix."""

    item: object
    via: str | None  # None: linked to every product, or to the code itself
    all_goods: bool = False
    parts: list[str] = field(default_factory=list)  # links below the code: applies to part
    exceptions: list[str] = field(default_factory=list)  # excluded prefixes worth saying


def has_include_links(owner_model, link_model, owner_column: str):
    """SQL column: the owner has at least one including link (else it covers all goods)."""
    column = getattr(link_model, owner_column)
    return exists().where(column == owner_model.id, ~link_model.excluded).label("has_include")


@functools.cache
def _applicability_statement(link_model, owner_column: str):
    """The links that decide (the code's ancestry), those below it (parts) and every
    exclusion (worth saying even when it is elsewhere), in one statement."""
    column = getattr(link_model, owner_column)
    return select(column, link_model.prefix, link_model.excluded).where(
        column.in_(bindparam("ids", expanding=True)),
        link_model.prefix.in_(bindparam("prefixes", expanding=True))
        | below(link_model.prefix, bindparam("code"), bindparam("code_end"))
        | link_model.excluded,
    )


def _applicability(code: str, owners: list[tuple], link_model, owner_column: str) -> dict:
    """Apply the prefix links (with exclusions) of ``owners`` to ``code``, by owner id.

    ``owners`` are (owner, has_include_links) pairs. An owner without including links
    applies to all goods, minus its exclusions; one whose links are all below ``code``
    applies to part of it.
    """
    rows = db.read(
        _applicability_statement(link_model, owner_column),
        {
            "ids": [owner.id for owner, _ in owners],
            "prefixes": prefixes_of(code),
            **below_parameters(code),
        },
    ).all()
    applies = resolve_applicability(code, [tuple(row) for row in rows])
    ancestry = set(prefixes_of(code))
    excluded = {owner for owner, prefix, is_excluded in rows if is_excluded and prefix in ancestry}
    parts: dict[int, list[str]] = {}
    exclusions: dict[int, list[str]] = {}
    for owner, prefix, is_excluded in rows:
        if is_excluded:
            exclusions.setdefault(owner, []).append(prefix)
        elif prefix.startswith(code) and prefix != code:
            parts.setdefault(owner, []).append(prefix)
    found = {}
    for owner, has_include in owners:
        if owner.id in excluded:
            continue
        # Exclusions below the code say which parts of it are left out; a rule for all
        # goods also says what it never covers.
        left_out = sorted(exclusions.get(owner.id, []))
        below_code = [prefix for prefix in left_out if prefix.startswith(code)]
        if owner.id in applies:
            via = applies[owner.id]
            found[owner.id] = Applicable(owner, None if via == code else via, exceptions=below_code)
        elif not has_include:
            found[owner.id] = Applicable(owner, None, all_goods=True, exceptions=left_out)
        elif owner.id in parts:
            found[owner.id] = Applicable(
                owner, None, parts=sorted(parts[owner.id]), exceptions=below_code
            )
    return found


@functools.cache
def _taxes_statement():
    return (
        select(InternalTax, has_include_links(InternalTax, InternalTaxLink, "tax_id"))
        .where(
            InternalTax.country_iso3.in_(bindparam("countries", expanding=True)),
            InternalTax.valid_on(bindparam("day")),
        )
        .order_by(InternalTax.kind, InternalTax.name)
    )


def internal_taxes_for(code: str, country_iso3: str, day: date) -> list[Applicable]:
    """Return the internal taxes of a country that apply to ``code`` on ``day``."""
    return internal_taxes_of(code, (country_iso3,), day)[country_iso3]


def internal_taxes_of(code: str, countries, day: date) -> dict[str, list[Applicable]]:
    """Return the internal taxes of each country that apply to ``code`` on ``day``.

    The product page asks for the home country's and the market's: two statements
    for both instead of two for each.
    """
    countries = sorted(set(countries))
    parameters = {"countries": countries, "day": day}
    taxes = db.session.execute(_taxes_statement(), parameters).all()
    found = _applicability(code, taxes, InternalTaxLink, "tax_id") if taxes else {}
    answer: dict[str, list[Applicable]] = {country: [] for country in countries}
    for tax, _ in taxes:
        if tax.id in found:
            answer[tax.country_iso3].append(found[tax.id])
    return answer


@dataclass
class PreferenceMatch:
    applicable: Applicable
    eligible: bool  # the origin asked qualifies (rules of origin must still be met)

    @property
    def rate(self) -> PreferentialRate:
        return self.applicable.item


@dataclass
class PreferencesAnswer:
    origin: str | None
    matches: list[PreferenceMatch]

    @property
    def eligible(self) -> list[PreferenceMatch]:
        return [match for match in self.matches if match.eligible]

    @property
    def others(self) -> list[PreferenceMatch]:
        return [match for match in self.matches if not match.eligible]


@functools.cache
def _rates_statement():
    return (
        select(
            PreferentialRate,
            has_include_links(PreferentialRate, PreferentialRateLink, "rate_id"),
        )
        .where(
            PreferentialRate.schedule_id.in_(bindparam("schedule_ids", expanding=True)),
            PreferentialRate.valid_on(bindparam("day")),
        )
        # The schedule is already in the session (schedules_for): a lazy load costs no SQL.
        .options(selectinload(PreferentialRate.origins))
        .order_by(PreferentialRate.scheme_code, PreferentialRate.valid_from)
    )


def preferences_for(
    code: str, market_iso3: str, origin_iso3: str | None, day: date
) -> PreferencesAnswer:
    """Return the preferential rates of the market's schedules for ``code`` on ``day``.

    Each says whether goods of ``origin_iso3`` qualify by origin country; the goods must
    still meet the agreement's rules of origin.
    """
    schedules = schedules_for(market_iso3, day)
    rates = db.session.execute(
        _rates_statement(), {"schedule_ids": [s.id for s in schedules], "day": day}
    ).all()
    if not rates:
        return PreferencesAnswer(origin_iso3, [])
    found = _applicability(code, rates, PreferentialRateLink, "rate_id")
    origin_codes = {origin_iso3} | groups_of(origin_iso3, day) if origin_iso3 else set()
    matches = [
        PreferenceMatch(
            found[rate.id],
            eligible=bool(origin_codes & {origin.origin for origin in rate.origins}),
        )
        for rate, _ in rates
        if rate.id in found
    ]
    return PreferencesAnswer(origin_iso3, matches)


# Browsing one schedule.


def get_schedule(code: str) -> TariffSchedule | None:
    """Return the schedule with this code, or None."""
    return db.session.scalar(
        select(TariffSchedule)
        .where(TariffSchedule.code == code)
        .options(selectinload(TariffSchedule.markets))
    )


def all_schedules() -> list[TariffSchedule]:
    """Return every schedule, newest first."""
    return list(
        db.session.scalars(
            select(TariffSchedule)
            .options(selectinload(TariffSchedule.markets))
            .order_by(TariffSchedule.valid_from.desc(), TariffSchedule.code)
        )
    )


def chapter_counts(schedule: TariffSchedule) -> list[tuple[str, int]]:
    """Count a schedule's lines per chapter of its own codes."""
    chapter = func.substr(TariffLine.code, 1, 2)
    return [
        (code, count)
        for code, count in db.session.execute(
            select(chapter, func.count())
            .where(TariffLine.schedule_id == schedule.id)
            .group_by(chapter)
            .order_by(chapter)
        )
    ]


def schedule_lines(
    schedule: TariffSchedule, prefix: str, offset: int, limit: int
) -> tuple[list[TariffLine], int]:
    """Return a page of a schedule's lines whose code starts with ``prefix``, and the total."""
    condition = (TariffLine.schedule_id == schedule.id) & (
        (TariffLine.code == prefix) | below(TariffLine.code, prefix)
    )
    total = db.session.scalar(select(func.count()).where(condition))
    lines = db.session.scalars(
        select(TariffLine).where(condition).order_by(TariffLine.code).offset(offset).limit(limit)
    ).all()
    return list(lines), total


def rate_kind_counts(schedule: TariffSchedule) -> dict[str, int]:
    """Count a schedule's lines per kind of rate (free, ad valorem, … unparsed)."""
    rows = db.session.execute(
        select(TariffLine.rate_kind, func.count())
        .where(TariffLine.schedule_id == schedule.id)
        .group_by(TariffLine.rate_kind)
    )
    return {kind.value: count for kind, count in rows}


def unparsed_forms(schedule: TariffSchedule) -> list[tuple[str, int]]:
    """Return the rate texts the parser could not read, with how many lines carry each."""
    return [
        (text, count)
        for text, count in db.session.execute(
            select(TariffLine.rate_text, func.count())
            .where(TariffLine.schedule_id == schedule.id, TariffLine.rate_kind == RateKind.UNPARSED)
            .group_by(TariffLine.rate_text)
            .order_by(TariffLine.rate_text)
        )
    ]


def hs2022_mapping_counts(schedule: TariffSchedule) -> dict[str, int]:
    """Count lines mapped to one HS 2022 subheading, split between several, or unmapped."""
    per_line = (
        select(TariffLineLink.line_id, func.count().label("targets"))
        .join(TariffLine)
        .where(TariffLine.schedule_id == schedule.id, TariffLineLink.nomenclature == "HS2022")
        .group_by(TariffLineLink.line_id)
        .subquery()
    )
    one = db.session.scalar(select(func.count()).where(per_line.c.targets == 1))
    split = db.session.scalar(select(func.count()).where(per_line.c.targets > 1))
    lines = db.session.scalar(select(func.count()).where(TariffLine.schedule_id == schedule.id))
    return {"one": one, "split": split, "unmapped": lines - one - split}
