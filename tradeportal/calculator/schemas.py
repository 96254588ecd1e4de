"""The calculator's input (form and API) and output schemas.

``CalculationInput().load(data)`` returns a :class:`CalculationParams` or raises
``ValidationError`` with one message list per field; ``CalculationSchema().dump(result)``
turns a :class:`Calculation` into JSON-safe data, amounts as strings rounded to the cent.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from tradeportal.calculator.evaluate import CENT, INPUT_UNITS, WIDE
from tradeportal.calculator.results import CIF, FOB, CalculationParams
from tradeportal.content.fields import CountryCode, HsCodeText, IsoDate
from tradeportal.i18n import N_

CURRENCY = re.compile(r"[A-Z]{3}")
MAX_AMOUNT = Decimal("1e12")  # a trillion: more is a typo, and keeps every sum exact
MAX_QUANTITY = Decimal("1e9")
MAX_EXCHANGE_RATE = Decimal("1e6")
# Smaller positive quantities and rates are typos; "1e-999999" would round the value to 0.
SMALLEST = Decimal("0.000001")
MAX_NUMBER_LENGTH = 30
BASES = (CIF, FOB)


class Message(str):
    """An English message (what the API says) that a page can say in its own language.

    ``template`` is the English text with ``%(name)s`` placeholders, marked with ``N_``;
    ``values`` fill them: pages show ``gettext(message.template, **message.values)``.
    """

    template: str
    values: dict

    def __new__(cls, template: str, **values):
        said = super().__new__(cls, template % values if values else template)
        said.template, said.values = template, values
        return said


class Country(CountryCode):
    """A known ISO alpha-3 country code, in capitals or not."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip().upper()
        return super()._deserialize(value, attr, data, **kwargs)


class Code(fields.Field):
    """One of a few codes, in any case: a currency, a unit, a valuation basis."""

    def __init__(self, choices=None, *, upper=True, **kwargs):
        self.choices, self.upper = choices, upper
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 10:
            raise ValidationError(N_("Must be a short code."))
        text = value.strip().upper() if self.upper else value.strip().lower()
        if self.choices is None:
            if not CURRENCY.fullmatch(text):
                raise ValidationError(
                    N_("Must be a three-letter ISO 4217 currency code, e.g. GBP.")
                )
        elif text not in self.choices:
            raise ValidationError(
                Message(N_("Must be one of: %(choices)s."), choices=", ".join(self.choices))
            )
        return text


class Amount(fields.Decimal):
    """A decimal number within bounds; a short string or a JSON number."""

    def __init__(self, *, minimum: Decimal, maximum: Decimal, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) > MAX_NUMBER_LENGTH:
            raise ValidationError(N_("Not a valid number."))
        number = super()._deserialize(value, attr, data, **kwargs)
        if not self.minimum <= number <= self.maximum:
            raise ValidationError(
                Message(
                    N_("Must be at least %(minimum)s and at most %(maximum)s."),
                    minimum=f"{self.minimum:f}",
                    maximum=f"{self.maximum:,f}",
                )
            )
        return number


FOB_NEEDS = {
    "freight": N_("A FOB value needs the freight cost (0 if none)."),
    "insurance": N_("A FOB value needs the insurance cost (0 if none)."),
}
CIF_INCLUDES = {
    "freight": N_("A CIF value already includes freight; choose FOB to add it."),
    "insurance": N_("A CIF value already includes insurance; choose FOB to add it."),
}


