"""Input schema of country profile sections (content files, and later forms and the API)."""

import re

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from tradeportal.countries.models import ProfileKind

# Profiles are plain text; markup would be shown as typed, so refuse it early.
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!]")


def reject_markup(value: str) -> None:
    """Refuse text that contains HTML tags."""
    if MARKUP.search(value):
        raise ValidationError("Use plain text: HTML tags are not allowed.")


class CountryProfileSectionInput(Schema):
    """One profile section; the natural key is (country, kind, language)."""

    country = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error="Use an ISO 3166 alpha-3 code, e.g. MUS."),
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
            raise ValidationError("Must not be blank.")

    @validates_schema
    def period_is_ordered(self, data, **kwargs) -> None:
        if (
            data.get("valid_to")
            and data.get("valid_from")
            and data["valid_to"] < data["valid_from"]
        ):
            raise ValidationError("Must not be before valid_from.", "valid_to")
