"""Saving and exporting tenders as content records (``flask content import|export tenders``).

A tender's HS links are never imported: they are recomputed from its classifications
through the same CPV -> HS table and function the loader uses. Services flush, never
commit; a save changes only what differs, so importing the same file twice changes nothing.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from tradeportal.content.registry import ImportProblem
from tradeportal.countries.models import Country
from tradeportal.datafiles import DataFileError
from tradeportal.tenders.cpv import CpvHsMap, unlinked_reason
from tradeportal.tenders.models import Tender, TenderHsLink, TenderStatus
from tradeportal.tenders.services import (
    CPV_MAP_FILE,
    link_rows,
    map_classifications,
    read_cpv_table,
)

TENDER_FIELDS = (
    "source",
    "publisher",
    "language",
    "country_iso3",
    "buyer_name",
    "title",
    "title_is_derived",
    "description",
    "procurement_method",
    "main_category",
    "value_amount",
    "value_currency",
    "value_basis",
    "tag",
    "licence_note",
    "sample_files",
    "valid_from",
    "valid_to",
    "source_url",
    "issued_by",
    "last_verified_on",
    "last_verified_by",
    "is_demo",
)
MOMENTS = ("tender_period_start", "tender_period_end", "published_at")
_TABLE_KEY = "tradeportal.tenders.cpv_table"


def _cpv_table(session: Session) -> CpvHsMap:
    """Return the loader's CPV -> HS table, read once per session and file version."""
    data_dir = Path(current_app.config["DATA_DIR"])
    path = data_dir / CPV_MAP_FILE
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
        cached = session.info.get(_TABLE_KEY)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        table = read_cpv_table(session, data_dir)
    except (OSError, DataFileError) as error:
        raise ImportProblem(
            "classifications", f"the CPV -> HS table cannot be read ({error})"
        ) from None
    session.info[_TABLE_KEY] = (stamp, table)
    return table


def save_tender(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one tender on (ocid, release_id) and relink it; True when created."""
    if session.scalar(select(Country.id).where(Country.iso3 == record["country_iso3"])) is None:
        raise ImportProblem("country_iso3", f"{record['country_iso3']} is not a known country.")
    mapped = map_classifications(record["classifications"], _cpv_table(session))
    values = {name: record[name] for name in TENDER_FIELDS + MOMENTS}
    values["status"] = record["status"]
    values["classifications"] = [item.as_json() for item in mapped]
    values["unlinked_reason"] = unlinked_reason(mapped)
    tender = session.scalar(
        select(Tender)
        .where(Tender.ocid == record["ocid"], Tender.release_id == record["release_id"])
        .options(selectinload(Tender.hs_links))
    )
    created = tender is None
    if created:
        tender = Tender(ocid=record["ocid"], release_id=record["release_id"], hs_links=[])
        session.add(tender)
    for name, value in values.items():
        if getattr(tender, name) != value:
            setattr(tender, name, value)
    session.flush()
    wanted = link_rows(tender.id, mapped)
    stored = {
        (link.prefix, link.excluded, link.cpv_code, link.cpv_prefix) for link in tender.hs_links
    }
    if stored != {(r["prefix"], r["excluded"], r["cpv_code"], r["cpv_prefix"]) for r in wanted}:
        # The link table has no delete cascade: swap the rows, then reload the collection.
        session.execute(delete(TenderHsLink).where(TenderHsLink.tender_id == tender.id))
        session.add_all(TenderHsLink(**row) for row in wanted)
        session.flush()
        session.expire(tender, ["hs_links"])
    return created


def _moment(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_tenders(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every tender as the Input schema loads it back."""
    for tender in session.scalars(select(Tender).order_by(Tender.ocid, Tender.release_id)):
        record = {"ocid": tender.ocid, "release_id": tender.release_id}
        record |= {name: getattr(tender, name) for name in TENDER_FIELDS}
        record |= {name: _moment(getattr(tender, name)) for name in MOMENTS}
        for name in ("valid_from", "valid_to", "last_verified_on"):
            record[name] = _moment(record[name])
        record["status"] = tender.status.value if isinstance(tender.status, TenderStatus) else None
        record["classifications"] = tender.classification_codes
        record["sample_files"] = list(tender.sample_files)
        yield record
