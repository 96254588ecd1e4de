"""The duty rate parser: every form of the UK tariff file, generated rates, arbitrary text."""

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tradeportal.tariffs.rate_display import describe_rate
from tradeportal.tariffs.rates import (
    MAX_RATE_LENGTH,
    AdValorem,
    AgriculturalDuty,
    Duty,
    ParsedRate,
    Period,
    RateKind,
    Season,
    Specific,
    parse_rate,
    rate_from_json,
    rate_to_json,
)

TARIFF_FILE = Path(__file__).parents[2] / "data" / "tariffs" / "uk-global-tariff.csv"
RATE_COLUMNS = ("cet_duty_rate", "ukgt_duty_rate")
K = RateKind


def av(percent: str) -> AdValorem:
    return AdValorem(Decimal(percent))


def sp(amount: str, currency: str, per: int, unit: str, qualifier: str | None = None):
    return Specific(Decimal(amount), currency, per, unit, qualifier)


def duty(*components, minimum=(), maximum=()) -> Duty:
    return Duty(tuple(components), tuple(minimum), tuple(maximum))


def season(rate: Duty, *periods) -> Season:
    return Season(rate, tuple(Period(start, end) for start, end in periods))


JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC = range(1, 13)
EA, ADSZ, ADFM = AgriculturalDuty("EA"), AgriculturalDuty("ADSZ"), AgriculturalDuty("ADFM")

