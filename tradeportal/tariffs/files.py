"""Reading and checking the tariff reference files; nothing here writes to the database.

Each reader checks its whole file and raises DataFileError listing every bad line.
"""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tradeportal.datafiles import DataFileError, read_csv
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.prefixes import normalise_prefix
from tradeportal.tariffs.models import TaxKind
from tradeportal.validity import ISO_DATE

# Columns of the UK tariff file that describe UK measures on a line.
FLAG_COLUMNS = {
    "trade_remedy": "trade_remedy_applies",
    "suspension": "suspension_applies",
    "quota": "atq_applies",
    "eu_rate_retained": "cet_applies_until_trade_remedy_transition_reviews_concluded",
}
ISO3 = re.compile(r"[A-Z]{3}")
MARKET_CODE = re.compile(r"[A-Z]{2,10}")  # an ISO3 country or a group code such as "EU"
MAX_RATE_TEXT = 300


@dataclass
class SourceLine:
    line: int
    row: dict[str, str]


@dataclass
class ScheduleSpec:
    code: str
    source_file: str
    rate_column: str
    file_flags: bool  # the file's flags describe this schedule's market
    columns: dict  # the TariffSchedule columns


@dataclass
class MarketSpec:
    schedule: str
    columns: dict  # the TariffScheduleMarket columns, without schedule_id


@dataclass
class TaxSpec:
    key: tuple  # (country_iso3, name, valid_from)
    rate_text: str
    prefixes: list[tuple[str, bool]]  # (prefix, excluded)
    columns: dict


@dataclass
class PreferenceSpec:
    schedule: str
    scheme_code: str
    valid_from: date
    rate_text: str
    origins: list[str]
    prefixes: list[tuple[str, bool]]
    columns: dict  # without schedule_id


