"""Loading the UK preference schemes and their product-specific rules of origin.

Source: the UK Trade Tariff backend (HMRC), rules of origin files. Services flush, never commit.
"""

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.agreements.models import (
    OriginRule,
    OriginRuleSet,
    PreferenceScheme,
    SchemeCountry,
)
from tradeportal.countries.jsonfile import read_json_items
from tradeportal.datafiles import DataFileError, LoadReport
from tradeportal.db import upsert_rows

SOURCE_COMMIT = "3c0266943e2746de296ea4d5ad2e1979154df5ea"
SOURCE_BASE = (
    f"https://github.com/trade-tariff/trade-tariff-backend/blob/{SOURCE_COMMIT}/lib/rules_of_origin"
)
SCHEMES_SOURCE_URL = f"{SOURCE_BASE}/roo_schemes_uk.json"
RULE_SET_SOURCE_URLS = {"esa": f"{SOURCE_BASE}/roo_schemes_uk/rule_sets/esa.json"}
ISSUER = "UK Trade Tariff (HM Revenue & Customs)"
MARKET = "GBR"  # the file's scope is "uk": these are the UK's schemes
# UK Trade Tariff geographical-area codes that are not ISO 3166 alpha-2.
UK_AREA_CODES = {"XS": "SRB"}  # Serbia
# UK areas with no ISO 3166 code at all: kept, matched to no country page.
UK_AREAS_WITHOUT_ISO = {"XK": "Kosovo"}
# Guidance links in the source may be relative to the UK Trade Tariff site.
UK_TARIFF_SITE = "https://www.trade-tariff.service.gov.uk"
WEB_SCHEMES = ("https://", "http://")
CODE_RANGE = re.compile(r"[0-9]{10}")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MARKDOWN_BOLD = re.compile(r"\*\*(.+?)\*\*")
TAG = re.compile(r"<[^>]+>")


def plain_text(markdown: str) -> str:
    """Turn the source's Markdown into plain text: links keep their words, no emphasis."""
    text = MARKDOWN_LINK.sub(r"\1", markdown)
    text = MARKDOWN_BOLD.sub(r"\1", text)
    return html.unescape(text).strip()


def text_of_html(fragment: str) -> str:
    """Reduce a small HTML fragment (a scheme footnote) to plain text."""
    text = TAG.sub(" ", fragment.replace("</li>", ";"))
    return re.sub(r"\s+", " ", html.unescape(text)).strip(" ;")


def match_area_code(
    code: str, iso3_by_iso2: dict[str, str], known_groups: set[str]
) -> tuple[str | None, str | None]:
    """Match a scheme's country code to (ISO3, group code); (None, None) when unknown.

    Codes are read as the UK tariff writes them (its own area codes, ISO alpha-2, group
    codes such as EU); an ISO alpha-3 code a person typed is accepted too.
    """
    iso3 = UK_AREA_CODES.get(code) or iso3_by_iso2.get(code)
    if iso3 is None and len(code) == 3 and code in iso3_by_iso2.values():
        iso3 = code
    group = code if iso3 is None and code in known_groups else None
    return iso3, group


def tidy_link(link) -> dict[str, str] | None:
    """Return a guidance link as {text, url} (url an absolute web address or None), or None.

    The source has a few slips: addresses relative to the UK Trade Tariff site, a link
    whose text and address are swapped, and an empty one (dropped).
    """
    if not isinstance(link, dict):
        return None
    text, url = (link.get("text") or "").strip(), (link.get("url") or "").strip()
    if text.startswith(WEB_SCHEMES) and not url.startswith(WEB_SCHEMES):
        text, url = url, text
    if url.startswith("/"):
        url = UK_TARIFF_SITE + url
    if not text:
        return None
    return {"text": text, "url": url if url.startswith(WEB_SCHEMES) else None}


@dataclass
class SchemeRow:
    number: int  # the line the scheme starts on
    values: dict[str, Any]
    countries: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    own_labels: int = 0


def _date(raw, number: int, name: str, problems: list, required: bool) -> date | None:
    if raw is None and not required:
        return None
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        problems.append((number, name, f"{raw!r} is not a YYYY-MM-DD date"))
        return None