# One example of every form (digits aside) found in the file, and what it must read as.
EXAMPLES = {
    "0.0%": (K.FREE, duty(av("0.0"))),
    "10.0%": (K.AD_VALOREM, duty(av("10.0"))),
    "10.20% + 93.10 EUR / 100 kg": (K.COMPOUND, duty(av("10.20"), sp("93.10", "EUR", 100, "kg"))),
    "41.20 EUR / 100 kg": (K.SPECIFIC, duty(sp("41.20", "EUR", 100, "kg"))),
    "52.00 EUR / 1,000 items": (K.SPECIFIC, duty(sp("52.00", "EUR", 1000, "item"))),
    "15.00% (01 JAN-14 FEB, 16 JUN-31 DEC), 0.00% (15 FEB-15 JUN)": (
        K.SEASONAL,
        (
            season(duty(av("15.00")), ((JAN, 1), (FEB, 14)), ((JUN, 16), (DEC, 31))),
            season(duty(av("0.00")), ((FEB, 15), (JUN, 15))),
        ),
    ),
    "1.19 EUR / kg / lactic matter + 27.50 EUR / 100 kg": (
        K.COMPOUND,
        duty(sp("1.19", "EUR", 1, "kg", "lactic matter"), sp("27.50", "EUR", 100, "kg")),
    ),
    "0.07 EUR / kg / dry lactic matter": (
        K.SPECIFIC,
        duty(sp("0.07", "EUR", 1, "kg", "dry lactic matter")),
    ),
    "0.07 EUR / kg / dry lactic matter + 16.80 EUR / 100 kg": (
        K.COMPOUND,
        duty(sp("0.07", "EUR", 1, "kg", "dry lactic matter"), sp("16.80", "EUR", 100, "kg")),
    ),
    "9.00% +  EA": (K.COMPOUND, duty(av("9.00"), EA)),
    "8.50% (01 JAN-31 MAY, 1 NOV-31 DEC), 12.00% (01 JUN-31 OCT)": (
        K.SEASONAL,
        (
            season(duty(av("8.50")), ((JAN, 1), (MAY, 31)), ((NOV, 1), (DEC, 31))),
            season(duty(av("12.00")), ((JUN, 1), (OCT, 31))),
        ),
    ),
    "9.60% (01 JAN-15 MAY), 13.40% (16 MAY-30 JUNE)": (
        K.SEASONAL,
        (
            season(duty(av("9.60")), ((JAN, 1), (MAY, 15))),
            season(duty(av("13.40")), ((MAY, 16), (JUN, 30))),
        ),
    ),
    "Entry Price": (K.ENTRY_PRICE, None),
    "9.60% MIN 1.1\xa0€/100\xa0kg/net (01 JAN-14 APR, 1 DEC-31 DEC), 13.60% MIN 1.6€/100kg/net": (
        K.SEASONAL,
        (
            season(
                duty(av("9.60"), minimum=[sp("1.1", "EUR", 100, "kg", "net")]),
                ((JAN, 1), (APR, 14)),
                ((DEC, 1), (DEC, 31)),
            ),
            # No periods: the rest of the year.
            season(duty(av("13.60"), minimum=[sp("1.6", "EUR", 100, "kg", "net")])),
        ),
    ),
    "12.00% MIN 0.40 EUR / 100 kg": (
        K.MIXED,
        duty(av("12.00"), minimum=[sp("0.40", "EUR", 100, "kg")]),
    ),
    (
        "10.40% MIN 1.3€/100kg/br (01 JAN-31 MAR, 01 DEC-31 DEC), "
        "12.00% MIN 2€/100kg/br (01 APR-30 NOV)"
    ): (
        K.SEASONAL,
        (
            season(
                duty(av("10.40"), minimum=[sp("1.3", "EUR", 100, "kg", "gross")]),
                ((JAN, 1), (MAR, 31)),
                ((DEC, 1), (DEC, 31)),
            ),
            season(
                duty(av("12.00"), minimum=[sp("2", "EUR", 100, "kg", "gross")]),
                ((APR, 1), (NOV, 30)),
            ),
        ),
    ),
    "13.60% (01 JAN-30 APR, 01 OCT-31  DEC), 10.40% (01 MAY-30 SEP)": (
        K.SEASONAL,
        (
            season(duty(av("13.60")), ((JAN, 1), (APR, 30)), ((OCT, 1), (DEC, 31))),
            season(duty(av("10.40")), ((MAY, 1), (SEP, 30))),
        ),
    ),
    "8.00% (01 JAN-31 MAY, 1 SEP-31 DEC), 13.60% (01 JUN-31 AUG)": (
        K.SEASONAL,
        (
            season(duty(av("8.00")), ((JAN, 1), (MAY, 31)), ((SEP, 1), (DEC, 31))),
            season(duty(av("13.60")), ((JUN, 1), (AUG, 31))),
        ),
    ),
    (
        "10.4% MIN 1.6€/100kg/net (01 JAN-30 JUNE, 01 OCT-31 DEC), "
        "13.60% MIN 1.6€/100kg/net (01 JUL-30 SEP)"
    ): (
        K.SEASONAL,
        (
            season(
                duty(av("10.4"), minimum=[sp("1.6", "EUR", 100, "kg", "net")]),
                ((JAN, 1), (JUN, 30)),
                ((OCT, 1), (DEC, 31)),
            ),
            season(
                duty(av("13.60"), minimum=[sp("1.6", "EUR", 100, "kg", "net")]),
                ((JUL, 1), (SEP, 30)),
            ),
        ),
    ),
    "5.10% + 9.40 EUR / 100 kg / net drained wt": (
        K.COMPOUND,
        duty(av("5.10"), sp("9.40", "EUR", 100, "kg", "net drained weight")),
    ),
    "114.00 EUR / tonne": (K.SPECIFIC, duty(sp("114.00", "EUR", 1, "tonne"))),
    "4.00% (01 JAN-31 MAR, 01-31 DEC), 5.10% (01 JUN-30 NOV)": (
        K.SEASONAL,
        (
            season(duty(av("4.00")), ((JAN, 1), (MAR, 31)), ((DEC, 1), (DEC, 31))),
            season(duty(av("5.10")), ((JUN, 1), (NOV, 30))),
        ),
    ),
    "16.00% (01 JAN-31 MAR, 16 OCT-31 DEC), 12.00% (01 APR-15 OCT)": (
        K.SEASONAL,
        (
            season(duty(av("16.00")), ((JAN, 1), (MAR, 31)), ((OCT, 16), (DEC, 31))),
            season(duty(av("12.00")), ((APR, 1), (OCT, 15))),
        ),
    ),
    "1.50% (01 JAN-30 APR, 01 NOV-31 DEC), 2.40% (01 MAY-31 OCT)": (
        K.SEASONAL,
        (
            season(duty(av("1.50")), ((JAN, 1), (APR, 30)), ((NOV, 1), (DEC, 31))),
            season(duty(av("2.40")), ((MAY, 1), (OCT, 31))),
        ),
    ),
    "14.40% (01 JAN-14 JUL, 01 NOV-31 DEC), 17.60% (15 JUL-31 OCT)": (
        K.SEASONAL,
        (
            season(duty(av("14.40")), ((JAN, 1), (JUL, 14)), ((NOV, 1), (DEC, 31))),
            season(duty(av("17.60")), ((JUL, 15), (OCT, 31))),
        ),
    ),
    # The EU column drops the % sign in a few rates: left unparsed rather than guessed.
    "7.2 MIN 0.36 EUR/100 kg": (K.UNPARSED, None),
    "6.4 + 24.6 EUR/100 kg": (K.UNPARSED, None),
    "8.3 + 3.8 EUR/100 kg eda": (K.UNPARSED, None),
    # "31 APR" is in the file; kept as published.
    "11.20% (01 JAN-31 APR, 01 AUG-31 DEC), 12.80% MIN 2.4€/100kg/net (01 MAY-31 JUL)": (
        K.SEASONAL,
        (
            season(duty(av("11.20")), ((JAN, 1), (APR, 31)), ((AUG, 1), (DEC, 31))),
            season(
                duty(av("12.80"), minimum=[sp("2.4", "EUR", 100, "kg", "net")]),
                ((MAY, 1), (JUL, 31)),
            ),
        ),
    ),
    "8.80% (01 JAN-14 MAY, 16 NOV-31 DEC), 8.00% (15 MAY-15 NOV)": (
        K.SEASONAL,
        (
            season(duty(av("8.80")), ((JAN, 1), (MAY, 14)), ((NOV, 16), (DEC, 31))),
            season(duty(av("8.00")), ((MAY, 15), (NOV, 15))),
        ),
    ),
    "1,024.00 EUR / tonne": (K.SPECIFIC, duty(sp("1024.00", "EUR", 1, "tonne"))),
    "33.90 EUR / 100 kg / std qual": (
        K.SPECIFIC,
        duty(sp("33.90", "EUR", 100, "kg", "standard quality")),
    ),
    "0.40 EUR/100 kg/net/ % sacchar.": (
        K.SPECIFIC,
        duty(sp("0.40", "EUR", 100, "kg", "net % sucrose")),
    ),
    "50.70 EUR / 100 kg / net dry": (
        K.SPECIFIC,
        duty(sp("50.70", "EUR", 100, "kg", "net dry matter")),
    ),
    "16.00% + 50.70 EUR / 100 kg / net dry": (
        K.COMPOUND,
        duty(av("16.00"), sp("50.70", "EUR", 100, "kg", "net dry matter")),
    ),
    "0.40 EUR / 100 kg /net/ % sacchar.": (
        K.SPECIFIC,
        duty(sp("0.40", "EUR", 100, "kg", "net % sucrose")),
    ),
    "0.40 EUR / 100 kg / net/% sacchar.": (
        K.SPECIFIC,
        duty(sp("0.40", "EUR", 100, "kg", "net % sucrose")),
    ),
    "6.20% + 27.10 EUR / 100 kg MAX 17.90%": (
        K.MIXED,
        duty(av("6.20"), sp("27.10", "EUR", 100, "kg"), maximum=[av("17.90")]),
    ),
    "9.10% + 45.10 EUR / 100 kg MAX 18.90% + 16.50 EUR / 100 kg": (
        K.MIXED,
        duty(
            av("9.10"),
            sp("45.10", "EUR", 100, "kg"),
            maximum=[av("18.90"), sp("16.50", "EUR", 100, "kg")],
        ),
    ),
    "9.00% +  EA MAX 18.70%  + ADSZ": (K.MIXED, duty(av("9.00"), EA, maximum=[av("18.70"), ADSZ])),
    "9.00% +  EA MAX 20.70%  + ADFM": (K.MIXED, duty(av("9.00"), EA, maximum=[av("20.70"), ADFM])),
    "22.40% + 27.00 EUR / hl": (K.COMPOUND, duty(av("22.40"), sp("27.00", "EUR", 1, "hl"))),
    "40.00% + 121.00 EUR / hl + 20.60 EUR / 100 kg": (
        K.COMPOUND,
        duty(av("40.00"), sp("121.00", "EUR", 1, "hl"), sp("20.60", "EUR", 100, "kg")),
    ),
    "17.30% MIN 1.00 EUR / % vol / hl": (
        K.MIXED,
        duty(av("17.30"), minimum=[sp("1.00", "EUR", 1, "hl", "% vol")]),
    ),
    "32.00 EUR / hl": (K.SPECIFIC, duty(sp("32.00", "EUR", 1, "hl"))),
    "1.75 EUR / % vol / hl": (K.SPECIFIC, duty(sp("1.75", "EUR", 1, "hl", "% vol"))),
    "0.90 EUR / % vol / hl + 6.40 EUR / hl": (
        K.COMPOUND,
        duty(sp("0.90", "EUR", 1, "hl", "% vol"), sp("6.40", "EUR", 1, "hl")),
    ),
    "1.30 EUR / % vol / hl MIN 7.20 EUR / hl": (
        K.MIXED,
        duty(sp("1.30", "EUR", 1, "hl", "% vol"), minimum=[sp("7.20", "EUR", 1, "hl")]),
    ),
    "1.62 EUR / kg / tot alc": (K.SPECIFIC, duty(sp("1.62", "EUR", 1, "kg", "total alcohol"))),
    "18.40% MIN 22.00 EUR / 100 kg MAX 24.00 EUR / 100 kg": (
        K.MIXED,
        duty(
            av("18.40"),
            minimum=[sp("22.00", "EUR", 100, "kg")],
            maximum=[sp("24.00", "EUR", 100, "kg")],
        ),
    ),
    "6.50% MAX 5.00 EUR / 100 m": (
        K.MIXED,
        duty(av("6.50"), maximum=[sp("5.00", "EUR", 100, "m")]),
    ),
    "8.00% MAX 2.80 EUR / m2": (K.MIXED, duty(av("8.00"), maximum=[sp("2.80", "EUR", 1, "m2")])),
    "3.80% MIN 0.60 EUR / 100 kg / gross": (
        K.MIXED,
        duty(av("3.80"), minimum=[sp("0.60", "EUR", 100, "kg", "gross")]),
    ),
    "4.50% MIN 0.30 EUR / item MAX 0.80 EUR / item": (
        K.MIXED,
        duty(
            av("4.50"),
            minimum=[sp("0.30", "EUR", 1, "item")],
            maximum=[sp("0.80", "EUR", 1, "item")],
        ),
    ),
    "5.00% MIN 0.17 EUR / item": (
        K.MIXED,
        duty(av("5.00"), minimum=[sp("0.17", "EUR", 1, "item")]),
    ),
    "0.50 EUR / item MIN 2.70% MAX 4.60%": (
        K.MIXED,
        duty(sp("0.50", "EUR", 1, "item"), minimum=[av("2.70")], maximum=[av("4.60")]),
    ),
    "10.00% + 77.00 GBP/100kg": (K.COMPOUND, duty(av("10.00"), sp("77.00", "GBP", 100, "kg"))),
    "34.00 GBP/100kg": (K.SPECIFIC, duty(sp("34.00", "GBP", 100, "kg"))),
    "43.00 GBP/1000 items": (K.SPECIFIC, duty(sp("43.00", "GBP", 1000, "item"))),
    "127.00 GBP/ 1000 items": (K.SPECIFIC, duty(sp("127.00", "GBP", 1000, "item"))),
    "14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)": (
        K.SEASONAL,
        (
            season(duty(av("14.00")), ((JUL, 1), (JAN, 31))),
            season(duty(av("0.00")), ((FEB, 1), (JUN, 30))),
        ),
    ),
    "1.00 GBP/kg/lactic matter + 23.00 GBP/100kg": (
        K.COMPOUND,
        duty(sp("1.00", "GBP", 1, "kg", "lactic matter"), sp("23.00", "GBP", 100, "kg")),
    ),
    "8.00% (01 NOV - 14 MAY), 14.00% (15 MAY - 31 OCT)": (
        K.SEASONAL,
        (
            season(duty(av("8.00")), ((NOV, 1), (MAY, 14))),
            season(duty(av("14.00")), ((MAY, 15), (OCT, 31))),
        ),
    ),
    "12.00% (01 JUN - 31 AUG), 8.00% (01 SEP - 31 MAY)": (
        K.SEASONAL,
        (
            season(duty(av("12.00")), ((JUN, 1), (AUG, 31))),
            season(duty(av("8.00")), ((SEP, 1), (MAY, 31))),
        ),
    ),
    "4.00% + 7.80 GBP/100kg eda": (
        K.COMPOUND,
        duty(av("4.00"), sp("7.80", "GBP", 100, "kg", "net drained weight")),
    ),
    "10.00% (01 NOV - 30 APR), 2.00% (01 MAY - 31 OCT)": (
        K.SEASONAL,
        (
            season(duty(av("10.00")), ((NOV, 1), (APR, 30))),
            season(duty(av("2.00")), ((MAY, 1), (OCT, 31))),
        ),
    ),
    "4.00% (01 JAN - 31 MAR), 0.00% (01 APR - 31 JUL), 8.00% (01 AUG - 31 DEC)": (
        K.SEASONAL,
        (
            season(duty(av("4.00")), ((JAN, 1), (MAR, 31))),
            season(duty(av("0.00")), ((APR, 1), (JUL, 31))),
            season(duty(av("8.00")), ((AUG, 1), (DEC, 31))),
        ),
    ),
    (
        "8.00% (01 JAN - 31 JAN), "
        "4.00% (01 FEB - 31 MAR), 0.00% (01 APR - 31 JUL), 10.00% (01 AUG - 31 DEC)"
    ): (
        K.SEASONAL,
        (
            season(duty(av("8.00")), ((JAN, 1), (JAN, 31))),
            season(duty(av("4.00")), ((FEB, 1), (MAR, 31))),
            season(duty(av("0.00")), ((APR, 1), (JUL, 31))),
            season(duty(av("10.00")), ((AUG, 1), (DEC, 31))),
        ),
    ),
    "12.00% (16 JUL - 15 JUN), 6.00% (16 JUN - 15 JUL)": (
        K.SEASONAL,
        (
            season(duty(av("12.00")), ((JUL, 16), (JUN, 15))),
            season(duty(av("6.00")), ((JUN, 16), (JUL, 15))),
        ),
    ),
    "6.00% (01 OCT - 30 JUN), 12.00% (01 JUL - 30 SEP)": (
        K.SEASONAL,
        (
            season(duty(av("6.00")), ((OCT, 1), (JUN, 30))),
            season(duty(av("12.00")), ((JUL, 1), (SEP, 30))),
        ),
    ),
    "28.00 GBP/100kg std qual": (
        K.SPECIFIC,
        duty(sp("28.00", "GBP", 100, "kg", "standard quality")),
    ),
    "0.30 GBP/100kg/net/%sacchar.": (
        K.SPECIFIC,
        duty(sp("0.30", "GBP", 100, "kg", "net % sucrose")),
    ),
    "42.00 GBP/100kg mas": (K.SPECIFIC, duty(sp("42.00", "GBP", 100, "kg", "net dry matter"))),
    "16.00% + 42.00 GBP/100kg mas": (
        K.COMPOUND,
        duty(av("16.00"), sp("42.00", "GBP", 100, "kg", "net dry matter")),
    ),
    "20.00% + 22.00 GBP/hl": (K.COMPOUND, duty(av("20.00"), sp("22.00", "GBP", 1, "hl"))),
    "40.00% + 101.00 GBP/hl + 17 GBP/100kg": (
        K.COMPOUND,
        duty(av("40.00"), sp("101.00", "GBP", 1, "hl"), sp("17", "GBP", 100, "kg")),
    ),
    "26.00 GBP/hl": (K.SPECIFIC, duty(sp("26.00", "GBP", 1, "hl"))),
    "10.00 GBP / hl": (K.SPECIFIC, duty(sp("10.00", "GBP", 1, "hl"))),
    "1.40 GBP / % vol / hl": (K.SPECIFIC, duty(sp("1.40", "GBP", 1, "hl", "% vol"))),
    "1.00 GBP/%vol/hl": (K.SPECIFIC, duty(sp("1.00", "GBP", 1, "hl", "% vol"))),
    "0.50 GBP/%vol/hl + 2.60 GBP/hl": (
        K.COMPOUND,
        duty(sp("0.50", "GBP", 1, "hl", "% vol"), sp("2.60", "GBP", 1, "hl")),
    ),
    "0.20 GBP/ item": (K.SPECIFIC, duty(sp("0.20", "GBP", 1, "item"))),
    "Free": (K.FREE, duty(av("0"))),
}


