"""Search documents of trade content: regulations, procedures, agreements, preference
schemes, countries with their profiles, and tenders.

Content linked to HS prefixes carries the linked codes' descriptions as context, so
"coffee" also finds the permit that applies to 0901; a nomenclature text change reaches
those documents through `flask search rebuild` (the nomenclature is loaded by
`flask seed`, which the index follows by a rebuild).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tradeportal.agreements.models import (
    AgreementParty,
    PreferenceScheme,
    SchemeCountry,
    TradeAgreement,
)
from tradeportal.countries.models import Country, CountryProfileSection
from tradeportal.hs.models import HsNode, Nomenclature
from tradeportal.hs.prefixes import prefixes_of
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
from tradeportal.search.documents import (
    Documents,
    DocumentSource,
    Watch,
    chunked,
    int_ids,
    joined,
    make_document,
    own_id,
    register_source,
)
from tradeportal.search.schema import FAR_FUTURE
from tradeportal.search.sources_hs import REFERENCE_EDITION
from tradeportal.tenders.models import Tender, TenderHsLink

REGULATION_WEIGHT = 0.8
OTHER_CONTENT_WEIGHT = 0.7


def _rows(session: Session, statement, column, entity_ids: Sequence[str] | None, numeric=True):
    """Run ``statement`` for all entities, or chunk by chunk for the ids asked for."""
    if entity_ids is None:
        return list(session.scalars(statement))
    ids = int_ids(entity_ids) if numeric else list(entity_ids)
    found = []
    for chunk in chunked(ids):
        found += session.scalars(statement.where(column.in_(chunk)))
    return found


def _hs_context(session: Session, prefixes: set[str]) -> dict[str, tuple[str, str | None]]:
    """Return the current edition's descriptions of linked HS prefixes."""
    found = {}
    for chunk in chunked(sorted(prefixes)):
        rows = session.execute(
            select(HsNode.code, HsNode.description_en, HsNode.description_fr)
            .join(Nomenclature, Nomenclature.id == HsNode.nomenclature_id)
            .where(Nomenclature.code == REFERENCE_EDITION, HsNode.code.in_(chunk))
        )
        found.update((code, (en, fr)) for code, en, fr in rows)
    return found


def _linked(links: Iterable) -> list[str]:
    return sorted(link.prefix for link in links if not link.excluded)


def _link_fields(prefixes: list[str], context: dict) -> dict:
    """Code filter terms, chapters and context texts of content linked to HS prefixes."""
    return {
        "codes": {ancestor for prefix in prefixes for ancestor in prefixes_of(prefix)},
        "chapters": {prefix[:2] for prefix in prefixes},
        "context_en": joined(*(context[p][0] for p in prefixes if p in context)),
        "context_fr": joined(*(context[p][1] for p in prefixes if p in context)),
    }


def load_regulations(session: Session, entity_ids: Sequence[str] | None) -> Documents:
    statement = select(Regulation).options(
        selectinload(Regulation.partners),
        selectinload(Regulation.documents),
        selectinload(Regulation.hs_links),
        selectinload(Regulation.agency),
    )
    regulations = _rows(session, statement, Regulation.id, entity_ids)
    context = _hs_context(session, {p for r in regulations for p in _linked(r.hs_links)})
    for regulation in regulations:
        agency = regulation.agency
        documents = [f"{d.name} {d.form_number or ''}" for d in regulation.documents]
        yield (
            str(regulation.id),
            make_document(
                source="regulation",
                entity_id=str(regulation.id),
                key=f"regulation:{regulation.id}",
                doc_type="regulation",
                title=regulation.title_en,
                link={
                    "endpoint": "regulations.regulation_detail",
                    "values": {"slug": regulation.slug},
                },
                valid_from=regulation.valid_from,
                valid_to=regulation.valid_to,
                weight=REGULATION_WEIGHT,
                languages=["en", "fr"] if regulation.title_fr else ["en"],
                countries=[regulation.country_iso3, *regulation.partner_codes],
                spell=joined(regulation.title_en, regulation.title_fr),
                title_en=regulation.title_en,
                title_fr=regulation.title_fr or "",
                body_en=joined(
                    regulation.summary,
                    regulation.kind.label_en,
                    f"{regulation.direction.label_en} regulation",
                    regulation.legal_basis,
                    regulation.fees,
                    regulation.processing_time,
                    agency.name_en if agency else None,
                    *documents,
                ),
                body_fr=agency.name_fr if agency and agency.name_fr else "",
                stored={
                    "title_fr_text": regulation.title_fr,
                    "snippet_en": regulation.summary,
                    "is_demo": regulation.is_demo,
                },
                **_link_fields(_linked(regulation.hs_links), context),
            ),
        )