class CalculationInput(Schema):
    """A shipment to compute, from a form or a JSON body."""

    code = HsCodeText(required=True)
    market = Country(required=True)
    origin = Country(load_default=None)
    value = Amount(minimum=CENT, maximum=MAX_AMOUNT, required=True)
    currency = Code(required=True)
    quantity = Amount(minimum=SMALLEST, maximum=MAX_QUANTITY, load_default=None)
    unit = Code(tuple(INPUT_UNITS), upper=False, load_default=None)
    date = IsoDate(attribute="day", data_key="date")
    basis = Code(BASES, load_default=CIF)
    freight = Amount(minimum=Decimal(0), maximum=MAX_AMOUNT, load_default=None)
    insurance = Amount(minimum=Decimal(0), maximum=MAX_AMOUNT, load_default=None)
    exchange_rate = Amount(minimum=SMALLEST, maximum=MAX_EXCHANGE_RATE, load_default=None)

    @validates_schema
    def check_together(self, data, **kwargs):
        errors = {}
        if data.get("quantity") is not None and not data.get("unit"):
            errors["unit"] = [N_("Give the unit of the quantity.")]
        if data.get("unit") and data.get("quantity") is None:
            errors["quantity"] = [N_("Give the quantity in this unit, or leave the unit empty.")]
        for name in ("freight", "insurance"):
            given = data.get(name) is not None
            if data.get("basis") == FOB and not given:
                errors[name] = [FOB_NEEDS[name]]
            if data.get("basis", CIF) == CIF and given:
                errors[name] = [CIF_INCLUDES[name]]
        if errors:
            raise ValidationError(errors)

    @post_load
    def make_params(self, data, **kwargs) -> CalculationParams:
        return CalculationParams(**data)


class Money(fields.Field):
    """A Decimal amount, rounded to the cent, as a string (None stays None)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return f"{value.quantize(CENT, ROUND_HALF_UP, context=WIDE):f}"


class StepSchema(Schema):
    label = fields.String()
    formula = fields.String()
    amount = Money()
    unit = fields.String(allow_none=True)


class ProblemSchema(Schema):
    message = fields.String()
    field = fields.String(allow_none=True)


class RuleOfOriginSchema(Schema):
    heading = fields.String()
    subdivision = fields.String()
    covers_whole_code = fields.Boolean()
    rules = fields.List(fields.String())


class DutySchema(Schema):
    kind = fields.String()
    label = fields.String()
    rate_text = fields.String()
    rate_description = fields.String(allow_none=True)
    amount = Money()
    complete = fields.Boolean()
    applied = fields.Boolean()
    agreement = fields.String(allow_none=True)
    scheme_code = fields.String(allow_none=True)
    scheme_title = fields.String(allow_none=True)
    proofs = fields.List(fields.String())
    rules_of_origin = fields.List(fields.Nested(RuleOfOriginSchema))
    problems = fields.List(fields.String())


class TaxSchema(Schema):
    name = fields.String()
    kind = fields.String()
    rate_text = fields.String()
    base = Money()
    amount = Money()
    complete = fields.Boolean()
    note = fields.String(allow_none=True)


class LineChoiceSchema(Schema):
    code = fields.String()
    description = fields.String()
    rate_text = fields.String()
    schedule = fields.String()


class CalculationSchema(Schema):
    """A computed shipment: duties, taxes, total, the steps and what could not be done."""

    date = fields.Date(attribute="day")
    currency = fields.String()
    code = fields.String(attribute="params.code")
    market = fields.String(attribute="params.market")
    origin = fields.String(attribute="params.origin", allow_none=True)
    hs_code = fields.String(allow_none=True)
    hs_description = fields.String(allow_none=True)
    line_code = fields.String(allow_none=True)
    line_description = fields.String(allow_none=True)
    schedule_code = fields.String(allow_none=True)
    schedule_title = fields.String(allow_none=True)
    customs_value = Money()
    duties = fields.List(fields.Nested(DutySchema))
    duty = Money()
    taxes = fields.List(fields.Nested(TaxSchema))
    total = Money()
    effective_rate = Money()
    effective_duty_rate = Money()
    complete = fields.Boolean()
    steps = fields.List(fields.Nested(StepSchema))
    problems = fields.List(fields.Nested(ProblemSchema))
    notes = fields.List(fields.String())
    line_choices = fields.List(fields.Nested(LineChoiceSchema))
