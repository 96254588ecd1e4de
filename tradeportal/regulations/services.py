"""Writing agencies, regulations and procedures: idempotent upserts on slug, and exports.

Services flush, never commit. A save changes only what differs from the stored record, so
importing the same file twice changes nothing; children (partners, documents, HS links,
steps, linked regulations) are replaced as a whole when they differ.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tradeportal.content.records import CONTENT_FIELDS, assign_changed
from tradeportal.content.registry import ImportProblem
from tradeportal.regulations.models import (
    Agency,
    Procedure,
    ProcedureHsLink,
    ProcedureStep,
    Regulation,
    RegulationHsLink,
    RegulationPartner,
    RequiredDocument,
)
from tradeportal.regulations.schemas import DOCUMENT_PARTS, STEP_PARTS

AGENCY_FIELDS = ("name_en", "name_fr", "kind", "email", "phone", "address", "website")
REGULATION_FIELDS = (
    "title_en",
    "title_fr",
    "summary",
    "kind",
    "direction",
    "country_iso3",
    "legal_basis",
    "legal_basis_url",
    "fees",
    "processing_time",
)
PROCEDURE_FIELDS = ("title_en", "title_fr", "summary", "direction", "country_iso3")


def _replace(session: Session, collection: list, new_items: list) -> None:
    """Swap a child collection; the flush between avoids unique clashes with the old rows."""
    if collection:
        collection.clear()
        session.flush()
    collection.extend(new_items)


def _get_or_add(session: Session, model, slug: str):
    found = session.scalar(select(model).where(model.slug == slug))
    if found is not None:
        return found, False
    created = model(slug=slug)
    session.add(created)
    return created, True


def _agencies_by_slug(session: Session, slugs: Iterable[str | None]) -> dict[str, Agency]:
    wanted = {slug for slug in slugs if slug}
    if not wanted:
        return {}
    return {a.slug: a for a in session.scalars(select(Agency).where(Agency.slug.in_(wanted)))}


def _require_agency(agencies: dict[str, Agency], slug: str | None, field: str) -> int | None:
    if slug is None:
        return None
    if slug not in agencies:
        raise ImportProblem(field, f"no agency with slug {slug!r}; import the agencies first")
    return agencies[slug].id


def _links(record: dict) -> set[tuple[str, bool]]:
    return {(prefix, False) for prefix in record["hs_prefixes"]} | {
        (prefix, True) for prefix in record["hs_exclusions"]
    }


def save_agency(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one agency from a validated record; return True when created."""
    agency, created = _get_or_add(session, Agency, record["slug"])
    assign_changed(agency, {name: record[name] for name in AGENCY_FIELDS + CONTENT_FIELDS})
    session.flush()
    return created


def save_regulation(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one regulation and its children; return True when created."""
    documents = record["documents"]
    agencies = _agencies_by_slug(
        session, [record["agency"], *(doc.get("issuing_agency") for doc in documents)]
    )
    agency_id = _require_agency(agencies, record["agency"], "agency")
    wanted_documents = [
        (
            position,
            doc["name"],
            doc.get("form_number"),
            doc.get("url"),
            _require_agency(
                agencies, doc.get("issuing_agency"), f"documents.{position}.issuing_agency"
            ),
        )
        for position, doc in enumerate(documents, 1)
    ]
    regulation, created = _get_or_add(session, Regulation, record["slug"])
    assign_changed(
        regulation,
        {name: record[name] for name in REGULATION_FIELDS + CONTENT_FIELDS}
        | {"agency_id": agency_id},
    )
    wanted_partners = sorted(record["partners"])
    if [partner.country_iso3 for partner in regulation.partners] != wanted_partners:
        _replace(
            session,
            regulation.partners,
            [RegulationPartner(country_iso3=iso3) for iso3 in wanted_partners],
        )
    stored_documents = [
        (doc.position, doc.name, doc.form_number, doc.url, doc.issuing_agency_id)
        for doc in regulation.documents
    ]
    if stored_documents != wanted_documents:
        _replace(
            session,
            regulation.documents,
            [
                RequiredDocument(
                    position=position,
                    name=name,
                    form_number=form_number,
                    url=url,
                    issuing_agency_id=issuer,
                )
                for position, name, form_number, url, issuer in wanted_documents
            ],
        )
    wanted_links = _links(record)
    if {(link.prefix, link.excluded) for link in regulation.hs_links} != wanted_links:
        _replace(
            session,
            regulation.hs_links,
            [RegulationHsLink(prefix=p, excluded=e) for p, e in sorted(wanted_links)],
        )
    session.flush()
    return created


def save_procedure(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one procedure, its steps and links; return True when created."""
    steps = record["steps"]
    agencies = _agencies_by_slug(session, (step.get("agency") for step in steps))
    wanted_steps = [
        (
            position,
            _require_agency(agencies, step.get("agency"), f"steps.{position}.agency"),
            step["action"],
            step.get("documents"),
            step.get("fee"),
            step.get("expected_time"),
        )
        for position, step in enumerate(steps, 1)
    ]
    wanted_slugs = set(record["regulations"])
    regulations = (
        list(session.scalars(select(Regulation).where(Regulation.slug.in_(wanted_slugs))))
        if wanted_slugs
        else []
    )
    missing = sorted(wanted_slugs - {regulation.slug for regulation in regulations})
    if missing:
        raise ImportProblem(
            "regulations", f"no regulation with slug {', '.join(map(repr, missing))}"
        )
    procedure, created = _get_or_add(session, Procedure, record["slug"])
    assign_changed(procedure, {name: record[name] for name in PROCEDURE_FIELDS + CONTENT_FIELDS})
    stored_steps = [
        (s.position, s.agency_id, s.action, s.documents, s.fee, s.expected_time)
        for s in procedure.steps
    ]
    if stored_steps != wanted_steps:
        _replace(
            session,
            procedure.steps,
            [
                ProcedureStep(
                    position=position,
                    agency_id=agency_id,
                    action=action,
                    documents=documents,
                    fee=fee,
                    expected_time=expected_time,
                )
                for position, agency_id, action, documents, fee, expected_time in wanted_steps
            ],
        )
    wanted_links = _links(record)
    if {(link.prefix, link.excluded) for link in procedure.hs_links} != wanted_links:
        _replace(
            session,
            procedure.hs_links,
            [ProcedureHsLink(prefix=p, excluded=e) for p, e in sorted(wanted_links)],
        )
    if {regulation.id for regulation in procedure.regulations} != {r.id for r in regulations}:
        procedure.regulations = regulations
    session.flush()
    return created


# --- export: records the Input schemas load back unchanged -------------------------------


def _common(item) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in CONTENT_FIELDS}
    for name in ("valid_from", "valid_to", "last_verified_on"):
        values[name] = values[name].isoformat() if values[name] else None
    return values