def _regulations_of_agency(agency: Agency, connection) -> list[str]:
    ids = connection.execute(select(Regulation.id).where(Regulation.agency_id == agency.id))
    return [str(found) for found in ids.scalars()]


def load_procedures(session: Session, entity_ids: Sequence[str] | None) -> Documents:
    statement = select(Procedure).options(
        selectinload(Procedure.steps), selectinload(Procedure.hs_links)
    )
    procedures = _rows(session, statement, Procedure.id, entity_ids)
    context = _hs_context(session, {p for r in procedures for p in _linked(r.hs_links)})
    for procedure in procedures:
        steps = [joined(s.action, s.documents, s.fee, s.expected_time) for s in procedure.steps]
        yield (
            str(procedure.id),
            make_document(
                source="procedure",
                entity_id=str(procedure.id),
                key=f"procedure:{procedure.id}",
                doc_type="procedure",
                title=procedure.title_en,
                link={
                    "endpoint": "regulations.procedure_detail",
                    "values": {"slug": procedure.slug},
                },
                valid_from=procedure.valid_from,
                valid_to=procedure.valid_to,
                weight=REGULATION_WEIGHT,
                languages=["en", "fr"] if procedure.title_fr else ["en"],
                countries=[procedure.country_iso3],
                spell=joined(procedure.title_en, procedure.title_fr),
                title_en=procedure.title_en,
                title_fr=procedure.title_fr or "",
                body_en=joined(
                    procedure.summary, f"{procedure.direction.label_en} procedure", *steps
                ),
                stored={
                    "title_fr_text": procedure.title_fr,
                    "snippet_en": procedure.summary,
                    "is_demo": procedure.is_demo,
                },
                **_link_fields(_linked(procedure.hs_links), context),
            ),
        )


def load_agreements(session: Session, entity_ids: Sequence[str] | None) -> Documents:
    statement = select(TradeAgreement).options(selectinload(TradeAgreement.parties))
    for agreement in _rows(session, statement, TradeAgreement.id, entity_ids):
        parties = [party.wto_name for party in agreement.parties]
        facts = [agreement.agreement_type, agreement.coverage, agreement.status]
        yield (
            str(agreement.id),
            make_document(
                source="agreement",
                entity_id=str(agreement.id),
                key=f"agreement:{agreement.id}",
                doc_type="agreement",
                title=agreement.name,
                link={"endpoint": "agreements.detail", "values": {"agreement_id": agreement.id}},
                # Never in force (an early announcement): not found on any date.
                valid_from=agreement.valid_from or FAR_FUTURE,
                valid_to=agreement.valid_to,
                weight=OTHER_CONTENT_WEIGHT,
                languages=["en"],
                countries=[p.country_iso3 for p in agreement.parties if p.country_iso3],
                spell=agreement.name,
                title_en=agreement.name,
                body_en=joined(
                    " ".join(fact for fact in facts if fact),
                    agreement.region,
                    agreement.composition,
                    agreement.remarks,
                    ", ".join(parties),
                ),
                stored={
                    "snippet_en": ", ".join(parties),
                    "is_demo": agreement.is_demo,
                },
            ),
        )


def load_schemes(session: Session, entity_ids: Sequence[str] | None) -> Documents:
    statement = select(PreferenceScheme).options(selectinload(PreferenceScheme.countries))
    for scheme in _rows(session, statement, PreferenceScheme.id, entity_ids):
        proofs = [proof.get("summary", "") for proof in scheme.proofs or []]
        kind = "Unilateral preference scheme" if scheme.is_unilateral else "Trade agreement"
        yield (
            str(scheme.id),
            make_document(
                source="scheme",
                entity_id=str(scheme.id),
                key=f"scheme:{scheme.code}",
                doc_type="agreement",
                title=scheme.title,
                link={"endpoint": "agreements.scheme", "values": {"code": scheme.code}},
                valid_from=scheme.valid_from,
                valid_to=scheme.valid_to,
                weight=OTHER_CONTENT_WEIGHT,
                languages=["en"],
                countries=[c.country_iso3 for c in scheme.countries if c.country_iso3],
                spell=scheme.title,
                title_en=scheme.title,
                body_en=joined(
                    f"{kind} rules of origin", scheme.ord_title, scheme.footnote, *proofs
                ),
                stored={"snippet_en": scheme.ord_title, "is_demo": scheme.is_demo},
            ),
        )


