"""The calculator page: a GET form, and the explained result on the same page."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal
from flask import Blueprint, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError

from tradeportal.calculator.evaluate import CENT, INPUT_UNITS, WIDE, money
from tradeportal.calculator.schemas import CalculationInput
from tradeportal.calculator.service import calculate
from tradeportal.db import db
from tradeportal.hs.views import country_choices
from tradeportal.i18n import chosen_language

bp = Blueprint("calculator", __name__)

FIELDS = tuple(field.data_key or name for name, field in CalculationInput().fields.items())
# Longer values are not something a person typed: echo no more than this into the form.
MAX_ECHO = 60
# Present on the form: without it the parameters only prefill (links from product pages).
SUBMITTED = "run"


def shown(amount: Decimal, unit: str | None) -> str:
    """Say an amount rounded to the cent, with its currency or as a percentage."""
    if unit == "%":
        rounded = amount.quantize(CENT, ROUND_HALF_UP, context=WIDE)
        language = chosen_language()
        if language == "en":
            return f"{rounded:,} %"
        return f"{format_decimal(rounded, format='#,##0.00', locale=language)}\u00a0%"
    return money(amount, unit or "")


def said(message) -> str:
    """A validation message in the language of the page (the API keeps the English)."""
    template = getattr(message, "template", None)
    if template:
        return gettext(template, **message.values)
    return gettext(message) if isinstance(message, str) and message else str(message)


def said_per_field(messages: dict) -> dict[str, list[str]]:
    """Marshmallow's messages per field, each in the language of the page."""
    return {
        name: [said(message) for message in (found if isinstance(found, list) else [found])]
        for name, found in messages.items()
    }


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
        context["errors"] = said_per_field(error.messages)
        return render_template("calculator/index.html", **context), 400
    calculation = calculate(db.session, params, language=chosen_language())
    for problem in calculation.problems:
        if problem.field:
            context["errors"].setdefault(problem.field, []).append(problem.message)
    context["calculation"] = calculation
    return render_template("calculator/index.html", **context)
