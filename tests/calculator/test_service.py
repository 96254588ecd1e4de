"""Whole calculations against the real seeded tariffs; expected numbers worked out by hand.

Rates used, as loaded from data/tariffs/ (UK Global Tariff 2021 and the EU CET 2020 as
recorded by the UK; preferences.csv; internal_taxes.csv):
  UKGT 0901.21.00 roasted coffee: 6.0%      UKGT 0102.29.10 cattle: 10.00% + 77.00 GBP/100kg
  UKGT 0901.11.00 coffee, not roasted: 0.0% UKGT 1701.13.10 raw cane sugar: quota flag
  EU 9101.11.00 watches: 4.50% MIN 0.30 EUR / item MAX 0.80 EUR / item
  ESA–UK EPA for MUS, SYC, ZWE: 0.00% on all goods but chapter 93;  UK VAT 20%
"""

from datetime import date
from decimal import Decimal

import pytest

from tradeportal.calculator.schemas import CalculationInput, CalculationSchema
from tradeportal.calculator.service import calculate
from tradeportal.db import db

DAY = date(2026, 1, 15)


def compute(**data):
    data.setdefault("date", DAY.isoformat())
    return calculate(db.session, CalculationInput().load(data))


def step(calculation, label_start):
    found = [s for s in calculation.steps if s.label.startswith(label_start)]
    assert found, [s.label for s in calculation.steps]
    return found[0]


def test_uk_import_of_roasted_coffee_from_mauritius(app_context):
    """The "Done when" case: 0901.21 from MUS into the UK, FOB plus freight and insurance."""
    calculation = compute(
        code="0901.21",
        origin="MUS",
        market="GBR",
        value="12000",
        currency="GBP",
        basis="FOB",
        freight="800",
        insurance="200",
        quantity="1000",
        unit="kg",
    )
    assert calculation.line_code == "09012100"
    assert calculation.schedule_code == "UKGT-2021"
    assert calculation.currency == "GBP"
    # CIF = FOB 12,000 + freight 800 + insurance 200 = 13,000
    assert calculation.customs_value == Decimal(13000)
    mfn, esa = calculation.duties
    # MFN: 6% × 13,000 = 780
    assert (mfn.kind, mfn.rate_text, mfn.amount, mfn.applied) == ("mfn", "6.0%", 780, False)
    # ESA–UK EPA: 0% → 0, applied because it is lower than MFN
    assert (esa.kind, esa.amount, esa.applied) == ("preferential", 0, True)
    assert esa.agreement == "ESA–UK Economic Partnership Agreement"
    assert esa.scheme_code == "esa"
    assert [rule.rules for rule in esa.rules_of_origin] == [
        ["Manufacture from materials of any heading."]
    ]
    assert calculation.duty == 0
    # VAT 20% on the duty-inclusive value: 20% × (13,000 + 0) = 2,600
    (vat,) = calculation.taxes
    assert (vat.base, vat.amount) == (Decimal(13000), Decimal(2600))
    # Total 13,000 + 0 + 2,600 = 15,600; effective rate 2,600 / 13,000 = 20%
    assert calculation.total == Decimal(15600)
    assert calculation.effective_rate == Decimal(20)
    assert calculation.effective_duty_rate == 0
    assert calculation.complete
    assert [s.label for s in calculation.steps] == [
        "Tariff line",
        "Customs value (CIF)",
        "MFN duty: 6% of the customs value",
        "Preferential duty (ESA–UK Economic Partnership Agreement): 0% of the customs value",
        "Condition of the ESA–UK Economic Partnership Agreement",
        "Duty applied",
        "VAT base",
        "Value added tax (standard rate): 20% of the VAT base",
        "Landed cost at the border",
        "Effective rate (duty and taxes)",
    ]
    assert "saves 780.00 GBP against MFN" in step(calculation, "Duty applied").formula
    dumped = CalculationSchema().dump(calculation)
    assert (dumped["total"], dumped["duty"], dumped["customs_value"]) == (
        "15600.00",
        "0.00",
        "13000.00",
    )


def test_same_coffee_from_brazil_pays_mfn_and_vat_on_the_duty(app_context):
    calculation = compute(code="090121", origin="BRA", market="GBR", value="1000", currency="GBP")
    (mfn,) = calculation.duties
    assert mfn.applied and mfn.amount == Decimal(60)  # 6% × 1,000
    # VAT base includes the duty: (1,000 + 60) × 20% = 212
    assert calculation.taxes[0].base == Decimal(1060)
    assert calculation.taxes[0].amount == Decimal(212)
    assert calculation.total == Decimal(1272)  # 1,000 + 60 + 212
    assert "no preference recorded" in step(calculation, "Duty applied").formula


