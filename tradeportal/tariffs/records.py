"""Saving and exporting tariff content one record at a time (``flask content import|export``).

A save upserts on the record's natural key and changes only what differs, so importing an
export changes nothing. Rates are parsed and HS links computed with the loader's own
functions (``services.py``), so an imported line is stored exactly as a loaded one would
be. Saves flush, never commit; problems only the database can reveal raise ImportProblem.
"""

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from tradeportal.content.records import CONTENT_FIELDS, assign_changed
from tradeportal.content.registry import ImportProblem
from tradeportal.hs.codes import format_code
from tradeportal.hs.models import Nomenclature
from tradeportal.tariffs.models import (
    InternalTax,
    InternalTaxLink,
    PreferentialRate,
    PreferentialRateLink,
    TariffLine,
    TariffLineLink,
    TariffSchedule,
    TariffScheduleMarket,
)
from tradeportal.tariffs.services import (
    edition_codes,
    hs2022_successors,
    line_links,
    prefix_rows,
    rate_columns,
    replace_links,
    replace_origins,
)

DATE_FIELDS = ("valid_from", "valid_to", "last_verified_on", "recorded_on")
SCHEDULE_FIELDS = ("title", "reporter", "nomenclature", "currency", "recorded_on", "notes")
MARKET_FIELDS = ("valid_to", "note", "source_url")
LINE_FIELDS = (
    "description",
    "trade_remedy",
    "suspension",
    "quota",
    "eu_rate_retained",
    "change_note",
)
TAX_FIELDS = ("kind", "note")
PREFERENCE_FIELDS = ("agreement_name", "note")
LINK_COLUMNS = ("prefix", "nomenclature", "excluded", "split")
# Built once: a tariff lines import runs these tens of thousands of times.
SCHEDULE_BY_CODE = select(TariffSchedule).where(TariffSchedule.code == bindparam("code"))
LINE_BY_KEY = select(TariffLine).where(
    TariffLine.schedule_id == bindparam("schedule_id"), TariffLine.code == bindparam("code")
)
LINKS_OF_LINE = select(*(getattr(TariffLineLink, name) for name in LINK_COLUMNS)).where(
    TariffLineLink.line_id == bindparam("line_id")
)


def _find(session: Session, model, **key):
    return session.scalar(select(model).filter_by(**key))


def _schedule(session: Session, code: str) -> TariffSchedule:
    found = session.scalar(SCHEDULE_BY_CODE, {"code": code})
    if found is None:
        raise ImportProblem(
            "schedule", f"no tariff schedule with code {code!r}; import tariff-schedules first"
        )
    return found


def _links(record: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(prefix, False) for prefix in record["hs_prefixes"]] + [
        (prefix, True) for prefix in record["hs_exclusions"]
    ]


def _values(record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: record[name] for name in names + CONTENT_FIELDS}


def save_schedule(session: Session, record: dict[str, Any]) -> bool:
    """Create or update a tariff schedule; return True when created."""
    editions = set(session.scalars(select(Nomenclature.code)))
    if record["nomenclature"] not in editions:
        raise ImportProblem(
            "nomenclature",
            f"{record['nomenclature']!r} is not an HS edition the portal holds "
            f"({', '.join(sorted(editions)) or 'none loaded'})",
        )
    schedule = _find(session, TariffSchedule, code=record["code"])
    created = schedule is None
    if created:
        schedule = TariffSchedule(code=record["code"])
        session.add(schedule)
    elif schedule.nomenclature != record["nomenclature"]:
        lines = session.scalar(select(func.count()).where(TariffLine.schedule_id == schedule.id))
        if lines:
            raise ImportProblem(
                "nomenclature",
                f"the schedule's {lines:,} lines are coded in {schedule.nomenclature}; "
                "a schedule in another edition needs a new code",
            )
    assign_changed(schedule, _values(record, SCHEDULE_FIELDS))
    session.flush()
    return created


