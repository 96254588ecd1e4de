"""Which HS node and which tariff line of the market a code designates, on a day.

The same readings as the product page: the HS normaliser and lookup, then the market's
lines through ``tariff_lines_for``. A code that covers several lines offers a choice.
"""

from datetime import date

from flask_babel import gettext as _

from tradeportal.calculator.evaluate import Step, day_text
from tradeportal.calculator.results import Calculation, CalculationParams, LineChoice, Problem
from tradeportal.errors import people_message
from tradeportal.hs.catalog import Node
from tradeportal.hs.codes import InvalidHSCode, format_code
from tradeportal.hs.queries import Outcome, UnknownNomenclature, lookup_code
from tradeportal.i18n import N_
from tradeportal.tariffs.models import TariffLine
from tradeportal.tariffs.queries import edition_of, tariff_lines_for

# In English; said with gettext in the calculation's language.
LINE_FLAG_PROBLEMS = {
    "quota": N_(
        "A tariff quota applies to this line: within the quota a lower rate may apply, but "
        "the portal holds no quota volumes or balances, so the duty shown is the rate outside "
        "the quota."
    ),
    "trade_remedy": N_(
        "Trade remedy measures (anti-dumping or countervailing duties) apply to some goods of "
        "this line; they depend on the producer and are not computed."
    ),
}
LINE_FLAG_NOTES = {
    "suspension": N_(
        "A duty suspension applies to some goods of this line (specific products or end uses); "
        "it is not applied here."
    ),
    "eu_rate_retained": N_("The EU rate is kept on this line until its trade remedy review ends."),
}


def resolve_node(params: CalculationParams, day: date, calc: Calculation) -> Node | None:
    """Find the HS node of the code asked, as the product page reads it."""
    try:
        found = lookup_code(params.code, day)
    except InvalidHSCode as error:
        message = [error.translated_message(), error.translated_hint()]
        calc.problems.append(Problem(" ".join(filter(None, message)), "code"))
        return None
    except UnknownNomenclature as error:
        calc.problems.append(Problem(people_message(error), "date"))
        return None
    shown = format_code(params.code)
    if found.outcome in (Outcome.FOUND, Outcome.SAME_AS):
        node = found.node
    elif found.outcome is Outcome.MOVED:
        node = found.successors[0]
        calc.notes.append(
            _(
                "%(code)s is an older HS code; it is now %(new_code)s.",
                code=shown,
                new_code=format_code(node.code),
            )
        )
    elif found.outcome is Outcome.SPLIT:
        codes = ", ".join(format_code(successor.code) for successor in found.successors)
        calc.problems.append(
            Problem(
                _(
                    "%(code)s was split between %(codes)s on %(day)s: choose one.",
                    code=shown,
                    codes=codes,
                    day=day_text(day),
                ),
                "code",
            )
        )
        return None
    elif len(params.code) > 6 and found.nearest is not None:
        # Maybe a national line of the market: its lines are found under the nearest code.
        node = found.nearest
    else:
        calc.problems.append(
            Problem(
                _("%(code)s is not an HS code in force on %(day)s.", code=shown, day=day_text(day)),
                "code",
            )
        )
        return None
    calc.hs_code, calc.hs_description = node.code, node.description_en
    calc.hs_description_fr = getattr(node, "description_fr", None)
    return node


def resolve_line(
    node: Node, params: CalculationParams, day: date, calc: Calculation
) -> TariffLine | None:
    """Pick the one tariff line of the market that the code designates, or offer a choice."""
    answer = tariff_lines_for(node.code, params.market, day, nomenclature=edition_of(node))
    if not answer.schedules:
        calc.problems.append(
            Problem(
                _(
                    "The portal holds no tariff schedule that %(market)s applied on %(day)s: the "
                    "import duty cannot be computed.",
                    market=params.market,
                    day=day_text(day),
                )
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
                _(
                    "%(code)s is not a line of the market's schedule; the lines of %(node)s are "
                    "offered instead.",
                    code=format_code(params.code),
                    node=format_code(node.code),
                )
            )
    if not matches:
        calc.problems.append(
            Problem(
                _(
                    "No tariff line of the market is linked to %(code)s on %(day)s: the import "
                    "duty cannot be computed.",
                    code=format_code(node.code),
                    day=day_text(day),
                ),
                "code",
            )
        )
        return None
    if len(matches) > 1:
        calc.line_choices = [
            LineChoice(line.code, line.description, line.rate_text, line.schedule.code)
            for line in matches
        ]
        calc.problems.append(
            Problem(
                _(
                    "%(code)s covers %(total)s tariff lines of the market (the first %(shown)s of "
                    "which are listed): choose the line of the goods.",
                    code=format_code(node.code),
                    total=answer.total,
                    shown=len(matches),
                )
                if answer.truncated
                else _(
                    "%(code)s covers %(total)s tariff lines of the market (which are listed): "
                    "choose the line of the goods.",
                    code=format_code(node.code),
                    total=answer.total,
                ),
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
            _("Tariff line"),
            _(
                "%(schedule)s, line %(code)s: %(description)s",
                schedule=line.schedule.title,
                code=format_code(line.code),
                description=line.description,
            ),
        )
    )
    if recorded:
        calc.notes.append(
            _(
                "Rates of the %(schedule)s as recorded on %(day)s; check the issuing authority's "
                "tariff before relying on them.",
                schedule=line.schedule.title,
                day=day_text(recorded),
            )
        )
    for flag, message in LINE_FLAG_PROBLEMS.items():
        if getattr(line, flag):
            calc.problems.append(Problem(_(message)))
    calc.notes += [_(message) for flag, message in LINE_FLAG_NOTES.items() if getattr(line, flag)]
    return line
