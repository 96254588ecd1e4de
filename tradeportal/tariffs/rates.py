"""Reading customs duty rates published as text into a structure, without ever failing.

Rates come as "10.20% + 93.10 EUR / 100 kg MAX 17.90%", "34.00 GBP/100kg", "Entry Price",
"15.00% (01 JAN-14 FEB, 16 JUN-31 DEC), 0.00% (15 FEB-15 JUN)"... :func:`parse_rate` reads
every form found in the UK Global Tariff file; anything else comes back with kind
``unparsed`` and its text, so a loader can count it and the page can still show the text.

Grammar (components joined by "+", an optional MIN part and MAX part, or seasons):
    rate     := "Free" | "Entry Price" | duty | season ("," season)*
    season   := duty "(" period ("," period)* ")"   (the last season may omit its periods:
                                                     it applies the rest of the year)
    duty     := part [MIN part] [MAX part]          (MIN and MAX in either order)
    part     := component ("+" component)*
    component:= "9.6%" | "93.10 EUR / 100 kg / net drained wt" | "EA" | "ADSZ" | ...
"""

import enum
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

# Longer text is not a rate someone published; refuse before running any pattern on it.
MAX_RATE_LENGTH = 300


class RateKind(enum.Enum):
    FREE = "free"  # no duty: "Free", "0.00%"
    AD_VALOREM = "ad_valorem"  # a percentage of the customs value
    SPECIFIC = "specific"  # an amount per quantity: "34.00 GBP/100kg"
    COMPOUND = "compound"  # several components added: "10% + 77 GBP/100kg"
    MIXED = "mixed"  # with a minimum or a maximum: "4.5% MIN 0.30 EUR / item"
    SEASONAL = "seasonal"  # different rates for periods of the year
    ENTRY_PRICE = "entry_price"  # depends on the consignment's entry price (EU system)
    UNPARSED = "unparsed"  # kept as published text only


@dataclass(frozen=True)
class AdValorem:
    percent: Decimal


@dataclass(frozen=True)
class Specific:
    amount: Decimal
    currency: str  # ISO 4217: "EUR", "GBP"
    per: int  # the quantity the amount is for: 100 in "per 100 kg"
    unit: str  # one of UNITS
    qualifier: str | None = None  # one of QUALIFIERS


@dataclass(frozen=True)
class AgriculturalDuty:
    """An EU agricultural component or additional duty, computed from the goods' make-up."""

    code: str  # one of AGRICULTURAL_CODES


Component = AdValorem | Specific | AgriculturalDuty


@dataclass(frozen=True)
class Duty:
    components: tuple[Component, ...]
    minimum: tuple[Component, ...] = ()
    maximum: tuple[Component, ...] = ()


@dataclass(frozen=True)
class Period:
    """A stretch of every year, both ends inclusive, as (month, day); it may wrap the year end."""

    start: tuple[int, int]
    end: tuple[int, int]

    def contains(self, day: date) -> bool:
        point = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= point <= self.end
        return point >= self.start or point <= self.end


@dataclass(frozen=True)
class Season:
    duty: Duty
    periods: tuple[Period, ...] = ()  # empty: the rest of the year


@dataclass(frozen=True)
class ParsedRate:
    text: str  # as published
    kind: RateKind
    duty: Duty | None = None
    seasons: tuple[Season, ...] = field(default=())

    @property
    def ad_valorem_pct(self) -> float | None:
        """Return the ad valorem part of a non-seasonal rate, for sorting and filtering."""
        if self.duty is None:
            return None
        for component in self.duty.components:
            if isinstance(component, AdValorem):
                return float(component.percent)
        return None

    def duty_on(self, day: date) -> Duty | None:
        """Return the duty that applies on ``day`` (the season's, for a seasonal rate)."""
        if self.kind is not RateKind.SEASONAL:
            return self.duty
        for season in self.seasons:
            if not season.periods or any(period.contains(day) for period in season.periods):
                return season.duty
        return None


