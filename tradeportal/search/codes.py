"""Code-like input in the search box: go to the node when the code says which one.

Reuses the nomenclature's own resolver (``hs.queries.lookup_code``), so the search box
and the ``/hs/<code>`` pages agree on HS 2022, HS 2017 and national codes.
"""

import re
from dataclasses import dataclass
from datetime import date

from tradeportal.errors import people_message
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.queries import Lookup, Outcome, UnknownNomenclature, lookup_code
from tradeportal.search.query import CODE_LIKE

_DIGITS = re.compile(r"[0-9]")


@dataclass
class CodeAnswer:
    """What a code-like query resolves to: one node to go to, or something to show."""

    digits: str
    target: str | None = None  # the node code to redirect to
    found: Lookup | None = None  # a split or missing code, shown on the results page
    error: str | None = None  # why it is not a well-formed code (English, as the API says it)
    hint: str | None = None
    reason: InvalidHSCode | UnknownNomenclature | None = None  # the error, for translating

    def error_shown(self) -> str | None:
        """``error`` in the language of the page."""
        return people_message(self.reason) if self.reason is not None else self.error

    def hint_shown(self) -> str | None:
        """``hint`` in the language of the page."""
        if isinstance(self.reason, InvalidHSCode):
            return self.reason.translated_hint()
        return self.hint

    @property
    def is_split(self) -> bool:
        return self.found is not None and self.found.outcome is Outcome.SPLIT


def is_code_like(text: str) -> bool:
    return CODE_LIKE.match(text) is not None


def resolve_code(text: str, day: date) -> CodeAnswer:
    """Resolve code-like input as of ``day``."""
    digits = "".join(_DIGITS.findall(text))
    try:
        found = lookup_code(text, day)
    except InvalidHSCode as error:
        return CodeAnswer(digits, error=error.message, hint=error.hint, reason=error)
    except UnknownNomenclature as error:
        return CodeAnswer(digits, error=str(error), reason=error)
    if found.outcome is Outcome.FOUND:
        return CodeAnswer(found.code.digits, target=found.node.code)
    if found.outcome in (Outcome.SAME_AS, Outcome.MOVED):
        return CodeAnswer(found.code.digits, target=found.target)
    return CodeAnswer(found.code.digits, found=found)
