"""Output schemas of trade agreements, preference schemes, rules of origin and their sections."""

from marshmallow import Schema, fields

from tradeportal.api.schemas.common import DatedSchema, optional_text
from tradeportal.api.schemas.countries import CountryBriefSchema


class AgreementPartySchema(Schema):
    position = fields.Integer(required=True)
    wto_name = fields.String(required=True)
    country_iso3 = optional_text()
    group_code = optional_text()
    joined_on = fields.Date(required=True, allow_none=True)
    left_on = fields.Date(required=True, allow_none=True)


class TradeAgreementSchema(DatedSchema):
    """A regional trade agreement (WTO RTA database); never in force: valid_from is null."""

    id = fields.Integer(required=True)
    valid_from = fields.Date(required=True, allow_none=True)
    name = fields.String(required=True)
    agreement_type = optional_text()
    coverage = optional_text()
    status = fields.String(required=True)
    notification = optional_text()
    signed_on = fields.Date(required=True, allow_none=True)
    entry_into_force_goods_on = fields.Date(required=True, allow_none=True)
    entry_into_force_services_on = fields.Date(required=True, allow_none=True)
    inactive_on = fields.Date(required=True, allow_none=True)
    composition = optional_text()
    region = optional_text()
    is_accession = fields.Boolean(required=True)
    remarks = optional_text()


class TradeAgreementDetailSchema(TradeAgreementSchema):
    parties = fields.List(fields.Nested(AgreementPartySchema), required=True)


class SchemeCountrySchema(Schema):
    source_code = fields.String(required=True)
    country_iso3 = optional_text()
    group_code = optional_text()


class PreferenceSchemeSchema(DatedSchema):
    code = fields.String(required=True, metadata={"example": "esa"})
    title = fields.String(required=True)
    market_iso3 = fields.String(required=True)
    is_unilateral = fields.Boolean(required=True)
    proofs = fields.List(fields.Dict(keys=fields.String()), required=True)
    links = fields.List(fields.Dict(keys=fields.String()), required=True)
    ord_title = optional_text()
    ord_version = optional_text()
    ord_date = optional_text()
    footnote = optional_text()


class PreferenceSchemeDetailSchema(PreferenceSchemeSchema):
    countries = fields.List(fields.Nested(SchemeCountrySchema), required=True)


class OriginRuleSchema(Schema):
    position = fields.Integer(required=True)
    text = fields.String(required=True)
    rule_class = optional_text(metadata={"example": "CTH; MAXNOM"})
    operator = optional_text(metadata={"description": "How it joins the rule before (or)."})


class OriginRuleSetSchema(DatedSchema):
    """Product-specific rules of a scheme for a range of 10-digit codes."""

    scheme = fields.Pluck(PreferenceSchemeSchema, "code", required=True)
    position = fields.Integer(required=True)
    heading = fields.String(required=True, metadata={"example": "ex Chapter 9"})
    chapter = fields.Integer(required=True)
    code_min = fields.String(required=True)
    code_max = fields.String(required=True)
    subdivision = fields.String(required=True)
    rules = fields.List(fields.Nested(OriginRuleSchema), required=True)


# --- product view sections -----------------------------------------------------------------


class AgreementsSectionSchema(Schema):
    """Agreements between origin and market in force that day, and the UK schemes."""

    origin = fields.Nested(CountryBriefSchema, required=True)
    market = fields.Nested(CountryBriefSchema, required=True)
    agreements = fields.List(fields.Nested(TradeAgreementSchema), required=True)
    schemes = fields.List(fields.Nested(PreferenceSchemeSchema), required=True)


class ApplicableRuleSetSchema(Schema):
    rule_set = fields.Nested(OriginRuleSetSchema, required=True)
    label = fields.String(required=True, metadata={"example": "0901"})
    covers_whole_code = fields.Boolean(required=True)


class RulesSectionSchema(Schema):
    schemes = fields.List(fields.Nested(PreferenceSchemeSchema), required=True)
    rule_sets = fields.List(fields.Nested(ApplicableRuleSetSchema), required=True)
