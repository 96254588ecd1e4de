"""Watchlists: a pasted or uploaded list of HS codes, sorted into active, expired and invalid.

Each code is read as the product page reads it (``hs.queries.lookup_code``): a code of the
edition in force is active; a code of an older edition (HS 2017) is expired and offered
its successors in the edition in force; anything else is invalid, with the reason.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from tradeportal.errors import people_message
from tradeportal.hs.catalog import Node, get_catalog
from tradeportal.hs.codes import InvalidHSCode, format_code
from tradeportal.hs.queries import Outcome, UnknownNomenclature, lookup_code
from tradeportal.i18n import number as format_number

MAX_ENTRIES = 1000
MAX_BYTES = 256 * 1024
# Cells are separated by commas, semicolons, tabs or line breaks. A cell is an entry when
# it starts like a code (a digit, or "HS"); headers ("code") and descriptions are not.
CELL_SEPARATORS = re.compile(r"[,;\t\r\n]+")
LOOKS_LIKE_CODE = re.compile(r"(?:hs\s*(?:code)?\s*[:#]?\s*)?[0-9]", re.IGNORECASE)


class WatchlistTooLarge(ValueError):
    """More than a watchlist may hold; the message says the limit."""


@dataclass
class WatchEntry:
    line: int
    raw: str
    status: str  # active, expired, invalid
    code: str | None = None  # digits to follow (active)
    description: str | None = None  # in English; description_fr when the nomenclature has it
    description_fr: str | None = None
    reason: str | None = None
    successors: list[Node] = field(default_factory=list)  # expired codes' replacements
    old_code: str | None = None  # an expired code's digits in its own edition

    @property
    def key(self) -> str | None:
        """Return what makes two entries the same code, however they were written."""
        return self.code or self.old_code

    @property
    def description_en(self) -> str | None:
        """The English description, for ``localized(entry, "description")``."""
        return self.description

    @property
    def display(self) -> str:
        return format_code(self.code) if self.code else self.raw


@dataclass
class Watchlist:
    active: list[WatchEntry] = field(default_factory=list)
    expired: list[WatchEntry] = field(default_factory=list)
    invalid: list[WatchEntry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.active) + len(self.expired) + len(self.invalid)


def entries_of(text: str) -> list[tuple[int, str]]:
    """Return (line number, cell) of every cell that could be a code."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for cell in CELL_SEPARATORS.split(line):
            cell = cell.strip().strip('"').strip()
            if cell and LOOKS_LIKE_CODE.match(cell):
                found.append((number, cell[:60]))
    if len(found) > MAX_ENTRIES:
        raise WatchlistTooLarge(
            _("A watchlist holds at most %(num)s codes.", num=format_number(MAX_ENTRIES))
        )
    return found


def classify_code(raw: str, day: date, line: int = 1) -> WatchEntry:
    """Sort one code: active (with what to follow), expired (with successors) or invalid."""
    try:
        found = lookup_code(raw, day)
    except InvalidHSCode as error:
        return WatchEntry(line, raw, "invalid", reason=error.translated_message())
    except UnknownNomenclature as error:
        return WatchEntry(line, raw, "invalid", reason=people_message(error))
    edition = found.edition.title
    if found.outcome is Outcome.FOUND:
        node = found.node
        return WatchEntry(
            line, raw, "active", node.code, node.description_en, description_fr=node.description_fr
        )
    if found.outcome is Outcome.SAME_AS:
        node = found.node
        reason = _(
            "Followed as %(code)s: a national line of zeros is its subheading.", code=node.display
        )
        return WatchEntry(
            line, raw, "active", node.code, node.description_en, node.description_fr, reason
        )
    if found.outcome in (Outcome.MOVED, Outcome.SPLIT):
        old = found.old_node
        older = get_catalog().trees[old.nomenclature].title
        reason = _(
            "%(code)s is a code of %(older)s; in %(edition)s it became %(codes)s.",
            code=old.display,
            older=older,
            edition=edition,
            codes=", ".join(node.display for node in found.successors),
        )
        return WatchEntry(
            line,
            raw,
            "expired",
            description=old.description_en,
            description_fr=old.description_fr,
            reason=reason,
            successors=list(found.successors),
            old_code=old.code,
        )
    if found.old_node is not None:
        old = found.old_node
        older = get_catalog().trees[old.nomenclature].title
        reason = _(
            "%(code)s is a code of %(older)s with no successor in %(edition)s.",
            code=old.display,
            older=older,
            edition=edition,
        )
        return WatchEntry(
            line,
            raw,
            "expired",
            description=old.description_en,
            description_fr=old.description_fr,
            reason=reason,
            old_code=old.code,
        )
    if found.nearest is not None:
        reason = _(
            "No such code in %(edition)s. The closest existing code is %(code)s.",
            edition=edition,
            code=found.nearest.display,
        )
    else:
        reason = _("No such code in %(edition)s.", edition=edition)
    return WatchEntry(line, raw, "invalid", reason=reason)


def read_watchlist(text: str, day: date) -> Watchlist:
    """Sort every code of a watchlist; a code given twice is reported once as invalid."""
    watchlist = Watchlist()
    seen: dict[str, int] = {}
    for line, raw in entries_of(text):
        entry = classify_code(raw, day, line)
        if entry.key is not None:
            if entry.key in seen:
                entry = WatchEntry(
                    line,
                    raw,
                    "invalid",
                    reason=_("Already listed on line %(line)s.", line=seen[entry.key]),
                )
            else:
                seen[entry.key] = line
        getattr(watchlist, entry.status).append(entry)
    return watchlist
