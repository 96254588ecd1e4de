"""Regulations as the product page reads them: plain rows, not ORM objects.

A product page shows ~40 regulations with their agency, partners and documents. Loaded
as ORM objects with eager relationships that cost ~2.5 ms a page, most of it in the
identity map and the instrumented collections, which a read-only page does not need.
Here the same four queries (links, regulations with agencies, partners, documents) run
through SQLAlchemy Core into frozen dataclasses; templates, the API schemas and the
product sheet read them with the same attribute names as the models.
"""

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from tradeportal.db import db
from tradeportal.regulations.models import (
    Agency,
    AgencyKind,
    Direction,
    Regulation,
    RegulationKind,
    RegulationPartner,
    RequiredDocument,
)
from tradeportal.validity import is_valid_on


@dataclass(frozen=True, slots=True)
class AgencyBrief:
    slug: str
    name_en: str
    name_fr: str | None
    kind: AgencyKind


@dataclass(frozen=True, slots=True)
class DocumentBrief:
    position: int
    name: str
    form_number: str | None
    url: str | None
    issuing_agency: AgencyBrief | None


# eq=False: hashed by identity, as the applicability code keys dicts by regulation.
@dataclass(frozen=True, slots=True, eq=False)
class RegulationBrief:
    """Every column of a regulation, with its agency, partners and documents (no HS links)."""

    id: int
    slug: str
    title_en: str
    title_fr: str | None
    summary: str | None
    kind: RegulationKind
    direction: Direction
    country_iso3: str
    legal_basis: str | None
    legal_basis_url: str | None
    fees: str | None
    processing_time: str | None
    valid_from: date
    valid_to: date | None
    source_url: str | None
    issued_by: str | None
    last_verified_on: date | None
    last_verified_by: str | None
    is_demo: bool
    agency: AgencyBrief
    partner_codes: tuple[str, ...]  # the only partners it applies to, by code; empty: all
    documents: tuple[DocumentBrief, ...]  # in order

    def is_valid_on(self, day: date) -> bool:
        return is_valid_on(self.valid_from, self.valid_to, day)

    def applies_to_partner(self, partner: str | None) -> bool:
        """Tell whether the regulation covers trade with ``partner`` (None: any partner)."""
        return partner is None or not self.partner_codes or partner in self.partner_codes


# The regulation's own columns, in RegulationBrief's order up to ``is_demo``.
_COLUMNS = (
    "id", "slug", "title_en", "title_fr", "summary", "kind", "direction", "country_iso3",
    "legal_basis", "legal_basis_url", "fees", "processing_time", "valid_from", "valid_to",
    "source_url", "issued_by", "last_verified_on", "last_verified_by", "is_demo",
)  # fmt: skip
_AGENCY_COLUMNS = (Agency.slug, Agency.name_en, Agency.name_fr, Agency.kind)

# Statements are built once and run with parameters (see queries.py).


@functools.cache
def _regulations_statement():
    return (
        select(*(getattr(Regulation, name) for name in _COLUMNS), *_AGENCY_COLUMNS)
        .join(Agency, Agency.id == Regulation.agency_id)
        .where(Regulation.id.in_(bindparam("ids", expanding=True)))
    )


@functools.cache
def _partners_statement():
    return (
        select(RegulationPartner.regulation_id, RegulationPartner.country_iso3)
        .where(RegulationPartner.regulation_id.in_(bindparam("ids", expanding=True)))
        .order_by(RegulationPartner.regulation_id, RegulationPartner.country_iso3)
    )


@functools.cache
def _documents_statement():
    issuer = aliased(Agency)
    return (
        select(
            RequiredDocument.regulation_id,
            RequiredDocument.position,
            RequiredDocument.name,
            RequiredDocument.form_number,
            RequiredDocument.url,
            issuer.slug,
            issuer.name_en,
            issuer.name_fr,
            issuer.kind,
        )
        .outerjoin(issuer, issuer.id == RequiredDocument.issuing_agency_id)
        .where(RequiredDocument.regulation_id.in_(bindparam("ids", expanding=True)))
        .order_by(RequiredDocument.regulation_id, RequiredDocument.position)
    )


def regulation_briefs(ids, keep) -> list[RegulationBrief]:
    """Load the regulations ``ids`` that ``keep(row)`` accepts, with their details.

    ``keep`` sees each regulation row (columns named as in the model) before partners and
    documents are read, so they are read only for the regulations kept.
    """
    ids = sorted(ids)
    if not ids:
        return []
    agencies: dict[str, AgencyBrief] = {}

    def agency(slug, name_en, name_fr, kind) -> AgencyBrief | None:
        if slug is None:
            return None
        found = agencies.get(slug)
        if found is None:
            found = agencies[slug] = AgencyBrief(slug, name_en, name_fr, kind)
        return found

    columns = len(_COLUMNS)
    rows = [row for row in db.read(_regulations_statement(), {"ids": ids}) if keep(row)]
    if not rows:
        return []
    kept = [row.id for row in rows]
    partners: dict[int, list[str]] = {}
    for regulation_id, iso3 in db.read(_partners_statement(), {"ids": kept}):
        partners.setdefault(regulation_id, []).append(iso3)
    documents: dict[int, list[DocumentBrief]] = {}
    for regulation_id, position, name, form, url, *issuer in db.read(
        _documents_statement(), {"ids": kept}
    ):
        documents.setdefault(regulation_id, []).append(
            DocumentBrief(position, name, form, url, agency(*issuer))
        )
    return [
        RegulationBrief(
            *row[:columns],
            agency(*row[columns:]),
            tuple(partners.get(row.id, ())),
            tuple(documents.get(row.id, ())),
        )
        for row in rows
    ]
