"""Tariff models: schedules of MFN duties by market, their lines, preferences and taxes.

Every rate keeps the text as published (``rate_text``) next to what the parser read from it
(``rate_kind``, ``ad_valorem_pct`` for sorting, ``rate_parts`` as JSON; see ``rates.py``).
"""

import enum
from datetime import date

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradeportal.db import Base, value_enum
from tradeportal.hs.prefixes import HsPrefixLinkMixin, prefix_link_constraints
from tradeportal.provenance import ProvenanceMixin
from tradeportal.tariffs.rates import ParsedRate, RateKind, rate_from_json
from tradeportal.validity import ValidityMixin

VALIDITY_ORDERED = "valid_to IS NULL OR valid_to >= valid_from"


class RatedMixin:
    """A rate as published and as read by the parser."""

    rate_text: Mapped[str] = mapped_column(String(300))
    rate_kind: Mapped[RateKind] = mapped_column(value_enum(RateKind))
    ad_valorem_pct: Mapped[float | None] = mapped_column(Float)
    rate_parts: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    @property
    def parsed_rate(self) -> ParsedRate:
        return rate_from_json(self.rate_text, self.rate_kind, self.rate_parts)


class TariffSchedule(ValidityMixin, ProvenanceMixin, Base):
    """A market's schedule of MFN import duties, e.g. the UK Global Tariff 2021."""

    __tablename__ = "tariff_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # The market that applies it: an ISO3 code, or a group code ("EU") whose members on a
    # day come from tradeportal.countries.queries.members_of.
    reporter: Mapped[str] = mapped_column(String(20))
    nomenclature: Mapped[str] = mapped_column(String(20))  # the HS edition it is built on
    currency: Mapped[str | None] = mapped_column(String(3))
    recorded_on: Mapped[date | None]  # when the source recorded these rates
    notes: Mapped[str | None] = mapped_column(Text)

    markets: Mapped[list["TariffScheduleMarket"]] = relationship(
        back_populates="schedule", order_by="TariffScheduleMarket.valid_from"
    )

    __table_args__ = (CheckConstraint(VALIDITY_ORDERED, name="validity_ordered"),)

    def __repr__(self) -> str:
        return f"<TariffSchedule {self.code} {self.reporter} from {self.valid_from}>"


class TariffScheduleMarket(ValidityMixin, Base):
    """A market that applied a schedule besides its reporter for a while.

    The UK applied the EU Common External Tariff during 2020, after leaving the EU on
    31 January but before the end of the transition period.
    """

    __tablename__ = "tariff_schedule_markets"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("tariff_schedules.id"))
    market: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(500))

    schedule: Mapped[TariffSchedule] = relationship(back_populates="markets")

    __table_args__ = (
        UniqueConstraint("schedule_id", "market", "valid_from"),
        CheckConstraint(VALIDITY_ORDERED, name="validity_ordered"),
    )

    def __repr__(self) -> str:
        return f"<TariffScheduleMarket {self.market} of schedule {self.schedule_id}>"


class TariffLine(RatedMixin, ValidityMixin, ProvenanceMixin, Base):
    """One national tariff line of a schedule with its MFN rate and the file's flags."""

    __tablename__ = "tariff_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("tariff_schedules.id"))
    code: Mapped[str] = mapped_column(String(10))  # 8 or 10 digits, in the schedule's edition
    description: Mapped[str] = mapped_column(Text)
    # From the file; None where the file says nothing about this schedule's market.
    trade_remedy: Mapped[bool | None]
    suspension: Mapped[bool | None]
    quota: Mapped[bool | None]
    # The UK kept the EU rate on these lines until its trade remedy reviews concluded.
    eu_rate_retained: Mapped[bool | None]
    change_note: Mapped[str | None] = mapped_column(String(40))  # "Simplified", "Liberalised"…

    schedule: Mapped[TariffSchedule] = relationship()

    __table_args__ = (
        UniqueConstraint("schedule_id", "code"),
        CheckConstraint("length(code) IN (8, 10)", name="national_code_length"),
        CheckConstraint(VALIDITY_ORDERED, name="validity_ordered"),
    )

    def __repr__(self) -> str:
        return f"<TariffLine {self.code} {self.rate_text!r} schedule={self.schedule_id}>"


