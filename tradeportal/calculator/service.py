"""Duty and landed cost of a shipment, from the tariff data the portal holds.

Which line, MFN rate, preference, rule of origin and tax applies comes from the tariffs
and agreements areas' own queries (the same answers as the product page); this module
only adds the arithmetic and the explanation.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tradeportal.agreements.queries import code_range, get_scheme, origin_rules_for
from tradeportal.calculator.evaluate import Basis, Evaluation, Step, evaluate_rate, money, number
from tradeportal.calculator.lines import resolve_line, resolve_node
from tradeportal.calculator.results import (
    FOB,
    Calculation,
    CalculationParams,
    DutyResult,
    Problem,
    RuleOfOrigin,
    TaxResult,
)
from tradeportal.hs.catalog import Node
from tradeportal.hs.codes import format_code
from tradeportal.i18n import locale_for
from tradeportal.tariffs.models import TariffLine, TaxKind
from tradeportal.tariffs.queries import (
    internal_taxes_for,
    preferences_for,
)
from tradeportal.tariffs.rate_display import describe_rate
from tradeportal.validity import today

HUNDRED = Decimal(100)


def calculate(session: Session, params: CalculationParams, language: str = "en") -> Calculation:
    """Compute the duties, taxes and landed cost of a shipment, explaining every step.

    ``session`` is the app's session; the tariffs and agreements queries reused here read
    through it (as ``db.session``), so call this inside the app context. The explanations
    are in ``language``: English by default (the API), the page's language on the page.
    """
    with force_locale(locale_for(language)):
        return _calculate(session, params)


def _calculate(session: Session, params: CalculationParams) -> Calculation:
    day = params.day or today()
    calc = Calculation(params=params, day=day, currency=params.currency)
    node = resolve_node(params, day, calc)
    line = resolve_line(node, params, day, calc) if node else None
    if line is not None and line.schedule.currency:
        calc.currency = line.schedule.currency
    elif line is not None:
        calc.notes.append(
            _(
                "The schedule records no currency: amounts are taken to be in %(currency)s.",
                currency=params.currency,
            )
        )
    calc.customs_value = _customs_value(params, line, calc)
    basis = Basis(
        calc.customs_value, _("the customs value"), calc.currency, params.quantity, params.unit
    )
    duty = _duties(node, line, params, basis, calc) if line else None
    if node is not None:
        _taxes(node, params, calc, duty)
    _totals(calc, duty)
    calc.notes.append(
        _(
            "Amounts are computed exactly and rounded to the cent only when shown. Costs after "
            "the border (handling, brokerage, inland transport) are not included."
        )
    )
    return calc


def _customs_value(
    params: CalculationParams, line: TariffLine | None, calc: Calculation
) -> Decimal | None:
    """Return the CIF customs value in the calculation's currency (None: not convertible)."""
    given = params.currency
    if params.basis == FOB:
        value = params.value + params.freight + params.insurance
        calc.steps.append(
            Step(
                _("Customs value (CIF)"),
                _(
                    "FOB %(value)s + freight %(freight)s + insurance %(insurance)s",
                    value=money(params.value, given),
                    freight=money(params.freight, given),
                    insurance=money(params.insurance, given),
                ),
                value,
                given,
            )
        )
        calc.notes.append(
            _(
                "The customs value is the CIF value (cost, insurance and freight to the border), "
                "the basis of the WTO Customs Valuation Agreement as the UK and the EU apply it."
            )
        )
    else:
        value = params.value
        calc.steps.append(Step(_("Customs value (CIF)"), _("as given"), value, given))
    if calc.currency == given:
        if params.exchange_rate is not None and params.exchange_rate != 1:
            calc.notes.append(
                _(
                    "The exchange rate given is not used: the value is in %(currency)s.",
                    currency=given,
                )
            )
        return value
    if params.exchange_rate is None:
        calc.problems.append(
            Problem(
                _(
                    "The value is in %(given)s but the %(schedule)s is in %(currency)s, and the "
                    "portal holds no exchange rates: give the exchange rate (%(currency)s for 1 "
                    "%(given)s). Nothing based on the value can be computed without it.",
                    given=given,
                    schedule=line.schedule.title,
                    currency=calc.currency,
                ),
                "exchange_rate",
            )
        )
        return None
    converted = value * params.exchange_rate
    calc.steps.append(
        Step(
            _("Customs value in %(currency)s", currency=calc.currency),
            f"{money(value, given)} × {number(params.exchange_rate)} {calc.currency}/{given}",
            converted,
            calc.currency,
        )
    )
    calc.notes.append(
        _(
            "The portal holds no exchange rates: the rate given is used. Customs convert at the "
            "rate they publish for the period of import."
        )
    )
    return converted


@dataclass
class _Applied:
    """The duty applied: its amount and whether all of it could be computed."""

    amount: Decimal
    complete: bool


