"""Loading the OCDS sample releases and linking them to HS prefixes (flush, never commit)."""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tradeportal.datafiles import LoadReport, Progress
from tradeportal.db import upsert_rows
from tradeportal.hs.models import HsNode, Nomenclature
from tradeportal.i18n import N_
from tradeportal.tenders.cpv import (
    MALFORMED_CPV,
    CpvHsMap,
    MappedClassification,
    map_classification,
    read_cpv_hs_map,
    unlinked_reason,
)
from tradeportal.tenders.models import Tender, TenderHsLink
from tradeportal.tenders.releases import (
    InvalidRelease,
    ReleaseFileError,
    ReleaseRecord,
    load_release_file,
    read_release,
)


@dataclass(frozen=True)
class Source:
    """One sample file: the country its publisher serves and what we know of its licence."""

    iso3: str
    publisher: str
    licence: str


# The licence notes are stored with each tender (and exported) in English; the catalog
# knows them (N_), so the pages show them in the language of the page.
SOURCES = {
    "uganda": Source(
        "UGA",
        "Public Procurement and Disposal of Public Assets Authority (PPDA), Uganda",
        N_(
            "Licence unknown: not stated in the file or the sample repository. Sample data, "
            "not current tenders."
        ),
    ),
    "nigeria": Source(
        "NGA",
        "Bureau of Public Procurement, Nigeria (Nigeria Open Contracting Portal)",
        N_(
            "Licence unknown: not stated in the file or the sample repository. Sample data, "
            "not current tenders."
        ),
    ),
    "uk_contracts_finder": Source(
        "GBR",
        "Contracts Finder (UK Government)",
        N_(
            "Not stated in the file; Contracts Finder data is normally published under the Open"
            " Government Licence v3.0. Sample data, not current tenders."
        ),
    ),
    "canada_buyandsell": Source(
        "CAN",
        "Buyandsell.gc.ca - Achatsetventes.gc.ca",
        N_(
            "Not stated in the file; buyandsell.gc.ca data is normally published under the Open"
            " Government Licence - Canada. Sample data, not current tenders."
        ),
    ),
    "australia_nsw": Source(
        "AUS",
        "NSW Government eTendering (NSW office of Procurement)",
        N_("CC BY 3.0 AU, as stated in the release package. Sample data, not current tenders."),
    ),
}
# The Canadian file also holds the Ville de Montréal's releases (in French).
FOLDER_PUBLISHERS = {
    "real-examples/canada/montreal/": Source(
        "CAN",
        "Ville de Montréal",
        N_(
            "Licence not stated in the file or the sample repository. Sample data, not current "
            "tenders."
        ),
    ),
}

CPV_MAP_FILE = "tenders/cpv_hs_map.csv"
RELEASE_FILES = {name: f"tenders/{name}_releases.json" for name in SOURCES}
# The mapping may only name HS 2022 codes: a new HS file must re-check it.
HS_DEPENDENCIES = ("hs/hs2022.csv",)
TENDER_FILES = (*RELEASE_FILES.values(), CPV_MAP_FILE, *HS_DEPENDENCIES)


@dataclass
class TenderLoadReport(LoadReport):
    """A load report that also says what was read and why tenders stay unlinked."""

    releases_read: int = 0
    releases_by_language: Counter = field(default_factory=Counter)
    releases_by_source: Counter = field(default_factory=Counter)
    duplicates_merged: int = 0
    unlinked: Counter = field(default_factory=Counter)  # reason -> tenders
    # (ocid, classification id, problem) for every classification that gives no link
    classification_problems: list[tuple[str, str, str]] = field(default_factory=list)
    language_mismatches: list[tuple[str, str, str]] = field(default_factory=list)
    links_deleted: int = 0

    @property
    def changed(self) -> int:
        return super().changed + self.links_deleted


