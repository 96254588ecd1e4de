"""Loading countries, country groups, EU access facts and profiles; saving profile sections.

Services flush, never commit: the CLI command that calls them commits once.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.content.registry import ImportProblem
from tradeportal.countries.jsonfile import read_json_items
from tradeportal.countries.models import (
    Country,
    CountryGroupMember,
    CountryProfileSection,
    EuAccessProfile,
    ProfileKind,
)
from tradeportal.countries.queries import invalidate_country_codes, is_iso3_shape
from tradeportal.countries.schemas import CountryProfileSectionInput
from tradeportal.datafiles import DataFileError, LoadReport, Progress, read_csv
from tradeportal.db import upsert_rows

COUNTRY_FILES = {
    "countries": "countries/country-codes.csv",
    "groups": "countries/groups.csv",
    "eu_access": "countries/eu_duty_by_country.csv",
    "profiles": "countries/profiles_demo.json",
}
FLAG_SET = "x"  # how country-codes.csv marks SIDS / LDC / LLDC membership
EU_ACCESS_SOURCE = (
    "https://github.com/checkdutyrates/us-tariff-data/blob/"
    "08cf9a37e0dc528a91fc9e510abcf5c52ae83d09/data/eu_duty_by_country.csv"
)
EU_ACCESS_CHECKED_ON = date(2026, 9, 29)  # data/VERSION.json of that repository


def _strip_article(name: str) -> str | None:
    """Drop UNTERM's trailing "(the)" so the short name reads as a name."""
    name = name.removesuffix("(the)").strip()
    return name or None


def _padded(raw: str, line: int, column: str, problems: list) -> str | None:
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
        problems.append((line, column, f"{raw!r} is not a number of at most 3 digits"))
        return None
    return raw.zfill(3)  # the source does not zero-pad: "4" is ISO "004"


def read_countries(path: Path) -> list[dict[str, Any]]:
    """Read and check country-codes.csv; raise DataFileError listing every bad line."""
    rows, problems, seen3, seen2 = [], [], {}, {}
    for line, raw in read_csv(path):
        iso3, iso2 = raw.get("ISO3166-1-Alpha-3", ""), raw.get("ISO3166-1-Alpha-2", "")
        before = len(problems)
        if not is_iso3_shape(iso3):
            problems.append((line, "ISO3166-1-Alpha-3", f"{iso3!r} is not three capital letters"))
        elif iso3 in seen3:
            problems.append((line, "ISO3166-1-Alpha-3", f"{iso3} also on line {seen3[iso3]}"))
        if not (len(iso2) == 2 and iso2.isascii() and iso2.isalpha() and iso2.isupper()):
            problems.append((line, "ISO3166-1-Alpha-2", f"{iso2!r} is not two capital letters"))
        elif iso2 in seen2:
            problems.append((line, "ISO3166-1-Alpha-2", f"{iso2} also on line {seen2[iso2]}"))
        numeric = _padded(raw.get("ISO3166-1-numeric", ""), line, "ISO3166-1-numeric", problems)
        if numeric is None and not raw.get("ISO3166-1-numeric"):
            problems.append((line, "ISO3166-1-numeric", "is empty"))
        m49 = _padded(raw.get("M49", ""), line, "M49", problems)
        name_en = raw.get("official_name_en") or raw.get("CLDR display name")
        name_fr = raw.get("official_name_fr") or raw.get("UNTERM French Short")
        if not name_en:
            problems.append((line, "official_name_en", "no English name"))
        if not name_fr:
            problems.append((line, "official_name_fr", "no French name (nor UNTERM French Short)"))
        if len(problems) > before:
            continue
        seen3[iso3], seen2[iso2] = line, line
        rows.append(
            {
                "iso3": iso3,
                "iso2": iso2,
                "numeric": numeric,
                "m49": m49,
                "name_en": name_en,
                "name_fr": name_fr,
                "short_name_en": _strip_article(raw.get("UNTERM English Short", "")),
                "formal_name_en": raw.get("UNTERM English Formal") or None,
                "cldr_name": raw.get("CLDR display name") or None,
                "region": raw.get("Region Name") or None,
                "subregion": raw.get("Sub-region Name") or None,
                "currency_code": raw.get("ISO4217-currency_alphabetic_code") or None,
                "currency_name": raw.get("ISO4217-currency_name") or None,
                "capital": raw.get("Capital") or None,
                "sovereignty": raw.get("is_independent") or None,
                "is_sids": raw.get("Small Island Developing States (SIDS)") == FLAG_SET,
                "is_ldc": raw.get("Least Developed Countries (LDC)") == FLAG_SET,
                "is_lldc": raw.get("Land Locked Developing Countries (LLDC)") == FLAG_SET,
            }
        )
    if problems:
        raise DataFileError(path, problems)
    return rows


