"""Agreement models: WTO regional trade agreements, UK preference schemes, rules of origin."""

from datetime import date

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradeportal.db import Base
from tradeportal.provenance import ProvenanceMixin
from tradeportal.validity import ValidityMixin, is_valid_on


class TradeAgreement(ValidityMixin, ProvenanceMixin, Base):
    """A regional trade agreement as listed by the WTO RTA database.

    ``valid_from`` is the entry into force (the earlier of goods and services) and is empty
    for agreements never in force (early announcements); ``valid_to`` is the last day in
    force, the day before the WTO "Inactive Date".
    """

    __tablename__ = "trade_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agreement_type: Mapped[str | None] = mapped_column(String(20), index=True)  # FTA, CU & EIA…
    coverage: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(60), index=True)
    notification: Mapped[str | None] = mapped_column(String(80))
    signed_on: Mapped[date | None]
    entry_into_force_goods_on: Mapped[date | None]
    entry_into_force_services_on: Mapped[date | None]
    # The WTO date as published; valid_to is the day before.
    inactive_on: Mapped[date | None]
    composition: Mapped[str | None] = mapped_column(String(60))
    region: Mapped[str | None] = mapped_column(String(200))
    is_accession: Mapped[bool] = mapped_column(default=False)
    remarks: Mapped[str | None] = mapped_column(Text)
    # Redeclared: an early announcement has no entry into force.
    valid_from: Mapped[date | None] = mapped_column(Date)

    parties: Mapped[list["AgreementParty"]] = relationship(
        back_populates="agreement", order_by="AgreementParty.position"
    )

    __table_args__ = (UniqueConstraint("name", "valid_from"),)

    def is_valid_on(self, day: date) -> bool:
        """Tell whether this agreement is in force on ``day``."""
        return self.valid_from is not None and is_valid_on(self.valid_from, self.valid_to, day)

    def __repr__(self) -> str:
        return f"<TradeAgreement {self.id} {self.name!r} {self.status}>"


class AgreementParty(Base):
    """A party to an agreement as the WTO names it, matched to a country or a country group.

    A name that matches neither is kept (both codes empty) so pages can still show it.
    ``joined_on``/``left_on`` are a party's own dates when they differ from the agreement's.
    """

    __tablename__ = "agreement_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("trade_agreements.id"), index=True)
    position: Mapped[int]
    wto_name: Mapped[str] = mapped_column(String(120))
    country_iso3: Mapped[str | None] = mapped_column(String(3), index=True)
    group_code: Mapped[str | None] = mapped_column(String(20), index=True)
    joined_on: Mapped[date | None]
    left_on: Mapped[date | None]  # last day a party

    agreement: Mapped[TradeAgreement] = relationship(back_populates="parties")

    __table_args__ = (
        UniqueConstraint("agreement_id", "wto_name"),
        CheckConstraint(
            "country_iso3 IS NULL OR group_code IS NULL", name="country_or_group_not_both"
        ),
    )

    def __repr__(self) -> str:
        code = self.country_iso3 or self.group_code or "unmatched"
        return f"<AgreementParty {self.wto_name!r} → {code}>"


class PreferenceScheme(ValidityMixin, ProvenanceMixin, Base):
    """A UK preferential scheme (trade agreement or unilateral scheme such as the DCTS)."""

    __tablename__ = "preference_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    market_iso3: Mapped[str] = mapped_column(String(3))  # whose tariff the scheme belongs to
    is_unilateral: Mapped[bool] = mapped_column(default=False)
    proofs: Mapped[list] = mapped_column(JSON, default=list)  # [{summary, url}]
    links: Mapped[list] = mapped_column(JSON, default=list)  # [{text, url}]
    ord_title: Mapped[str | None] = mapped_column(Text)  # the Origin Reference Document
    ord_version: Mapped[str | None] = mapped_column(String(20))
    ord_date: Mapped[str | None] = mapped_column(String(40))
    footnote: Mapped[str | None] = mapped_column(Text)

    countries: Mapped[list["SchemeCountry"]] = relationship(
        back_populates="scheme", order_by="SchemeCountry.source_code"
    )

    def __repr__(self) -> str:
        return f"<PreferenceScheme {self.code}>"


class SchemeCountry(Base):
    """A country (or group, e.g. the EU) a preference scheme covers."""

    __tablename__ = "scheme_countries"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("preference_schemes.id"), index=True)
    source_code: Mapped[str] = mapped_column(String(10))  # as in the UK file: "MU", "EU"
    country_iso3: Mapped[str | None] = mapped_column(String(3), index=True)
    group_code: Mapped[str | None] = mapped_column(String(20))

    scheme: Mapped[PreferenceScheme] = relationship(back_populates="countries")

    __table_args__ = (
        UniqueConstraint("scheme_id", "source_code"),
        CheckConstraint(
            "country_iso3 IS NULL OR group_code IS NULL", name="country_or_group_not_both"
        ),
    )

    def __repr__(self) -> str:
        return f"<SchemeCountry {self.source_code} of scheme {self.scheme_id}>"


class OriginRuleSet(ValidityMixin, ProvenanceMixin, Base):
    """Product-specific rules of origin of a scheme for a range of 10-digit tariff codes."""

    __tablename__ = "origin_rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("preference_schemes.id"))
    position: Mapped[int]  # order in the source file
    heading: Mapped[str] = mapped_column(String(40))  # label as published: "ex Chapter 9"
    chapter: Mapped[int]
    code_min: Mapped[str] = mapped_column(String(10))
    code_max: Mapped[str] = mapped_column(String(10))
    subdivision: Mapped[str] = mapped_column(Text)

    scheme: Mapped[PreferenceScheme] = relationship()
    rules: Mapped[list["OriginRule"]] = relationship(
        back_populates="rule_set", order_by="OriginRule.position"
    )

    __table_args__ = (
        UniqueConstraint("scheme_id", "position"),
        CheckConstraint("code_min <= code_max", name="range_is_ordered"),
        Index("ix_origin_rule_sets_code_min", "code_min"),
        Index("ix_origin_rule_sets_code_max", "code_max"),
    )

    def __repr__(self) -> str:
        return f"<OriginRuleSet {self.heading} {self.code_min}-{self.code_max}>"


class OriginRule(Base):
    """One rule of a rule set; several rules of a set are alternatives when joined by "or"."""

    __tablename__ = "origin_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("origin_rule_sets.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)  # plain text, links reduced to their words
    rule_class: Mapped[str | None] = mapped_column(String(200))  # "WO", "CTH; MAXNOM"
    operator: Mapped[str | None] = mapped_column(String(10))  # how it joins the rule before

    rule_set: Mapped[OriginRuleSet] = relationship(back_populates="rules")

    __table_args__ = (UniqueConstraint("rule_set_id", "position"),)

    def __repr__(self) -> str:
        return f"<OriginRule {self.position} of set {self.rule_set_id}>"