def form_of(text: str) -> str:
    """A rate with its numbers replaced, so "10.20% + 93.10 EUR" and "9% + 4 EUR" match."""
    return re.sub(r"\d+(\.\d+)?", "N", text)


def file_rates() -> list[str]:
    with TARIFF_FILE.open(newline="", encoding="utf-8-sig") as handle:
        return [row[column] for row in csv.DictReader(handle) for column in RATE_COLUMNS]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES.items(), ids=list(range(len(EXAMPLES))))
def test_every_form_reads_as_expected(text, expected):
    kind, structure = expected
    parsed = parse_rate(text)
    assert parsed.kind is kind
    assert parsed.text == text
    if kind is K.SEASONAL:
        assert parsed.seasons == structure
        assert parsed.duty is None
    else:
        assert parsed.duty == structure


def test_the_examples_cover_every_form_of_the_file():
    forms_in_file = {form_of(text) for text in file_rates()}
    missing = forms_in_file - {form_of(text) for text in EXAMPLES}
    assert not missing
    assert len(forms_in_file) == 81


def test_unparsed_forms_of_the_file_are_only_the_known_ones():
    unparsed = {text for text in file_rates() if parse_rate(text).kind is K.UNPARSED}
    assert {form_of(text) for text in unparsed} == {
        "N MIN N EUR/N kg",
        "N + N EUR/N kg",
        "N + N EUR/N kg eda",
    }


