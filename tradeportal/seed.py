"""Loading the reference data in ``data/``, skipping datasets whose files did not change.

Each dataset loads in one transaction: a broken file leaves the database as it was.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tradeportal.agreements import services as agreements_services
from tradeportal.countries import services as countries_services
from tradeportal.db import Base, UtcDateTime, utcnow
from tradeportal.hs import services as hs_services
from tradeportal.pages import content as pages_content
from tradeportal.regulations import content as regulations_content
from tradeportal.search import references as search_references
from tradeportal.tariffs import services as tariffs_services
from tradeportal.tenders import services as tenders_services

# Bump a dataset's loader version when its transform changes, so unchanged files reload.
LOADER_VERSIONS = {
    "hs": 1,
    "pages": 1,
    "countries": 1,
    "agreements": 2,
    "tariffs": 1,
    "tenders": 1,
    "regulations": 1,
    "search_references": 1,
}


class DataLoad(Base):
    """The fingerprint of the files a dataset was last loaded from."""

    __tablename__ = "data_loads"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(String(40), unique=True)
    checksum: Mapped[str] = mapped_column(String(64))
    rows_changed: Mapped[int]
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<DataLoad {self.dataset} {self.checksum[:12]} at {self.loaded_at:%Y-%m-%d %H:%M}>"


@dataclass(frozen=True)
class Dataset:
    name: str
    files: tuple[str, ...]
    load: Callable  # (session, data_dir, progress) -> LoadReport
    size: Callable[[Path], int]  # how many rows the progress bar counts


DATASETS = (
    # In dependency order: later datasets check codes against earlier ones.
    Dataset(
        "hs",
        tuple(hs_services.HS_FILES.values()),
        hs_services.load_hs_reference,
        hs_services.hs_reference_size,
    ),
    Dataset(
        "pages",
        (pages_content.DEMO_FILE,),
        pages_content.load_demo_pages,
        pages_content.demo_pages_size,
    ),
    Dataset(
        "countries",
        tuple(countries_services.COUNTRY_FILES.values()),
        countries_services.load_countries_reference,
        countries_services.countries_reference_size,
    ),
    Dataset(
        "agreements",
        (
            *agreements_services.AGREEMENT_FILES.values(),
            *agreements_services.COUNTRY_DEPENDENCIES,
        ),
        agreements_services.load_agreements_reference,
        agreements_services.agreements_reference_size,
    ),
    Dataset(
        "tariffs",
        (*tariffs_services.TARIFF_FILES.values(), *tariffs_services.HS_DEPENDENCIES),
        tariffs_services.load_tariffs,
        tariffs_services.tariffs_size,
    ),
    Dataset(
        "regulations",
        tuple(regulations_content.DEMO_FILES.values()),
        regulations_content.load_demo_content,
        regulations_content.demo_content_size,
    ),
    Dataset(
        "tenders",
        tenders_services.TENDER_FILES,
        tenders_services.load_tenders,
        tenders_services.tenders_size,
    ),
    Dataset(
        "search_references",
        (search_references.REFERENCE_FILE, *search_references.HS_DEPENDENCIES),
        search_references.load_search_references,
        search_references.search_references_size,
    ),
)


def fingerprint(dataset: Dataset, data_dir: Path) -> str:
    """Hash a dataset's files and loader version."""
    digest = hashlib.sha256(f"{dataset.name}:v{LOADER_VERSIONS[dataset.name]}".encode())
    for relative in dataset.files:
        digest.update(relative.encode())
        digest.update((data_dir / relative).read_bytes())
    return digest.hexdigest()


def _last_load(session: Session, dataset: Dataset) -> DataLoad | None:
    return session.scalar(select(DataLoad).where(DataLoad.dataset == dataset.name))


def is_up_to_date(session: Session, dataset: Dataset, data_dir: Path) -> bool:
    """Tell whether the dataset was last loaded from exactly these files."""
    last = _last_load(session, dataset)
    return last is not None and last.checksum == fingerprint(dataset, data_dir)


def load_dataset(
    session: Session,
    dataset: Dataset,
    data_dir: Path,
    progress: Callable[[int], None] = lambda n: None,
):
    """Load one dataset and record its fingerprint; the caller commits."""
    report = dataset.load(session, data_dir, progress)
    last = _last_load(session, dataset)
    if last is None:
        last = DataLoad(dataset=dataset.name)
        session.add(last)
    last.checksum = fingerprint(dataset, data_dir)
    last.rows_changed = report.changed
    last.loaded_at = utcnow()
    session.flush()
    return report
