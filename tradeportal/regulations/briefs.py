"""Regulations and procedures as the product page reads them: plain rows, not ORM objects.

A product page shows ~40 regulations with their agency, partners and documents. Loaded
as ORM objects with eager relationships that cost ~2.5 ms a page, most of it in the
identity map and the instrumented collections, which a read-only page does not need.
Here the same queries (regulations with agencies, partners, documents; procedures,
steps, regulations named) run through SQLAlchemy Core into frozen dataclasses;
templates, the API schemas and the product sheet read them with the same attribute
names as the models.
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
    Procedure,
    ProcedureStep,
    Regulation,
    RegulationKind,
    RegulationPartner,
    RequiredDocument,
    procedure_regulations,
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


class _Agencies(dict):
    """One AgencyBrief per agency of a load, from the agency columns of a row."""

    def __call__(self, slug, name_en, name_fr, kind) -> AgencyBrief | None:
        if slug is None:
            return None
        found = self.get(slug)
        if found is None:
            found = self[slug] = AgencyBrief(slug, name_en, name_fr, kind)
        return found


def regulation_briefs(ids, keep) -> list[RegulationBrief]:
    """Load the regulations ``ids`` that ``keep(row)`` accepts, with their details.

    ``keep`` sees each regulation row (columns named as in the model) before partners and
    documents are read, so they are read only for the regulations kept.
    """
    ids = sorted(ids)
    if not ids:
        return []
    agency = _Agencies()
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


@dataclass(frozen=True, slots=True)
class StepBrief:
    position: int
    agency: AgencyBrief | None
    action: str
    documents: str | None
    fee: str | None
    expected_time: str | None


@dataclass(frozen=True, slots=True)
class RegulationSlug:
    """A regulation a procedure names (the API lists their slugs)."""

    slug: str


# eq=False: hashed by identity, as the applicability code keys dicts by procedure.
@dataclass(frozen=True, slots=True, eq=False)
class ProcedureBrief:
    """Every column of a procedure, with its steps in order and the regulations it names."""

    id: int
    slug: str
    title_en: str
    title_fr: str | None
    summary: str | None
    direction: Direction
    country_iso3: str
    valid_from: date
    valid_to: date | None
    source_url: str | None
    issued_by: str | None
    last_verified_on: date | None
    last_verified_by: str | None
    is_demo: bool
    steps: tuple[StepBrief, ...]
    regulations: tuple[RegulationSlug, ...]  # by title, as the model orders them

    def is_valid_on(self, day: date) -> bool:
        return is_valid_on(self.valid_from, self.valid_to, day)


_PROCEDURE_COLUMNS = (
    "id", "slug", "title_en", "title_fr", "summary", "direction", "country_iso3",
    "valid_from", "valid_to", "source_url", "issued_by", "last_verified_on",
    "last_verified_by", "is_demo",
)  # fmt: skip


@functools.cache
def _procedures_statement():
    return select(*(getattr(Procedure, name) for name in _PROCEDURE_COLUMNS)).where(
        Procedure.id.in_(bindparam("ids", expanding=True))
    )


@functools.cache
def _steps_statement():
    return (
        select(
            ProcedureStep.procedure_id,
            ProcedureStep.position,
            ProcedureStep.action,
            ProcedureStep.documents,
            ProcedureStep.fee,
            ProcedureStep.expected_time,
            *_AGENCY_COLUMNS,
        )
        .outerjoin(Agency, Agency.id == ProcedureStep.agency_id)
        .where(ProcedureStep.procedure_id.in_(bindparam("ids", expanding=True)))
        .order_by(ProcedureStep.procedure_id, ProcedureStep.position)
    )


@functools.cache
def _named_regulations_statement():
    link = procedure_regulations.c
    return (
        select(link.procedure_id, Regulation.slug)
        .join(Regulation, Regulation.id == link.regulation_id)
        .where(link.procedure_id.in_(bindparam("ids", expanding=True)))
        .order_by(link.procedure_id, Regulation.title_en)
    )


def procedure_briefs(ids, keep) -> list[ProcedureBrief]:
    """Load the procedures ``ids`` that ``keep(row)`` accepts, with steps and regulations."""
    ids = sorted(ids)
    if not ids:
        return []
    rows = [row for row in db.read(_procedures_statement(), {"ids": ids}) if keep(row)]
    if not rows:
        return []
    kept = [row.id for row in rows]
    agency = _Agencies()
    steps: dict[int, list[StepBrief]] = {}
    for procedure_id, position, action, documents, fee, time, *by in db.read(
        _steps_statement(), {"ids": kept}
    ):
        steps.setdefault(procedure_id, []).append(
            StepBrief(position, agency(*by), action, documents, fee, time)
        )
    named: dict[int, list[RegulationSlug]] = {}
    for procedure_id, slug in db.read(_named_regulations_statement(), {"ids": kept}):
        named.setdefault(procedure_id, []).append(RegulationSlug(slug))
    return [
        ProcedureBrief(*row, tuple(steps.get(row.id, ())), tuple(named.get(row.id, ())))
        for row in rows
    ]
