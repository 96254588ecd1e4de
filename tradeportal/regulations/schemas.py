"""Input schemas of agencies, regulations and procedures: file imports, forms and the API.

The same record can be written as JSON or as one CSV row:

* lists (``partners``, ``hs_prefixes``, ``hs_exclusions``, ``regulations``) are JSON arrays
  or one CSV cell separated by ``;`` — ``"0901;0902"``;
* exclusions have their own field, ``hs_exclusions``: each must lie under one of the
  ``hs_prefixes`` (``hs_prefixes "09"``, ``hs_exclusions "090190"``);
* nested records (a regulation's ``documents``, a procedure's ``steps``) are JSON objects,
  or text with parts separated by ``|``, entries separated by ``;``:
  documents ``name | form number | url | issuing agency slug``,
  steps ``agency slug | action | documents | fee | expected time`` (trailing parts may be
  left out, empty parts left blank). Export writes this text form, so nested texts may not
  contain ``;`` or ``|``;
* empty CSV cells and JSON nulls mean "not given".
"""

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tradeportal.content.fields import (
    CompactRecords,
    CountryCode,
    HsPrefix,
    SemicolonList,
    Text,
    WebAddress,
    day_field,
)
from tradeportal.i18n import N_
from tradeportal.regulations.models import AgencyKind, Direction, RegulationKind

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{2,38}")
# Separators of the compact text form of nested records (see the module docstring).
COMPACT_SEPARATORS = (";", "|")
DOCUMENT_PARTS = ("name", "form_number", "url", "issuing_agency")
STEP_PARTS = ("agency", "action", "documents", "fee", "expected_time")


class Slug(Text):
    """A lower-case identifier made of letters, digits and single hyphens."""

    def __init__(self, **kwargs):
        super().__init__(80, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None and not SLUG.fullmatch(text):
            raise ValidationError(
                f"{text!r} is not a slug: use lower-case letters, digits and hyphens, "
                "e.g. coffee-import-permit."
            )
        return text


class Phone(Text):
    """A telephone number: digits, spaces, brackets and hyphens, optionally after '+'."""

    def __init__(self, **kwargs):
        super().__init__(40, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None and not PHONE.fullmatch(text):
            raise ValidationError(f"{text!r} is not a telephone number, e.g. +230 202 0500.")
        return text


class ContentInput(Schema):
    """Validity and provenance fields shared by every content type."""

    valid_from = day_field(required=True)
    valid_to = day_field()
    source_url = WebAddress()
    issued_by = Text(200)
    last_verified_on = day_field()
    last_verified_by = Text(120)
    is_demo = fields.Boolean(load_default=False)

    @validates_schema
    def check_validity_window(self, data, **kwargs):
        if data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            raise ValidationError(N_("The last day in force comes before valid_from."), "valid_to")


class HsLinkedInput(ContentInput):
    """Content linked to HS prefixes, with exclusions under them."""

    hs_prefixes = SemicolonList(
        HsPrefix(),
        required=True,
        validate=validate.Length(min=1, error=N_("Give at least one HS prefix.")),
    )
    hs_exclusions = SemicolonList(HsPrefix())

    @validates_schema
    def check_exclusions(self, data, **kwargs):
        included = data.get("hs_prefixes", [])
        for exclusion in data.get("hs_exclusions", []):
            if exclusion in included:
                raise ValidationError(f"{exclusion} is both linked and excluded.", "hs_exclusions")
            if not any(exclusion.startswith(prefix) for prefix in included):
                raise ValidationError(
                    f"{exclusion} is not under any of the linked prefixes, so excluding it "
                    "changes nothing.",
                    "hs_exclusions",
                )


class AgencyInput(ContentInput):
    """An agency: ``slug`` identifies it across imports."""

    slug = Slug(required=True)
    name_en = Text(200, required=True)
    name_fr = Text(200)
    kind = fields.Enum(AgencyKind, by_value=True, required=True)
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    phone = Phone()
    address = Text(500)
    website = WebAddress()


class DocumentInput(Schema):
    """A required document of a regulation."""

    name = Text(300, required=True, forbid=COMPACT_SEPARATORS)
    form_number = Text(60, forbid=COMPACT_SEPARATORS)
    url = WebAddress(forbid=COMPACT_SEPARATORS)
    issuing_agency = Slug()


class RegulationInput(HsLinkedInput):
    """A regulation: ``slug`` identifies it; ``agency`` and documents name agency slugs."""

    slug = Slug(required=True)
    title_en = Text(300, required=True)
    title_fr = Text(300)
    summary = Text(5000)
    kind = fields.Enum(RegulationKind, by_value=True, required=True)
    direction = fields.Enum(Direction, by_value=True, required=True)
    country_iso3 = CountryCode(required=True)
    partners = SemicolonList(CountryCode())
    legal_basis = Text(2000)
    legal_basis_url = WebAddress()
    agency = Slug(required=True)
    documents = CompactRecords(DocumentInput, DOCUMENT_PARTS)
    fees = Text(1000)
    processing_time = Text(200)

    @validates_schema
    def check_partners(self, data, **kwargs):
        if data.get("country_iso3") in data.get("partners", []):
            raise ValidationError(
                N_("A country is not its own trading partner; leave it out."), "partners"
            )


class StepInput(Schema):
    """One step of a procedure; its position is its place in the list."""

    agency = Slug()
    action = Text(2000, required=True, forbid=COMPACT_SEPARATORS)
    documents = Text(1000, forbid=COMPACT_SEPARATORS)
    fee = Text(200, forbid=COMPACT_SEPARATORS)
    expected_time = Text(200, forbid=COMPACT_SEPARATORS)


class ProcedureInput(HsLinkedInput):
    """A procedure: ``slug`` identifies it; ``regulations`` lists regulation slugs."""

    slug = Slug(required=True)
    title_en = Text(300, required=True)
    title_fr = Text(300)
    summary = Text(5000)
    direction = fields.Enum(Direction, by_value=True, required=True)
    country_iso3 = CountryCode(required=True)
    regulations = SemicolonList(Slug())
    steps = CompactRecords(StepInput, STEP_PARTS, required=True)
