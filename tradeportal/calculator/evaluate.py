"""Computing one parsed rate (a duty or a tax) on a value and a quantity, step by step.

Pure arithmetic on the structures of ``tradeportal.tariffs.rates``: no database, no
request. Amounts are exact ``Decimal`` values; only the texts of formulas are rounded.
What cannot be computed is left out of the amount, and said, so the rest still counts.

Texts are in the current language (English outside a request): ``calculate`` chooses it.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext

from tradeportal.i18n import chosen_language
from tradeportal.tariffs.rate_display import (
    agricultural_name,
    describe_duty,
    qualifier_text,
    unit_name,
    whole_text,
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
    """Say an amount rounded to the cent, with its currency: ``1,234.50 GBP`` (1 234,50 GBP)."""
    rounded = amount.quantize(CENT, ROUND_HALF_UP, context=WIDE)
    language = chosen_language()
    if language == "en":
        return f"{rounded:,} {currency}"
    return f"{format_decimal(rounded, format='#,##0.00', locale=language)} {currency}"


def number(value: Decimal) -> str:
    """Say a number without trailing zeros: 6, 7.5, 1,000 (7,5 and 1 000 in French)."""
    text = f"{value.normalize():,f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    language = chosen_language()
    if language == "en":
        return text
    return format_decimal(
        Decimal(text.replace(",", "")), format="#,##0.##########", locale=language
    )


def day_text(day: date) -> str:
    """A day in a text: ISO in English (as the API has always said it), long in French."""
    language = chosen_language()
    return day.isoformat() if language == "en" else format_date(day, "long", locale=language)


def evaluate_rate(parsed: ParsedRate, basis: Basis, label: str, day: date) -> Evaluation:
    """Compute a published rate on ``basis`` as it applies on ``day``."""
    result = Evaluation()
    if parsed.kind is RateKind.UNPARSED:
        result.fail(
            _(
                "%(label)s: the rate %(rate)s could not be read, so it is not computed.",
                label=label,
                rate=repr(parsed.text),
            )
        )
        return result
    if parsed.kind is RateKind.ENTRY_PRICE:
        result.fail(
            _(
                "%(label)s: the rate depends on the consignment's entry price (EU entry price "
                "system), which the calculator does not take; it is not computed.",
                label=label,
            )
        )
        return result
    duty = parsed.duty_on(day)
    if duty is None:
        result.fail(
            _(
                "%(label)s: no season of %(rate)s covers %(day)s.",
                label=label,
                rate=repr(parsed.text),
                day=day_text(day),
            )
        )
        return result
    if parsed.kind is RateKind.SEASONAL:
        result.steps.append(
            Step(
                _("%(label)s: season", label=label),
                _(
                    "On %(day)s the rate is %(duty)s.",
                    day=day_text(day),
                    duty=describe_duty(duty, localized=True),
                ),
            )
        )
    _evaluate_duty(duty, basis, label, result)
    return result


def _evaluate_duty(duty: Duty, basis: Basis, label: str, result: Evaluation) -> None:
    main = _evaluate_part(duty.components, basis, label, result)
    if not (duty.minimum or duty.maximum):
        result.amount = main
        if len(duty.components) > 1:
            result.steps.append(
                Step(
                    _("%(label)s: total", label=label),
                    _("sum of the parts above"),
                    main,
                    basis.currency,
                )
            )
        return
    # A limit can only be applied once both sides are known.
    complete_main = result.complete
    low = high = None
    if duty.minimum:
        low = _evaluate_part(duty.minimum, basis, _("%(label)s, minimum", label=label), result)
    if duty.maximum:
        high = _evaluate_part(duty.maximum, basis, _("%(label)s, maximum", label=label), result)
    if not result.complete:
        result.amount = main
        result.lower_bound = not duty.maximum
        result.problems.append(
            _(
                "%(label)s: the minimum or maximum could not be applied; %(amount)s is the main "
                "duty before that limit.",
                label=label,
                amount=money(main, basis.currency),
            )
            if complete_main
            else _(
                "%(label)s: the minimum or maximum could not be applied; only the parts shown "
                "were computed.",
                label=label,
            )
        )
        return
    amount = main
    if low is not None and amount < low:
        amount = low
    if high is not None and amount > high:
        amount = high
    main_text = money(main, basis.currency)
    if amount == main and low is not None and high is not None:
        formula = _(
            "%(amount)s is within the minimum %(minimum)s and maximum %(maximum)s",
            amount=main_text,
            minimum=money(low, basis.currency),
            maximum=money(high, basis.currency),
        )
    elif amount == main and low is not None:
        formula = _(
            "%(amount)s is within the minimum %(minimum)s",
            amount=main_text,
            minimum=money(low, basis.currency),
        )
    elif amount == main:
        formula = _(
            "%(amount)s is within the maximum %(maximum)s",
            amount=main_text,
            maximum=money(high, basis.currency),
        )
    elif amount == low:
        formula = _("%(amount)s is below the minimum: the minimum applies", amount=main_text)
    else:
        formula = _("%(amount)s is above the maximum: the maximum applies", amount=main_text)
    result.amount = amount
    result.steps.append(
        Step(_("%(label)s: after minimum/maximum", label=label), formula, amount, basis.currency)
    )


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
        percent = number(component.percent)
        if basis.value is None:
            result.fail(
                _(
                    "%(label)s: %(percent)s%% needs %(base)s in %(currency)s, which is not known.",
                    label=label,
                    percent=percent,
                    base=basis.value_label,
                    currency=basis.currency,
                )
            )
            return None
        amount = basis.value * component.percent / HUNDRED
        result.steps.append(
            Step(
                _(
                    "%(label)s: %(percent)s%% of %(base)s",
                    label=label,
                    percent=percent,
                    base=basis.value_label,
                ),
                _(
                    "%(percent)s%% × %(value)s",
                    percent=percent,
                    value=money(basis.value, basis.currency),
                ),
                amount,
                basis.currency,
            )
        )
        return amount
    if isinstance(component, AgriculturalDuty):
        result.fail(
            _(
                "%(label)s: the %(name)s depends on the goods' content of milk fat, milk "
                "proteins, starch or glucose and sucrose, which the calculator does not take; "
                "not computed.",
                label=label,
                name=agricultural_name(component.code),
            )
        )
        return None
    return _evaluate_specific(component, basis, label, result)


def _evaluate_specific(
    component: Specific, basis: Basis, label: str, result: Evaluation
) -> Decimal | None:
    unit = unit_name(component.unit)
    per = f"{whole_text(component.per)} {unit}" if component.per != 1 else unit
    rate = _(
        "%(amount)s per %(unit)s", amount=money(component.amount, component.currency), unit=per
    )
    if component.qualifier and component.qualifier not in WEIGHING_QUALIFIERS:
        result.fail(
            _(
                "%(label)s: %(rate)s %(measure)s needs a measure of the goods' content "
                "(%(qualifier)s) that the calculator does not take; not computed.",
                label=label,
                rate=rate,
                measure=qualifier_text(component.qualifier),
                qualifier=component.qualifier,
            )
        )
        return None
    if component.currency != basis.currency:
        result.fail(
            _(
                "%(label)s: %(rate)s is in %(currency)s while the calculation is in "
                "%(calculation_currency)s, and the portal holds no exchange rate between them; "
                "not computed.",
                label=label,
                rate=rate,
                currency=component.currency,
                calculation_currency=basis.currency,
            )
        )
        return None
    if basis.quantity is None:
        result.fail(
            _(
                "%(label)s: %(rate)s needs the quantity in %(unit)s; none was given.",
                label=label,
                rate=rate,
                unit=unit,
            )
        )
        return None
    quantity = quantity_in(basis.quantity, basis.unit, component.unit)
    if quantity is None:
        result.fail(
            _(
                "%(label)s: %(rate)s needs a quantity in %(unit)s; the quantity was given in "
                "%(given)s, which cannot be converted.",
                label=label,
                rate=rate,
                unit=unit,
                given=unit_name(basis.unit),
            )
        )
        return None
    amount = component.amount * quantity / component.per
    if component.unit == "item":
        counted = ngettext(
            "%(count)s item", "%(count)s items", 1 if quantity == 1 else 2, count=number(quantity)
        )
    else:
        counted = f"{number(quantity)} {unit}"
    formula = f"{money(component.amount, component.currency)} × {counted}"
    if component.per != 1:
        formula += f" ÷ {whole_text(component.per)}"
    if basis.unit != component.unit:
        formula += f" ({number(basis.quantity)} {basis.unit} = {counted})"
    if component.qualifier:
        result.notes.append(
            _(
                "%(label)s: the quantity given is taken as the %(measure)s.",
                label=label,
                measure=qualifier_text(component.qualifier),
            )
        )
    step_label = _("%(label)s: %(rate)s", label=label, rate=rate)
    result.steps.append(Step(step_label, formula, amount, basis.currency))
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
