"""Saying a parsed rate in plain English, next to the text as published."""

from decimal import Decimal

from tradeportal.tariffs.rates import (
    AdValorem,
    AgriculturalDuty,
    Component,
    Duty,
    ParsedRate,
    Period,
    RateKind,
    Specific,
)

AGRICULTURAL_NAMES = {
    "EA": "agricultural component (EA)",
    "EAR": "reduced agricultural component (EAR)",
    "ADSZ": "additional duty on sugar (ADSZ)",
    "ADSZR": "reduced additional duty on sugar (ADSZR)",
    "ADFM": "additional duty on flour (ADFM)",
    "ADFMR": "reduced additional duty on flour (ADFMR)",
}
UNIT_NAMES = {"kg": "kg", "hl": "hl", "tonne": "tonne", "item": "item", "m": "m", "m2": "m²"}
QUALIFIER_TEXT = {
    "% vol": "per % vol of alcohol",
    "lactic matter": "of lactic matter",
    "dry lactic matter": "of dry lactic matter",
    "net drained weight": "net drained weight",
    "gross": "gross weight",
    "net": "net weight",
    "net dry matter": "net of dry matter",
    "net % sucrose": "net, per % of sucrose content",
    "standard quality": "of standard quality",
    "total alcohol": "of total alcohol",
}
MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def describe_rate(parsed: ParsedRate) -> str | None:
    """Return a plain-English reading of a rate, or None when it could not be read."""
    text = _rate_text(parsed)
    return text[0].upper() + text[1:] if text else None


def _rate_text(parsed: ParsedRate) -> str | None:
    if parsed.kind is RateKind.UNPARSED:
        return None
    if parsed.kind is RateKind.ENTRY_PRICE:
        return (
            "Depends on the entry price of the consignment (EU entry price system): "
            "an ad valorem duty plus a specific duty that grows as the price falls."
        )
    if parsed.kind is RateKind.SEASONAL:
        return "; ".join(
            f"{describe_duty(season.duty)} "
            + (_periods_text(season.periods) if season.periods else "the rest of the year")
            for season in parsed.seasons
        )
    return describe_duty(parsed.duty)


def describe_duty(duty: Duty) -> str:
    """Say a duty with its minimum and maximum."""
    text = _part_text(duty.components)
    limits = []
    if duty.minimum:
        limits.append(f"at least {_part_text(duty.minimum)}")
    if duty.maximum:
        limits.append(f"at most {_part_text(duty.maximum)}")
    return (f"{text}, " + " and ".join(limits)) if limits else text


def _part_text(components: tuple[Component, ...]) -> str:
    if len(components) == 1 and _is_zero(components[0]):
        return "free (0%)"
    return " + ".join(_component_text(component) for component in components)


def _is_zero(component: Component) -> bool:
    if isinstance(component, AdValorem):
        return component.percent == 0
    if isinstance(component, Specific):
        return component.amount == 0
    return False


def _component_text(component: Component) -> str:
    if isinstance(component, AdValorem):
        return f"{_number(component.percent)}% of the customs value"
    if isinstance(component, AgriculturalDuty):
        return AGRICULTURAL_NAMES.get(component.code, component.code)
    unit = UNIT_NAMES.get(component.unit, component.unit)
    if component.per != 1:
        plural = "s" if component.unit == "item" else ""
        unit = f"{component.per:,} {unit}{plural}"
    text = f"{component.currency} {component.amount:,.2f} per {unit}"
    if component.qualifier:
        text += " " + QUALIFIER_TEXT.get(component.qualifier, component.qualifier)
    return text


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _periods_text(periods: tuple[Period, ...]) -> str:
    return " and ".join(
        f"from {_day_text(period.start)} to {_day_text(period.end)}" for period in periods
    )


def _day_text(point: tuple[int, int]) -> str:
    month, day = point
    return f"{day} {MONTH_ABBREVIATIONS[month - 1]}"
