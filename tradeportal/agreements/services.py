"""Loading the WTO list of regional trade agreements, and the agreements dataset as a whole.

Services flush, never commit: the CLI command that calls them commits once.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tradeportal.agreements import rules_of_origin
from tradeportal.agreements.models import AgreementParty, TradeAgreement
from tradeportal.countries.models import Country, CountryGroupMember
from tradeportal.datafiles import DataFileError, LoadReport, Progress, read_csv
from tradeportal.db import upsert_rows

AGREEMENT_FILES = {
    "wto": "agreements/wto_rta_list_2021.csv",
    "aliases": "agreements/wto_name_aliases.csv",
    "schemes": "agreements/roo_schemes_uk.json",
    "esa_rules": "agreements/esa_rule_sets.json",
}
# Names and groups are matched against these, so a change there reloads the agreements.
COUNTRY_DEPENDENCIES = ("countries/country-codes.csv", "countries/groups.csv")
WTO_SOURCE_URL = "https://rtais.wto.org/"
WTO_ISSUER = "World Trade Organization, RTA database (export of March 2021)"
STATUSES = {
    "In Force",
    "Inactive",
    "In force for at least one Party",
    "Early announcement-Under negotiation",
    "Early announcement-Signed",
}
MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
PARTY_DATES = re.compile(
    r"(?P<name>[^()]+?)\s*\(\s*(?P<start>\d{2}-[A-Za-z]{3}-\d{4})?\s*-\s*"
    r"(?P<end>\d{2}-[A-Za-z]{3}-\d{4})?\s*\)"
)


@dataclass
class AgreementsLoadReport(LoadReport):
    """A load report that also names the WTO party names matched to nothing."""

    unmapped_names: dict[str, int] = field(default_factory=dict)  # name -> agreements


def normalise_name(name: str) -> str:
    """Reduce a country name to lower-case ASCII words for matching ("the" dropped)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"\(the\)\s*$", "", text)
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def country_name_index(session: Session) -> dict[str, str]:
    """Map every English name of every country (normalised) to its ISO3 code."""
    index: dict[str, set[str]] = {}
    columns = (Country.name_en, Country.short_name_en, Country.formal_name_en, Country.cldr_name)
    for iso3, *names in session.execute(select(Country.iso3, *columns)):
        for name in names:
            if name:
                index.setdefault(normalise_name(name), set()).add(iso3)
    # A name shared by two countries would be a guess: leave it to the alias file.
    return {name: codes.pop() for name, codes in index.items() if len(codes) == 1}


def read_aliases(path: Path, known_countries: set[str], known_groups: set[str]) -> dict:
    """Read the alias file: WTO name -> ("country"|"group", code) or ("none", None)."""
    aliases, problems = {}, []
    for line, raw in read_csv(path):
        name, kind, code = raw.get("wto_name", ""), raw.get("kind", ""), raw.get("code", "")
        if not name:
            problems.append((line, "wto_name", "is empty"))
        elif name in aliases:
            problems.append((line, "wto_name", f"{name!r} appears twice"))
        elif kind == "country" and code not in known_countries:
            problems.append((line, "code", f"{code!r} is not a known ISO3 code"))
        elif kind == "group" and code not in known_groups:
            problems.append((line, "code", f"{code!r} is not a group in countries/groups.csv"))
        elif kind == "none" and (code or not raw.get("note")):
            problems.append((line, "note", "a name mapped to nothing needs a note and no code"))
        elif kind not in ("country", "group", "none"):
            problems.append((line, "kind", f"{kind!r} is not country, group or none"))
        else:
            aliases[name] = (kind, code or None)
    if problems:
        raise DataFileError(path, problems)
    return aliases


def _wto_date(raw: str) -> date:
    day, month, year = raw.split("-")
    return date(int(year), MONTHS[month.title()], int(day))


def parse_party_dates(text: str) -> dict[str, tuple[date | None, date | None]]:
    """Parse "Name(01-Jan-2011 - ); Other( - 31-Jan-2020)" into {name: (start, end)}."""
    found = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        match = PARTY_DATES.fullmatch(item)
        if match is None:
            raise ValueError(f"{item!r} is not 'Name(start - end)'")
        start, end = match["start"], match["end"]
        found[match["name"].strip()] = (
            _wto_date(start) if start else None,
            _wto_date(end) if end else None,
        )
    return found


