"""Country models: the canonical list, group memberships, profiles and EU access facts."""

import enum

from flask_babel import gettext
from sqlalchemy import CheckConstraint, Float, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradeportal.db import Base, value_enum
from tradeportal.i18n import N_
from tradeportal.provenance import ProvenanceMixin
from tradeportal.validity import ValidityMixin


class Country(Base):
    """A country or territory of ISO 3166-1, with its UN M49 region and currency."""

    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    numeric: Mapped[str] = mapped_column(String(3))  # zero-padded, e.g. "004"
    m49: Mapped[str | None] = mapped_column(String(3))
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    # Other English names, used to match names in other sources (e.g. WTO lists).
    short_name_en: Mapped[str | None] = mapped_column(String(200))
    formal_name_en: Mapped[str | None] = mapped_column(String(300))
    cldr_name: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(60), index=True)
    subregion: Mapped[str | None] = mapped_column(String(60))
    # ISO 4217; a few countries use two currencies: "INR,BTN" / "Indian Rupee,Ngultrum".
    currency_code: Mapped[str | None] = mapped_column(String(20))
    currency_name: Mapped[str | None] = mapped_column(String(120))
    capital: Mapped[str | None] = mapped_column(String(100))
    sovereignty: Mapped[str | None] = mapped_column(String(40))  # "Yes", "Territory of GB"…
    is_sids: Mapped[bool] = mapped_column(default=False)
    is_ldc: Mapped[bool] = mapped_column(default=False)
    is_lldc: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint("length(iso3) = 3", name="iso3_has_three_letters"),
        CheckConstraint("length(iso2) = 2", name="iso2_has_two_letters"),
    )

    @property
    def region_label(self) -> str:
        """The subregion, else the region, in the language of the page ("" when none)."""
        return region_label(self.subregion or self.region)

    @property
    def sovereignty_label(self) -> str:
        """The status of a territory in the language of the page ("Territory of GB")."""
        return sovereignty_label(self.sovereignty)

    def __repr__(self) -> str:
        return f"<Country {self.iso3} {self.name_en}>"


# UN M49 regions and subregions as the country file names them, for the catalog.
M49_NAMES = (
    N_("Africa"),
    N_("Americas"),
    N_("Asia"),
    N_("Europe"),
    N_("Oceania"),
    N_("No region"),
    N_("Australia and New Zealand"),
    N_("Central Asia"),
    N_("Eastern Asia"),
    N_("Eastern Europe"),
    N_("Latin America and the Caribbean"),
    N_("Melanesia"),
    N_("Micronesia"),
    N_("Northern Africa"),
    N_("Northern America"),
    N_("Northern Europe"),
    N_("Polynesia"),
    N_("South-eastern Asia"),
    N_("Southern Asia"),
    N_("Southern Europe"),
    N_("Sub-Saharan Africa"),
    N_("Western Asia"),
    N_("Western Europe"),
)
# The country file's status words: "Territory of GB" is said with the code kept.
SOVEREIGNTY_FORMS = {
    "Part of": N_("Part of %(code)s"),
    "Territory of": N_("Territory of %(code)s"),
    "Territories of": N_("Territories of %(code)s"),
    "Associated with": N_("Associated with %(code)s"),
    "Crown dependency of": N_("Crown dependency of %(code)s"),
    "Commonwealth of": N_("Commonwealth of %(code)s"),
}
SOVEREIGNTY_WORDS = {
    "Yes": N_("Sovereign"),
    "International": N_("International"),
    "In contention": N_("In contention"),
}


def region_label(name: str | None) -> str:
    """A UN M49 region's name in the language of the page (unknown names as they are)."""
    if not name:
        return ""
    return gettext(name) if name in M49_NAMES else name


def sovereignty_label(status: str | None) -> str:
    if not status:
        return ""
    if status in SOVEREIGNTY_WORDS:
        return gettext(SOVEREIGNTY_WORDS[status])
    words, _space, code = status.rpartition(" ")
    if words in SOVEREIGNTY_FORMS:
        return gettext(SOVEREIGNTY_FORMS[words], code=code)
    return status


class CountryGroupMember(ValidityMixin, Base):
    """A country's membership of a group (e.g. the EU) over a period."""

    __tablename__ = "country_group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_code: Mapped[str] = mapped_column(String(20))
    country_iso3: Mapped[str] = mapped_column(String(3), index=True)
    group_name: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str] = mapped_column(String(500))

    __table_args__ = (
        UniqueConstraint("group_code", "country_iso3", "valid_from"),
        Index("ix_country_group_members_group_code_valid_from", "group_code", "valid_from"),
    )

    def __repr__(self) -> str:
        return f"<CountryGroupMember {self.group_code} {self.country_iso3} from {self.valid_from}>"


class ProfileKind(enum.Enum):
    ECONOMY = "economy"
    TRADE_FACTS = "trade_facts"
    MARKET_ACCESS = "market_access"
    CONTACTS = "contacts"


class CountryProfileSection(ValidityMixin, ProvenanceMixin, Base):
    """One section of a country profile, in one language, as plain-text paragraphs."""

    __tablename__ = "country_profile_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_iso3: Mapped[str] = mapped_column(String(3))
    kind: Mapped[ProfileKind] = mapped_column(value_enum(ProfileKind))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # paragraphs separated by a blank line
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("country_iso3", "kind", "language"),
        CheckConstraint("language IN ('en', 'fr')", name="language_is_known"),
    )

    @property
    def paragraphs(self) -> list[str]:
        """Return the body split into paragraphs."""
        return [part.strip() for part in self.body.split("\n\n") if part.strip()]

    def __repr__(self) -> str:
        return f"<CountryProfileSection {self.country_iso3} {self.kind.value} {self.language}>"


class EuAccessProfile(ValidityMixin, ProvenanceMixin, Base):
    """The EU import-duty profile of goods from one origin country (checkdutyrates data)."""

    __tablename__ = "eu_access_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_iso3: Mapped[str] = mapped_column(String(3), unique=True)
    cn_codes: Mapped[int]  # EU CN codes considered
    duty_free_codes: Mapped[int]
    duty_free_share: Mapped[float] = mapped_column(Float)  # fraction of cn_codes, 0..1
    average_ad_valorem: Mapped[float] = mapped_column(Float)  # percent
    # "; "-separated, each "Name (codes)"; empty when only MFN duties apply.
    arrangements: Mapped[str | None] = mapped_column(Text)
    codes_with_anti_dumping: Mapped[int] = mapped_column(default=0)
    codes_with_additional_duty: Mapped[int] = mapped_column(default=0)
    licence: Mapped[str] = mapped_column(String(60))

    def __repr__(self) -> str:
        return f"<EuAccessProfile {self.country_iso3}>"
