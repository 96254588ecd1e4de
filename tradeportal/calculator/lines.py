"""Which HS node and which tariff line of the market a code designates, on a day.

The same readings as the product page: the HS normaliser and lookup, then the market's
lines through ``tariff_lines_for``. A code that covers several lines offers a choice.
"""

from datetime import date

from tradeportal.calculator.evaluate import Step
from tradeportal.calculator.results import Calculation, CalculationParams, LineChoice, Problem
from tradeportal.hs.catalog import Node
from tradeportal.hs.codes import InvalidHSCode, format_code
from tradeportal.hs.queries import Outcome, UnknownNomenclature, lookup_code
from tradeportal.tariffs.models import TariffLine
from tradeportal.tariffs.queries import edition_of, tariff_lines_for

LINE_FLAG_PROBLEMS = {
    "quota": (
        "A tariff quota applies to this line: within the quota a lower rate may apply, but "
        "the portal holds no quota volumes or balances, so the duty shown is the rate outside "
        "the quota."
    ),
    "trade_remedy": (
        "Trade remedy measures (anti-dumping or countervailing duties) apply to some goods of "
        "this line; they depend on the producer and are not computed."
    ),
}
LINE_FLAG_NOTES = {
    "suspension": (
        "A duty suspension applies to some goods of this line (specific products or end uses); "
        "it is not applied here."
    ),
    "eu_rate_retained": "The EU rate is kept on this line until its trade remedy review ends.",
}


def resolve_node(params: CalculationParams, day: date, calc: Calculation) -> Node | None:
    """Find the HS node of the code asked, as the product page reads it."""
    try:
        found = lookup_code(params.code, day)
    except InvalidHSCode as error:
        calc.problems.append(Problem(str(error), "code"))
        return None
    except UnknownNomenclature as error:
        calc.problems.append(Problem(str(error), "date"))
        return None
    shown = format_code(params.code)
    if found.outcome in (Outcome.FOUND, Outcome.SAME_AS):
        node = found.node
    elif found.outcome is Outcome.MOVED:
        node = found.successors[0]
        calc.notes.append(f"{shown} is an older HS code; it is now {format_code(node.code)}.")
    elif found.outcome is Outcome.SPLIT:
        codes = ", ".join(format_code(successor.code) for successor in found.successors)
        calc.problems.append(
            Problem(f"{shown} was split between {codes} on {day.isoformat()}: choose one.", "code")
        )
        return None
    elif len(params.code) > 6 and found.nearest is not None:
        # Maybe a national line of the market: its lines are found under the nearest code.
        node = found.nearest
    else:
        calc.problems.append(
            Problem(f"{shown} is not an HS code in force on {day.isoformat()}.", "code")
        )
        return None
    calc.hs_code, calc.hs_description = node.code, node.description_en
    return node


def resolve_line(
    node: Node, params: CalculationParams, day: date, calc: Calculation
) -> TariffLine | None:
    """Pick the one tariff line of the market that the code designates, or offer a choice."""
    answer = tariff_lines_for(node.code, params.market, day, nomenclature=edition_of(node))
    if not answer.schedules:
        calc.problems.append(
            Problem(
                f"The portal holds no tariff schedule that {params.market} applied on "
                f"{day.isoformat()}: the import duty cannot be computed."
            )
        )
        return None
    matches = [match.line for match in answer.matches]
    if len(params.code) > 6:
        padded = params.code.ljust(10, "0")
        exact = [line for line in matches if line.code.ljust(10, "0") == padded]
        below = [line for line in matches if line.code.startswith(params.code)]
        if exact or below:
            matches = exact or below
        elif len(matches) > 1:
            calc.notes.append(
                f"{format_code(params.code)} is not a line of the market's schedule; the lines "
                f"of {format_code(node.code)} are offered instead."
            )
    if not matches:
        calc.problems.append(
            Problem(
                f"No tariff line of the market is linked to {format_code(node.code)} on "
                f"{day.isoformat()}: the import duty cannot be computed.",
                "code",
            )
        )
        return None
    if len(matches) > 1:
        shown = f"the first {len(matches)} of " if answer.truncated else ""
        calc.line_choices = [
            LineChoice(line.code, line.description, line.rate_text, line.schedule.code)
            for line in matches
        ]
        calc.problems.append(
            Problem(
                f"{format_code(node.code)} covers {answer.total} tariff lines of the market "
                f"({shown}which are listed): choose the line of the goods.",
                "code",
            )
        )
        return None
    line = matches[0]
    calc.line_code, calc.line_description = line.code, line.description
    calc.schedule_code, calc.schedule_title = line.schedule.code, line.schedule.title
    recorded = line.schedule.recorded_on
    calc.steps.append(
        Step(
            "Tariff line",
            f"{line.schedule.title}, line {format_code(line.code)}: {line.description}",
        )
    )
    if recorded:
        calc.notes.append(
            f"Rates of the {line.schedule.title} as recorded on {recorded.isoformat()}; check "
            "the issuing authority's tariff before relying on them."
        )
    for flag, message in LINE_FLAG_PROBLEMS.items():
        if getattr(line, flag):
            calc.problems.append(Problem(message))
    calc.notes += [message for flag, message in LINE_FLAG_NOTES.items() if getattr(line, flag)]
    return line