def test_compound_duty_with_a_converted_fob_value(app_context):
    calculation = compute(
        code="01022910",
        origin="USA",
        market="GBR",
        value="1000",
        currency="USD",
        basis="FOB",
        freight="100",
        insurance="10",
        exchange_rate="0.8",
        quantity="2",
        unit="tonne",
    )
    # CIF 1,110 USD × 0.8 = 888 GBP
    assert calculation.customs_value == Decimal(888)
    # 10% × 888 = 88.80; 77 GBP × 2,000 kg / 100 = 1,540; duty 1,628.80
    assert calculation.duty == Decimal("1628.80")
    # VAT 20% × (888 + 1,628.80) = 503.36; total 888 + 1,628.80 + 503.36 = 3,020.16
    assert calculation.taxes[0].amount == Decimal("503.360")
    assert calculation.total == Decimal("3020.160")
    assert calculation.complete


def test_minimum_applies_on_a_low_value_eu_watch(app_context):
    calculation = compute(
        code="9101.11.00",
        market="FRA",
        value="200",
        currency="EUR",
        quantity="100",
        unit="item",
        date="2020-06-01",
    )
    assert calculation.schedule_code == "EU-CET-2020"
    # 4.5% × 200 = 9, below the minimum 0.30 × 100 = 30: duty 30
    assert calculation.duty == Decimal(30)
    assert "below the minimum" in step(calculation, "MFN duty: after").formula
    assert calculation.total == Decimal(230)  # no French tax is recorded: 200 + 30
    assert any("no VAT or other internal tax of FRA" in p.message for p in calculation.problems)


def test_preference_equal_to_mfn_is_not_claimed(app_context):
    calculation = compute(code="090111", origin="MUS", market="GBR", value="500", currency="GBP")
    mfn, esa = calculation.duties
    assert mfn.amount == esa.amount == 0
    assert mfn.applied and not esa.applied
    assert "no lower duty" in step(calculation, "Duty applied").formula


def test_missing_exchange_rate_is_required_and_the_rest_still_computed(app_context):
    calculation = compute(
        code="01022910", market="GBR", value="1000", currency="USD", quantity="300", unit="kg"
    )
    assert calculation.customs_value is None and calculation.total is None
    assert not calculation.complete
    fields = {p.field for p in calculation.problems}
    assert "exchange_rate" in fields
    # The specific part needs no exchange rate: 77 GBP × 300 kg / 100 = 231
    assert calculation.duties[0].amount == Decimal(231)


def test_missing_quantity_for_a_specific_duty(app_context):
    calculation = compute(code="01022910", market="GBR", value="2000", currency="GBP")
    assert not calculation.complete
    assert calculation.duty == Decimal(200)  # only 10% × 2,000
    assert any("needs the quantity in kg" in p.message for p in calculation.problems)
    assert any(
        p.message.startswith("Value added tax") and "incomplete" in p.message
        for p in calculation.problems
    )


def test_quota_line_says_the_quota_is_not_computed(app_context):
    calculation = compute(
        code="17011310", market="GBR", value="1000", currency="GBP", quantity="1000", unit="kg"
    )
    messages = " ".join(p.message for p in calculation.problems)
    assert "tariff quota applies" in messages
    assert "standard quality" in messages


def test_heading_with_several_lines_offers_a_choice(app_context):
    calculation = compute(code="0901", market="GBR", value="1000", currency="GBP")
    assert calculation.line_code is None
    assert {choice.code for choice in calculation.line_choices} >= {"09011100", "09012100"}
    assert any(p.field == "code" for p in calculation.problems)
    assert not calculation.complete


def test_market_without_schedule_still_computes_its_taxes(app_context):
    calculation = compute(code="2204.21", market="MUS", value="1000", currency="MUR")
    assert calculation.duties == [] and not calculation.complete
    names = [tax.name for tax in calculation.taxes]
    assert names == ["Excise duty on alcoholic beverages", "Value added tax (standard rate)"]
    # The excise rate is text only: VAT 15% on 1,000 (no duty, no excise computed) = 150
    assert calculation.taxes[1].amount == Decimal(150)
    assert any("no tariff schedule that MUS applied" in p.message for p in calculation.problems)


@pytest.mark.parametrize("code", ["0901210000", "09012100", "0901 21"])
def test_codes_in_any_spelling_find_the_same_line(app_context, code):
    calculation = compute(code=code, market="GBR", value="100", currency="GBP")
    assert calculation.line_code == "09012100"