def compact(values: dict[str, str | None], names: tuple[str, ...]) -> str:
    """Join the parts of a nested record with ' | ', leaving out trailing empty parts."""
    parts = [values[name] or "" for name in names]
    while parts and not parts[-1]:
        parts.pop()
    return " | ".join(parts)


def _split_links(links) -> dict[str, list[str]]:
    return {
        "hs_prefixes": [link.prefix for link in links if not link.excluded],
        "hs_exclusions": [link.prefix for link in links if link.excluded],
    }


def _by_slug(model, slugs: Iterable[str] | None):
    query = select(model).order_by(model.slug)
    if slugs is not None:
        query = query.where(model.slug.in_(list(slugs)))
    return query


def export_agencies(session: Session, slugs: Iterable[str] | None = None) -> Iterator[dict]:
    """Yield every agency (or those with ``slugs``) as an import record."""
    for agency in session.scalars(_by_slug(Agency, slugs)):
        record = {"slug": agency.slug}
        record |= {name: getattr(agency, name) for name in AGENCY_FIELDS}
        record["kind"] = agency.kind.value
        yield record | _common(agency)


def export_regulations(session: Session, slugs: Iterable[str] | None = None) -> Iterator[dict]:
    """Yield every regulation (or those with ``slugs``) as an import record."""
    query = _by_slug(Regulation, slugs).options(
        selectinload(Regulation.agency),
        selectinload(Regulation.partners),
        selectinload(Regulation.documents).selectinload(RequiredDocument.issuing_agency),
        selectinload(Regulation.hs_links),
    )
    for regulation in session.scalars(query):
        record = {"slug": regulation.slug}
        record |= {name: getattr(regulation, name) for name in REGULATION_FIELDS}
        record["kind"] = regulation.kind.value
        record["direction"] = regulation.direction.value
        record["partners"] = regulation.partner_codes
        record["agency"] = regulation.agency.slug
        record["documents"] = [
            compact(
                {
                    "name": doc.name,
                    "form_number": doc.form_number,
                    "url": doc.url,
                    "issuing_agency": doc.issuing_agency.slug if doc.issuing_agency else None,
                },
                DOCUMENT_PARTS,
            )
            for doc in regulation.documents
        ]
        yield record | _split_links(regulation.hs_links) | _common(regulation)


def export_procedures(session: Session, slugs: Iterable[str] | None = None) -> Iterator[dict]:
    """Yield every procedure (or those with ``slugs``) as an import record."""
    query = _by_slug(Procedure, slugs).options(
        selectinload(Procedure.steps).selectinload(ProcedureStep.agency),
        selectinload(Procedure.hs_links),
        selectinload(Procedure.regulations),
    )
    for procedure in session.scalars(query):
        record = {"slug": procedure.slug}
        record |= {name: getattr(procedure, name) for name in PROCEDURE_FIELDS}
        record["direction"] = procedure.direction.value
        record["regulations"] = sorted(regulation.slug for regulation in procedure.regulations)
        record["steps"] = [
            compact(
                {
                    "agency": step.agency.slug if step.agency else None,
                    "action": step.action,
                    "documents": step.documents,
                    "fee": step.fee,
                    "expected_time": step.expected_time,
                },
                STEP_PARTS,
            )
            for step in procedure.steps
        ]
        yield record | _split_links(procedure.hs_links) | _common(procedure)
