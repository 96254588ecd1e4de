"""An independent reading of the sample files, to check the loader and the filters against.

Deliberately simple and separate from tradeportal.tenders: if both agree, the loader read
what the files say.
"""

import csv
import json
from datetime import date
from pathlib import Path

COUNTRIES = {
    "uganda": "UGA",
    "nigeria": "NGA",
    "uk_contracts_finder": "GBR",
    "canada_buyandsell": "CAN",
    "australia_nsw": "AUS",
}
OPEN = {"planning", "planned", "active"}


def raw_releases(data_dir: Path) -> list[tuple[str, dict]]:
    """Return (file key, release) for every entry of every sample file."""
    found = []
    for key in COUNTRIES:
        entries = json.loads((data_dir / "tenders" / f"{key}_releases.json").read_text())
        found += [(key, entry["release"]) for entry in entries]
    return found


def sample_tenders(data_dir: Path) -> list[dict]:
    """Return one dict per distinct (ocid, id), with the facts the filters work on."""
    tenders: dict[tuple[str, str], dict] = {}
    for key, release in raw_releases(data_dir):
        tender = release.get("tender") or {}
        period = tender.get("tenderPeriod") or {}
        cpv = [
            item["classification"]["id"].strip()
            for item in tender.get("items") or []
            if (item.get("classification") or {}).get("scheme") == "CPV"
        ]
        facts = {
            "country": COUNTRIES[key],
            "language": release["language"][:2].lower(),
            "status": tender.get("status"),
            "published": date.fromisoformat(release["date"][:10]),
            "deadline": date.fromisoformat(period["endDate"][:10])
            if period.get("endDate")
            else None,
            "text": f"{tender.get('title') or ''} {tender.get('description') or ''}".lower(),
            "cpv": cpv,
        }
        tenders.setdefault((release["ocid"], release["id"]), facts)
    return list(tenders.values())


def is_open(tender: dict, day: date) -> bool:
    return (
        tender["published"] <= day
        and tender["status"] in OPEN
        and (tender["deadline"] is None or tender["deadline"] >= day)
    )


def chapters_of(tender: dict, data_dir: Path) -> set[str]:
    """Return the HS chapters a tender's CPV codes lead to through the mapping table."""
    with (data_dir / "tenders" / "cpv_hs_map.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    chapters = set()
    for code in tender["cpv"]:
        if len(code) != 8 or not code.isdigit():
            continue
        prefixes = [row["cpv_prefix"] for row in rows if code.startswith(row["cpv_prefix"])]
        if not prefixes:
            continue
        longest = max(prefixes, key=len)
        chapters |= {
            row["hs_prefix"][:2]
            for row in rows
            if row["cpv_prefix"] == longest and row["hs_prefix"]
        }
    return chapters