def read_release_files(
    data_dir: Path, report: TenderLoadReport, progress: Progress = lambda n: None
) -> list[tuple[str, ReleaseRecord]]:
    """Read every release file, refusing a file with any bad release (all of them listed)."""
    records = []
    for source, relative in RELEASE_FILES.items():
        path = data_dir / relative
        problems, found = [], []
        for position, entry in enumerate(load_release_file(path), start=1):
            try:
                found.append(read_release(entry))
            except InvalidRelease as error:
                problems.append((position, error.field, error.reason))
        if problems:
            raise ReleaseFileError(path, problems)
        for record in found:
            records.append((source, record))
            report.releases_by_source[source] += 1
            report.releases_by_language[record.language] += 1
            if record.detected_language not in (None, record.language):
                report.language_mismatches.append(
                    (record.ocid, record.language, record.detected_language)
                )
        report.releases_read += len(found)
        progress(len(found))
    return records


def merge_duplicates(
    records: list[tuple[str, ReleaseRecord]],
) -> list[tuple[str, ReleaseRecord]]:
    """Merge releases published twice (OCDS 1.0 and its 1.1 upgrade) into one record.

    The release that states an OCDS version (the 1.1 upgrade) wins field by field; the
    other fills its gaps (the UK 1.0 files carry the Contracts Finder address, the 1.1
    files name the real buyer instead of the republisher).
    """
    groups: dict[tuple[str, str], list[tuple[str, ReleaseRecord]]] = {}
    for source, record in records:
        groups.setdefault(record.key, []).append((source, record))
    merged = []
    for group in groups.values():
        group.sort(key=lambda pair: pair[1].version is None)
        source, first = group[0]
        for _other_source, other in group[1:]:
            for name, value in vars(other).items():
                if name == "sample_files":
                    first.sample_files = sorted({*first.sample_files, *value})
                elif _is_blank(getattr(first, name)) and not _is_blank(value):
                    setattr(first, name, value)
        merged.append((source, first))
    return merged


def _is_blank(value) -> bool:
    return value is None or value == "" or value == []


def known_hs_codes(session: Session) -> set[str]:
    """Return the HS 2022 codes in the database (the mapping may only name those)."""
    statement = (
        select(HsNode.code)
        .join(Nomenclature, HsNode.nomenclature_id == Nomenclature.id)
        .where(Nomenclature.code == "HS2022")
    )
    return set(session.scalars(statement))


def _publisher(source: str, record: ReleaseRecord) -> Source:
    for folder, publisher in FOLDER_PUBLISHERS.items():
        if any(path.startswith(folder) for path in record.sample_files):
            return publisher
    return SOURCES[source]


def tender_row(source: str, record: ReleaseRecord, mapped: list[MappedClassification]) -> dict:
    """Build the Tender row of a release."""
    publisher = _publisher(source, record)
    return {
        "ocid": record.ocid,
        "release_id": record.release_id,
        "source": source,
        "publisher": publisher.publisher,
        "language": record.language,
        "country_iso3": publisher.iso3,
        "buyer_name": record.buyer_name,
        "title": record.title or f"Release {record.release_id}",
        "title_is_derived": record.title_is_derived,
        "description": record.description,
        "status": record.status,
        "procurement_method": record.procurement_method,
        "main_category": record.main_category,
        "value_amount": record.value_amount,
        "value_currency": record.value_currency,
        "value_basis": record.value_basis,
        "tender_period_start": record.tender_period_start,
        "tender_period_end": record.tender_period_end,
        "published_at": record.published_at,
        "tag": record.tag,
        "classifications": [item.as_json() for item in mapped],
        "unlinked_reason": unlinked_reason(mapped),
        "licence_note": publisher.licence,
        "sample_files": record.sample_files,
        "valid_from": record.published_on,
        "valid_to": record.deadline_on,
        "source_url": record.source_url,
        "issued_by": publisher.publisher,
        "is_demo": False,
    }


def read_cpv_table(session: Session, data_dir: Path) -> CpvHsMap:
    """Read the CPV -> HS table, checked against the HS 2022 codes in the database."""
    return read_cpv_hs_map(data_dir / CPV_MAP_FILE, known_hs_codes(session))


def map_classifications(
    classifications: list[tuple[str, str]], table: CpvHsMap
) -> list[MappedClassification]:
    """Map a tender's (scheme, id) classifications to HS prefixes (loader and imports alike)."""
    return [map_classification(scheme, code, table) for scheme, code in classifications]


