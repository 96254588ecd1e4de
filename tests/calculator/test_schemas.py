"""CalculationInput: what the form and the API may send, and what they are told."""

from datetime import date
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from tradeportal.calculator.results import CalculationParams
from tradeportal.calculator.schemas import CalculationInput


def test_loads_a_shipment_into_params(app_context):
    params = CalculationInput().load(
        {
            "code": "HS 0901.21",
            "market": "gbr",
            "origin": " mus ",
            "value": 1250.5,  # a JSON number is read through its text, not as a float
            "currency": "gbp",
            "quantity": "12.5",
            "unit": "KG",
            "date": "2026-01-15",
            "basis": "fob",
            "freight": "0",
            "insurance": "3.20",
        }
    )
    assert params == CalculationParams(
        code="090121",
        market="GBR",
        origin="MUS",
        value=Decimal("1250.5"),
        currency="GBP",
        quantity=Decimal("12.5"),
        unit="kg",
        day=date(2026, 1, 15),
        basis="FOB",
        freight=Decimal(0),
        insurance=Decimal("3.20"),
    )


def test_defaults_cif_today_and_no_origin(app_context):
    params = CalculationInput().load(
        {"code": "090121", "market": "GBR", "value": "1", "currency": "GBP"}
    )
    assert (params.basis, params.day, params.origin, params.quantity) == ("CIF", None, None, None)


def test_every_missing_field_is_named_at_once(app_context):
    with pytest.raises(ValidationError) as raised:
        CalculationInput().load({})
    assert set(raised.value.messages) == {"code", "market", "value", "currency"}


def test_unknown_fields_and_booleans_are_refused(app_context):
    with pytest.raises(ValidationError) as raised:
        CalculationInput().load(
            {"code": "090121", "market": "GBR", "value": True, "currency": "GBP", "rate": 1}
        )
    assert set(raised.value.messages) == {"value", "rate"}