def test_every_rate_of_the_file_survives_the_stored_form():
    for text in set(file_rates()):
        parsed = parse_rate(text)
        assert rate_from_json(text, parsed.kind, rate_to_json(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("0.0%", "Free (0%)"),
        ("10.20% + 93.10 EUR / 100 kg", "10.2% of the customs value + EUR 93.10 per 100 kg"),
        (
            "9.00% +  EA MAX 18.70%  + ADSZ",
            "9% of the customs value + agricultural component (EA), at most 18.7% of the "
            "customs value + additional duty on sugar (ADSZ)",
        ),
        ("43.00 GBP/1000 items", "GBP 43.00 per 1,000 items"),
        ("1.40 GBP / % vol / hl", "GBP 1.40 per hl per % vol of alcohol"),
        (
            "14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)",
            "14% of the customs value from 1 Jul to 31 Jan; free (0%) from 1 Feb to 30 Jun",
        ),
        ("6.4 + 24.6 EUR/100 kg", None),
    ],
)
def test_readable_form(text, reading):
    assert describe_rate(parse_rate(text)) == reading


def test_a_seasonal_rate_picks_the_season_of_the_day_across_the_year_end():
    parsed = parse_rate("14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)")
    assert parsed.duty_on(date(2021, 1, 31)) == duty(av("14.00"))
    assert parsed.duty_on(date(2021, 2, 1)) == duty(av("0.00"))
    assert parsed.duty_on(date(2021, 7, 1)) == duty(av("14.00"))
    rest = parse_rate("9.60% MIN 1.1 €/100 kg/net (01 JAN-14 APR), 13.60% MIN 1.6€/100kg/net")
    assert rest.duty_on(date(2021, 4, 15)).components == (av("13.60"),)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "%",
        "10",
        "10 %%",
        "abc",
        "10% +",
        "+ 10%",
        "10% MIN",
        "10% MIN 2% MIN 3%",
        "10% MAX 2% MAX 3%",
        "5 USD / 100 kg",
        "5 EUR / 100 parsecs",
        "5 EUR / 0 kg",
        "10% (01 JAN-31 DEC",
        "10% 01 JAN-31 DEC)",
        "10% (01 FOO-31 DEC)",
        "10% (32 JAN-31 DEC)",
        "10% (01 JAN-31 DEC) 5%",
        "(01 JAN-31 DEC)",
        "10% (01 JAN-31 DEC), (01 FEB-28 FEB)",
        "1" * (MAX_RATE_LENGTH + 1) + "%",
        "ea",
    ],
)
def test_what_is_not_a_rate_is_unparsed(text):
    parsed = parse_rate(text)
    assert parsed.kind is K.UNPARSED
    assert parsed.text == text
    assert rate_to_json(parsed) is None