def _record(calc: Calculation, evaluation: Evaluation) -> None:
    calc.steps += evaluation.steps
    calc.notes += evaluation.notes
    calc.problems += [Problem(message) for message in evaluation.problems]


def _duties(
    node: Node, line: TariffLine, params: CalculationParams, basis: Basis, calc: Calculation
) -> _Applied:
    """Compute MFN and every preference the origin qualifies for; apply the best one."""
    mfn_eval = evaluate_rate(line.parsed_rate, basis, _("MFN duty"), calc.day)
    _record(calc, mfn_eval)
    mfn = DutyResult(
        "mfn",
        _("MFN duty (%(schedule)s)", schedule=line.schedule.title),
        line.rate_text,
        describe_rate(line.parsed_rate, localized=True),
        mfn_eval.amount,
        mfn_eval.complete,
        problems=mfn_eval.problems,
    )
    calc.duties.append(mfn)
    preferences = _preferences(node, line, params, basis, calc)
    calc.duties += preferences
    best = min(
        (duty for duty in preferences if duty.complete), key=lambda d: d.amount, default=None
    )
    better = best is not None and preference_is_better(best.amount, mfn_eval)
    applied = best if better else mfn
    applied.applied = True
    if better:
        if mfn.complete:
            formula = _(
                "%(rate)s under the %(agreement)s; saves %(saving)s against MFN",
                rate=best.rate_text,
                agreement=best.agreement,
                saving=money(mfn.amount - best.amount, basis.currency),
            )
        else:
            formula = _(
                "%(rate)s under the %(agreement)s; MFN could not be fully computed",
                rate=best.rate_text,
                agreement=best.agreement,
            )
    elif best is not None and not mfn_eval.complete and not mfn_eval.lower_bound:
        formula = _(
            "MFN: its maximum could not be applied, so whether the preference is lower "
            "cannot be told; give what the maximum needs (see the problems)"
        )
    elif best is not None:
        formula = _("MFN: the preference gives no lower duty, so there is no need to claim it")
    elif preferences:
        formula = _("MFN: the preferential duty could not be computed")
    else:
        formula = _("MFN: no preference recorded for goods of this origin")
    calc.steps.append(Step(_("Duty applied"), formula, applied.amount, basis.currency))
    calc.duty = applied.amount
    return _Applied(applied.amount, applied.complete)


def preference_is_better(preference: Decimal, mfn: Evaluation) -> bool:
    """Tell whether a complete preferential duty is surely lower than MFN.

    Equal to a complete MFN, claiming it gains nothing. An incomplete MFN amount is
    compared only when it is a lower bound of the true MFN duty.
    """
    if mfn.complete:
        return preference < mfn.amount
    return mfn.lower_bound and preference <= mfn.amount


def _preferences(
    node: Node, line: TariffLine, params: CalculationParams, basis: Basis, calc: Calculation
) -> list[DutyResult]:
    if params.origin is None:
        calc.notes.append(_("Give the origin of the goods to see the preferences they may claim."))
        return []
    results = []
    answer = preferences_for(node.code, params.market, params.origin, calc.day)
    for match in answer.eligible:
        rate = match.rate
        if rate.schedule_id != line.schedule_id:
            continue
        if match.applicable.parts:
            parts = ", ".join(format_code(part) for part in match.applicable.parts)
            calc.notes.append(
                _(
                    "The %(agreement)s covers only part of %(code)s (%(parts)s): enter one of "
                    "those codes to compute it.",
                    agreement=rate.agreement_name,
                    code=format_code(node.code),
                    parts=parts,
                )
            )
            continue
        label = _("Preferential duty (%(agreement)s)", agreement=rate.agreement_name)
        evaluation = evaluate_rate(rate.parsed_rate, basis, label, calc.day)
        _record(calc, evaluation)
        scheme = get_scheme(rate.scheme_code)
        result = DutyResult(
            "preferential",
            label,
            rate.rate_text,
            describe_rate(rate.parsed_rate, localized=True),
            evaluation.amount,
            evaluation.complete,
            agreement=rate.agreement_name,
            scheme_code=rate.scheme_code,
            scheme_title=scheme.title if scheme else None,
            proofs=[proof.get("summary", "") for proof in scheme.proofs] if scheme else [],
            rules_of_origin=_rules_of_origin(node.code, rate.scheme_code, calc.day),
            problems=evaluation.problems,
        )
        condition = _("Condition of the %(agreement)s", agreement=rate.agreement_name)
        calc.steps.append(Step(condition, _condition(result)))
        results.append(result)
    return results


def _rules_of_origin(code: str, scheme_code: str, day: date) -> list[RuleOfOrigin]:
    low, high = code_range(code)
    found = []
    for rule_set in origin_rules_for(code, [scheme_code], day):
        rules = [
            f"{rule.operator} {rule.text}" if rule.operator and index else rule.text
            for index, rule in enumerate(rule_set.rules)
        ]
        whole = rule_set.code_min <= low and rule_set.code_max >= high
        found.append(RuleOfOrigin(rule_set.heading, rule_set.subdivision, whole, rules))
    return found