UNITS = ("kg", "hl", "tonne", "item", "m", "m2")
QUALIFIERS = (
    "% vol",
    "lactic matter",
    "dry lactic matter",
    "net drained weight",
    "gross",
    "net",
    "net dry matter",
    "net % sucrose",
    "standard quality",
    "total alcohol",
)
AGRICULTURAL_CODES = ("EA", "EAR", "ADSZ", "ADSZR", "ADFM", "ADFMR")
CURRENCIES = ("EUR", "GBP")

# What follows the unit, spaces removed and lower-cased, in the spellings the file uses.
_QUALIFIER_SPELLINGS = {
    "": None,
    "/lacticmatter": "lactic matter",
    "/drylacticmatter": "dry lactic matter",
    "/netdrainedwt": "net drained weight",
    "eda": "net drained weight",  # "égoutté", the EU's abbreviation
    "/neteda": "net drained weight",
    "/gross": "gross",
    "/br": "gross",  # "brut"
    "/net": "net",
    "/netdry": "net dry matter",
    "mas": "net dry matter",  # "matière sèche"
    "/netmas": "net dry matter",
    "/net/%sacchar.": "net % sucrose",
    "/stdqual": "standard quality",
    "stdqual": "standard quality",
    "/totalc": "total alcohol",
}
_UNIT_SPELLINGS = {"kg": "kg", "hl": "hl", "tonne": "tonne", "item": "item", "items": "item"}
_UNIT_SPELLINGS |= {"m": "m", "m2": "m2"}
MONTHS = {
    "JAN": 1, "JANUARY": 1, "FEB": 2, "FEBRUARY": 2, "MAR": 3, "MARCH": 3, "APR": 4,
    "APRIL": 4, "MAY": 5, "JUN": 6, "JUNE": 6, "JUL": 7, "JULY": 7, "AUG": 8, "AUGUST": 8,
    "SEP": 9, "SEPT": 9, "SEPTEMBER": 9, "OCT": 10, "OCTOBER": 10, "NOV": 11, "NOVEMBER": 11,
    "DEC": 12, "DECEMBER": 12,
}  # fmt: skip

_NUMBER = r"\d{1,6}(?:,\d{3})*(?:\.\d{1,4})?"
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d{1,4})?)\s?%", re.ASCII)
_SPECIFIC = re.compile(rf"({_NUMBER})\s*(EUR|GBP)\s*/\s*(\S.*)", re.ASCII)
_UNIT = re.compile(r"(\d{1,3}(?:,\d{3})*|\d{1,6})?(kg|hl|tonne|items|item|m2|m)(.*)", re.ASCII)
_LIMIT_KEYWORD = re.compile(r"\s+(MIN|MAX)\s+")
_PLUS = re.compile(r"\s*\+\s*")
_PERIOD = re.compile(r"(\d{1,2})\s*([A-Z]{3,9})?\s*-\s*(\d{1,2})\s*([A-Z]{3,9})", re.ASCII)
_PARENTHESES = re.compile(r"\(([^()]*)\)")


class _Unreadable(ValueError):
    """Text that does not follow the rate grammar (caught inside this module only)."""


def parse_rate(text: object) -> ParsedRate:
    """Read a published rate; return kind ``unparsed`` for anything that is not one."""
    if not isinstance(text, str):
        return ParsedRate("" if text is None else str(text), RateKind.UNPARSED)
    cleaned = _clean(text)
    try:
        if len(cleaned) > MAX_RATE_LENGTH or not cleaned:
            raise _Unreadable(text)
        folded = cleaned.casefold()
        if folded == "free":
            return ParsedRate(text, RateKind.FREE, duty=Duty((AdValorem(Decimal(0)),)))
        if folded == "entry price":
            return ParsedRate(text, RateKind.ENTRY_PRICE)
        if "(" in cleaned or ")" in cleaned:
            return ParsedRate(text, RateKind.SEASONAL, seasons=_parse_seasons(cleaned))
        duty = _parse_duty(cleaned)
        return ParsedRate(text, kind_of(duty), duty=duty)
    except _Unreadable:
        return ParsedRate(text, RateKind.UNPARSED)


