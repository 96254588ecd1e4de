"""Regulations, procedures and the agencies that run them, linked to HS prefixes.

A regulation belongs to one country (the portal's home country) and one direction of
trade; its partner list, when not empty, names the only countries it applies to (the
origins of imports, the destinations of exports). Children (partners, documents, HS
links, steps) are owned by their parent and replaced with it on import.
"""

import enum

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradeportal.db import Base, value_enum
from tradeportal.hs.prefixes import HsPrefixLinkMixin, prefix_link_constraints
from tradeportal.i18n import N_, gettext
from tradeportal.provenance import ProvenanceMixin
from tradeportal.validity import ValidityMixin


class AgencyKind(enum.Enum):
    AUTHORITY = "authority"  # issues permits, certificates, inspections
    ENQUIRY_POINT = "enquiry_point"  # answers traders' questions (WTO TFA art. 1.3, SPS, TBT)


class RegulationKind(enum.Enum):
    LICENCE_PERMIT = "licence_permit"
    PROHIBITION = "prohibition"
    SPS = "sps"
    TBT_STANDARD = "tbt_standard"
    QUOTA = "quota"
    CERTIFICATE_DOCUMENT = "certificate_document"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The kind in the language of the page (English outside a request)."""
        return gettext(KIND_LABELS[self])

    @property
    def label_en(self) -> str:
        """The kind in English whatever the page's language (search index, exports)."""
        return KIND_LABELS[self]


# In English; pages show ``kind.label``, translated into the language of the request.
KIND_LABELS = {
    RegulationKind.LICENCE_PERMIT: N_("Licence or permit"),
    RegulationKind.PROHIBITION: N_("Prohibition"),
    RegulationKind.SPS: N_("Sanitary and phytosanitary"),
    RegulationKind.TBT_STANDARD: N_("Technical standard"),
    RegulationKind.QUOTA: N_("Quota or state trading"),
    RegulationKind.CERTIFICATE_DOCUMENT: N_("Certificate or document"),
    RegulationKind.OTHER: N_("Other"),
}


class Direction(enum.Enum):
    IMPORT = "import"
    EXPORT = "export"
    TRANSIT = "transit"

    @property
    def label(self) -> str:
        """The direction in the language of the page (English outside a request)."""
        return gettext(DIRECTION_LABELS[self.value])

    @property
    def label_en(self) -> str:
        """The direction in English whatever the page's language (search index)."""
        return self.value.capitalize()

    @property
    def partner_word(self) -> str:
        """Say how a partner country relates to goods moving this way (English).

        Pages write whole sentences instead (templates/regulations/_macros.html), since
        French word order and prepositions differ.
        """
        return {"import": "imports from", "export": "exports to", "transit": "transit via"}[
            self.value
        ]


DIRECTION_LABELS = {"import": N_("Import"), "export": N_("Export"), "transit": N_("Transit")}


