"""Properties of every calculation on the real seeded data, over generated shipments.

The app (a copy of the seeded database) is shared by the examples of one test: the
calculator only reads, so no example can change what the next one sees.
"""

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from tradeportal.calculator.evaluate import INPUT_UNITS
from tradeportal.calculator.schemas import CalculationInput, CalculationSchema
from tradeportal.calculator.service import calculate
from tradeportal.db import db

# Real codes chosen to cover every kind of rate in the seeded schedules (ad valorem,
# specific, compound, min/max, seasonal, entry price, unparsed, agricultural components,
# quota lines, headings with several lines) plus codes that exist nowhere.
CODES = (
    "090121", "09012100", "0901", "090111", "01022910", "01039110", "01051111", "91011100",
    "17011310", "03024100", "07020000", "08081010", "1902301010", "22041011", "220421",
    "930100", "999999", "0101", "87032310", "61091000",
)  # fmt: skip
MARKETS = ("GBR", "FRA", "DEU", "MUS", "USA")
ORIGINS = (None, "MUS", "SYC", "ZWE", "MDG", "BRA", "CHN", "FRA", "GBR")
DAYS = (date(2019, 6, 1), date(2020, 6, 1), date(2021, 3, 1), date(2026, 1, 15))
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2)


@st.composite
def shipments(draw):
    data = {
        "code": draw(st.sampled_from(CODES)),
        "market": draw(st.sampled_from(MARKETS)),
        "value": str(draw(amounts)),
        "currency": draw(st.sampled_from(("GBP", "EUR", "USD", "MUR"))),
        # Always given, so the customs value is known whatever the schedule's currency.
        "exchange_rate": str(
            draw(st.decimals(min_value=Decimal("0.001"), max_value=1000, places=6))
        ),
        "date": draw(st.sampled_from(DAYS)).isoformat(),
    }
    if origin := draw(st.sampled_from(ORIGINS)):
        data["origin"] = origin
    if draw(st.booleans()):
        data["quantity"] = str(
            draw(st.decimals(min_value=Decimal("0.001"), max_value=10**6, places=3))
        )
        data["unit"] = draw(st.sampled_from(tuple(INPUT_UNITS)))
    if draw(st.booleans()):
        data["basis"] = "FOB"
        data["freight"] = str(draw(st.decimals(min_value=0, max_value=10**6, places=2)))
        data["insurance"] = str(draw(st.decimals(min_value=0, max_value=10**5, places=2)))
    return data


@SETTINGS
@given(data=shipments())
def test_any_valid_shipment_computes_and_never_costs_less_than_its_value(app_context, data):
    calculation = calculate(db.session, CalculationInput().load(data))
    dumped = CalculationSchema().dump(calculation)  # never fails to serialise either
    assert dumped["steps"]
    assert calculation.customs_value is not None
    assert calculation.total is not None
    assert calculation.total >= calculation.customs_value
    for duty in calculation.duties:
        assert duty.amount >= 0


@SETTINGS
@given(data=shipments())
def test_the_duty_applied_is_never_worse_than_mfn(app_context, data):
    calculation = calculate(db.session, CalculationInput().load(data))
    if not calculation.duties:
        return
    mfn = calculation.duties[0]
    applied = calculation.applied_duty
    assert mfn.kind == "mfn" and applied is not None
    assert sum(duty.applied for duty in calculation.duties) == 1
    if applied.kind == "preferential":
        assert applied.complete
        # A complete MFN is beaten strictly; an incomplete one is a lower bound.
        assert applied.amount < mfn.amount if mfn.complete else applied.amount <= mfn.amount
    if mfn.complete:
        assert calculation.duty <= mfn.amount


INPUT_NAMES = tuple(field.data_key or name for name, field in CalculationInput().fields.items())
text = st.one_of(st.none(), st.text(max_size=50), st.integers(), st.floats(), st.booleans())


@SETTINGS
@given(
    data=st.fixed_dictionaries(
        {},
        optional={name: text for name in INPUT_NAMES},
    )
)
def test_any_input_is_loaded_or_refused_with_field_messages(app_context, data):
    try:
        params = CalculationInput().load(data)
    except ValidationError as error:
        assert isinstance(error.messages, dict) and error.messages
        return
    calculation = calculate(db.session, params)
    assert calculation.steps
