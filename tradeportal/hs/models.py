"""Nomenclature models: versions, sections, the code tree, and version correspondences."""

import enum
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradeportal.db import Base, value_enum
from tradeportal.i18n import N_
from tradeportal.validity import ValidityMixin


class NomenclatureKind(enum.Enum):
    HS = "hs"  # the international 6-digit Harmonized System, one per edition
    NATIONAL = "national"  # a country's 8–10 digit tariff lines built on an HS edition


class Nomenclature(ValidityMixin, Base):
    """One edition of a nomenclature, e.g. HS 2022, or a national tariff nomenclature."""

    __tablename__ = "nomenclatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[NomenclatureKind] = mapped_column(value_enum(NomenclatureKind))
    # National nomenclatures extend an HS edition and belong to a country.
    base_id: Mapped[int | None] = mapped_column(ForeignKey("nomenclatures.id"))
    country_iso3: Mapped[str | None] = mapped_column(String(3))
    # Bumped whenever this nomenclature's nodes change, so in-process snapshots reload.
    revision: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        CheckConstraint(
            "(kind = 'hs' AND base_id IS NULL AND country_iso3 IS NULL)"
            " OR (kind = 'national' AND base_id IS NOT NULL AND country_iso3 IS NOT NULL)",
            name="national_has_base_and_country",
        ),
    )

    def __repr__(self) -> str:
        return f"<Nomenclature {self.code} {self.kind.value} rev={self.revision}>"


class HsSection(Base):
    """A section (I–XXI) of an HS edition, grouping chapters."""

    __tablename__ = "hs_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomenclature_id: Mapped[int] = mapped_column(ForeignKey("nomenclatures.id"))
    numeral: Mapped[str] = mapped_column(String(5))
    position: Mapped[int]
    title_en: Mapped[str] = mapped_column(Text)
    title_fr: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("nomenclature_id", "numeral"),)

    def __repr__(self) -> str:
        return f"<HsSection {self.numeral} of nomenclature {self.nomenclature_id}>"


class HsNode(ValidityMixin, Base):
    """A chapter, heading, subheading or national line of one nomenclature."""

    __tablename__ = "hs_nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomenclature_id: Mapped[int] = mapped_column(ForeignKey("nomenclatures.id"))
    code: Mapped[str] = mapped_column(String(10))
    level: Mapped[int]
    # A national line's parent is a subheading of the base HS edition.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("hs_nodes.id"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("hs_sections.id"))
    description_en: Mapped[str] = mapped_column(Text)
    description_fr: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("nomenclature_id", "code"),
        CheckConstraint("level IN (2, 4, 6, 8, 10)", name="level_is_known"),
        CheckConstraint("length(code) = level", name="code_length_matches_level"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_ordered"),
        Index("ix_hs_nodes_code", "code"),
        Index("ix_hs_nodes_parent_id", "parent_id"),
    )

    def __repr__(self) -> str:
        return f"<HsNode {self.code} level={self.level} nomenclature={self.nomenclature_id}>"


class HsCorrespondence(Base):
    """A link between a code of an older HS edition and a code of a newer one."""

    __tablename__ = "hs_correspondences"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_nomenclature_id: Mapped[int] = mapped_column(ForeignKey("nomenclatures.id"))
    old_code: Mapped[str] = mapped_column(String(10))
    new_nomenclature_id: Mapped[int] = mapped_column(ForeignKey("nomenclatures.id"))
    new_code: Mapped[str] = mapped_column(String(10))
    # As published by UNSD, read new:old ("1:n" = one new code for several old ones).
    relationship: Mapped[str] = mapped_column(String(3))

    __table_args__ = (
        UniqueConstraint("old_nomenclature_id", "old_code", "new_nomenclature_id", "new_code"),
        CheckConstraint("relationship IN ('1:1', '1:n', 'n:1', 'n:n')", name="relationship_known"),
        Index("ix_hs_correspondences_new", "new_nomenclature_id", "new_code"),
    )

    def __repr__(self) -> str:
        return f"<HsCorrespondence {self.old_code} -> {self.new_code} ({self.relationship})>"


HS_EDITIONS = {
    # code: (title, valid_from, valid_to) — WCO entry into force of each edition.
    # Titles are stored in English; pages show them with the |edition_title filter.
    "HS2017": (N_("Harmonized System 2017"), date(2017, 1, 1), date(2021, 12, 31)),
    "HS2022": (N_("Harmonized System 2022"), date(2022, 1, 1), None),
}