def _date(raw: str, line: int, column: str, problems: list, required: bool) -> date | None:
    if not raw:
        if required:
            problems.append((line, column, "is empty"))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append((line, column, f"{raw!r} is not a YYYY-MM-DD date"))
        return None


def read_groups(path: Path, known: set[str]) -> list[dict[str, Any]]:
    """Read and check groups.csv against the known ISO3 codes."""
    rows, problems, seen = [], [], {}
    for line, raw in read_csv(path):
        before = len(problems)
        code, member = raw.get("group_code", ""), raw.get("member_iso3", "")
        if not (code and len(code) <= 20 and code.replace("-", "").isalnum()):
            problems.append((line, "group_code", f"{code!r} is not a short code"))
        if member not in known:
            problems.append((line, "member_iso3", f"{member!r} is not a known ISO3 code"))
        valid_from = _date(raw.get("valid_from", ""), line, "valid_from", problems, True)
        valid_to = _date(raw.get("valid_to", ""), line, "valid_to", problems, False)
        if valid_from and valid_to and valid_to < valid_from:
            problems.append((line, "valid_to", "is before valid_from"))
        if not raw.get("group_name"):
            problems.append((line, "group_name", "is empty"))
        if not raw.get("source_url", "").startswith("https://"):
            problems.append((line, "source_url", "must be an https:// address"))
        key = (code, member, valid_from)
        if len(problems) == before and key in seen:
            problems.append((line, "member_iso3", f"same membership as line {seen[key]}"))
        if len(problems) > before:
            continue
        seen[key] = line
        rows.append(
            {
                "group_code": code,
                "group_name": raw["group_name"],
                "country_iso3": member,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "source_url": raw["source_url"],
            }
        )
    if problems:
        raise DataFileError(path, problems)
    return rows


def _number(raw: str, line: int, column: str, problems: list, kind=float):
    try:
        value = kind(raw)
    except ValueError:
        problems.append((line, column, f"{raw!r} is not a number"))
        return None
    if value < 0:
        problems.append((line, column, "is negative"))
    return value


def read_eu_access(
    path: Path, iso3_by_iso2: dict[str, str], skipped: dict[str, int]
) -> list[dict[str, Any]]:
    """Read the EU duty profile per origin; origins without an ISO code are skipped."""
    rows, problems, seen = [], [], {}
    for line, raw in read_csv(path):
        before = len(problems)
        origin = raw.get("origin", "")
        if origin == "XK":  # Kosovo has no ISO 3166 code, so no country page
            reason = "EU access row(s) for Kosovo (XK, no ISO 3166 code)"
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        iso3 = iso3_by_iso2.get(origin)
        if iso3 is None:
            problems.append((line, "origin", f"{origin!r} is not a known ISO alpha-2 code"))
        elif iso3 in seen:
            problems.append((line, "origin", f"{origin} also on line {seen[iso3]}"))
        values = {
            "cn_codes": _number(raw.get("cn_codes", ""), line, "cn_codes", problems, int),
            "duty_free_codes": _number(
                raw.get("duty_free_codes", ""), line, "duty_free_codes", problems, int
            ),
            "duty_free_share": _number(
                raw.get("duty_free_share", ""), line, "duty_free_share", problems
            ),
            "average_ad_valorem": _number(
                raw.get("avg_ad_valorem_duty", ""), line, "avg_ad_valorem_duty", problems
            ),
            "codes_with_anti_dumping": _number(
                raw.get("codes_with_anti_dumping", ""),
                line,
                "codes_with_anti_dumping",
                problems,
                int,
            ),
            "codes_with_additional_duty": _number(
                raw.get("codes_with_additional_duty", ""),
                line,
                "codes_with_additional_duty",
                problems,
                int,
            ),
        }
        share = values["duty_free_share"]
        if share is not None and share > 1:
            problems.append((line, "duty_free_share", f"{share} is not a fraction between 0 and 1"))
        if len(problems) > before:
            continue
        seen[iso3] = line
        rows.append(
            {
                "country_iso3": iso3,
                **values,
                # Empty when no preference applies: MFN duties only.
                "arrangements": raw.get("arrangements") or None,
                "licence": "OGL-UK-3.0",
                "valid_from": EU_ACCESS_CHECKED_ON,
                "valid_to": None,
                "source_url": EU_ACCESS_SOURCE,
                "issued_by": "European Commission (EU Common Customs Tariff and TARIC)",
                "last_verified_on": EU_ACCESS_CHECKED_ON,
                "last_verified_by": "checkdutyrates/us-tariff-data",
                "is_demo": False,
            }
        )
    if problems:
        raise DataFileError(path, problems)
    return rows