def test_non_text_is_unparsed():
    assert parse_rate(None).kind is K.UNPARSED
    assert parse_rate(12).text == "12"


# Generated rates: written the way either column writes them, they read back as generated.

decimals = st.decimals(min_value=0, max_value=999, places=2, allow_nan=False).map(
    lambda d: d.quantize(Decimal("0.01"))
)
units = st.sampled_from(
    [
        # (per, unit, qualifier, EU spelling, UK spelling)
        (100, "kg", None, "100 kg", "100kg"),
        (1, "hl", None, "hl", "hl"),
        (1, "hl", "% vol", "% vol / hl", "%vol/hl"),
        (1, "tonne", None, "tonne", "tonne"),
        (1, "item", None, "item", " item"),
        (1000, "item", None, "1,000 items", "1000 items"),
        (100, "kg", "net drained weight", "100 kg / net drained wt", "100kg eda"),
        (100, "kg", "net dry matter", "100 kg / net dry", "100kg mas"),
        (100, "kg", "standard quality", "100 kg / std qual", "100kg std qual"),
        (100, "kg", "net % sucrose", "100 kg /net/ % sacchar.", "100kg/net/%sacchar."),
        (1, "kg", "lactic matter", "kg / lactic matter", "kg/lactic matter"),
        (1, "kg", "total alcohol", "kg / tot alc", "kg/tot alc"),
        (100, "kg", "gross", "100 kg / gross", "100kg/br"),
        (100, "m", None, "100 m", "100 m"),
        (1, "m2", None, "m2", "m2"),
    ]
)