def read_schemes(
    path: Path, iso3_by_iso2: dict[str, str], known_groups: set[str]
) -> dict[str, SchemeRow]:
    """Read and check the UK schemes file; a problem names the line its scheme starts on."""
    payload, items = read_json_items(path, "schemes")
    proof_urls = payload.get("proof_urls") or {}
    schemes, problems = {}, []
    for number, item in items:
        before = len(problems)
        if not isinstance(item, dict):
            problems.append((number, "scheme", "is not an object"))
            continue
        code, title = item.get("scheme_code"), item.get("title")
        if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9-]{2,40}", code):
            problems.append((number, "scheme_code", f"{code!r} is not a scheme code"))
        elif code in schemes:
            problems.append((number, "scheme_code", f"{code} appears twice"))
        if not isinstance(title, str) or not title.strip():
            problems.append((number, "title", "is empty"))
        valid_from = _date(
            item.get("validity_start_date"), number, "validity_start_date", problems, True
        )
        valid_to = _date(
            item.get("validity_end_date"), number, "validity_end_date", problems, False
        )
        if valid_from and valid_to and valid_to < valid_from:
            problems.append((number, "validity_end_date", "is before the start date"))
        countries = item.get("countries")
        if not isinstance(countries, list) or not all(isinstance(c, str) for c in countries):
            problems.append((number, "countries", "is not a list of codes"))
            countries = []
        if len(problems) > before:
            continue
        ord_ = item.get("ord") or {}
        links = [found for link in item.get("links") or [] if (found := tidy_link(link))]
        row = SchemeRow(
            number,
            {
                "code": code,
                "title": title.strip(),
                "market_iso3": MARKET,
                "is_unilateral": bool(item.get("unilateral")),
                "proofs": [
                    {
                        "summary": proof.get("summary", ""),
                        "url": proof_urls.get(proof.get("proof_class")),
                    }
                    for proof in item.get("proofs") or []
                ],
                "links": links,
                # Some schemes have an empty Origin Reference Document: no ORD at all.
                "ord_title": ord_.get("ord_title") or None,
                "ord_version": ord_.get("ord_version") or None,
                "ord_date": ord_.get("ord_date") or None,
                "footnote": text_of_html(item["footnote"]) if item.get("footnote") else None,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "source_url": SCHEMES_SOURCE_URL,
                "issued_by": ISSUER,
                "is_demo": False,
            },
        )
        for source_code in dict.fromkeys(countries):
            if source_code == code:  # "andean" lists itself: a label, not a country
                row.own_labels += 1
                continue
            iso3, group = match_area_code(source_code, iso3_by_iso2, known_groups)
            if iso3 is None and group is None:
                row.unmatched.append(source_code)
            row.countries.append(
                {"source_code": source_code, "country_iso3": iso3, "group_code": group}
            )
        schemes[code] = row
    if problems:
        raise DataFileError(path, problems)
    return schemes