def link_rows(tender_id: int, mapped: list[MappedClassification]) -> list[dict]:
    """Build the HS links of a tender: one per HS prefix, through its first CPV code."""
    rows: dict[str, dict] = {}
    for item in mapped:
        for hs_prefix in item.hs_prefixes:
            rows.setdefault(
                hs_prefix,
                {
                    "tender_id": tender_id,
                    "prefix": hs_prefix,
                    "excluded": False,
                    "cpv_code": item.id,
                    "cpv_prefix": item.cpv_prefix,
                },
            )
    return list(rows.values())


def load_tenders(
    session: Session, data_dir: Path, progress: Progress = lambda n: None
) -> TenderLoadReport:
    """Load every sample release as a tender and link it to HS prefixes via its CPV codes."""
    report = TenderLoadReport()
    table = read_cpv_table(session, data_dir)
    records = read_release_files(data_dir, report, progress)
    unique = merge_duplicates(records)
    report.duplicates_merged = len(records) - len(unique)

    rows, mapped_by_key, rejected_urls = [], {}, 0
    for source, record in unique:
        mapped = map_classifications(record.classifications, table)
        mapped_by_key[record.key] = mapped
        rows.append(tender_row(source, record, mapped))
        if record.source_url_rejected and not record.source_url:
            rejected_urls += 1
        reason = unlinked_reason(mapped)
        if reason:
            report.unlinked[reason] += 1
        report.classification_problems += [
            (record.ocid, item.id, item.problem) for item in mapped if item.problem
        ]
    report.counts["tenders"] = upsert_rows(session, Tender, ("ocid", "release_id"), rows)

    ids = {
        (ocid, release_id): tender_id
        for tender_id, ocid, release_id in session.execute(
            select(Tender.id, Tender.ocid, Tender.release_id)
        )
    }
    wanted = [row for key, mapped in mapped_by_key.items() for row in link_rows(ids[key], mapped)]
    report.counts["tender HS links"] = upsert_rows(
        session, TenderHsLink, ("tender_id", "prefix"), wanted
    )
    # Links are derived from the mapping table: a row the table no longer gives goes away.
    loaded_ids = [ids[key] for key in mapped_by_key]
    keep = {(row["tender_id"], row["prefix"]) for row in wanted}
    stale = [
        link_id
        for link_id, tender_id, prefix in session.execute(
            select(TenderHsLink.id, TenderHsLink.tender_id, TenderHsLink.prefix).where(
                TenderHsLink.tender_id.in_(loaded_ids)
            )
        )
        if (tender_id, prefix) not in keep
    ]
    if stale:
        session.execute(delete(TenderHsLink).where(TenderHsLink.id.in_(stale)))
    report.links_deleted = len(stale)
    session.flush()
    _summarise(report, rejected_urls)
    return report


def _summarise(report: TenderLoadReport, rejected_urls: int) -> None:
    """Write the report's "skipped" lines, as `flask seed` prints them."""
    if report.duplicates_merged:
        report.skipped[
            "duplicate release(s) merged: same ocid and id published in OCDS 1.0 and 1.1"
        ] = report.duplicates_merged
    for reason, count in sorted(report.unlinked.items()):
        report.skipped[f"tender(s) left without an HS link: {reason}"] = count
    malformed = [
        code for _, code, problem in report.classification_problems if problem == MALFORMED_CPV
    ]
    if malformed:
        listed = ", ".join(sorted(set(malformed)))
        report.skipped[f"malformed CPV id(s), reported and not linked: {listed}"] = len(malformed)
    if rejected_urls:
        report.skipped["release address(es) that are not web links, not kept"] = rejected_urls
    if report.language_mismatches:
        report.skipped["release(s) whose language field disagrees with the text"] = len(
            report.language_mismatches
        )


def tenders_size(data_dir: Path) -> int:
    """Count the releases a full load reads, for the progress bar."""
    total = 0
    for relative in RELEASE_FILES.values():
        try:
            entries = json.loads((data_dir / relative).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # the load itself reports the broken file
        total += len(entries) if isinstance(entries, list) else 0
    return total