def save_schedule_market(session: Session, record: dict[str, Any]) -> bool:
    """Create or update a market that applied a schedule; return True when created."""
    schedule = _schedule(session, record["schedule"])
    key = {"schedule_id": schedule.id, "market": record["market"]}
    market = _find(session, TariffScheduleMarket, **key, valid_from=record["valid_from"])
    created = market is None
    if created:
        market = TariffScheduleMarket(
            schedule=schedule, market=record["market"], valid_from=record["valid_from"]
        )
        session.add(market)
    assign_changed(market, {name: record[name] for name in MARKET_FIELDS})
    session.flush()
    return created


def _check_line_within_schedule(schedule: TariffSchedule, record: dict[str, Any]) -> None:
    """Refuse a line in force when its schedule is not: no page would ever show it."""
    window = f"from {schedule.valid_from.isoformat()}" + (
        f" to {schedule.valid_to.isoformat()}" if schedule.valid_to else ", no end date"
    )
    if record["valid_from"] < schedule.valid_from:
        raise ImportProblem(
            "valid_from",
            f"{record['valid_from'].isoformat()} is before schedule {schedule.code} starts "
            f"(in force {window})",
        )
    if schedule.valid_to and (record["valid_to"] is None or record["valid_to"] > schedule.valid_to):
        raise ImportProblem(
            "valid_to",
            f"must be given and not after schedule {schedule.code} ends (in force {window})",
        )


def _hs_reference(session: Session, key: tuple, compute: Callable[[], Any]) -> Any:
    """Return HS reference data read once per session: it changes only with ``flask seed``."""
    cache = session.info.setdefault("tariffs.hs_reference", {})
    if key in cache:
        return cache[key]
    value = compute()
    if value:  # nothing found may mean not loaded yet: ask again next time
        cache[key] = value
    return value


def save_tariff_line(session: Session, record: dict[str, Any]) -> bool:
    """Create or update a tariff line, parse its rate and relink it; return True when created.

    As the loader does, an unreadable rate is kept as text with kind ``unparsed``, and the
    line is linked to its own code and, on an HS 2017 schedule, to the HS 2022 successors.
    """
    schedule = _schedule(session, record["schedule"])
    edition, code = schedule.nomenclature, record["code"]
    subheadings = _hs_reference(
        session, ("subheadings", edition), lambda: edition_codes(session, edition, level=6)
    )
    if code[:6] not in subheadings:
        raise ImportProblem(
            "code",
            f"{format_code(code[:6])} is not a subheading of {edition}, the edition "
            f"schedule {schedule.code} is coded in",
        )
    _check_line_within_schedule(schedule, record)
    line = session.scalar(LINE_BY_KEY, {"schedule_id": schedule.id, "code": code})
    created = line is None
    if created:
        line = TariffLine(schedule=schedule, code=code)
        session.add(line)
    assign_changed(line, _values(record, LINE_FIELDS) | rate_columns(record["rate_text"]))
    session.flush()
    successors = (
        _hs_reference(session, ("hs2022_successors",), lambda: hs2022_successors(session))
        if edition == "HS2017"
        else {}
    )
    links = line_links(line.id, code, edition, successors)
    stored = set()
    if not created:
        stored = {tuple(row) for row in session.execute(LINKS_OF_LINE, {"line_id": line.id})}
    if stored != {tuple(link[name] for name in LINK_COLUMNS) for link in links}:
        replace_links(session, TariffLineLink, "line_id", links, TariffLineLink.line_id == line.id)
    return created


def save_internal_tax(session: Session, record: dict[str, Any]) -> bool:
    """Create or update an internal tax and its HS links; return True when created."""
    key = {name: record[name] for name in ("country_iso3", "name", "valid_from")}
    tax = _find(session, InternalTax, **key)
    created = tax is None
    if created:
        tax = InternalTax(**key)
        session.add(tax)
    assign_changed(tax, _values(record, TAX_FIELDS) | rate_columns(record["rate_text"]))
    session.flush()
    replace_links(
        session,
        InternalTaxLink,
        "tax_id",
        prefix_rows("tax_id", tax.id, _links(record)),
        InternalTaxLink.tax_id == tax.id,
    )
    # The links were written in SQL: let the next read of the relationship see them.
    session.expire(tax, ["links"])
    return created


