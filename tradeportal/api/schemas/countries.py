"""Output schemas of countries, their profiles, and the country links of the product view."""

from marshmallow import Schema, fields

from tradeportal.api.schemas.common import DatedSchema, optional_text
from tradeportal.countries.models import ProfileKind


class CountryBriefSchema(Schema):
    iso3 = fields.String(required=True, metadata={"example": "MUS"})
    iso2 = fields.String(required=True)
    name_en = fields.String(required=True)
    name_fr = fields.String(required=True)


class CountrySchema(CountryBriefSchema):
    numeric = fields.String(required=True)
    m49 = optional_text()
    short_name_en = optional_text()
    formal_name_en = optional_text()
    cldr_name = optional_text()
    region = optional_text()
    subregion = optional_text()
    currency_code = optional_text(
        metadata={"description": "ISO 4217, comma-separated when several."}
    )
    currency_name = optional_text()
    capital = optional_text()
    sovereignty = optional_text()
    is_sids = fields.Boolean(required=True)
    is_ldc = fields.Boolean(required=True)
    is_lldc = fields.Boolean(required=True)


class ProfileSectionSchema(DatedSchema):
    kind = fields.Enum(ProfileKind, by_value=True, required=True)
    language = fields.String(required=True, metadata={"enum": ["en", "fr"]})
    title = fields.String(required=True)
    paragraphs = fields.List(fields.String(), required=True)
    position = fields.Integer(required=True)


class EuAccessSchema(DatedSchema):
    """The EU import-duty profile of goods from this origin."""

    cn_codes = fields.Integer(required=True)
    duty_free_codes = fields.Integer(required=True)
    duty_free_share = fields.Float(required=True)
    average_ad_valorem = fields.Float(required=True)
    arrangements = optional_text()
    codes_with_anti_dumping = fields.Integer(required=True)
    codes_with_additional_duty = fields.Integer(required=True)
    licence = fields.String(required=True)


class CountryLinkSchema(Schema):
    role = fields.String(required=True, metadata={"example": "Destination market"})
    country = fields.Nested(CountryBriefSchema, required=True)
