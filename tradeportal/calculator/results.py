"""What the calculator takes and what it answers: plain dataclasses, no database objects.

``CalculationParams`` is what ``CalculationInput`` loads; ``Calculation`` is what
``calculate`` returns and ``CalculationSchema`` dumps. Amounts are exact Decimals in
``Calculation.currency``; the schema and the page round them to the cent.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tradeportal.calculator.evaluate import Step

CIF = "CIF"
FOB = "FOB"


@dataclass(frozen=True)
class CalculationParams:
    """A shipment: what, from where, to where, worth how much, how much of it, when."""

    code: str  # HS code or national tariff line, digits only (normalised)
    market: str  # ISO3 of the destination market
    value: Decimal  # the goods' value: CIF, or FOB when basis is FOB
    currency: str  # ISO 4217 code of the values given
    origin: str | None = None  # ISO3 of the goods' origin; None: MFN only
    quantity: Decimal | None = None
    unit: str | None = None  # one of evaluate.INPUT_UNITS
    day: date | None = None  # None: today in the portal's time zone
    basis: str = CIF
    freight: Decimal | None = None  # FOB only
    insurance: Decimal | None = None  # FOB only
    exchange_rate: Decimal | None = None  # 1 unit of ``currency`` in the schedule's currency


@dataclass
class Problem:
    """Something that could not be computed, and why; ``field`` names the input to fix."""

    message: str
    field: str | None = None


@dataclass
class LineChoice:
    code: str
    description: str
    rate_text: str
    schedule: str


@dataclass
class RuleOfOrigin:
    """A product-specific rule set the goods must meet to claim a preference."""

    heading: str
    subdivision: str
    covers_whole_code: bool  # False: the rule set covers only part of the code asked
    rules: list[str]  # alternatives joined by their operator ("or …")


@dataclass
class DutyResult:
    """The MFN duty or one preferential duty on the shipment."""

    kind: str  # "mfn" or "preferential"
    label: str
    rate_text: str
    rate_description: str | None
    amount: Decimal
    complete: bool
    applied: bool = False
    agreement: str | None = None
    scheme_code: str | None = None
    scheme_title: str | None = None
    proofs: list[str] = field(default_factory=list)
    rules_of_origin: list[RuleOfOrigin] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class TaxResult:
    name: str
    kind: str  # "vat", "excise", "other"
    rate_text: str
    base: Decimal | None
    amount: Decimal
    complete: bool
    note: str | None = None


@dataclass
class Calculation:
    """The answer: every duty and tax, the total and the steps that lead to it."""

    params: CalculationParams
    day: date
    currency: str  # of every amount below: the schedule's
    hs_code: str | None = None
    hs_description: str | None = None  # English (the API's)
    hs_description_fr: str | None = None  # for pages: localized(calculation, "hs_description")
    line_code: str | None = None
    line_description: str | None = None
    schedule_code: str | None = None
    schedule_title: str | None = None
    customs_value: Decimal | None = None
    duties: list[DutyResult] = field(default_factory=list)
    duty: Decimal | None = None  # the duty applied
    taxes: list[TaxResult] = field(default_factory=list)
    total: Decimal | None = None  # customs value + duty + taxes
    effective_rate: Decimal | None = None  # (duty + taxes) ÷ customs value, in %
    effective_duty_rate: Decimal | None = None  # duty ÷ customs value, in %
    complete: bool = False
    steps: list[Step] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line_choices: list[LineChoice] = field(default_factory=list)

    @property
    def hs_description_en(self) -> str | None:
        return self.hs_description

    @property
    def applied_duty(self) -> DutyResult | None:
        return next((duty for duty in self.duties if duty.applied), None)