class _Line:
    """Field readers for one CSV line that record problems instead of raising."""

    def __init__(self, line: int, row: dict[str, str], problems: list):
        self.line, self.row, self.problems = line, row, problems

    def problem(self, name: str, reason: str) -> None:
        self.problems.append((self.line, name, reason))

    def text(self, name: str, *, required: bool = True, max_length: int = 500) -> str | None:
        value = self.row.get(name, "")
        if not value:
            if required:
                self.problem(name, "is empty")
            return None
        if len(value) > max_length:
            self.problem(name, f"is longer than {max_length} characters")
        return value

    def pattern(self, name: str, pattern: re.Pattern, what: str) -> str | None:
        value = self.row.get(name, "")
        if not pattern.fullmatch(value):
            self.problem(name, f"{value!r} is not {what}")
            return None
        return value

    def choice(self, name: str, choices: dict):
        value = self.row.get(name, "")
        if value not in choices:
            self.problem(name, f"{value!r} is not one of {', '.join(choices)}")
            return None
        return choices[value]

    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self.row.get(name, "")
        if not value and not required:
            return None
        if not ISO_DATE.fullmatch(value):
            self.problem(name, f"{value!r} is not a date written YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(name, f"{value!r} is not a real date")
            return None

    def validity(self) -> tuple[date | None, date | None]:
        valid_from, valid_to = self.day("valid_from"), self.day("valid_to", required=False)
        if valid_from and valid_to and valid_to < valid_from:
            self.problem("valid_to", "is before valid_from")
        return valid_from, valid_to

    def prefixes(self, name: str) -> list[tuple[str, bool]]:
        found = []
        for raw in self.row.get(name, "").split():
            excluded = raw.startswith("-")
            try:
                found.append((normalise_prefix(raw.removeprefix("-")), excluded))
            except InvalidHSCode as error:
                self.problem(name, f"{raw!r}: {error.message}")
        if len({prefix for prefix, _ in found}) != len(found):
            self.problem(name, "names a prefix twice")
        return found

    def provenance(self) -> dict:
        return {
            "source_url": self.text("source_url"),
            "issued_by": self.text("issued_by", max_length=200),
            "is_demo": self.choice("is_demo", {"yes": True, "no": False}),
        }


YES_NO = {"yes": True, "no": False}


def read_schedules(path: Path, editions: set[str], source_files: tuple[str, ...]):
    """Read the schedule definitions: which file and column each schedule comes from."""
    specs, problems, seen = [], [], set()
    for line, row in read_csv(path):
        fields = _Line(line, row, problems)
        code = fields.text("code", max_length=30)
        if code in seen:
            fields.problem("code", f"{code} appears twice")
        seen.add(code)
        nomenclature = fields.choice("nomenclature", {e: e for e in sorted(editions)})
        source_file = fields.choice("source_file", {name: name for name in source_files})
        valid_from, valid_to = fields.validity()
        columns = {
            "code": code,
            "title": fields.text("title", max_length=200),
            "reporter": fields.pattern("reporter", MARKET_CODE, "an ISO3 or group code"),
            "nomenclature": nomenclature,
            "currency": fields.pattern("currency", ISO3, "an ISO 4217 currency code"),
            "valid_from": valid_from,
            "valid_to": valid_to,
            "recorded_on": fields.day("recorded_on", required=False),
            "source_url": fields.text("source_url"),
            "issued_by": fields.text("issued_by", max_length=200),
            "notes": fields.text("notes", required=False, max_length=2000),
            "is_demo": False,
        }
        specs.append(
            ScheduleSpec(
                code=code,
                source_file=source_file,
                rate_column=fields.text("rate_column", max_length=80),
                file_flags=fields.choice("file_flags", YES_NO),
                columns=columns,
            )
        )
    if problems:
        raise DataFileError(path, problems)
    return specs


def read_schedule_markets(path: Path, schedules: set[str]) -> list[MarketSpec]:
    """Read the markets that applied a schedule besides its reporter."""
    specs, problems = [], []
    for line, row in read_csv(path):
        fields = _Line(line, row, problems)
        schedule = fields.choice("schedule", {code: code for code in sorted(schedules)})
        valid_from, valid_to = fields.validity()
        columns = {
            "market": fields.pattern("market", MARKET_CODE, "an ISO3 or group code"),
            "valid_from": valid_from,
            "valid_to": valid_to,
            "note": fields.text("note", max_length=2000),
            "source_url": fields.text("source_url"),
        }
        specs.append(MarketSpec(schedule, columns))
    if problems:
        raise DataFileError(path, problems)
    return specs


def read_tariff_file(path: Path, specs: list[ScheduleSpec], hs2017: set[str]) -> list[SourceLine]:
    """Read the UK tariff file and check every line against the schedules drawn from it."""
    rows, problems, seen = [], [], {}
    for line, row in read_csv(path):
        fields = _Line(line, row, problems)
        code = row.get("commodity", "")
        if not (code.isascii() and code.isdigit() and len(code) in (8, 10)):
            fields.problem("commodity", f"{code!r} is not an 8 or 10 digit code")
            continue
        if code in seen:
            fields.problem("commodity", f"{code} is already on line {seen[code]}")
            continue
        seen[code] = line
        if code[:6] not in hs2017:
            fields.problem("commodity", f"{code[:6]} is not an HS 2017 subheading")
        fields.text("description", max_length=5000)
        fields.text("change", required=False, max_length=40)
        for spec in specs:
            fields.text(spec.rate_column, max_length=MAX_RATE_TEXT)
        for column in FLAG_COLUMNS.values():
            fields.choice(column, {"True": True, "False": False})
        rows.append(SourceLine(line, row))
    if problems:
        raise DataFileError(path, problems)
    return rows


def read_internal_taxes(path: Path) -> list[TaxSpec]:
    """Read the internal taxes (VAT, excise…) with their HS prefixes."""
    specs, problems, seen = [], [], set()
    kinds = {kind.value: kind for kind in TaxKind}
    for line, row in read_csv(path):
        fields = _Line(line, row, problems)
        valid_from, valid_to = fields.validity()
        country = fields.pattern("country_iso3", ISO3, "an ISO 3166 alpha-3 code")
        name = fields.text("name", max_length=200)
        key = (country, name, valid_from)
        if key in seen:
            fields.problem("name", "the same tax of the same country from the same day is twice")
        seen.add(key)
        rate_text = fields.text("rate_text", max_length=MAX_RATE_TEXT)
        columns = {
            "country_iso3": country,
            "kind": fields.choice("kind", kinds),
            "name": name,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "note": fields.text("note", required=False, max_length=2000),
            **fields.provenance(),
        }
        specs.append(TaxSpec(key, rate_text, fields.prefixes("prefixes"), columns))
    if problems:
        raise DataFileError(path, problems)
    return specs


def read_preferences(path: Path, schedules: set[str]) -> list[PreferenceSpec]:
    """Read the preferential rates with their eligible origins and HS prefixes."""
    specs, problems, seen = [], [], set()
    for line, row in read_csv(path):
        fields = _Line(line, row, problems)
        schedule = fields.choice("schedule", {code: code for code in sorted(schedules)})
        scheme_code = fields.text("scheme_code", max_length=40)
        valid_from, valid_to = fields.validity()
        if (schedule, scheme_code, valid_from) in seen:
            fields.problem("scheme_code", "the same scheme on the same schedule from the same day")
        seen.add((schedule, scheme_code, valid_from))
        origins = row.get("origins", "").split()
        if not origins:
            fields.problem("origins", "is empty")
        for origin in origins:
            if not MARKET_CODE.fullmatch(origin):
                fields.problem("origins", f"{origin!r} is not an ISO3 or group code")
        if len(set(origins)) != len(origins):
            fields.problem("origins", "names an origin twice")
        columns = {
            "scheme_code": scheme_code,
            "agreement_name": fields.text("agreement_name", max_length=300),
            "valid_from": valid_from,
            "valid_to": valid_to,
            "note": fields.text("note", required=False, max_length=2000),
            **fields.provenance(),
        }
        specs.append(
            PreferenceSpec(
                schedule=schedule,
                scheme_code=scheme_code,
                valid_from=valid_from,
                rate_text=fields.text("rate_text", max_length=MAX_RATE_TEXT),
                origins=origins,
                prefixes=fields.prefixes("prefixes"),
                columns=columns,
            )
        )
    if problems:
        raise DataFileError(path, problems)
    return specs
