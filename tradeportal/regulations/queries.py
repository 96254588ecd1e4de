"""Reading regulations and procedures: what applies to an HS code on a day, and listings.

What applies to a code is found with one indexed query on the prefix link table (the
code and its ancestors, ``prefix IN (...)``) joined to the owners in force on the day;
exclusions and the "applies via" prefix are then resolved in Python, and children are
read with one ``IN`` query per kind, as plain rows (briefs.py), so a page costs a fixed
number of queries.
"""

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from tradeportal.db import db
from tradeportal.hs.codes import normalise_hs_code
from tradeportal.hs.prefixes import prefixes_of, resolve_applicability
from tradeportal.regulations.briefs import (
    ProcedureBrief,
    RegulationBrief,
    procedure_briefs,
    regulation_briefs,
)
from tradeportal.regulations.models import (
    Agency,
    Direction,
    Procedure,
    ProcedureHsLink,
    ProcedureStep,
    Regulation,
    RegulationHsLink,
    RegulationKind,
    RequiredDocument,
)
from tradeportal.validity import is_valid_on

KIND_ORDER = {kind: index for index, kind in enumerate(RegulationKind)}
DIRECTION_ORDER = {direction: index for index, direction in enumerate(Direction)}
PAGE_SIZE = 50

# Agencies ride along by join (one each); lists come with one SELECT ... IN per relationship.
REGULATION_DETAILS = (
    joinedload(Regulation.agency),
    selectinload(Regulation.partners),
    selectinload(Regulation.documents).joinedload(RequiredDocument.issuing_agency),
)
PROCEDURE_DETAILS = (
    selectinload(Procedure.steps).joinedload(ProcedureStep.agency),
    selectinload(Procedure.regulations),
)


def _direction(value: Direction | str | None) -> Direction | None:
    return None if value is None else Direction(value)


# Statements are built once and run with parameters: building one costs SQLAlchemy more
# than SQLite spends running it, and the product page runs these for every visit.


@functools.cache
def _links_statement(link_model, owner_column):
    return select(owner_column, link_model.prefix, link_model.excluded).where(
        link_model.prefix.in_(bindparam("prefixes", expanding=True))
    )


def _links_to(link_model, owner_column, digits: str) -> list[tuple[int, str, bool]]:
    """Return (owner id, prefix, excluded) of the links on the code and its ancestors.

    A query of its own, so the prefix index always drives it: joined to the owners, the
    planner may prefer scanning every owner of the country instead.
    """
    rows = db.read(_links_statement(link_model, owner_column), {"prefixes": prefixes_of(digits)})
    return [(owner, prefix, excluded) for owner, prefix, excluded in rows]


def _applying(owner_column, load_briefs, code, day, country_iso3, direction) -> dict:
    """Map each owner that applies to ``code`` to its via prefix (see resolve_applicability).

    Owners are regulations or procedures (``owner_column`` of their link table), loaded as
    briefs by ``load_briefs``: those of ``country_iso3`` in force on ``day`` and, when
    given, of that ``direction``.
    """
    digits = normalise_hs_code(code).digits
    wanted = _direction(direction)
    links = _links_to(owner_column.class_, owner_column, digits)
    # Selected by primary key only and filtered here: with more conditions in SQL the
    # planner may scan every owner of the country through its index instead.
    candidates = load_briefs(
        {owner for owner, _prefix, _excluded in links},
        keep=lambda row: (
            row.country_iso3 == country_iso3
            and is_valid_on(row.valid_from, row.valid_to, day)
            and (wanted is None or row.direction == wanted)
        ),
    )
    by_id = {owner.id: owner for owner in candidates}
    return resolve_applicability(
        digits,
        ((by_id[owner], prefix, excluded) for owner, prefix, excluded in links if owner in by_id),
    )


def applicable_regulations(
    code: str,
    day: date,
    country_iso3: str,
    *,
    direction: Direction | str | None = None,
    partner: str | None = None,
) -> list[tuple[RegulationBrief, str]]:
    """Return (regulation, via prefix) for every regulation of a country that applies to a code.

    A regulation applies when it is in force on ``day`` (both ends inclusive), one of its
    prefixes is the code or an ancestor and none of its exclusions is. With a ``partner``
    only regulations for every partner or listing that partner are kept; without one,
    partner-limited regulations are kept too (their ``partner_codes`` say for whom).
    Regulations come as read-only rows (briefs.py), for the product page and its API.
    """
    via = _applying(
        RegulationHsLink.regulation_id, regulation_briefs, code, day, country_iso3, direction
    )
    found = [(reg, prefix) for reg, prefix in via.items() if reg.applies_to_partner(partner)]
    found.sort(
        key=lambda item: (
            DIRECTION_ORDER[item[0].direction],
            KIND_ORDER[item[0].kind],
            item[0].title_en,
        )
    )
    return found