def load_countries(session: Session, entity_ids: Sequence[str] | None) -> Documents:
    countries = _rows(session, select(Country), Country.iso3, entity_ids, numeric=False)
    sections = defaultdict(list)
    profile = select(CountryProfileSection).order_by(CountryProfileSection.position)
    for section in _rows(session, profile, CountryProfileSection.country_iso3, entity_ids, False):
        sections[section.country_iso3].append(section)
    for country in countries:
        own = sections[country.iso3]
        text = {
            language: joined(*(f"{s.title}\n{s.body}" for s in own if s.language == language))
            for language in ("en", "fr")
        }
        names = [country.short_name_en, country.formal_name_en, country.cldr_name]
        facts = [country.capital, country.region, country.subregion, country.currency_name]
        yield (
            country.iso3,
            make_document(
                source="country",
                entity_id=country.iso3,
                key=f"country:{country.iso3}",
                doc_type="country",
                title=country.name_en,
                link={"endpoint": "countries.detail", "values": {"raw": country.iso3}},
                valid_from=None,
                valid_to=None,
                weight=OTHER_CONTENT_WEIGHT,
                languages=["en", "fr"],
                countries=[country.iso3],
                spell=joined(country.name_en, country.name_fr),
                title_en=country.name_en,
                title_fr=country.name_fr,
                body_en=joined(*names, *facts, text["en"]),
                body_fr=text["fr"],
                stored={
                    "title_fr_text": country.name_fr,
                    "snippet_en": ", ".join(fact for fact in facts if fact),
                    # Profile texts written by the portal team are part of what matched.
                    "is_demo": any(section.is_demo for section in own),
                },
            ),
        )


def load_tenders(session: Session, entity_ids: Sequence[str] | None) -> Documents:
    statement = select(Tender).options(selectinload(Tender.hs_links))
    tenders = _rows(session, statement, Tender.id, entity_ids)
    context = _hs_context(session, {p for t in tenders for p in _linked(t.hs_links)})
    for tender in tenders:
        text_field = "title_fr" if tender.language == "fr" else "title_en"
        body_field = "body_fr" if tender.language == "fr" else "body_en"
        yield (
            str(tender.id),
            make_document(
                source="tender",
                entity_id=str(tender.id),
                key=f"tender:{tender.id}",
                doc_type="tender",
                title=tender.title,
                link={"endpoint": "tenders.detail", "values": {"tender_id": tender.id}},
                valid_from=tender.valid_from,
                valid_to=tender.valid_to,
                weight=OTHER_CONTENT_WEIGHT,
                languages=[tender.language],
                countries=[tender.country_iso3],
                spell=tender.title,
                stored={"snippet_en": tender.description, "is_demo": tender.is_demo},
                **{
                    text_field: tender.title,
                    body_field: joined(tender.description, tender.buyer_name, tender.publisher),
                },
                **_link_fields(_linked(tender.hs_links), context),
            ),
        )


def _counter(model):
    return lambda session: session.scalar(select(func.count(model.id))) or 0


def _owner(column: str):
    return lambda instance, _connection: [str(getattr(instance, column))]


register_source(
    DocumentSource("regulation", load_regulations, _counter(Regulation)),
    watches=[
        Watch(Regulation, "regulation", lambda instance, _c: own_id(instance)),
        Watch(RegulationPartner, "regulation", _owner("regulation_id")),
        Watch(RequiredDocument, "regulation", _owner("regulation_id")),
        Watch(RegulationHsLink, "regulation", _owner("regulation_id")),
        Watch(Agency, "regulation", _regulations_of_agency),
    ],
)
register_source(
    DocumentSource("procedure", load_procedures, _counter(Procedure)),
    watches=[
        Watch(Procedure, "procedure", lambda instance, _c: own_id(instance)),
        Watch(ProcedureStep, "procedure", _owner("procedure_id")),
        Watch(ProcedureHsLink, "procedure", _owner("procedure_id")),
    ],
)
register_source(
    DocumentSource("agreement", load_agreements, _counter(TradeAgreement)),
    watches=[
        Watch(TradeAgreement, "agreement", lambda instance, _c: own_id(instance)),
        Watch(AgreementParty, "agreement", _owner("agreement_id")),
    ],
)
register_source(
    DocumentSource("scheme", load_schemes, _counter(PreferenceScheme)),
    watches=[
        Watch(PreferenceScheme, "scheme", lambda instance, _c: own_id(instance)),
        Watch(SchemeCountry, "scheme", _owner("scheme_id")),
    ],
)
register_source(
    DocumentSource("country", load_countries, _counter(Country)),
    watches=[
        Watch(Country, "country", _owner("iso3")),
        Watch(CountryProfileSection, "country", _owner("country_iso3")),
    ],
)
register_source(
    DocumentSource("tender", load_tenders, _counter(Tender)),
    watches=[
        Watch(Tender, "tender", lambda instance, _c: own_id(instance)),
        Watch(TenderHsLink, "tender", _owner("tender_id")),
    ],
)