def save_preferential_rate(session: Session, record: dict[str, Any]) -> bool:
    """Create or update a preferential rate, its origins and links; return True when created."""
    schedule = _schedule(session, record["schedule"])
    key = {
        "schedule_id": schedule.id,
        "scheme_code": record["scheme_code"],
        "valid_from": record["valid_from"],
    }
    rate = _find(session, PreferentialRate, **key)
    created = rate is None
    if created:
        rate = PreferentialRate(**key)
        session.add(rate)
    assign_changed(rate, _values(record, PREFERENCE_FIELDS) | rate_columns(record["rate_text"]))
    session.flush()
    replace_links(
        session,
        PreferentialRateLink,
        "rate_id",
        prefix_rows("rate_id", rate.id, _links(record)),
        PreferentialRateLink.rate_id == rate.id,
    )
    replace_origins(
        session, [{"rate_id": rate.id, "origin": origin} for origin in record["origins"]], [rate.id]
    )
    session.expire(rate, ["links", "origins"])
    return created


# --- export: records the Input schemas load back unchanged -------------------------------


def _common(item, names: tuple[str, ...]) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in names + CONTENT_FIELDS}
    for name in DATE_FIELDS:
        if values.get(name) is not None:
            values[name] = values[name].isoformat()
    return values


def _split_links(links) -> dict[str, list[str]]:
    return {
        "hs_prefixes": sorted(link.prefix for link in links if not link.excluded),
        "hs_exclusions": sorted(link.prefix for link in links if link.excluded),
    }


def export_schedules(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every tariff schedule as an import record."""
    for schedule in session.scalars(select(TariffSchedule).order_by(TariffSchedule.code)):
        yield {"code": schedule.code} | _common(schedule, SCHEDULE_FIELDS)


def export_schedule_markets(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every market that applied a schedule besides its reporter, as an import record."""
    rows = session.execute(
        select(TariffScheduleMarket, TariffSchedule.code)
        .join(TariffSchedule)
        .order_by(TariffSchedule.code, TariffScheduleMarket.market, TariffScheduleMarket.valid_from)
    )
    for market, schedule_code in rows:
        yield {
            "schedule": schedule_code,
            "market": market.market,
            "valid_from": market.valid_from.isoformat(),
            "valid_to": market.valid_to.isoformat() if market.valid_to else None,
            "note": market.note,
            "source_url": market.source_url,
        }


def export_tariff_lines(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every tariff line as an import record (its rate as published)."""
    rows = session.execute(
        select(TariffLine, TariffSchedule.code)
        .join(TariffSchedule)
        .order_by(TariffSchedule.code, TariffLine.code)
    )
    for line, schedule_code in rows:
        yield (
            {"schedule": schedule_code, "code": line.code, "rate_text": line.rate_text}
            | _common(line, LINE_FIELDS)
        )


def export_internal_taxes(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every internal tax with its HS links as an import record."""
    query = (
        select(InternalTax)
        .options(selectinload(InternalTax.links))
        .order_by(InternalTax.country_iso3, InternalTax.name, InternalTax.valid_from)
    )
    for tax in session.scalars(query):
        record = {"country_iso3": tax.country_iso3, "name": tax.name, "rate_text": tax.rate_text}
        record |= _common(tax, TAX_FIELDS)
        record["kind"] = tax.kind.value
        yield record | _split_links(tax.links)


def export_preferential_rates(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every preferential rate with its origins and HS links as an import record."""
    query = (
        select(PreferentialRate, TariffSchedule.code)
        .join(TariffSchedule)
        .options(selectinload(PreferentialRate.links), selectinload(PreferentialRate.origins))
        .order_by(TariffSchedule.code, PreferentialRate.scheme_code, PreferentialRate.valid_from)
    )
    for rate, schedule_code in session.execute(query):
        record = {
            "schedule": schedule_code,
            "scheme_code": rate.scheme_code,
            "rate_text": rate.rate_text,
            "origins": sorted(origin.origin for origin in rate.origins),
        }
        yield record | _common(rate, PREFERENCE_FIELDS) | _split_links(rate.links)
