"""Tenders: one row per OCDS release, and its links to HS prefixes derived from CPV codes."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradeportal.db import Base, UtcDateTime, value_enum
from tradeportal.hs.prefixes import HsPrefixLinkMixin, prefix_link_constraints
from tradeportal.provenance import ProvenanceMixin
from tradeportal.validity import ValidityMixin

# Where the sample files come from: open-contracting/sample-data, at the parent of the commit
# that deleted its real examples. Each tender links to its exact file there.
SAMPLE_REPOSITORY = "https://github.com/open-contracting/sample-data"
SAMPLE_COMMIT = "546c06a868e867a2daeee01fed5dd09dbf25b477"


class TenderStatus(enum.Enum):
    """The OCDS tender status codelist, stored as published."""

    PLANNING = "planning"
    PLANNED = "planned"
    ACTIVE = "active"
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"
    COMPLETE = "complete"
    WITHDRAWN = "withdrawn"


# A tender can still be answered while it is being planned or is active (until its deadline).
OPEN_STATUSES = (TenderStatus.PLANNING, TenderStatus.PLANNED, TenderStatus.ACTIVE)
LANGUAGES = {"en": "English", "fr": "French"}


class Tender(ValidityMixin, ProvenanceMixin, Base):
    """A procurement release: ``valid_from`` is its release date, ``valid_to`` its deadline."""

    __tablename__ = "tenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    ocid: Mapped[str] = mapped_column(String(200))
    release_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(40))  # the data file, e.g. "uk_contracts_finder"
    publisher: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    country_iso3: Mapped[str] = mapped_column(String(3), index=True)
    buyer_name: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300))
    # True when the release has no tender title and one was taken from its texts.
    title_is_derived: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TenderStatus | None] = mapped_column(value_enum(TenderStatus))
    procurement_method: Mapped[str | None] = mapped_column(String(40))
    main_category: Mapped[str | None] = mapped_column(String(40))
    # Money as published; amounts stay far below float precision limits at two decimals.
    value_amount: Mapped[float | None] = mapped_column(Numeric(18, 2, asdecimal=False))
    value_currency: Mapped[str | None] = mapped_column(String(3))
    value_basis: Mapped[str | None] = mapped_column(String(20))  # tender, budget, award, contract
    tender_period_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    tender_period_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    tag: Mapped[str] = mapped_column(String(100))
    # [{"scheme": "CPV", "id": "32000000", "problem": None or why it gives no HS link}]
    classifications: Mapped[list] = mapped_column(JSON)
    unlinked_reason: Mapped[str | None] = mapped_column(String(200))
    licence_note: Mapped[str] = mapped_column(String(300))
    sample_files: Mapped[list] = mapped_column(JSON)

    hs_links: Mapped[list["TenderHsLink"]] = relationship(
        back_populates="tender", order_by="TenderHsLink.prefix"
    )

    __table_args__ = (
        UniqueConstraint("ocid", "release_id"),
        CheckConstraint("language IN ('en', 'fr')", name="language_known"),
    )

    def __repr__(self) -> str:
        return f"<Tender {self.ocid} {self.release_id} {self.country_iso3} {self.language}>"

    @property
    def deadline(self) -> date | None:
        return self.valid_to

    @property
    def classification_codes(self) -> list[str]:
        """Return the classifications as "scheme:id" strings."""
        return [f"{item['scheme']}:{item['id']}" for item in self.classifications]

    @property
    def sample_urls(self) -> list[str]:
        """Return links to the exact sample files this tender was read from."""
        return [f"{SAMPLE_REPOSITORY}/blob/{SAMPLE_COMMIT}/{path}" for path in self.sample_files]

    def is_open_on(self, day: date) -> bool:
        """Tell whether the tender was published and still answerable on ``day``."""
        return self.status in OPEN_STATUSES and self.is_valid_on(day)

    @classmethod
    def open_on(cls, day: date):
        """SQL condition: published by ``day``, open status, deadline not passed (inclusive)."""
        return and_(cls.status.in_(OPEN_STATUSES), cls.valid_on(day))

    @classmethod
    def closed_on(cls, day: date):
        """SQL condition: published by ``day`` and no longer (or never) open on it."""
        return and_(
            cls.valid_from <= day,
            or_(cls.status.is_(None), cls.status.not_in(OPEN_STATUSES), cls.valid_to < day),
        )


class TenderHsLink(HsPrefixLinkMixin, Base):
    """An HS prefix a tender is about, derived from one of its CPV codes."""

    __tablename__ = "tender_hs_links"

    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"))
    cpv_code: Mapped[str] = mapped_column(String(12))  # the classification id as published
    cpv_prefix: Mapped[str] = mapped_column(String(8))  # the mapping row it went through

    tender: Mapped[Tender] = relationship(back_populates="hs_links")

    __table_args__ = prefix_link_constraints("tender_id")

    def __repr__(self) -> str:
        return f"<TenderHsLink tender={self.tender_id} {self.prefix} via CPV {self.cpv_prefix}>"
