"""Loading tariff schedules, preferences and internal taxes from ``data/tariffs``.

Every file is read and checked whole before anything is written; a bad line raises
DataFileError naming every bad line. Services flush, never commit.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from tradeportal.datafiles import DataFileError, LoadReport, Progress, read_csv
from tradeportal.db import upsert_rows
from tradeportal.hs.models import HsCorrespondence, HsNode, Nomenclature
from tradeportal.tariffs.files import (
    FLAG_COLUMNS,
    PreferenceSpec,
    ScheduleSpec,
    SourceLine,
    TaxSpec,
    read_internal_taxes,
    read_preferences,
    read_schedule_markets,
    read_schedules,
    read_tariff_file,
)
from tradeportal.tariffs.models import (
    InternalTax,
    InternalTaxLink,
    PreferenceOrigin,
    PreferentialRate,
    PreferentialRateLink,
    TariffLine,
    TariffLineLink,
    TariffSchedule,
    TariffScheduleMarket,
)
from tradeportal.tariffs.rates import RateKind, parse_rate, rate_to_json

TARIFF_FILES = {
    "schedules": "tariffs/schedules.csv",
    "markets": "tariffs/schedule_markets.csv",
    "uk-global-tariff.csv": "tariffs/uk-global-tariff.csv",
    "taxes": "tariffs/internal_taxes.csv",
    "preferences": "tariffs/preferences.csv",
}
SOURCE_FILES = ("uk-global-tariff.csv",)
# Lines are linked to HS 2022 through the correlation: reload when it changes.
HS_DEPENDENCIES = ("hs/hs2017.csv", "hs/hs2022_hs2017_correlation.csv")


@dataclass
class TariffLoadReport(LoadReport):
    """A load report that also says how rates parsed and how lines map to HS 2022."""

    rate_kinds: dict[str, Counter] = field(default_factory=dict)  # schedule -> kind -> n
    unparsed: dict[str, Counter] = field(default_factory=dict)  # schedule -> text -> n
    mapping: dict[str, Counter] = field(default_factory=dict)  # schedule -> outcome -> n


def edition_codes(session: Session, edition: str, level: int | None = None) -> set[str]:
    """Return the codes of an HS edition (of one level only, when given)."""
    statement = select(HsNode.code).join(Nomenclature).where(Nomenclature.code == edition)
    if level is not None:
        statement = statement.where(HsNode.level == level)
    return set(session.scalars(statement))


def hs2022_successors(session: Session) -> dict[str, list[str]]:
    """Map each HS 2017 subheading to its HS 2022 subheadings (UNSD correlation)."""
    old = select(Nomenclature.id).where(Nomenclature.code == "HS2017").scalar_subquery()
    new = select(Nomenclature.id).where(Nomenclature.code == "HS2022").scalar_subquery()
    successors = defaultdict(list)
    statement = select(HsCorrespondence.old_code, HsCorrespondence.new_code).where(
        HsCorrespondence.old_nomenclature_id == old, HsCorrespondence.new_nomenclature_id == new
    )
    for old_code, new_code in session.execute(statement):
        successors[old_code].append(new_code)
    return {code: sorted(codes) for code, codes in successors.items()}


def rate_columns(text: str) -> dict:
    """Return the stored columns of a published rate."""
    parsed = parse_rate(text)
    return {
        "rate_text": text,
        "rate_kind": parsed.kind,
        "ad_valorem_pct": parsed.ad_valorem_pct,
        "rate_parts": rate_to_json(parsed),
    }


def load_schedule_lines(
    session: Session,
    schedule: TariffSchedule,
    spec: ScheduleSpec,
    source: list[SourceLine],
    successors: dict[str, list[str]],
    report: TariffLoadReport,
    progress: Progress,
) -> None:
    """Upsert one schedule's lines from the source file, then their HS links."""
    kinds, unparsed = Counter(), Counter()
    rows = []
    for item in source:
        row = item.row
        columns = rate_columns(row[spec.rate_column])
        kinds[columns["rate_kind"].value] += 1
        if columns["rate_kind"] is RateKind.UNPARSED:
            unparsed[columns["rate_text"]] += 1
        flags = {name: row[column] == "True" for name, column in FLAG_COLUMNS.items()}
        rows.append(
            {
                "schedule_id": schedule.id,
                "code": row["commodity"],
                "description": row["description"],
                **columns,
                # The file's flags and change notes describe UK measures only.
                **(flags if spec.file_flags else dict.fromkeys(FLAG_COLUMNS)),
                "change_note": (row.get("change") or None) if spec.file_flags else None,
                "valid_from": schedule.valid_from,
                "valid_to": schedule.valid_to,
                "source_url": schedule.source_url,
                "issued_by": schedule.issued_by,
                "is_demo": False,
            }
        )
    report.counts[f"{schedule.code} lines"] = upsert_rows(
        session,
        TariffLine,
        ("schedule_id", "code"),
        rows,
        scope=TariffLine.schedule_id == schedule.id,
    )
    report.rate_kinds[schedule.code] = kinds
    report.unparsed[schedule.code] = unparsed
    if unparsed:
        forms = ", ".join(f"{text!r} ×{count}" for text, count in sorted(unparsed.items()))
        report.skipped[
            f"rate parse(s) in {schedule.code}, kept as published text with kind "
            f"'unparsed': {forms}"
        ] = sum(unparsed.values())
    progress(len(rows))
    _link_lines(session, schedule, successors, report)


