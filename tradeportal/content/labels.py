"""What editors read for content types and record fields: human names, in their language.

Content types and schema fields are named for machines ("tariff-lines", "valid_from"): the
CMS shows these labels instead. A name without a label reads as itself, tidied
("some_field" → "Some field"), so a field added later still shows.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tradeportal.i18n import N_

# Plural, as the CMS lists them ("Regulations": the records of that type).
TYPE_LABELS = {
    "agencies": _l("Agencies"),
    "agreements": _l("Trade agreements"),
    "countries": _l("Countries"),
    "country-profiles": _l("Country profiles"),
    "internal-taxes": _l("Internal taxes"),
    "origin-rules": _l("Rules of origin"),
    "origin-schemes": _l("Preference schemes"),
    "pages": _l("Pages, news and events"),
    "preferential-rates": _l("Preferential rates"),
    "procedures": _l("Procedures"),
    "regulations": _l("Regulations"),
    "search-references": _l("Search references"),
    "tariff-lines": _l("Tariff lines"),
    "tariff-schedule-markets": _l("Markets of tariff schedules"),
    "tariff-schedules": _l("Tariff schedules"),
    "tenders": _l("Tenders"),
}

# The descriptions the areas register (ContentType.description), marked for the catalog:
# the CMS shows ``gettext(description)``; a description changed since reads in English.
TYPE_DESCRIPTIONS = (
    N_("Agencies that regulate trade or answer traders' questions."),
    N_("Trade agreements and their parties (countries or country groups)"),
    N_("Countries and territories of ISO 3166-1 (codes, names, region, currency)"),
    N_("Country profile sections (economy, trade facts, market access, contacts)"),
    N_("VAT, excise and other taxes on goods whatever their origin."),
    N_("Product-specific rules of origin of a scheme (needs origin-schemes)"),
    N_("Preference schemes with rules of origin, and the countries they cover"),
    N_(
        "Free pages, news and events (kind page|news|event), Markdown bodies in English and French."
    ),
    N_("Rates a schedule grants to goods of some origins (needs schedules)."),
    N_("Step-by-step procedures linked to HS prefixes (needs regulations)."),
    N_("Import, export and transit rules linked to HS prefixes (needs agencies)."),
    N_("Words people search for and the HS code they mean (laptop → 8471.30)."),
    N_("National tariff lines with their MFN rate as published (needs schedules)."),
    N_("Markets that applied a schedule besides its reporter (needs schedules)."),
    N_("Markets' schedules of MFN import duties (needs the HS editions)."),
    N_("Procurement releases (OCDS), linked to HS prefixes through their CPV codes"),
)

FIELD_LABELS = {
    # Errors about the record as a whole, not one field.
    "record": _l("Record"),
    "_schema": _l("Record"),
    # The validity and provenance fields every content type has.
    "valid_from": _l("In force from"),
    "valid_to": _l("Last day in force"),
    "source_url": _l("Source address"),
    "issued_by": _l("Issued by"),
    "last_verified_on": _l("Last verified on"),
    "last_verified_by": _l("Last verified by"),
    "is_demo": _l("Illustrative content"),
    # Names, titles and texts.
    "slug": _l("Address name (slug)"),
    "name": _l("Name"),
    "name_en": _l("Name (English)"),
    "name_fr": _l("Name (French)"),
    "short_name_en": _l("Short name (English)"),
    "formal_name_en": _l("Formal name (English)"),
    "cldr_name": _l("CLDR name"),
    "title": _l("Title"),
    "title_en": _l("Title (English)"),
    "title_fr": _l("Title (French)"),
    "title_is_derived": _l("Title derived from the data"),
    "summary": _l("Summary"),
    "summary_en": _l("Summary (English)"),
    "summary_fr": _l("Summary (French)"),
    "body": _l("Text"),
    "body_en": _l("Text (English)"),
    "body_fr": _l("Text (French)"),
    "description": _l("Description"),
    "note": _l("Note"),
    "notes": _l("Notes"),
    "remarks": _l("Remarks"),
    "footnote": _l("Footnote"),
    "change_note": _l("Change note"),
    "licence_note": _l("Licence note"),
    "kind": _l("Kind"),
    "language": _l("Language"),
    "position": _l("Order"),
    "status": _l("Status"),
    # Products, countries and markets.
    "code": _l("Code"),
    "code_min": _l("First code"),
    "code_max": _l("Last code"),
    "chapter": _l("Chapter"),
    "heading": _l("Heading"),
    "subdivision": _l("Subdivision"),
    "hs_prefixes": _l("HS codes"),
    "hs_exclusions": _l("Excluded HS codes"),
    "classifications": _l("Classifications"),
    "country": _l("Country"),
    "country_iso3": _l("Country (ISO alpha-3)"),
    "countries": _l("Countries"),
    "partners": _l("Partner countries"),
    "parties": _l("Parties"),
    "origins": _l("Origins"),
    "market": _l("Market"),
    "market_iso3": _l("Market (ISO alpha-3)"),
    "iso2": _l("ISO alpha-2 code"),
    "iso3": _l("ISO alpha-3 code"),
    "numeric": _l("Numeric code"),
    "m49": _l("M49 code"),
    "region": _l("Region"),
    "subregion": _l("Subregion"),
    "capital": _l("Capital"),
    "sovereignty": _l("Sovereignty"),
    "currency": _l("Currency"),
    "currency_code": _l("Currency code"),
    "currency_name": _l("Currency name"),
    "is_sids": _l("Small island developing state"),
    "is_ldc": _l("Least developed country"),
    "is_lldc": _l("Landlocked developing country"),
    # Regulations and procedures.
    "direction": _l("Direction of trade"),
    "agency": _l("Agency"),
    "documents": _l("Documents"),
    "fees": _l("Fees"),
    "processing_time": _l("Processing time"),
    "legal_basis": _l("Legal basis"),
    "legal_basis_url": _l("Address of the legal basis"),
    "regulations": _l("Regulations"),
    "steps": _l("Steps"),
    "address": _l("Postal address"),
    "email": _l("Email address"),
    "phone": _l("Telephone"),
    "website": _l("Website"),
    # Tariffs and taxes.
    "schedule": _l("Tariff schedule"),
    "reporter": _l("Reporter"),
    "nomenclature": _l("Nomenclature"),
    "recorded_on": _l("Recorded on"),
    "rate_text": _l("Rate as published"),
    "trade_remedy": _l("Trade remedy"),
    "suspension": _l("Suspension"),
    "quota": _l("Quota"),
    "eu_rate_retained": _l("EU rate retained"),
    "scheme_code": _l("Scheme code"),
    "agreement_name": _l("Agreement name"),
    # Agreements and rules of origin.
    "agreement_type": _l("Agreement type"),
    "coverage": _l("Coverage"),
    "notification": _l("Notification"),
    "signed_on": _l("Signed on"),
    "entry_into_force_goods_on": _l("Entry into force (goods)"),
    "entry_into_force_services_on": _l("Entry into force (services)"),
    "inactive_on": _l("Inactive from"),
    "composition": _l("Composition"),
    "is_accession": _l("Accession"),
    "scheme": _l("Preference scheme"),
    "is_unilateral": _l("Unilateral"),
    "proofs": _l("Proofs of origin"),
    "links": _l("Links"),
    "ord_title": _l("Origin rules text: title"),
    "ord_version": _l("Origin rules text: version"),
    "ord_date": _l("Origin rules text: date"),
    "rules": _l("Rules"),
    # Pages, news and events.
    "published_on": _l("Published on"),
    "event_starts_on": _l("Event starts on"),
    "event_ends_on": _l("Event ends on"),
    "event_location": _l("Event location"),
    # Search references.
    "term": _l("Search term"),
    # Tenders (OCDS releases).
    "ocid": _l("OCDS identifier (ocid)"),
    "release_id": _l("Release identifier"),
    "source": _l("Source"),
    "publisher": _l("Data publisher"),
    "buyer_name": _l("Buyer"),
    "procurement_method": _l("Procurement method"),
    "main_category": _l("Main category"),
    "value_amount": _l("Estimated value"),
    "value_currency": _l("Currency of the value"),
    "value_basis": _l("Basis of the value"),
    "tender_period_start": _l("Tender period starts"),
    "tender_period_end": _l("Tender period ends"),
    "published_at": _l("Published at"),
    "tag": _l("OCDS tag"),
    "sample_files": _l("Sample files"),
}


def _tidy(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").strip().capitalize() or name


def type_label(name: str) -> str:
    """The name of a content type for editors: "tariff-lines" → "Tariff lines"."""
    label = TYPE_LABELS.get(name)
    return str(label) if label is not None else _tidy(name)


def type_description(description: str) -> str:
    """A content type's description in the language shown (English when unknown)."""
    return _(description) if description else ""


def field_label(name: str) -> str:
    """The name of a record field for editors: "valid_from" → "In force from"."""
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else _tidy(name)
