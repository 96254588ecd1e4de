"""POST /api/v1/calculate: the duty and landed-cost calculator, when the portal has one.

The calculator (``tradeportal.calculator``) is its own area: its ``CalculationInput``
validates the request, ``calculate(session, params)`` computes, ``CalculationSchema``
dumps the answer. This module only wires them into the API and its spec.
"""

import importlib.util

from flask import request
from marshmallow import ValidationError

from tradeportal.api.core import ApiError, documented
from tradeportal.db import db


def calculator_available() -> bool:
    return importlib.util.find_spec("tradeportal.calculator.service") is not None


def register(bp) -> None:
    """Add the route when the calculator exists (its import errors are not hidden)."""
    if not calculator_available():
        return
    from tradeportal.calculator.schemas import CalculationInput, CalculationSchema
    from tradeportal.calculator.service import calculate

    @documented(
        summary="Compute the duties, taxes and landed cost of a shipment, step by step.",
        tag="Calculator",
        body=CalculationInput,
        response=CalculationSchema,
        errors=(415, 422),
        cached=False,
    )
    def calculation():
        if not request.is_json:
            raise ApiError(415, "Send the calculation as JSON (Content-Type: application/json).")
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            raise ApiError(400, "The body is not a JSON object.", details={"body": ["Not JSON."]})
        try:
            params = CalculationInput().load(payload)
        except ValidationError as error:
            raise ApiError(
                422, "The calculation cannot be made; see details.", details=error.messages
            ) from None
        return calculate(db.session, params)

    bp.add_url_rule("/calculate", "calculate", calculation, methods=["POST"])
