"""Output schemas of tariff schedules, lines, preferences and taxes, and the tariffs section."""

from marshmallow import Schema, fields

from tradeportal.api.schemas.common import DatedSchema, optional_text
from tradeportal.hs.codes import format_code
from tradeportal.tariffs.models import TaxKind
from tradeportal.tariffs.rate_display import describe_rate
from tradeportal.tariffs.rates import RateKind


class RatedSchema(Schema):
    """A rate as published and as the portal's parser read it."""

    rate_text = fields.String(required=True, metadata={"description": "As published."})
    rate_kind = fields.Enum(RateKind, by_value=True, required=True)
    ad_valorem_pct = fields.Float(required=True, allow_none=True)
    rate_parts = fields.Dict(
        required=True,
        allow_none=True,
        metadata={"description": "The parsed rate (duties, components, seasons) as stored."},
    )
    rate_readable = fields.Method("_readable", required=True, metadata={"type": ["string", "null"]})

    def _readable(self, item) -> str | None:
        return describe_rate(item.parsed_rate)


class ScheduleMarketSchema(Schema):
    market = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True, allow_none=True)
    note = fields.String(required=True)
    source_url = optional_text()


class TariffScheduleSchema(DatedSchema):
    code = fields.String(required=True, metadata={"example": "UKGT-2021"})
    title = fields.String(required=True)
    reporter = fields.String(
        required=True, metadata={"description": "The market: ISO3 or a group code (EU)."}
    )
    nomenclature = fields.String(required=True)
    currency = optional_text()
    recorded_on = fields.Date(required=True, allow_none=True)
    notes = optional_text()
    markets = fields.List(
        fields.Nested(ScheduleMarketSchema),
        required=True,
        metadata={"description": "Markets that applied it besides the reporter, for a while."},
    )


class ChapterCountSchema(Schema):
    chapter = fields.String(required=True)
    lines = fields.Integer(required=True)


class TariffScheduleDetailSchema(TariffScheduleSchema):
    chapters = fields.List(fields.Nested(ChapterCountSchema), required=True)


class TariffLineSchema(RatedSchema, DatedSchema):
    schedule = fields.Pluck(TariffScheduleSchema, "code", required=True)
    code = fields.String(required=True)
    display = fields.Method("_display", required=True, metadata={"type": "string"})
    description = fields.String(required=True)
    trade_remedy = fields.Boolean(required=True, allow_none=True)
    suspension = fields.Boolean(required=True, allow_none=True)
    quota = fields.Boolean(required=True, allow_none=True)
    eu_rate_retained = fields.Boolean(required=True, allow_none=True)
    change_note = optional_text()

    def _display(self, line) -> str:
        return format_code(line.code)


class InternalTaxSchema(RatedSchema, DatedSchema):
    country_iso3 = fields.String(required=True)
    kind = fields.Enum(TaxKind, by_value=True, required=True)
    name = fields.String(required=True)
    note = optional_text()


class PreferentialRateSchema(RatedSchema, DatedSchema):
    schedule = fields.Pluck(TariffScheduleSchema, "code", required=True)
    scheme_code = fields.String(required=True)
    agreement_name = fields.String(required=True)
    note = optional_text()
    origins = fields.Pluck(
        Schema.from_dict({"origin": fields.String()}, name="PreferenceOriginSchema"),
        "origin",
        many=True,
        required=True,
        metadata={"description": "Countries (ISO3) or groups whose goods qualify."},
    )


# --- the tariffs section of the product view ---------------------------------------------


class RateViewSchema(Schema):
    text = fields.String(required=True)
    readable = optional_text()
    on_day = optional_text(
        metadata={"description": "For a seasonal rate: the season's duty that day."}
    )


class LineRowSchema(Schema):
    line = fields.Nested(TariffLineSchema, required=True)
    rate = fields.Nested(RateViewSchema, required=True)
    flags = fields.List(fields.String(), required=True)
    via = optional_text(metadata={"description": "The ancestor code the line applies through."})
    below = fields.Boolean(required=True, metadata={"description": "The line sits below the code."})
    split_note = optional_text()


class ApplicableTaxSchema(Schema):
    item = fields.Nested(InternalTaxSchema, required=True)
    rate = fields.Nested(RateViewSchema, required=True)
    via = optional_text()
    all_goods = fields.Boolean(required=True)
    parts = fields.List(fields.String(), required=True)
    exceptions = fields.List(fields.String(), required=True)


class ApplicablePreferenceSchema(Schema):
    item = fields.Nested(PreferentialRateSchema, required=True)
    rate = fields.Nested(RateViewSchema, required=True)
    via = optional_text()
    all_goods = fields.Boolean(required=True)
    parts = fields.List(fields.String(), required=True)
    exceptions = fields.List(fields.String(), required=True)
    eligible = fields.Boolean(
        required=True, metadata={"description": "The origin asked qualifies by country."}
    )
    origin_names = fields.List(fields.String(), required=True)


class LinesSummarySchema(Schema):
    nomenclature = fields.String(required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    truncated = fields.Boolean(required=True)


class TariffsSectionSchema(Schema):
    """Home taxes always; the market's duties, preferences and taxes when a market is given."""

    home_country = fields.String(required=True)
    home_name = fields.String(required=True)
    home_taxes = fields.List(fields.Nested(ApplicableTaxSchema), required=True)
    market = optional_text()
    market_name = optional_text()
    origin = optional_text()
    origin_name = optional_text()
    schedules = fields.List(fields.Nested(TariffScheduleSchema), required=True)
    lines = fields.Nested(LinesSummarySchema, required=True, allow_none=True)
    line_rows = fields.List(fields.Nested(LineRowSchema), required=True)
    eligible_preferences = fields.List(fields.Nested(ApplicablePreferenceSchema), required=True)
    other_preferences = fields.List(fields.Nested(ApplicablePreferenceSchema), required=True)
    market_taxes = fields.List(fields.Nested(ApplicableTaxSchema), required=True)