@st.composite
def components(draw, style):
    kind = draw(st.sampled_from(["ad_valorem", "specific", "agricultural"]))
    if kind == "ad_valorem":
        percent = draw(decimals)
        return AdValorem(percent), f"{percent}%"
    if kind == "agricultural":
        code = draw(st.sampled_from(["EA", "EAR", "ADSZ", "ADSZR", "ADFM", "ADFMR"]))
        return AgriculturalDuty(code), code
    amount = draw(decimals)
    per, unit, qualifier, eu_spelling, uk_spelling = draw(units)
    currency = "EUR" if style == "eu" else "GBP"
    text = f"{amount} EUR / {eu_spelling}" if style == "eu" else f"{amount} GBP/{uk_spelling}"
    return Specific(amount, currency, per, unit, qualifier), text


@st.composite
def parts(draw, style):
    drawn = draw(st.lists(components(style), min_size=1, max_size=3))
    return tuple(c for c, _ in drawn), " + ".join(text for _, text in drawn)


@st.composite
def duties(draw):
    style = draw(st.sampled_from(["eu", "uk"]))
    main, text = draw(parts(style))
    minimum = maximum = ()
    if draw(st.booleans()):
        minimum, min_text = draw(parts(style))
        text += f" MIN {min_text}"
    if draw(st.booleans()):
        maximum, max_text = draw(parts(style))
        text += f" MAX {max_text}"
    return Duty(main, minimum, maximum), text


MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
month_days = st.tuples(st.integers(1, 12), st.integers(1, 28))


@st.composite
def seasonal_rates(draw):
    seasons, texts = [], []
    for _ in range(draw(st.integers(1, 2))):
        rate, text = draw(duties())
        periods = draw(st.lists(st.tuples(month_days, month_days), min_size=1, max_size=2))
        seasons.append(Season(rate, tuple(Period(start, end) for start, end in periods)))
        written = ", ".join(
            f"{sd:02d} {MONTH_NAMES[sm - 1]} - {ed:02d} {MONTH_NAMES[em - 1]}"
            for (sm, sd), (em, ed) in periods
        )
        texts.append(f"{text} ({written})")
    return tuple(seasons), ", ".join(texts)


@given(duties())
def test_generated_rates_read_back_as_generated(generated):
    expected, text = generated
    assume(len(text) <= MAX_RATE_LENGTH)
    parsed = parse_rate(text)
    assert parsed.kind not in (K.UNPARSED, K.SEASONAL)
    assert parsed.duty == expected
    assert rate_from_json(text, parsed.kind, rate_to_json(parsed)) == parsed


@given(seasonal_rates())
def test_generated_seasonal_rates_read_back_as_generated(generated):
    expected, text = generated
    assume(len(text) <= MAX_RATE_LENGTH)  # longer text is refused on purpose
    parsed = parse_rate(text)
    assert parsed.kind is K.SEASONAL
    assert parsed.seasons == expected
    assert rate_from_json(text, parsed.kind, rate_to_json(parsed)) == parsed


@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    parsed = parse_rate(text)
    assert isinstance(parsed, ParsedRate)
    assert parsed.text == text
    describe_rate(parsed)


@given(st.text(alphabet="0123456789.,%+-/() EURGBPMINAXkghlJANFEBDCitem€\xa0", max_size=80))
def test_text_made_of_rate_characters_never_raises(text):
    parsed = parse_rate(text)
    assert parsed.kind in K
    if parsed.kind is K.UNPARSED:
        assert rate_to_json(parsed) is None
    else:
        assert rate_from_json(text, parsed.kind, rate_to_json(parsed)) == parsed
