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

from tradeportal.countries.queries import country_exists, is_iso3_shape, iso3_codes
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.prefixes import normalise_prefix
from tradeportal.regulations.models import AgencyKind, Direction, RegulationKind
from tradeportal.validity import EARLIEST_DATE, LATEST_DATE

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{2,38}")
# Separators of the compact text form of nested records (see the module docstring).
COMPACT_SEPARATORS = (";", "|")
DOCUMENT_PARTS = ("name", "form_number", "url", "issuing_agency")
STEP_PARTS = ("agency", "action", "documents", "fee", "expected_time")


class Text(fields.String):
    """Trimmed text with a maximum length; empty optional text is None."""

    def __init__(self, max_length: int, *, forbid: tuple[str, ...] = (), **kwargs):
        self.max_length = max_length
        self.forbid = forbid
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", None)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            if self.required:
                raise ValidationError("Must not be empty.")
            return None
        if len(text) > self.max_length:
            raise ValidationError(
                f"Must be at most {self.max_length:,} characters (this is {len(text):,})."
            )
        for character in self.forbid:
            if character in text:
                raise ValidationError(
                    f"Must not contain {character!r}: it separates entries in CSV files."
                )
        return text


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


class WebAddress(fields.Url):
    """An absolute http or https address, trimmed; empty is None."""

    def __init__(self, *, forbid: tuple[str, ...] = (), **kwargs):
        self.forbid = forbid
        kwargs.setdefault("load_default", None)
        kwargs.setdefault(
            "error_messages", {"invalid": "Must be a full http:// or https:// address."}
        )
        super().__init__(schemes={"http", "https"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if len(value) > 500:
                raise ValidationError("Must be at most 500 characters.")
            if any(character in value for character in self.forbid):
                raise ValidationError("Must not contain ';' or '|' (they separate CSV entries).")
        return super()._deserialize(value, attr, data, **kwargs)


class CountryCode(fields.Field):
    """An ISO 3166 alpha-3 code the portal knows."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        if not is_iso3_shape(value):
            raise ValidationError(
                f"{value!r} is not an ISO 3166 alpha-3 code (three capital letters, e.g. GBR)."
            )
        # Until the countries dataset is loaded only the shape can be checked.
        if iso3_codes() and not country_exists(value):
            raise ValidationError(f"{value} is not a known country code.")
        return value


class HsPrefix(fields.Field):
    """An HS code of 2, 4, 6, 8 or 10 digits, in any accepted spelling; stored as digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError('An HS prefix is text, e.g. "0901" (a number loses its 0).')
        try:
            return normalise_prefix(value)
        except InvalidHSCode as error:
            raise ValidationError(f"{value!r} is not an HS prefix: {error.message}") from None


class SemicolonList(fields.List):
    """A list given as a JSON array or as one CSV cell of items separated by ';'."""

    def __init__(self, inner, **kwargs):
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", list)
        super().__init__(inner, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(";") if part.strip()]
        if not isinstance(value, list):
            raise ValidationError("Must be a list, or one cell of items separated by ';'.")
        # Items are numbered from 1 in messages, as people count them in a cell.
        items, errors, seen = [], {}, set()
        for number, raw in enumerate(value, 1):
            try:
                item = self.inner.deserialize(raw, **kwargs)
            except ValidationError as error:
                errors[number] = error.messages
                continue
            if item in seen:
                errors[number] = [f"{item} appears twice."]
            seen.add(item)
            items.append(item)
        if errors:
            raise ValidationError(errors)
        return items


class CompactRecords(fields.Field):
    """Nested records as JSON objects or as '|'-separated text entries (see module doc)."""

    def __init__(self, schema_class: type[Schema], parts: tuple[str, ...], **kwargs):
        self.schema_class = schema_class
        self.parts = parts
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", list)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            items = [entry for entry in value.split(";") if entry.strip()]
        elif isinstance(value, list):
            items = value
        else:
            raise ValidationError("Must be a list, or one cell of entries separated by ';'.")
        if self.required and not items:
            raise ValidationError("Give at least one.")
        schema, loaded, errors = self.schema_class(), [], {}
        for number, item in enumerate(items, 1):
            if isinstance(item, str):
                texts = [part.strip() for part in item.split("|")]
                if len(texts) > len(self.parts):
                    errors[number] = [
                        f"Has {len(texts)} parts separated by '|'; at most "
                        f"{len(self.parts)}: {' | '.join(self.parts)}."
                    ]
                    continue
                item = {name: text for name, text in zip(self.parts, texts, strict=False) if text}
            if not isinstance(item, dict):
                errors[number] = ["Must be an object or a text entry."]
                continue
            try:
                loaded.append(schema.load(item))
            except ValidationError as error:
                errors[number] = error.messages
        if errors:
            raise ValidationError(errors)
        return loaded


def day_field(**kwargs) -> fields.Date:
    if not kwargs.get("required"):
        kwargs.setdefault("load_default", None)
    return fields.Date(
        validate=validate.Range(min=EARLIEST_DATE, max=LATEST_DATE),
        error_messages={"invalid": "Not a valid date: write YYYY-MM-DD, e.g. 2026-01-31."},
        **kwargs,
    )


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
            raise ValidationError("The last day in force comes before valid_from.", "valid_to")


class HsLinkedInput(ContentInput):
    """Content linked to HS prefixes, with exclusions under them."""

    hs_prefixes = SemicolonList(
        HsPrefix(),
        required=True,
        validate=validate.Length(min=1, error="Give at least one HS prefix."),
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
                "A country is not its own trading partner; leave it out.", "partners"
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