def _iso_date(raw: str, line: int, column: str, problems: list) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append((line, column, f"{raw!r} is not a YYYY-MM-DD date"))
        return None


@dataclass
class WtoRow:
    line: int
    values: dict[str, Any]
    parties: list[str]
    party_dates: dict[str, tuple[date | None, date | None]]


def read_wto_file(path: Path) -> list[WtoRow]:
    """Read and check the WTO RTA export; raise DataFileError listing every bad line."""
    rows, problems, seen = [], [], {}
    for line, raw in read_csv(path):
        before = len(problems)
        name, status = raw.get("RTA Name", ""), raw.get("Status", "")
        if not name or len(name) > 200:
            problems.append((line, "RTA Name", "is empty or longer than 200 characters"))
        if status not in STATUSES:
            problems.append((line, "Status", f"{status!r} is not a known WTO status"))
        dates = {
            column: _iso_date(raw.get(column, ""), line, column, problems)
            for column in (
                "Date of Signature (G)",
                "Date of Signature (S)",
                "Date of Entry into Force (G)",
                "Date of Entry into Force (S)",
                "Inactive Date",
            )
        }
        try:
            party_dates = parse_party_dates(raw.get("Specific Entry/Exit dates", ""))
        except (ValueError, KeyError) as error:
            problems.append((line, "Specific Entry/Exit dates", str(error)))
            party_dates = {}
        entries = [
            d
            for d in (dates["Date of Entry into Force (G)"], dates["Date of Entry into Force (S)"])
            if d
        ]
        signatures = [
            d for d in (dates["Date of Signature (G)"], dates["Date of Signature (S)"]) if d
        ]
        # The WTO does not count early announcements as in force, whatever dates they carry.
        valid_from = min(entries) if entries and not status.startswith("Early") else None
        inactive_on = dates["Inactive Date"]
        # The WTO "Inactive Date" is the first day no longer in force: a successor usually
        # enters into force that very day (GCC 1982 -> GCC 2003, Lomé I -> Lomé II).
        valid_to = inactive_on - timedelta(days=1) if inactive_on else None
        if status in ("In Force", "Inactive", "In force for at least one Party") and not entries:
            problems.append((line, "Date of Entry into Force (G)", f"{status} without a date"))
        if status == "Inactive" and inactive_on is None:
            problems.append((line, "Inactive Date", "an inactive agreement needs one"))
        if valid_from and valid_to and valid_to < valid_from:
            problems.append((line, "Inactive Date", "is not after the entry into force"))
        parties_text = raw.get("Current signatories") or raw.get("Original signatories", "")
        parties = [part.strip() for part in parties_text.split(";") if part.strip()]
        if len(set(parties)) != len(parties):
            problems.append((line, "Current signatories", "names a party twice"))
        if any(len(part) > 120 for part in parties):
            problems.append((line, "Current signatories", "a name is longer than 120 characters"))
        key = (name, valid_from)
        if len(problems) == before and key in seen:
            problems.append(
                (line, "RTA Name", f"same name and entry into force as line {seen[key]}")
            )
        if len(problems) > before:
            continue
        seen[key] = line
        values = {
            "name": name,
            "agreement_type": raw.get("Type") or None,
            "coverage": raw.get("Coverage") or None,
            "status": status,
            "notification": raw.get("Notification") or None,
            "signed_on": min(signatures) if signatures else None,
            "entry_into_force_goods_on": dates["Date of Entry into Force (G)"],
            "entry_into_force_services_on": dates["Date of Entry into Force (S)"],
            "inactive_on": inactive_on,
            "composition": raw.get("RTA Composition") or None,
            "region": raw.get("Region") or None,
            "is_accession": raw.get("Accession?") == "Yes",
            "remarks": raw.get("Remarks") or None,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "source_url": WTO_SOURCE_URL,
            "issued_by": WTO_ISSUER,
            "is_demo": False,
        }
        rows.append(WtoRow(line, values, parties, party_dates))
    if problems:
        raise DataFileError(path, problems)
    return rows


def match_party(name: str, aliases: dict, names: dict[str, str]) -> tuple[str | None, str | None]:
    """Return (country ISO3, group code) for a WTO party name; (None, None) if unmatched."""
    if name in aliases:
        kind, code = aliases[name]
        return (
            (code, None) if kind == "country" else (None, code) if kind == "group" else (None, None)
        )
    return names.get(normalise_name(name)), None


