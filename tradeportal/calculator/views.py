"""The calculator page: a GET form, and the explained result on the same page."""

from decimal import ROUND_HALF_UP, Decimal

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from tradeportal.calculator.evaluate import CENT, INPUT_UNITS, WIDE, money
from tradeportal.calculator.schemas import CalculationInput
from tradeportal.calculator.service import calculate
from tradeportal.db import db
from tradeportal.hs.views import country_choices

bp = Blueprint("calculator", __name__)

FIELDS = tuple(field.data_key or name for name, field in CalculationInput().fields.items())
# Longer values are not something a person typed: echo no more than this into the form.
MAX_ECHO = 60
# Present on the form: without it the parameters only prefill (links from product pages).
SUBMITTED = "run"


def shown(amount: Decimal, unit: str | None) -> str:
    """Say an amount rounded to the cent, with its currency or as a percentage."""
    if unit == "%":
        return f"{amount.quantize(CENT, ROUND_HALF_UP, context=WIDE):,} %"
    return money(amount, unit or "")


@bp.get("/calculator")
def index():
    """Show the form (prefilled from the address), or compute and explain a shipment."""
    typed = {name: request.args.get(name, "").strip()[:MAX_ECHO] for name in FIELDS}
    given = {name: value for name, value in typed.items() if value}
    context = {
        "form": typed,
        "errors": {},
        "calculation": None,
        "countries": country_choices(),
        "units": [(unit, unit) for unit in INPUT_UNITS],
        "carry": {name: value for name, value in given.items() if name != "code"},
        "shown": shown,
    }
    if request.args.get(SUBMITTED) != "1":
        return render_template("calculator/index.html", **context)
    try:
        # Load from the untruncated values: a too-long one must be refused, not cut.
        params = CalculationInput().load({name: request.args[name].strip() for name in given})
    except ValidationError as error:
        context["errors"] = error.messages
        return render_template("calculator/index.html", **context), 400
    calculation = calculate(db.session, params)
    for problem in calculation.problems:
        if problem.field:
            context["errors"].setdefault(problem.field, []).append(problem.message)
    context["calculation"] = calculation
    return render_template("calculator/index.html", **context)
