"""The arithmetic of one rate, on rates read by the real parser; expected numbers by hand."""

from datetime import date
from decimal import Decimal

import pytest

from tradeportal.calculator.evaluate import Basis, evaluate_rate, quantity_in
from tradeportal.calculator.service import preference_is_better
from tradeportal.tariffs.rates import parse_rate

DAY = date(2026, 3, 1)


def basis(value="1000", quantity=None, unit=None, currency="GBP"):
    return Basis(
        Decimal(value) if value is not None else None,
        "the customs value",
        currency,
        Decimal(quantity) if quantity is not None else None,
        unit,
    )


def run(text, **kwargs):
    return evaluate_rate(parse_rate(text), basis(**kwargs), "MFN duty", DAY)


def test_ad_valorem_is_a_percentage_of_the_value():
    result = run("6.0%", value="1234.56")
    # 1234.56 × 6 / 100 = 74.0736, exact (rounded only when shown)
    assert result.amount == Decimal("74.0736")
    assert result.complete
    assert result.steps[-1].formula == "6% × 1,234.56 GBP"


def test_specific_duty_per_100_kg():
    result = run("34.00 GBP/100kg", quantity="250", unit="kg")
    # 34 × 250 / 100 = 85
    assert result.amount == Decimal(85)
    assert result.complete


def test_specific_duty_converts_tonnes_to_kilograms():
    result = run("34.00 GBP/100kg", quantity="2.5", unit="tonne")
    # 2.5 t = 2500 kg; 34 × 2500 / 100 = 850
    assert result.amount == Decimal(850)
    assert "2.5 tonne = 2,500 kg" in result.steps[-1].formula


def test_specific_duty_per_thousand_items():
    result = run("43.00 GBP/1000 items", quantity="2500", unit="item")
    # 43 × 2500 / 1000 = 107.5
    assert result.amount == Decimal("107.5")


def test_specific_duty_per_hectolitre_from_litres():
    result = run("26.00 GBP/hl", quantity="750", unit="l")
    # 750 l = 7.5 hl; 26 × 7.5 = 195
    assert result.amount == Decimal(195)


def test_compound_duty_adds_its_parts():
    result = run("10.00% + 77.00 GBP/100kg", value="2000", quantity="300", unit="kg")
    # 10% × 2000 = 200; 77 × 300 / 100 = 231; 200 + 231 = 431
    assert result.amount == Decimal(431)
    assert [step.amount for step in result.steps] == [Decimal(200), Decimal(231), Decimal(431)]


@pytest.mark.parametrize(
    ("value", "items", "expected", "which"),
    [
        # 4.5% × 1000 = 45; min 0.30 × 100 = 30; max 0.80 × 100 = 80: 45 is within
        ("1000", "100", Decimal(45), "within"),
        # 4.5% × 200 = 9 < min 0.30 × 100 = 30: the minimum, 30
        ("200", "100", Decimal(30), "below the minimum"),
        # 4.5% × 5000 = 225 > max 0.80 × 100 = 80: the maximum, 80
        ("5000", "100", Decimal(80), "above the maximum"),
    ],
)
def test_minimum_and_maximum(value, items, expected, which):
    result = run(
        "4.50% MIN 0.30 EUR / item MAX 0.80 EUR / item",
        value=value,
        quantity=items,
        unit="item",
        currency="EUR",
    )
    assert result.amount == expected
    assert result.complete
    assert which in result.steps[-1].formula


def test_specific_duty_without_quantity_says_so_and_counts_the_rest():
    result = run("10.00% + 77.00 GBP/100kg", value="2000")
    assert not result.complete
    assert result.amount == Decimal(200)  # the ad valorem part still counts
    assert result.problems == [
        "MFN duty: 77.00 GBP per 100 kg needs the quantity in kg; none was given."
    ]


def test_wrong_unit_for_a_specific_duty():
    result = run("0.20 GBP/ item", quantity="5", unit="kg")
    assert not result.complete
    assert result.amount == 0
    assert "needs a quantity in item; the quantity was given in kg" in result.problems[0]