def load_wto_agreements(
    session: Session,
    rows: list[WtoRow],
    aliases: dict,
    report: AgreementsLoadReport,
) -> None:
    """Upsert the agreements and replace each agreement's party list with the file's."""
    names = country_name_index(session)
    report.counts["trade agreements"] = upsert_rows(
        session, TradeAgreement, ("name", "valid_from"), [row.values for row in rows]
    )
    ids = {
        (name, valid_from): agreement_id
        for agreement_id, name, valid_from in session.execute(
            select(TradeAgreement.id, TradeAgreement.name, TradeAgreement.valid_from)
        )
    }
    party_rows, via_group = [], 0
    for row in rows:
        agreement_id = ids[(row.values["name"], row.values["valid_from"])]
        for position, wto_name in enumerate(row.parties, start=1):
            country_iso3, group_code = match_party(wto_name, aliases, names)
            if country_iso3 is None and group_code is None:
                report.unmapped_names[wto_name] = report.unmapped_names.get(wto_name, 0) + 1
            joined_on, left_on = row.party_dates.get(wto_name, (None, None))
            party_rows.append(
                {
                    "agreement_id": agreement_id,
                    "position": position,
                    "wto_name": wto_name,
                    "country_iso3": country_iso3,
                    "group_code": group_code,
                    "joined_on": joined_on,
                    "left_on": left_on,
                }
            )
        via_group += len(set(row.party_dates) - set(row.parties))
    report.counts["agreement parties"] = upsert_rows(
        session, AgreementParty, ("agreement_id", "wto_name"), party_rows
    )
    # Parties are links, not content: a name no longer listed is removed, not end-dated.
    # Only the file's agreements are compared: imported ones keep their parties.
    wanted = {(row["agreement_id"], row["wto_name"]) for row in party_rows}
    loaded = {ids[(row.values["name"], row.values["valid_from"])] for row in rows}
    stale = [
        party_id
        for party_id, agreement_id, wto_name in session.execute(
            select(AgreementParty.id, AgreementParty.agreement_id, AgreementParty.wto_name)
        )
        if agreement_id in loaded and (agreement_id, wto_name) not in wanted
    ]
    if stale:
        session.execute(delete(AgreementParty).where(AgreementParty.id.in_(stale)))
    report.counts["agreement parties"]["deleted"] = len(stale)
    if via_group:
        report.skipped["member-specific WTO dates of countries not listed as a party"] = via_group
    if report.unmapped_names:
        listed = "; ".join(sorted(report.unmapped_names))
        report.skipped[
            f"WTO party name(s) matched to no ISO3 country or group (kept unmatched): {listed}"
        ] = len(report.unmapped_names)


def load_agreements_reference(
    session: Session, data_dir: Path, progress: Progress = lambda n: None
) -> AgreementsLoadReport:
    """Load the WTO agreements, the UK schemes and the ESA-UK rules of origin, checked first."""
    files = {name: data_dir / relative for name, relative in AGREEMENT_FILES.items()}
    report = AgreementsLoadReport()
    known_countries = set(session.scalars(select(Country.iso3)))
    if not known_countries:
        raise DataFileError(files["wto"], [(0, "countries", "load the countries dataset first")])
    known_groups = set(session.scalars(select(CountryGroupMember.group_code).distinct()))
    aliases = read_aliases(files["aliases"], known_countries, known_groups)
    wto_rows = read_wto_file(files["wto"])
    iso3_by_iso2 = dict(session.execute(select(Country.iso2, Country.iso3)).all())
    schemes = rules_of_origin.read_schemes(files["schemes"], iso3_by_iso2, known_groups)
    rule_sets = rules_of_origin.read_rule_sets(files["esa_rules"], "esa", schemes)

    load_wto_agreements(session, wto_rows, aliases, report)
    progress(len(wto_rows))
    rules_of_origin.load_schemes(session, schemes, report)
    rules_of_origin.load_rule_sets(session, "esa", rule_sets, report)
    progress(len(schemes) + len(rule_sets))
    session.flush()
    return report


def agreements_reference_size(data_dir: Path) -> int:
    """Count the rows a full load walks through, for the progress bar."""
    with (data_dir / AGREEMENT_FILES["wto"]).open(encoding="utf-8-sig") as handle:
        agreements = sum(1 for _ in handle) - 1
    return agreements + rules_of_origin.files_size(
        data_dir / AGREEMENT_FILES["schemes"], data_dir / AGREEMENT_FILES["esa_rules"]
    )