def line_links(
    line_id: int, code: str, nomenclature: str, successors: Mapping[str, list[str]]
) -> list[dict]:
    """Return the HS link rows of a tariff line: its own code, and its HS 2022 successors.

    The own code, in the schedule's edition, finds the line from that edition's pages and
    by code. A line of an HS 2017 based schedule is also linked to the HS 2022 subheadings
    its HS 2017 subheading became (``successors``, see :func:`hs2022_successors`); ``split``
    marks a subheading divided between several.
    """
    links = [
        {"line_id": line_id, "prefix": code, "nomenclature": nomenclature}
        | {"excluded": False, "split": False}
    ]
    if nomenclature != "HS2017":
        return links
    targets = successors.get(code[:6], [])
    return links + [
        {"line_id": line_id, "prefix": target, "nomenclature": "HS2022"}
        | {"excluded": False, "split": len(targets) > 1}
        for target in targets
    ]


def _link_lines(
    session: Session,
    schedule: TariffSchedule,
    successors: dict[str, list[str]],
    report: TariffLoadReport,
) -> None:
    line_ids = dict(
        session.execute(
            select(TariffLine.code, TariffLine.id).where(TariffLine.schedule_id == schedule.id)
        ).all()
    )
    mapping = Counter()
    links = []
    for code, line_id in line_ids.items():
        own_links = line_links(line_id, code, schedule.nomenclature, successors)
        links += own_links
        if schedule.nomenclature == "HS2017":
            targets = len(own_links) - 1
            mapping["unmapped" if not targets else "split" if targets > 1 else "one"] += 1
    report.mapping[schedule.code] = mapping
    if mapping["unmapped"]:
        unmapped = sorted({code[:6] for code in line_ids if not successors.get(code[:6])})
        report.skipped[
            f"HS 2022 link(s) for {schedule.code} lines whose HS 2017 subheading has no "
            f"UNSD successor ({', '.join(unmapped)}); linked to their own code only"
        ] = mapping["unmapped"]
    in_schedule = TariffLineLink.line_id.in_(
        select(TariffLine.id).where(TariffLine.schedule_id == schedule.id)
    )
    report.counts[f"{schedule.code} HS links"] = replace_links(
        session, TariffLineLink, "line_id", links, in_schedule
    )


def replace_links(session: Session, model, owner: str, links: list[dict], scope) -> dict:
    """Upsert link rows and delete the owners' links the files no longer give."""
    counts = upsert_rows(session, model, (owner, "prefix"), links, scope=scope)
    wanted = {(link[owner], link["prefix"]) for link in links}
    owner_column = getattr(model, owner)
    existing = session.execute(select(model.id, owner_column, model.prefix).where(scope)).all()
    stale = [row.id for row in existing if (row[1], row.prefix) not in wanted]
    for start in range(0, len(stale), 500):
        session.execute(delete(model).where(model.id.in_(stale[start : start + 500])))
    counts["deleted"] = len(stale)
    return counts


def prefix_rows(owner: str, owner_id: int, prefixes: list[tuple[str, bool]]) -> list[dict]:
    """Return link rows of one owner from (prefix, excluded) pairs."""
    return [{owner: owner_id, "prefix": p, "excluded": excluded} for p, excluded in prefixes]


def load_internal_taxes(session: Session, specs: list[TaxSpec], report: LoadReport) -> None:
    """Upsert the internal taxes and their HS links."""
    report.counts["internal taxes"] = upsert_rows(
        session,
        InternalTax,
        ("country_iso3", "name", "valid_from"),
        [spec.columns | rate_columns(spec.rate_text) for spec in specs],
    )
    ids = {
        (tax.country_iso3, tax.name, tax.valid_from): tax.id
        for tax in session.scalars(select(InternalTax))
    }
    links = []
    for spec in specs:
        links += prefix_rows("tax_id", ids[spec.key], spec.prefixes)
    owners = [ids[spec.key] for spec in specs]
    report.counts["internal tax HS links"] = replace_links(
        session, InternalTaxLink, "tax_id", links, InternalTaxLink.tax_id.in_(owners)
    )