class Agency(ValidityMixin, ProvenanceMixin, Base):
    """A public body that regulates trade or answers traders' questions."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[AgencyKind] = mapped_column(value_enum(AgencyKind))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"


class Regulation(ValidityMixin, ProvenanceMixin, Base):
    """A rule that goods of some HS codes meet when they cross the border one way."""

    __tablename__ = "regulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_en: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[RegulationKind] = mapped_column(value_enum(RegulationKind))
    direction: Mapped[Direction] = mapped_column(value_enum(Direction))
    country_iso3: Mapped[str] = mapped_column(String(3))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    legal_basis_url: Mapped[str | None] = mapped_column(String(500))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    fees: Mapped[str | None] = mapped_column(Text)
    processing_time: Mapped[str | None] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship()
    partners: Mapped[list["RegulationPartner"]] = relationship(
        cascade="all, delete-orphan", order_by="RegulationPartner.country_iso3"
    )
    documents: Mapped[list["RequiredDocument"]] = relationship(
        cascade="all, delete-orphan", order_by="RequiredDocument.position"
    )
    hs_links: Mapped[list["RegulationHsLink"]] = relationship(
        cascade="all, delete-orphan", order_by="RegulationHsLink.prefix"
    )

    __table_args__ = (
        Index("ix_regulations_country_iso3_direction", "country_iso3", "direction"),
        Index("ix_regulations_title_en", "title_en"),
    )

    @property
    def partner_codes(self) -> list[str]:
        return [partner.country_iso3 for partner in self.partners]

    def applies_to_partner(self, partner: str | None) -> bool:
        """Tell whether the regulation covers trade with ``partner`` (None: any partner)."""
        return partner is None or not self.partners or partner in self.partner_codes

    def __repr__(self) -> str:
        return f"<Regulation {self.slug} {self.direction.value} {self.country_iso3}>"


class RegulationPartner(Base):
    """A country a partner-limited regulation applies to; none means every country."""

    __tablename__ = "regulation_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"))
    country_iso3: Mapped[str] = mapped_column(String(3))

    __table_args__ = (UniqueConstraint("regulation_id", "country_iso3"),)

    def __repr__(self) -> str:
        return f"<RegulationPartner {self.regulation_id} {self.country_iso3}>"


class RequiredDocument(Base):
    """A document or form a trader provides or obtains to meet a regulation."""

    __tablename__ = "regulation_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    form_number: Mapped[str | None] = mapped_column(String(60))
    url: Mapped[str | None] = mapped_column(String(500))
    issuing_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)

    issuing_agency: Mapped[Agency | None] = relationship()

    __table_args__ = (UniqueConstraint("regulation_id", "position"),)

    def __repr__(self) -> str:
        return f"<RequiredDocument {self.regulation_id}#{self.position} {self.name!r}>"


class RegulationHsLink(HsPrefixLinkMixin, Base):
    """An HS prefix a regulation applies to, or (excluded) a subtree it leaves out."""

    __tablename__ = "regulation_hs_links"

    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id", ondelete="CASCADE"))

    __table_args__ = prefix_link_constraints("regulation_id")

    def __repr__(self) -> str:
        sign = "-" if self.excluded else "+"
        return f"<RegulationHsLink {self.regulation_id} {sign}{self.prefix}>"


procedure_regulations = Table(
    "procedure_regulations",
    Base.metadata,
    Column(
        "procedure_id",
        ForeignKey("procedures.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "regulation_id",
        ForeignKey("regulations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Procedure(ValidityMixin, ProvenanceMixin, Base):
    """The ordered steps a trader follows to move some goods one way across the border."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_en: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    direction: Mapped[Direction] = mapped_column(value_enum(Direction))
    country_iso3: Mapped[str] = mapped_column(String(3), index=True)

    steps: Mapped[list["ProcedureStep"]] = relationship(
        cascade="all, delete-orphan", order_by="ProcedureStep.position"
    )
    hs_links: Mapped[list["ProcedureHsLink"]] = relationship(
        cascade="all, delete-orphan", order_by="ProcedureHsLink.prefix"
    )
    regulations: Mapped[list[Regulation]] = relationship(
        secondary=procedure_regulations, order_by=Regulation.title_en
    )

    def __repr__(self) -> str:
        return f"<Procedure {self.slug} {self.direction.value} {self.country_iso3}>"


class ProcedureStep(Base):
    """One step of a procedure: who does what, with which documents, at what cost and time."""

    __tablename__ = "procedure_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    position: Mapped[int]
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    action: Mapped[str] = mapped_column(Text)
    documents: Mapped[str | None] = mapped_column(Text)
    fee: Mapped[str | None] = mapped_column(String(200))
    expected_time: Mapped[str | None] = mapped_column(String(200))

    agency: Mapped[Agency | None] = relationship()

    __table_args__ = (UniqueConstraint("procedure_id", "position"),)

    def __repr__(self) -> str:
        return f"<ProcedureStep {self.procedure_id}#{self.position}>"


class ProcedureHsLink(HsPrefixLinkMixin, Base):
    """An HS prefix a procedure applies to, or (excluded) a subtree it leaves out."""

    __tablename__ = "procedure_hs_links"

    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))

    __table_args__ = prefix_link_constraints("procedure_id")

    def __repr__(self) -> str:
        sign = "-" if self.excluded else "+"
        return f"<ProcedureHsLink {self.procedure_id} {sign}{self.prefix}>"
