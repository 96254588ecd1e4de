"""Saying a parsed rate in plain words, next to the text as published.

The API gives these readings in English: ``describe_rate(parsed)`` is English whatever the
language of the request. Pages ask for the language they are shown in with
``localized=True`` (``tariffs.content.rate_view`` does), and the calculator, which picks
its own language (``calculator.service.calculate``), too.
"""

import functools
from contextlib import nullcontext
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from tradeportal.i18n import N_, chosen_language, locale_for
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

# In English; shown with gettext (``agricultural_name``, ``qualifier_text``, ``unit_name``).
AGRICULTURAL_NAMES = {
    "EA": N_("agricultural component (EA)"),
    "EAR": N_("reduced agricultural component (EAR)"),
    "ADSZ": N_("additional duty on sugar (ADSZ)"),
    "ADSZR": N_("reduced additional duty on sugar (ADSZR)"),
    "ADFM": N_("additional duty on flour (ADFM)"),
    "ADFMR": N_("reduced additional duty on flour (ADFMR)"),
}
UNIT_NAMES = {
    "kg": N_("kg"),
    "hl": N_("hl"),
    "tonne": N_("tonne"),
    "item": N_("item"),
    "m": N_("m"),
    "m2": N_("m²"),
}
QUALIFIER_TEXT = {
    "% vol": N_("per % vol of alcohol"),
    "lactic matter": N_("of lactic matter"),
    "dry lactic matter": N_("of dry lactic matter"),
    "net drained weight": N_("net drained weight"),
    "gross": N_("gross weight"),
    "net": N_("net weight"),
    "net dry matter": N_("net of dry matter"),
    "net % sucrose": N_("net, per percentage point of sucrose content"),
    "standard quality": N_("of standard quality"),
    "total alcohol": N_("of total alcohol"),
}
MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def in_language(localized: bool):
    """English (the API's language) unless ``localized``: then the request's language."""
    return nullcontext() if localized else force_locale(locale_for("en"))


def describe_rate(parsed: ParsedRate, localized: bool = False) -> str | None:
    """Return a plain reading of a rate, or None when it could not be read."""
    with in_language(localized):
        text = _rate_text(parsed)
    return text[0].upper() + text[1:] if text else None


def describe_duty(duty: Duty, localized: bool = False) -> str:
    """Say a duty with its minimum and maximum."""
    with in_language(localized):
        return _duty_text(duty)


def agricultural_name(code: str) -> str:
    name = AGRICULTURAL_NAMES.get(code)
    return _(name) if name else code


def unit_name(unit: str | None) -> str:
    name = UNIT_NAMES.get(unit)
    return _(name) if name else (unit or "")


def qualifier_text(qualifier: str) -> str:
    text = QUALIFIER_TEXT.get(qualifier)
    return _(text) if text else qualifier


def is_english() -> bool:
    return chosen_language() == "en"


def decimal_text(value: Decimal) -> str:
    """A rate's number without trailing zeros: 12, 7.5 (7,5 in French)."""
    text = f"{value:f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    if is_english():
        return text
    return format_decimal(Decimal(text), format="#,##0.##########", locale=chosen_language())


def whole_text(value: int) -> str:
    """A whole number with the language's thousands separator: 1,000 / 1 000."""
    return f"{value:,}" if is_english() else format_decimal(value, locale=chosen_language())


def amount_text(value: Decimal) -> str:
    """An amount with two decimals: 1,234.50 / 1 234,50."""
    if is_english():
        return f"{value:,.2f}"
    return format_decimal(value, format="#,##0.00", locale=chosen_language())


def _rate_text(parsed: ParsedRate) -> str | None:
    if parsed.kind is RateKind.UNPARSED:
        return None
    if parsed.kind is RateKind.ENTRY_PRICE:
        return _(
            "Depends on the entry price of the consignment (EU entry price system): "
            "an ad valorem duty plus a specific duty that grows as the price falls."
        )
    if parsed.kind is RateKind.SEASONAL:
        return "; ".join(
            (
                _(
                    "%(duty)s %(periods)s",
                    duty=_duty_text(season.duty),
                    periods=_periods_text(season.periods),
                )
                if season.periods
                else _("%(duty)s the rest of the year", duty=_duty_text(season.duty))
            )
            for season in parsed.seasons
        )
    return _duty_text(parsed.duty)


def _duty_text(duty: Duty) -> str:
    text = _part_text(duty.components)
    if duty.minimum and duty.maximum:
        return _(
            "%(duty)s, at least %(minimum)s and at most %(maximum)s",
            duty=text,
            minimum=_part_text(duty.minimum),
            maximum=_part_text(duty.maximum),
        )
    if duty.minimum:
        return _("%(duty)s, at least %(minimum)s", duty=text, minimum=_part_text(duty.minimum))
    if duty.maximum:
        return _("%(duty)s, at most %(maximum)s", duty=text, maximum=_part_text(duty.maximum))
    return text


def _part_text(components: tuple[Component, ...]) -> str:
    if len(components) == 1 and _is_zero(components[0]):
        return _("free (0%)")
    return " + ".join(_component_text(component) for component in components)


def _is_zero(component: Component) -> bool:
    if isinstance(component, AdValorem):
        return component.percent == 0
    if isinstance(component, Specific):
        return component.amount == 0
    return False


def _component_text(component: Component) -> str:
    if isinstance(component, AdValorem):
        return _("%(percent)s%% of the customs value", percent=decimal_text(component.percent))
    if isinstance(component, AgriculturalDuty):
        return agricultural_name(component.code)
    unit = unit_name(component.unit)
    if component.per != 1 and component.unit == "item":
        unit = ngettext(
            "%(count)s item", "%(count)s items", component.per, count=whole_text(component.per)
        )
    elif component.per != 1:
        unit = f"{whole_text(component.per)} {unit}"
    text = _(
        "%(currency)s %(amount)s per %(unit)s",
        currency=component.currency,
        amount=amount_text(component.amount),
        unit=unit,
    )
    if component.qualifier:
        text += " " + qualifier_text(component.qualifier)
    return text


def _periods_text(periods: tuple[Period, ...]) -> str:
    said = [
        _("from %(start)s to %(end)s", start=_day_text(period.start), end=_day_text(period.end))
        for period in periods
    ]
    return functools.reduce(
        lambda earlier, later: _("%(earlier)s and %(later)s", earlier=earlier, later=later), said
    )


def _day_text(point: tuple[int, int]) -> str:
    month, day = point
    if is_english():
        return f"{day} {MONTH_ABBREVIATIONS[month - 1]}"
    # A leap year, so that 29 February can be said.
    return format_date(date(2000, month, day), "d MMM", locale=chosen_language())