class TariffLineLink(HsPrefixLinkMixin, Base):
    """A tariff line's link to an HS code: its own national code, or an HS 2022 successor."""

    __tablename__ = "tariff_line_links"

    line_id: Mapped[int] = mapped_column(ForeignKey("tariff_lines.id", ondelete="CASCADE"))
    nomenclature: Mapped[str] = mapped_column(String(20))  # the edition the prefix belongs to
    # The line's HS 2017 subheading was split between several HS 2022 subheadings.
    split: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        *prefix_link_constraints("line_id"),
        Index("ix_tariff_line_links_nomenclature_prefix", "nomenclature", "prefix"),
    )

    def __repr__(self) -> str:
        return f"<TariffLineLink line={self.line_id} {self.nomenclature} {self.prefix}>"


class TaxKind(enum.Enum):
    VAT = "vat"
    EXCISE = "excise"
    OTHER = "other"


class InternalTax(RatedMixin, ValidityMixin, ProvenanceMixin, Base):
    """A tax a country levies on goods whatever their origin (VAT, excise…).

    A tax without including links applies to all goods, minus its excluding links.
    """

    __tablename__ = "internal_taxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_iso3: Mapped[str] = mapped_column(String(3), index=True)
    kind: Mapped[TaxKind] = mapped_column(value_enum(TaxKind))
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    links: Mapped[list["InternalTaxLink"]] = relationship(order_by="InternalTaxLink.prefix")

    __table_args__ = (
        UniqueConstraint("country_iso3", "name", "valid_from"),
        CheckConstraint(VALIDITY_ORDERED, name="validity_ordered"),
    )

    def __repr__(self) -> str:
        return f"<InternalTax {self.country_iso3} {self.name} {self.rate_text!r}>"


class InternalTaxLink(HsPrefixLinkMixin, Base):
    __tablename__ = "internal_tax_links"

    tax_id: Mapped[int] = mapped_column(ForeignKey("internal_taxes.id", ondelete="CASCADE"))

    __table_args__ = prefix_link_constraints("tax_id")

    def __repr__(self) -> str:
        return f"<InternalTaxLink tax={self.tax_id} {'-' if self.excluded else ''}{self.prefix}>"


class PreferentialRate(RatedMixin, ValidityMixin, ProvenanceMixin, Base):
    """A rate a schedule grants to goods originating in some countries under an agreement.

    It applies only when the goods meet the agreement's rules of origin. Without including
    links it covers every line of the schedule, minus its excluding links.
    """

    __tablename__ = "preferential_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("tariff_schedules.id"))
    scheme_code: Mapped[str] = mapped_column(String(40))  # "esa", as the agreements area
    agreement_name: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)

    schedule: Mapped[TariffSchedule] = relationship()
    origins: Mapped[list["PreferenceOrigin"]] = relationship(order_by="PreferenceOrigin.origin")
    links: Mapped[list["PreferentialRateLink"]] = relationship(
        order_by="PreferentialRateLink.prefix"
    )

    __table_args__ = (
        UniqueConstraint("schedule_id", "scheme_code", "valid_from"),
        CheckConstraint(VALIDITY_ORDERED, name="validity_ordered"),
    )

    def __repr__(self) -> str:
        return f"<PreferentialRate {self.scheme_code} schedule={self.schedule_id}>"


class PreferenceOrigin(Base):
    """A country (ISO3) or group code whose originating goods get a preferential rate."""

    __tablename__ = "preference_origins"

    id: Mapped[int] = mapped_column(primary_key=True)
    rate_id: Mapped[int] = mapped_column(ForeignKey("preferential_rates.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(20), index=True)

    __table_args__ = (UniqueConstraint("rate_id", "origin"),)

    def __repr__(self) -> str:
        return f"<PreferenceOrigin {self.origin} rate={self.rate_id}>"


class PreferentialRateLink(HsPrefixLinkMixin, Base):
    __tablename__ = "preferential_rate_links"

    rate_id: Mapped[int] = mapped_column(ForeignKey("preferential_rates.id", ondelete="CASCADE"))

    __table_args__ = prefix_link_constraints("rate_id")

    def __repr__(self) -> str:
        return f"<PreferentialRateLink rate={self.rate_id} {self.prefix}>"
