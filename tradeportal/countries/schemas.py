"""Input schema of country profile sections (content files, and later forms and the API)."""

import re

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from tradeportal.countries.models import ProfileKind
from tradeportal.i18n import N_

# Profiles are plain text; markup would be shown as typed, so refuse it early.
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!]")


def reject_markup(value: str) -> None:
    """Refuse text that contains HTML tags."""
    if MARKUP.search(value):
        raise ValidationError(N_("Use plain text: HTML tags are not allowed."))


class CountryProfileSectionInput(Schema):
    """One profile section; the natural key is (country, kind, language)."""

    country = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Z]{3}$", error=N_("Use an ISO 3166 alpha-3 code, e.g. MUS.")
        ),
    )
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ProfileKind]))
    language = fields.String(required=True, validate=validate.OneOf(["en", "fr"]))
    title = fields.String(required=True, validate=[validate.Length(1, 200), reject_markup])
    body = fields.String(required=True, validate=[validate.Length(1, 20_000), reject_markup])
    position = fields.Integer(load_default=0, validate=validate.Range(0, 1000))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(load_default=None, allow_none=True)
    source_url = fields.URL(
        load_default=None,
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=500),
    )
    issued_by = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    last_verified_on = fields.Date(load_default=None, allow_none=True)
    last_verified_by = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=120)
    )
    is_demo = fields.Boolean(load_default=False)

    @validates("title", "body")
    def not_blank(self, value: str, data_key: str) -> None:
        if not value.strip():
            raise ValidationError(N_("Must not be blank."))

    @validates_schema
    def period_is_ordered(self, data, **kwargs) -> None:
        if (
            data.get("valid_to")
            and data.get("valid_from")
            and data["valid_to"] < data["valid_from"]
        ):
            raise ValidationError(N_("Must not be before valid_from."), "valid_to")


def _optional_text(max_length: int) -> fields.String:
    return fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=max_length)
    )


class NumericCode(fields.String):
    """An ISO 3166 numeric or UN M49 code: up to three digits, stored zero-padded ("004")."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 3):
            raise ValidationError(f"{text!r} is not a number of at most 3 digits, e.g. 480.")
        return text.zfill(3)


class CountryInput(Schema):
    """A country or territory of ISO 3166-1; ``iso3`` identifies it across imports.

    Importing a known code updates its names and facts; a new code adds a territory (its
    ``iso2`` must not belong to another country). A record is the whole country: fields
    left out (or empty CSV cells) are emptied, so export, edit and import back.
    ``currency_code`` lists one or more ISO 4217 codes separated by commas ("INR,BTN").
    """

    iso3 = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Z]{3}$", error=N_("Use an ISO 3166 alpha-3 code, e.g. MUS.")
        ),
    )
    iso2 = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{2}$", error=N_("Use an ISO 3166 alpha-2 code, e.g. MU.")),
    )
    numeric = NumericCode(required=True)
    m49 = NumericCode(load_default=None, allow_none=True)
    name_en = fields.String(required=True, validate=[validate.Length(1, 200), reject_markup])
    name_fr = fields.String(required=True, validate=[validate.Length(1, 200), reject_markup])
    short_name_en = _optional_text(200)
    formal_name_en = _optional_text(300)
    cldr_name = _optional_text(200)
    region = _optional_text(60)
    subregion = _optional_text(60)
    currency_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^[A-Z]{3}(,[A-Z]{3}){0,4}$",
            error=N_("Use ISO 4217 codes separated by commas, e.g. MUR or INR,BTN."),
        ),
    )
    currency_name = _optional_text(120)
    capital = _optional_text(100)
    sovereignty = _optional_text(40)
    is_sids = fields.Boolean(load_default=False)
    is_ldc = fields.Boolean(load_default=False)
    is_lldc = fields.Boolean(load_default=False)

    @validates("name_en", "name_fr")
    def names_not_blank(self, value: str, data_key: str) -> None:
        if not value.strip():
            raise ValidationError(N_("Must not be blank."))