def kind_of(duty: Duty) -> RateKind:
    """Classify a duty: free, ad valorem, specific, compound or mixed (with MIN/MAX)."""
    if duty.minimum or duty.maximum:
        return RateKind.MIXED
    if len(duty.components) > 1:
        return RateKind.COMPOUND
    (only,) = duty.components
    if isinstance(only, AdValorem):
        return RateKind.FREE if only.percent == 0 else RateKind.AD_VALOREM
    if isinstance(only, Specific):
        return RateKind.FREE if only.amount == 0 else RateKind.SPECIFIC
    return RateKind.COMPOUND  # an agricultural component alone still adds to a base


def _clean(text: str) -> str:
    # The file mixes no-break spaces and "€" into a few otherwise regular rates.
    text = text.replace("\xa0", " ").replace("€", " EUR ")
    return " ".join(text.split())


def _parse_duty(text: str) -> Duty:
    pieces = _LIMIT_KEYWORD.split(f" {text} ")
    parts = {"main": pieces[0]}
    for keyword, part in zip(pieces[1::2], pieces[2::2], strict=True):
        if keyword in parts:
            raise _Unreadable(text)
        parts[keyword] = part
    return Duty(
        components=_parse_part(parts["main"]),
        minimum=_parse_part(parts["MIN"]) if "MIN" in parts else (),
        maximum=_parse_part(parts["MAX"]) if "MAX" in parts else (),
    )


def _parse_part(text: str) -> tuple[Component, ...]:
    text = text.strip()
    if not text:
        raise _Unreadable(text)
    return tuple(_parse_component(piece) for piece in _PLUS.split(text))


def _parse_component(text: str) -> Component:
    if text in AGRICULTURAL_CODES:
        return AgriculturalDuty(text)
    if match := _PERCENT.fullmatch(text):
        return AdValorem(_decimal(match.group(1)))
    if match := _SPECIFIC.fullmatch(text):
        amount, currency, unit_text = match.groups()
        per, unit, qualifier = _parse_unit(unit_text)
        return Specific(_decimal(amount.replace(",", "")), currency, per, unit, qualifier)
    raise _Unreadable(text)


def _parse_unit(text: str) -> tuple[int, str, str | None]:
    key = "".join(text.lower().split())
    if key == "%vol/hl":
        return 1, "hl", "% vol"
    match = _UNIT.fullmatch(key)
    if match is None or match.group(3) not in _QUALIFIER_SPELLINGS:
        raise _Unreadable(text)
    quantity, unit, rest = match.groups()
    per = int(quantity.replace(",", "")) if quantity else 1
    if per == 0:
        raise _Unreadable(text)
    return per, _UNIT_SPELLINGS[unit], _QUALIFIER_SPELLINGS[rest]


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _Unreadable(text) from None


def _parse_seasons(text: str) -> tuple[Season, ...]:
    seasons, position = [], 0
    for match in _PARENTHESES.finditer(text):
        duty_text = text[position : match.start()]
        if seasons:
            duty_text = _after_comma(duty_text)
        seasons.append(Season(_parse_duty(duty_text.strip()), _parse_periods(match.group(1))))
        position = match.end()
    rest = text[position:]
    if not seasons or "(" in rest or ")" in rest:
        raise _Unreadable(text)
    if rest.strip():
        # A last rate without periods applies the rest of the year.
        seasons.append(Season(_parse_duty(_after_comma(rest).strip())))
    return tuple(seasons)


def _after_comma(text: str) -> str:
    stripped = text.strip()
    if not stripped.startswith(","):
        raise _Unreadable(text)
    return stripped[1:]