def test_limit_not_applied_without_the_quantity_it_needs():
    result = run("4.50% MIN 0.30 EUR / item MAX 0.80 EUR / item", currency="EUR")
    assert not result.complete
    assert result.amount == Decimal(45)
    assert "minimum or maximum could not be applied" in result.problems[-1]
    # 45 is the main duty before a maximum that may lower it: not a lower bound.
    assert not result.lower_bound


def test_an_unapplied_minimum_still_leaves_a_lower_bound():
    result = run("4.50% MIN 0.30 EUR / item", currency="EUR")
    assert not result.complete and result.amount == Decimal(45)
    assert result.lower_bound


def test_a_preference_never_beats_an_mfn_whose_maximum_is_unknown():
    # 20% MAX 1 EUR / 100 kg on 1,000 EUR without the weight: 200 EUR before the cap, but
    # 100 kg would pay 1 EUR. A complete 5% preference (50 EUR) may cost more than MFN.
    capped = run("20% MAX 1.00 EUR / 100 kg", currency="EUR")
    assert (capped.complete, capped.amount, capped.lower_bound) == (False, Decimal(200), False)
    assert not preference_is_better(Decimal(50), capped)
    # An MFN missing only a specific part is at least its computed part.
    partial = run("10% + 2.00 EUR / 100 kg", currency="EUR")
    assert not partial.complete and partial.lower_bound
    assert preference_is_better(partial.amount, partial)  # equal to a lower bound: not worse
    assert not preference_is_better(partial.amount + 1, partial)
    complete = run("6%")
    assert not preference_is_better(complete.amount, complete)  # equal: nothing gained
    assert preference_is_better(complete.amount - 1, complete)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Entry Price", "entry price"),
        ("7.2 MIN 0.36 EUR/100 kg", "could not be read"),
        ("8.30% +  EA MAX 18.70%  + ADSZ", "agricultural component (EA)"),
        ("28.00 GBP/100kg std qual", "standard quality"),
        ("17.30% MIN 1.00 EUR / % vol / hl", "% vol"),
    ],
)
def test_what_cannot_be_computed_is_named(text, reason):
    result = run(text, quantity="100", unit="kg", currency="EUR")
    assert not result.complete
    assert any(reason in problem for problem in result.problems), result.problems


def test_specific_component_in_another_currency_is_not_converted():
    result = run("93.10 EUR / 100 kg", quantity="100", unit="kg", currency="GBP")
    assert not result.complete
    assert "no exchange rate" in result.problems[0]


def test_gross_weight_qualifier_uses_the_quantity_and_says_how():
    result = run(
        "4.40% MIN 0.40 EUR / 100 kg / gross",
        value="10",
        quantity="1000",
        unit="kg",
        currency="EUR",
    )
    # 4.4% × 10 = 0.44 < minimum 0.40 × 1000 / 100 = 4.00: the minimum
    assert result.amount == Decimal(4)
    assert any("gross weight" in note for note in result.notes)


def test_seasonal_rate_takes_the_season_of_the_day():
    text = "14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)"
    summer = evaluate_rate(parse_rate(text), basis(), "MFN duty", date(2026, 3, 1))
    winter = evaluate_rate(parse_rate(text), basis(), "MFN duty", date(2026, 12, 1))
    assert summer.amount == 0
    assert winter.amount == Decimal(140)  # 14% × 1000
    assert "On 2026-12-01" in winter.steps[0].formula


def test_unknown_value_leaves_ad_valorem_out():
    result = run("12.00% + 147.00 GBP/100kg", value=None, quantity="100", unit="kg")
    assert result.amount == Decimal(147)  # the specific part: 147 × 100 / 100
    assert not result.complete


def test_quantity_conversions():
    assert quantity_in(Decimal(3), "tonne", "kg") == Decimal(3000)
    assert quantity_in(Decimal(250), "l", "hl") == Decimal("2.5")
    assert quantity_in(Decimal(1), "kg", "item") is None