def read_profile_file(path: Path) -> list[dict[str, Any]]:
    """Validate the demo profile file through the content Input schema."""
    _payload, items = read_json_items(path, "items")
    schema, records, problems, seen = CountryProfileSectionInput(), [], [], {}
    for line, item in items:
        try:
            record = schema.load(item)
        except ValidationError as error:
            for name, why in sorted(error.messages.items()):
                problems.append((line, name, " ".join(map(str, why))))
            continue
        key = (record["country"], record["kind"], record["language"])
        if key in seen:
            problems.append((line, "country/kind/language", f"same as line {seen[key]}"))
            continue
        seen[key] = line
        records.append((line, record))
    if problems:
        raise DataFileError(path, problems)
    return records


def _profile_values(record: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in record.items() if k not in ("country", "kind")}
    values["country_iso3"] = record["country"]
    values["kind"] = ProfileKind(record["kind"])
    return values


def save_profile_section(session: Session, record: dict[str, Any]) -> bool:
    """Upsert one validated profile section on (country, kind, language); True if created."""
    country = session.scalar(select(Country.id).where(Country.iso3 == record["country"]))
    if country is None:
        raise ImportProblem("country", f"{record['country']} is not a known country.")
    values = _profile_values(record)
    section = session.scalar(
        select(CountryProfileSection).where(
            CountryProfileSection.country_iso3 == values["country_iso3"],
            CountryProfileSection.kind == values["kind"],
            CountryProfileSection.language == values["language"],
        )
    )
    created = section is None
    if created:
        section = CountryProfileSection()
        session.add(section)
    for name, value in values.items():
        if getattr(section, name) != value:
            setattr(section, name, value)
    session.flush()
    return created


def export_profile_sections(session: Session):
    """Yield every profile section as the Input schema loads it back."""
    sections = session.scalars(
        select(CountryProfileSection).order_by(
            CountryProfileSection.country_iso3,
            CountryProfileSection.language,
            CountryProfileSection.position,
            CountryProfileSection.kind,
        )
    )
    for section in sections:
        yield {
            "country": section.country_iso3,
            "kind": section.kind.value,
            "language": section.language,
            "title": section.title,
            "body": section.body,
            "position": section.position,
            "valid_from": section.valid_from.isoformat(),
            "valid_to": section.valid_to.isoformat() if section.valid_to else None,
            "source_url": section.source_url,
            "issued_by": section.issued_by,
            "last_verified_on": (
                section.last_verified_on.isoformat() if section.last_verified_on else None
            ),
            "last_verified_by": section.last_verified_by,
            "is_demo": section.is_demo,
        }


def load_countries_reference(
    session: Session, data_dir: Path, progress: Progress = lambda n: None
) -> LoadReport:
    """Load countries, groups, EU access facts and the demo profiles, all checked first."""
    files = {name: data_dir / relative for name, relative in COUNTRY_FILES.items()}
    report = LoadReport()
    countries = read_countries(files["countries"])
    known = {row["iso3"] for row in countries}
    groups = read_groups(files["groups"], known)
    iso3_by_iso2 = {row["iso2"]: row["iso3"] for row in countries}
    eu_access = read_eu_access(files["eu_access"], iso3_by_iso2, report.skipped)
    profiles = read_profile_file(files["profiles"])
    unknown = [
        (line, "country", f"{record['country']} is not in country-codes.csv")
        for line, record in profiles
        if record["country"] not in known
    ]
    if unknown:
        raise DataFileError(files["profiles"], unknown)

    report.counts["countries"] = upsert_rows(session, Country, ("iso3",), countries)
    progress(len(countries))
    report.counts["country group members"] = upsert_rows(
        session, CountryGroupMember, ("group_code", "country_iso3", "valid_from"), groups
    )
    report.counts["EU access profiles"] = upsert_rows(
        session, EuAccessProfile, ("country_iso3",), eu_access
    )
    report.counts["country profile sections"] = upsert_rows(
        session,
        CountryProfileSection,
        ("country_iso3", "kind", "language"),
        [_profile_values(record) for _line, record in profiles],
    )
    progress(len(groups) + len(eu_access) + len(profiles))
    session.flush()
    invalidate_country_codes()
    return report


def countries_reference_size(data_dir: Path) -> int:
    """Count the rows a full load walks through, for the progress bar."""
    total = 0
    for name in ("countries", "groups", "eu_access"):
        with (data_dir / COUNTRY_FILES[name]).open(encoding="utf-8-sig") as handle:
            total += sum(1 for _ in handle) - 1
    profiles = json.loads((data_dir / COUNTRY_FILES["profiles"]).read_text(encoding="utf-8"))
    return total + len(profiles.get("items", []))