def load_preferences(
    session: Session,
    specs: list[PreferenceSpec],
    schedule_ids: dict[str, int],
    report: LoadReport,
) -> None:
    """Upsert the preferential rates with their origins and HS links."""
    report.counts["preferential rates"] = upsert_rows(
        session,
        PreferentialRate,
        ("schedule_id", "scheme_code", "valid_from"),
        [
            {**spec.columns, "schedule_id": schedule_ids[spec.schedule]}
            | rate_columns(spec.rate_text)
            for spec in specs
        ],
    )
    ids = {
        (rate.schedule_id, rate.scheme_code, rate.valid_from): rate.id
        for rate in session.scalars(select(PreferentialRate))
    }
    owners, links, origins = [], [], []
    for spec in specs:
        rate_id = ids[(schedule_ids[spec.schedule], spec.scheme_code, spec.valid_from)]
        owners.append(rate_id)
        links += prefix_rows("rate_id", rate_id, spec.prefixes)
        origins += [{"rate_id": rate_id, "origin": origin} for origin in spec.origins]
    in_owners = PreferentialRateLink.rate_id.in_(owners)
    report.counts["preference HS links"] = replace_links(
        session, PreferentialRateLink, "rate_id", links, in_owners
    )
    report.counts["preference origins"] = replace_origins(session, origins, owners)


def replace_origins(session: Session, origins: list[dict], owners: list[int]) -> dict:
    """Upsert the origins of the ``owners`` rates and delete those no longer given."""
    counts = upsert_rows(
        session, PreferenceOrigin, ("rate_id", "origin"), origins,
        scope=PreferenceOrigin.rate_id.in_(owners),
    )  # fmt: skip
    wanted = {(row["rate_id"], row["origin"]) for row in origins}
    existing = session.execute(
        select(PreferenceOrigin.rate_id, PreferenceOrigin.origin).where(
            PreferenceOrigin.rate_id.in_(owners)
        )
    ).all()
    stale = [tuple(row) for row in existing if tuple(row) not in wanted]
    if stale:
        session.execute(
            delete(PreferenceOrigin).where(
                tuple_(PreferenceOrigin.rate_id, PreferenceOrigin.origin).in_(stale)
            )
        )
    counts["deleted"] = len(stale)
    return counts


def load_tariffs(
    session: Session, data_dir: Path, progress: Progress = lambda n: None
) -> TariffLoadReport:
    """Load the tariff schedules, their lines and HS links, preferences and internal taxes."""
    files = {name: data_dir / relative for name, relative in TARIFF_FILES.items()}
    report = TariffLoadReport()
    editions = set(session.scalars(select(Nomenclature.code)))
    specs = read_schedules(files["schedules"], editions, SOURCE_FILES)
    markets = read_schedule_markets(files["markets"], {spec.code for spec in specs})
    hs2017 = edition_codes(session, "HS2017", level=6)
    if not hs2017:
        raise DataFileError(files["schedules"], [(0, "nomenclature", "HS 2017 is not loaded")])
    sources = {
        name: read_tariff_file(files[name], [s for s in specs if s.source_file == name], hs2017)
        for name in {spec.source_file for spec in specs}
    }
    taxes = read_internal_taxes(files["taxes"])
    preferences = read_preferences(files["preferences"], {spec.code for spec in specs})

    report.counts["schedules"] = upsert_rows(
        session, TariffSchedule, ("code",), [spec.columns for spec in specs]
    )
    # The upsert wrote through SQL: refresh schedules this session may already hold.
    schedules = {
        s.code: s
        for s in session.scalars(select(TariffSchedule).execution_options(populate_existing=True))
    }
    report.counts["schedule markets"] = upsert_rows(
        session,
        TariffScheduleMarket,
        ("schedule_id", "market", "valid_from"),
        [market.columns | {"schedule_id": schedules[market.schedule].id} for market in markets],
    )
    successors = hs2022_successors(session)
    for spec in specs:
        load_schedule_lines(
            session,
            schedules[spec.code],
            spec,
            sources[spec.source_file],
            successors,
            report,
            progress,
        )
    load_internal_taxes(session, taxes, report)
    load_preferences(session, preferences, {code: s.id for code, s in schedules.items()}, report)
    session.flush()
    return report


def tariffs_size(data_dir: Path) -> int:
    """Count the tariff lines a full load walks through, for the progress bar."""
    specs = list(read_csv(data_dir / TARIFF_FILES["schedules"]))
    lines = sum(1 for _ in read_csv(data_dir / TARIFF_FILES["uk-global-tariff.csv"]))
    return lines * len(specs)