def read_rule_sets(path: Path, scheme_code: str, schemes: dict[str, SchemeRow]) -> list[dict]:
    """Read and check a scheme's product-specific rule sets."""
    if scheme_code not in schemes:
        raise DataFileError(path, [(0, "scheme", f"{scheme_code} is not in the schemes file")])
    _payload, items = read_json_items(path, "rule_sets")
    rule_sets, problems = [], []
    for position, (number, item) in enumerate(items, start=1):
        before = len(problems)
        if not isinstance(item, dict):
            problems.append((number, "rule set", "is not an object"))
            continue
        low, high = item.get("min"), item.get("max")
        for name, value in (("min", low), ("max", high)):
            if not isinstance(value, str) or not CODE_RANGE.fullmatch(value):
                problems.append((number, name, f"{value!r} is not a 10-digit code"))
        if len(problems) == before and low > high:
            problems.append((number, "max", f"{high} is below min {low}"))
        heading, chapter = item.get("heading"), item.get("chapter")
        if not isinstance(heading, str) or not heading.strip() or len(heading) > 40:
            problems.append((number, "heading", f"{heading!r} is not a heading label"))
        if not isinstance(chapter, int) or not 1 <= chapter <= 99:
            problems.append((number, "chapter", f"{chapter!r} is not a chapter number"))
        elif len(problems) == before and low[:2] != f"{chapter:02d}":
            problems.append((number, "chapter", f"{chapter} does not match the range {low}"))
        if item.get("valid") is not True:
            problems.append((number, "valid", "the source marks this rule set as not valid"))
        rules = item.get("rules")
        if not isinstance(rules, list) or not rules:
            problems.append((number, "rules", "there are no rules"))
            rules = []
        parsed = []
        for rule_number, rule in enumerate(rules, start=1):
            text = rule.get("rule") if isinstance(rule, dict) else None
            classes = rule.get("class") if isinstance(rule, dict) else None
            where = f"rules[{rule_number}]"
            if not isinstance(text, str) or not text.strip():
                problems.append((number, f"{where}.rule", "is empty"))
                continue
            if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
                problems.append((number, f"{where}.class", "is not a list of classes"))
                continue
            operator = rule.get("operator")
            if operator not in (None, "or", "and"):
                problems.append((number, f"{where}.operator", f"{operator!r} is unknown"))
                continue
            parsed.append(
                {
                    "position": rule_number,
                    "text": plain_text(text),
                    "rule_class": "; ".join(classes)[:200] or None,
                    "operator": operator,
                }
            )
        if len(problems) > before:
            continue
        scheme = schemes[scheme_code].values
        rule_sets.append(
            {
                "values": {
                    "position": position,
                    "heading": heading.strip(),
                    "chapter": chapter,
                    "code_min": low,
                    "code_max": high,
                    "subdivision": (item.get("subdivision") or "").strip(),
                    "valid_from": scheme["valid_from"],
                    "valid_to": scheme["valid_to"],
                    "source_url": RULE_SET_SOURCE_URLS.get(scheme_code, SCHEMES_SOURCE_URL),
                    "issued_by": ISSUER,
                    "is_demo": False,
                },
                "rules": parsed,
            }
        )
    if problems:
        raise DataFileError(path, problems)
    return rule_sets


def load_schemes(session: Session, schemes: dict[str, SchemeRow], report: LoadReport) -> None:
    """Upsert the schemes and their country lists."""
    report.counts["preference schemes"] = upsert_rows(
        session, PreferenceScheme, ("code",), [row.values for row in schemes.values()]
    )
    ids = dict(session.execute(select(PreferenceScheme.code, PreferenceScheme.id)).all())
    report.counts["scheme countries"] = upsert_rows(
        session,
        SchemeCountry,
        ("scheme_id", "source_code"),
        [
            {"scheme_id": ids[code], **country}
            for code, row in schemes.items()
            for country in row.countries
        ],
    )
    own_labels = sum(row.own_labels for row in schemes.values())
    if own_labels:
        report.skipped["scheme labels listed among a scheme's own countries"] = own_labels
    unmatched = sorted({code for row in schemes.values() for code in row.unmatched})
    if unmatched:
        report.skipped[
            "scheme country code(s) matched to no ISO3 country or group (kept unmatched): "
            + "; ".join(unmatched)
        ] = len(unmatched)


def load_rule_sets(
    session: Session, scheme_code: str, rule_sets: list[dict], report: LoadReport
) -> None:
    """Upsert a scheme's rule sets (keyed by their position in the file) and their rules."""
    scheme_id = session.scalar(
        select(PreferenceScheme.id).where(PreferenceScheme.code == scheme_code)
    )
    in_scheme = OriginRuleSet.scheme_id == scheme_id
    report.counts[f"{scheme_code} origin rule sets"] = upsert_rows(
        session,
        OriginRuleSet,
        ("scheme_id", "position"),
        [{"scheme_id": scheme_id, **rule_set["values"]} for rule_set in rule_sets],
        scope=in_scheme,
    )
    ids = dict(
        session.execute(select(OriginRuleSet.position, OriginRuleSet.id).where(in_scheme)).all()
    )
    report.counts[f"{scheme_code} origin rules"] = upsert_rows(
        session,
        OriginRule,
        ("rule_set_id", "position"),
        [
            {"rule_set_id": ids[rule_set["values"]["position"]], **rule}
            for rule_set in rule_sets
            for rule in rule_set["rules"]
        ],
        scope=OriginRule.rule_set_id.in_(select(OriginRuleSet.id).where(in_scheme)),
    )


def files_size(schemes_path: Path, rule_sets_path: Path) -> int:
    """Count schemes and rule sets, for the progress bar."""
    schemes = json.loads(schemes_path.read_text(encoding="utf-8")).get("schemes", [])
    rule_sets = json.loads(rule_sets_path.read_text(encoding="utf-8")).get("rule_sets", [])
    return len(schemes) + len(rule_sets)
