"""Computing one parsed rate (a duty or a tax) on a value and a quantity, step by step.

Pure arithmetic on the structures of ``tradeportal.tariffs.rates``: no database, no
request. Amounts are exact ``Decimal`` values; only the texts of formulas are rounded.
What cannot be computed is left out of the amount, and said, so the rest still counts.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

from tradeportal.tariffs.rate_display import (
    AGRICULTURAL_NAMES,
    QUALIFIER_TEXT,
    UNIT_NAMES,
    describe_duty,
)
from tradeportal.tariffs.rates import (
    AdValorem,
    AgriculturalDuty,
    Component,
    Duty,
    ParsedRate,
    RateKind,
    Specific,
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# Wide enough to round any amount the input limits allow (the default context has 28 digits).
WIDE = Context(prec=60)

# Units a quantity may be given in, with the base unit of their dimension and the factor.
INPUT_UNITS = {
    "kg": ("kg", Decimal(1)),
    "tonne": ("kg", Decimal(1000)),
    "l": ("l", Decimal(1)),
    "hl": ("l", Decimal(100)),
    "item": ("item", Decimal(1)),
    "m": ("m", Decimal(1)),
    "m2": ("m2", Decimal(1)),
}
# Qualifiers that say how the goods are weighed: the quantity given is read that way.
WEIGHING_QUALIFIERS = ("gross", "net", "net drained weight")


@dataclass
class Step:
    """One line of the explanation: what, how, how much (None for a line of information)."""

    label: str
    formula: str
    amount: Decimal | None = None
    unit: str | None = None  # a currency, or "%"


@dataclass
class Basis:
    """What a rate is applied to: a value in ``currency`` (None when unknown) and a quantity."""

    value: Decimal | None
    value_label: str  # "the customs value", "the VAT base"
    currency: str
    quantity: Decimal | None = None
    unit: str | None = None  # one of INPUT_UNITS


@dataclass
class Evaluation:
    """The amount of one rate, whether it is complete, and how it was reached."""

    amount: Decimal = Decimal(0)
    complete: bool = True
    # When incomplete: whether the true duty is at least ``amount``. Every part adds and a
    # minimum only raises, but a maximum that could not be applied may lower it.
    lower_bound: bool = True
    steps: list[Step] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> None:
        self.complete = False
        self.problems.append(problem)


def money(amount: Decimal, currency: str) -> str:
    """Say an amount rounded to the cent, with its currency: ``1,234.50 GBP``."""
    return f"{amount.quantize(CENT, ROUND_HALF_UP, context=WIDE):,} {currency}"


def number(value: Decimal) -> str:
    """Say a number without trailing zeros: 6, 7.5, 1,000."""
    text = f"{value.normalize():,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def evaluate_rate(parsed: ParsedRate, basis: Basis, label: str, day: date) -> Evaluation:
    """Compute a published rate on ``basis`` as it applies on ``day``."""
    result = Evaluation()
    if parsed.kind is RateKind.UNPARSED:
        result.fail(f"{label}: the rate {parsed.text!r} could not be read, so it is not computed.")
        return result
    if parsed.kind is RateKind.ENTRY_PRICE:
        result.fail(
            f"{label}: the rate depends on the consignment's entry price (EU entry price "
            "system), which the calculator does not take; it is not computed."
        )
        return result
    duty = parsed.duty_on(day)
    if duty is None:
        result.fail(f"{label}: no season of {parsed.text!r} covers {day.isoformat()}.")
        return result
    if parsed.kind is RateKind.SEASONAL:
        result.steps.append(
            Step(f"{label}: season", f"On {day.isoformat()} the rate is {describe_duty(duty)}.")
        )
    _evaluate_duty(duty, basis, label, result)
    return result


def _evaluate_duty(duty: Duty, basis: Basis, label: str, result: Evaluation) -> None:
    main = _evaluate_part(duty.components, basis, label, result)
    if not (duty.minimum or duty.maximum):
        result.amount = main
        if len(duty.components) > 1:
            result.steps.append(
                Step(f"{label}: total", "sum of the parts above", main, basis.currency)
            )
        return
    # A limit can only be applied once both sides are known.
    complete_main = result.complete
    low = high = None
    if duty.minimum:
        low = _evaluate_part(duty.minimum, basis, f"{label}, minimum", result)
    if duty.maximum:
        high = _evaluate_part(duty.maximum, basis, f"{label}, maximum", result)
    if not result.complete:
        result.amount = main
        result.lower_bound = not duty.maximum
        result.problems.append(
            f"{label}: the minimum or maximum could not be applied; "
            + (
                f"{money(main, basis.currency)} is the main duty before that limit."
                if complete_main
                else "only the parts shown were computed."
            )
        )
        return
    amount = main
    if low is not None and amount < low:
        amount = low
    if high is not None and amount > high:
        amount = high
    bounds = [f"minimum {money(low, basis.currency)}"] if low is not None else []
    bounds += [f"maximum {money(high, basis.currency)}"] if high is not None else []
    if amount == main:
        formula = f"{money(main, basis.currency)} is within the {' and '.join(bounds)}"
    elif amount == low:
        formula = f"{money(main, basis.currency)} is below the minimum: the minimum applies"
    else:
        formula = f"{money(main, basis.currency)} is above the maximum: the maximum applies"
    result.amount = amount
    result.steps.append(Step(f"{label}: after minimum/maximum", formula, amount, basis.currency))


def _evaluate_part(
    components: tuple[Component, ...], basis: Basis, label: str, result: Evaluation
) -> Decimal:
    total = Decimal(0)
    for component in components:
        amount = _evaluate_component(component, basis, label, result)
        if amount is not None:
            total += amount
    return total


def _evaluate_component(
    component: Component, basis: Basis, label: str, result: Evaluation
) -> Decimal | None:
    if isinstance(component, AdValorem):
        if basis.value is None:
            result.fail(
                f"{label}: {number(component.percent)}% needs {basis.value_label} in "
                f"{basis.currency}, which is not known."
            )
            return None
        amount = basis.value * component.percent / HUNDRED
        result.steps.append(
            Step(
                f"{label}: {number(component.percent)}% of {basis.value_label}",
                f"{number(component.percent)}% × {money(basis.value, basis.currency)}",
                amount,
                basis.currency,
            )
        )
        return amount
    if isinstance(component, AgriculturalDuty):
        name = AGRICULTURAL_NAMES.get(component.code, component.code)
        result.fail(
            f"{label}: the {name} depends on the goods' content of milk fat, milk proteins, "
            "starch or glucose and sucrose, which the calculator does not take; not computed."
        )
        return None
    return _evaluate_specific(component, basis, label, result)


def _evaluate_specific(
    component: Specific, basis: Basis, label: str, result: Evaluation
) -> Decimal | None:
    unit_name = UNIT_NAMES.get(component.unit, component.unit)
    per = f"{component.per:,} {unit_name}" if component.per != 1 else unit_name
    rate = f"{money(component.amount, component.currency)} per {per}"
    if component.qualifier and component.qualifier not in WEIGHING_QUALIFIERS:
        measure = QUALIFIER_TEXT.get(component.qualifier, component.qualifier)
        result.fail(
            f"{label}: {rate} {measure} needs a measure of the goods' content "
            f"({component.qualifier}) that the calculator does not take; not computed."
        )
        return None
    if component.currency != basis.currency:
        result.fail(
            f"{label}: {rate} is in {component.currency} while the calculation is in "
            f"{basis.currency}, and the portal holds no exchange rate between them; not computed."
        )
        return None
    if basis.quantity is None:
        result.fail(f"{label}: {rate} needs the quantity in {unit_name}; none was given.")
        return None
    quantity = quantity_in(basis.quantity, basis.unit, component.unit)
    if quantity is None:
        result.fail(
            f"{label}: {rate} needs a quantity in {unit_name}; the quantity was given in "
            f"{UNIT_NAMES.get(basis.unit, basis.unit)}, which cannot be converted."
        )
        return None
    amount = component.amount * quantity / component.per
    counted = f"{number(quantity)} {unit_name}{'s' if component.unit == 'item' else ''}"
    formula = f"{money(component.amount, component.currency)} × {counted}"
    if component.per != 1:
        formula += f" ÷ {component.per:,}"
    if basis.unit != component.unit:
        formula += f" ({number(basis.quantity)} {basis.unit} = {counted})"
    if component.qualifier:
        result.notes.append(
            f"{label}: the quantity given is taken as the "
            f"{QUALIFIER_TEXT.get(component.qualifier, component.qualifier)}."
        )
    result.steps.append(Step(f"{label}: {rate}", formula, amount, basis.currency))
    return amount


def quantity_in(quantity: Decimal, given_unit: str | None, wanted_unit: str) -> Decimal | None:
    """Convert a quantity between INPUT_UNITS (tonne to kg, l to hl…); None across dimensions."""
    if given_unit not in INPUT_UNITS or wanted_unit not in INPUT_UNITS:
        return None
    given_base, given_factor = INPUT_UNITS[given_unit]
    wanted_base, wanted_factor = INPUT_UNITS[wanted_unit]
    if given_base != wanted_base:
        return None
    return quantity * given_factor / wanted_factor