def applicable_procedures(
    code: str,
    day: date,
    country_iso3: str,
    *,
    direction: Direction | str | None = None,
) -> list[tuple[ProcedureBrief, str]]:
    """Return (procedure, via prefix) for every procedure of a country that applies to a code.

    Procedures come as read-only rows (briefs.py), for the product page and its API.
    """
    via = _applying(
        ProcedureHsLink.procedure_id, procedure_briefs, code, day, country_iso3, direction
    )
    found = list(via.items())
    found.sort(key=lambda item: (DIRECTION_ORDER[item[0].direction], item[0].title_en))
    return found


@dataclass(frozen=True)
class RegulationFilters:
    """The filters of the regulations list, already validated."""

    day: date
    country_iso3: str
    chapter: str | None = None
    kind: RegulationKind | None = None
    direction: Direction | None = None
    agency: Agency | None = None


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _chapter_range(chapter: str) -> tuple[str, str]:
    # Digit strings sort before ':' so [chapter, chapter[0] + next char) is the subtree.
    return chapter, chapter[0] + chr(ord(chapter[1]) + 1)


def list_regulations(filters: RegulationFilters, page: int = 1) -> Page:
    """Return one page of the regulations in force on a day that match the filters."""
    conditions = [
        Regulation.country_iso3 == filters.country_iso3,
        Regulation.valid_on(filters.day),
    ]
    if filters.kind is not None:
        conditions.append(Regulation.kind == filters.kind)
    if filters.direction is not None:
        conditions.append(Regulation.direction == filters.direction)
    if filters.agency is not None:
        conditions.append(Regulation.agency_id == filters.agency.id)
    if filters.chapter is not None:
        low, high = _chapter_range(filters.chapter)
        in_chapter = select(RegulationHsLink.regulation_id).where(
            RegulationHsLink.prefix >= low,
            RegulationHsLink.prefix < high,
            RegulationHsLink.excluded.is_(False),
        )
        conditions.append(Regulation.id.in_(in_chapter))
    total = db.session.scalar(select(func.count()).select_from(Regulation).where(*conditions))
    query = (
        select(Regulation)
        .where(*conditions)
        .order_by(Regulation.title_en, Regulation.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .options(
            selectinload(Regulation.agency),
            selectinload(Regulation.partners),
            selectinload(Regulation.hs_links),
        )
    )
    return Page(list(db.session.scalars(query)), total or 0, page, PAGE_SIZE)


def get_regulation(slug: str) -> Regulation | None:
    """Return the regulation with this slug, with its details loaded, or None."""
    query = (
        select(Regulation)
        .where(Regulation.slug == slug)
        .options(*REGULATION_DETAILS, selectinload(Regulation.hs_links))
    )
    return db.session.scalar(query)


def procedures_of_regulation(regulation: Regulation) -> list[Procedure]:
    """Return the procedures that name this regulation."""
    query = (
        select(Procedure)
        .where(Procedure.regulations.any(Regulation.id == regulation.id))
        .order_by(Procedure.title_en)
    )
    return list(db.session.scalars(query))


def get_procedure(slug: str) -> Procedure | None:
    """Return the procedure with this slug, with its steps loaded, or None."""
    query = (
        select(Procedure)
        .where(Procedure.slug == slug)
        .options(*PROCEDURE_DETAILS, selectinload(Procedure.hs_links))
    )
    return db.session.scalar(query)


def list_procedures(day: date, country_iso3: str) -> list[Procedure]:
    """Return the procedures of a country in force on a day, by title."""
    query = (
        select(Procedure)
        .where(Procedure.country_iso3 == country_iso3, Procedure.valid_on(day))
        .order_by(Procedure.title_en)
        .options(selectinload(Procedure.hs_links))
    )
    return list(db.session.scalars(query))


def get_agency(slug: str) -> Agency | None:
    """Return the agency with this slug, or None."""
    return db.session.scalar(select(Agency).where(Agency.slug == slug))


def list_agencies() -> list[Agency]:
    """Return every agency, by name."""
    return list(db.session.scalars(select(Agency).order_by(Agency.name_en)))


def procedures_of_agency(agency: Agency, day: date) -> list[Procedure]:
    """Return the procedures in force on a day with a step at this agency."""
    query = (
        select(Procedure)
        .where(Procedure.steps.any(ProcedureStep.agency_id == agency.id), Procedure.valid_on(day))
        .order_by(Procedure.title_en)
    )
    return list(db.session.scalars(query))