def _condition(result: DutyResult) -> str:
    """Say what the goods must meet to claim a preference."""
    if result.rules_of_origin:
        rules = "; ".join(
            f"{rule_set.heading}: " + " ".join(rule_set.rules)
            for rule_set in result.rules_of_origin
        )
        return _(
            "Only if the goods meet the product-specific rule of origin (%(rules)s) and the "
            "importer claims it with a valid proof of origin.",
            rules=rules,
        )
    return _(
        "Only if the goods meet the agreement's rules of origin (no product-specific rule is "
        "recorded in the portal for this code) and the importer claims it with a valid proof "
        "of origin."
    )


def _taxes(node: Node, params: CalculationParams, calc: Calculation, duty: _Applied | None) -> None:
    """Compute excise and other taxes on the duty-paid value, then VAT on all of it."""
    found = internal_taxes_for(node.code, params.market, calc.day)
    if not found:
        calc.problems.append(
            Problem(
                _(
                    "The portal records no VAT or other internal tax of %(market)s for %(code)s: "
                    "none is included in the total.",
                    market=params.market,
                    code=format_code(node.code),
                )
            )
        )
    # VAT last: its base includes the other taxes.
    taxes = sorted((f.item for f in found), key=lambda tax: tax.kind is TaxKind.VAT)
    duty_amount = duty.amount if duty else Decimal(0)
    duty_complete = duty is not None and duty.complete
    others = Decimal(0)
    others_complete = True
    for tax in taxes:
        is_vat = tax.kind is TaxKind.VAT
        base = None
        if calc.customs_value is not None:
            base = calc.customs_value + duty_amount + (others if is_vat else 0)
            values = {
                "value": money(calc.customs_value, calc.currency),
                "duty": money(duty_amount, calc.currency) if duty else _("(not computed)"),
                "others": money(others, calc.currency),
            }
            if is_vat and others:
                formula = _(
                    "customs value %(value)s + duty %(duty)s + other taxes %(others)s", **values
                )
            else:
                formula = _("customs value %(value)s + duty %(duty)s", **values)
            label = _("VAT base") if is_vat else _("%(tax)s: duty-paid value", tax=tax.name)
            calc.steps.append(Step(label, formula, base, calc.currency))
        base_label = _("the VAT base") if is_vat else _("the duty-paid value")
        basis = Basis(base, base_label, calc.currency, params.quantity, params.unit)
        evaluation = evaluate_rate(tax.parsed_rate, basis, tax.name, calc.day)
        _record(calc, evaluation)
        complete = evaluation.complete
        if not (duty_complete and (others_complete or not is_vat)):
            complete = False
            calc.problems.append(
                Problem(
                    _(
                        "%(tax)s: its base counts only the duties and taxes that could be "
                        "computed, so it is incomplete.",
                        tax=tax.name,
                    )
                )
            )
        calc.taxes.append(
            TaxResult(
                tax.name, tax.kind.value, tax.rate_text, base, evaluation.amount, complete, tax.note
            )
        )
        if tax.note:
            calc.notes.append(_("%(tax)s: %(note)s", tax=tax.name, note=tax.note))
        if not is_vat:
            others += evaluation.amount
            others_complete = others_complete and complete


def _totals(calc: Calculation, duty: _Applied | None) -> None:
    """Add up the landed cost and the effective rates, and say whether all of it counts."""
    taxes = sum((tax.amount for tax in calc.taxes), Decimal(0))
    calc.complete = (
        calc.customs_value is not None
        and duty is not None
        and duty.complete
        and all(tax.complete for tax in calc.taxes)
    )
    if calc.customs_value is None:
        return
    value, currency = calc.customs_value, calc.currency
    duty_amount = duty.amount if duty else Decimal(0)
    calc.total = value + duty_amount + taxes
    calc.steps.append(
        Step(
            _("Landed cost at the border"),
            _(
                "customs value %(value)s + duty %(duty)s + taxes %(taxes)s",
                value=money(value, currency),
                duty=money(duty_amount, currency),
                taxes=money(taxes, currency),
            ),
            calc.total,
            currency,
        )
    )
    calc.effective_duty_rate = duty_amount / value * HUNDRED
    calc.effective_rate = (duty_amount + taxes) / value * HUNDRED
    calc.steps.append(
        Step(
            _("Effective rate (duty and taxes)"),
            f"({money(duty_amount, currency)} + {money(taxes, currency)}) "
            f"÷ {money(value, currency)} × 100",
            calc.effective_rate,
            "%",
        )
    )
    if not calc.complete:
        calc.notes.append(
            _("The total is incomplete: it counts only what could be computed (see above).")
        )
