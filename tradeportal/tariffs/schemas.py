"""Input schemas of tariff schedules, lines, preferences and taxes: imports, forms and the API.

Written as JSON or as one CSV row each:

* lists (``hs_prefixes``, ``hs_exclusions``, ``origins``) are JSON arrays or one CSV cell
  separated by ``;`` — ``"2203;2204"``;
* a tax or preference without ``hs_prefixes`` covers all goods (of its schedule), minus its
  ``hs_exclusions``; with prefixes, each exclusion must lie under one of them;
* rates are the text as published (``rate_text``); the parser reads it when the record is
  saved, and a rate it cannot read is kept as text with kind ``unparsed``, as the loader does;
* dates are written YYYY-MM-DD; empty CSV cells and JSON nulls mean "not given".

Generic fields (trimmed text, web addresses, country codes, HS prefixes, ``;`` lists) are
those of the regulations area, so every content file reads the same way.
"""

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tradeportal.content.fields import (
    CountryCode,
    HsPrefix,
    IsoDate,
    SemicolonList,
    Text,
    WebAddress,
)
from tradeportal.countries.queries import country_exists, group_exists, iso3_codes
from tradeportal.hs.codes import InvalidHSCode, normalise_hs_code
from tradeportal.i18n import N_
from tradeportal.tariffs.models import TaxKind
from tradeportal.tariffs.rates import MAX_RATE_LENGTH

SCHEDULE_CODE = re.compile(r"[A-Z0-9]+(?:[-.][A-Z0-9]+)*")
MARKET_CODE = re.compile(r"[A-Z]{2,10}")  # an ISO3 country or a group code such as "EU"
CURRENCY = re.compile(r"\A[A-Z]{3}\Z")
NATIONAL_CODE_LENGTHS = (8, 10)


class ScheduleCode(Text):
    """A schedule code: capital letters and digits joined by single '-' or '.'."""

    def __init__(self, **kwargs):
        super().__init__(30, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None and not SCHEDULE_CODE.fullmatch(text):
            raise ValidationError(
                f"{text!r} is not a schedule code: use capital letters and digits joined by "
                "'-' or '.', e.g. UKGT-2021."
            )
        return text


class NationalCode(fields.Field):
    """A tariff line code of 8 or 10 digits, in any spelling HS codes accept; kept as digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(
                'A tariff line code is text, e.g. "0901210000" (a number loses its leading 0).'
            )
        try:
            digits = normalise_hs_code(value).digits
        except InvalidHSCode as error:
            raise ValidationError(f"{value!r} is not a tariff line code: {error.message}") from None
        if len(digits) not in NATIONAL_CODE_LENGTHS:
            raise ValidationError(
                f"{value!r} has {len(digits)} digits; a tariff line code has 8 or 10."
            )
        return digits


class MarketCode(fields.Field):
    """An ISO 3166 alpha-3 country code or a country group code ("EU", "ESA") the portal knows."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = value.strip() if isinstance(value, str) else value
        if not isinstance(text, str) or not MARKET_CODE.fullmatch(text):
            raise ValidationError(
                f"{value!r} is not a country or group code (capital letters, e.g. GBR or EU)."
            )
        # Until the countries dataset is loaded only the shape can be checked.
        if iso3_codes() and not (country_exists(text) or group_exists(text)):
            raise ValidationError(f"{text} is neither a known country code nor a country group.")
        return text


def refuse_reversed_window(data: dict) -> None:
    """Refuse a validity window that ends before it starts."""
    if data.get("valid_to") and data.get("valid_from") and data["valid_to"] < data["valid_from"]:
        raise ValidationError(N_("The last day in force comes before valid_from."), "valid_to")


def rate_text_field() -> Text:
    return Text(MAX_RATE_LENGTH, required=True)


class DatedInput(Schema):
    """Validity and provenance fields shared by every tariff content type."""

    valid_from = IsoDate(required=True)
    valid_to = IsoDate()
    source_url = WebAddress()
    issued_by = Text(200)
    last_verified_on = IsoDate()
    last_verified_by = Text(120)
    is_demo = fields.Boolean(load_default=False)

    @validates_schema
    def check_validity_window(self, data, **kwargs):
        refuse_reversed_window(data)


class PrefixLinkedInput(DatedInput):
    """Content linked to HS prefixes; none means every product, minus the exclusions."""

    hs_prefixes = SemicolonList(HsPrefix())
    hs_exclusions = SemicolonList(HsPrefix())

    @validates_schema
    def check_exclusions(self, data, **kwargs):
        included = data.get("hs_prefixes", [])
        for exclusion in data.get("hs_exclusions", []):
            if exclusion in included:
                raise ValidationError(f"{exclusion} is both linked and excluded.", "hs_exclusions")
            if included and not any(exclusion.startswith(prefix) for prefix in included):
                raise ValidationError(
                    f"{exclusion} is not under any of the linked prefixes, so excluding it "
                    "changes nothing.",
                    "hs_exclusions",
                )


class TariffScheduleInput(DatedInput):
    """A market's schedule of MFN duties; ``code`` identifies it."""

    code = ScheduleCode(required=True)
    title = Text(200, required=True)
    reporter = MarketCode(required=True)
    nomenclature = Text(20, required=True)  # an HS edition the portal holds: checked on save
    currency = fields.String(
        load_default=None,
        validate=validate.Regexp(CURRENCY, error=N_("Must be an ISO 4217 code such as GBP.")),
    )
    recorded_on = IsoDate()
    notes = Text(2000)


class TariffScheduleMarketInput(Schema):
    """A market that applied a schedule besides its reporter, for a while."""

    schedule = ScheduleCode(required=True)
    market = MarketCode(required=True)
    valid_from = IsoDate(required=True)
    valid_to = IsoDate()
    note = Text(2000, required=True)
    source_url = WebAddress()

    @validates_schema
    def check_validity_window(self, data, **kwargs):
        refuse_reversed_window(data)


class TariffLineInput(DatedInput):
    """One national tariff line of a schedule; (``schedule``, ``code``) identifies it."""

    schedule = ScheduleCode(required=True)
    code = NationalCode(required=True)
    description = Text(5000, required=True)
    rate_text = rate_text_field()
    # Not given: the source says nothing about this measure for the schedule's market.
    trade_remedy = fields.Boolean(load_default=None, allow_none=True)
    suspension = fields.Boolean(load_default=None, allow_none=True)
    quota = fields.Boolean(load_default=None, allow_none=True)
    eu_rate_retained = fields.Boolean(load_default=None, allow_none=True)
    change_note = Text(40)


class InternalTaxInput(PrefixLinkedInput):
    """A tax on goods whatever their origin; (country, name, valid_from) identifies it."""

    country_iso3 = CountryCode(required=True)
    kind = fields.Enum(TaxKind, by_value=True, required=True)
    name = Text(200, required=True)
    rate_text = rate_text_field()
    note = Text(2000)


class PreferentialRateInput(PrefixLinkedInput):
    """A schedule's rate for goods of some origins; (schedule, scheme, valid_from) identifies it."""

    schedule = ScheduleCode(required=True)
    scheme_code = Text(40, required=True)
    agreement_name = Text(300, required=True)
    origins = SemicolonList(
        MarketCode(),
        required=True,
        validate=validate.Length(min=1, error=N_("Give at least one origin country or group.")),
    )
    rate_text = rate_text_field()
    note = Text(2000)