def _parse_periods(text: str) -> tuple[Period, ...]:
    periods = []
    for piece in text.split(","):
        match = _PERIOD.fullmatch(piece.strip().upper())
        if match is None:
            raise _Unreadable(text)
        first_day, first_month, last_day, last_month = match.groups()
        end = (_month(last_month), _day(last_day))
        start = (_month(first_month) if first_month else end[0], _day(first_day))
        periods.append(Period(start, end))
    return tuple(periods)


def _month(name: str) -> int:
    if name not in MONTHS:
        raise _Unreadable(name)
    return MONTHS[name]


def _day(text: str) -> int:
    # Kept as published even when the month is shorter ("31 APR" is in the EU column).
    day = int(text)
    if not 1 <= day <= 31:
        raise _Unreadable(text)
    return day


# Stored form: a JSON document next to the kind and the published text.


def rate_to_json(parsed: ParsedRate) -> dict | None:
    """Return the stored form of a parsed rate (None for an unparsed one)."""
    if parsed.kind is RateKind.UNPARSED:
        return None
    if parsed.kind is RateKind.ENTRY_PRICE:
        return {}
    if parsed.kind is RateKind.SEASONAL:
        return {
            "seasons": [
                {
                    "duty": _duty_to_json(season.duty),
                    "periods": [
                        [_month_day(period.start), _month_day(period.end)]
                        for period in season.periods
                    ],
                }
                for season in parsed.seasons
            ]
        }
    return {"duty": _duty_to_json(parsed.duty)}


def rate_from_json(text: str, kind: RateKind, data: dict | None) -> ParsedRate:
    """Rebuild a parsed rate from its stored form."""
    if kind is RateKind.UNPARSED or data is None:
        return ParsedRate(text, RateKind.UNPARSED)
    if kind is RateKind.SEASONAL:
        seasons = tuple(
            Season(
                _duty_from_json(season["duty"]),
                tuple(
                    Period(_read_month_day(start), _read_month_day(end))
                    for start, end in season["periods"]
                ),
            )
            for season in data["seasons"]
        )
        return ParsedRate(text, kind, seasons=seasons)
    duty = _duty_from_json(data["duty"]) if "duty" in data else None
    return ParsedRate(text, kind, duty=duty)


def _duty_to_json(duty: Duty) -> dict:
    stored = {"components": [_component_to_json(c) for c in duty.components]}
    if duty.minimum:
        stored["min"] = [_component_to_json(c) for c in duty.minimum]
    if duty.maximum:
        stored["max"] = [_component_to_json(c) for c in duty.maximum]
    return stored


def _duty_from_json(data: dict) -> Duty:
    return Duty(
        components=tuple(_component_from_json(c) for c in data["components"]),
        minimum=tuple(_component_from_json(c) for c in data.get("min", ())),
        maximum=tuple(_component_from_json(c) for c in data.get("max", ())),
    )


def _component_to_json(component: Component) -> dict:
    if isinstance(component, AdValorem):
        return {"type": "ad_valorem", "percent": str(component.percent)}
    if isinstance(component, Specific):
        return {
            "type": "specific",
            "amount": str(component.amount),
            "currency": component.currency,
            "per": component.per,
            "unit": component.unit,
            "qualifier": component.qualifier,
        }
    return {"type": "agricultural", "code": component.code}


def _component_from_json(data: dict) -> Component:
    if data["type"] == "ad_valorem":
        return AdValorem(Decimal(data["percent"]))
    if data["type"] == "specific":
        return Specific(
            Decimal(data["amount"]), data["currency"], data["per"], data["unit"], data["qualifier"]
        )
    return AgriculturalDuty(data["code"])


def _month_day(point: tuple[int, int]) -> str:
    return f"{point[0]:02d}-{point[1]:02d}"


def _read_month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)
