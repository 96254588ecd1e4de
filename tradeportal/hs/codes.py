"""The one HS code normaliser: every page, import and API call reads codes through it.

Accepted: "0901", "09.01", "0901.21", "0901 21", "090121", "HS 0901.21.00", "0901210000".
A code has 2 (chapter), 4 (heading), 6 (subheading), 8 or 10 (national line) digits.
"""

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from tradeportal.i18n import N_, number

# Longer raw input is not a code someone typed; refuse before doing any work on it.
MAX_RAW_LENGTH = 40
VALID_LENGTHS = (2, 4, 6, 8, 10)
# Machine names (the API's ``level_name``): English, never translated.
LEVEL_NAMES = {2: "chapter", 4: "heading", 6: "subheading", 8: "national line", 10: "national line"}
# The same levels for people, in the language shown ("Chapter" / "Chapitre").
LEVEL_TITLES = {
    2: _l("Chapter"),
    4: _l("Heading"),
    6: _l("Subheading"),
    8: _l("National line"),
    10: _l("National line"),
}

_PREFIX = re.compile(r"^\s*(?:hs|sh)(?:\s*code)?\s*[:#]?\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[.\s\-]")
_DIGITS = re.compile(r"[0-9]+")


def level_count(level: int, count: int) -> str:
    """Say how many codes of a level, in the language shown: "3 headings", "3 positions"."""
    # Not %(num)s: Flask-Babel's ngettext fills "num" with the bare count (1228, not 1,228).
    shown = number(count)
    if level == 2:
        return ngettext("%(count)s chapter", "%(count)s chapters", count, count=shown)
    if level == 4:
        return ngettext("%(count)s heading", "%(count)s headings", count, count=shown)
    if level == 6:
        return ngettext("%(count)s subheading", "%(count)s subheadings", count, count=shown)
    return ngettext("%(count)s national line", "%(count)s national lines", count, count=shown)


class InvalidHSCode(ValueError):
    """Input that is not a well-formed HS code; ``message`` says why, for people.

    ``message`` and ``hint`` are English (files, the API, the command line); pages show
    :meth:`translated_message` and :meth:`translated_hint`, in the language of the page.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        values: dict | None = None,
        hint_values: dict | None = None,
    ):
        self.template, self.values = message, values or {}
        self.hint_template, self.hint_values = hint, hint_values or {}
        self.message = message % self.values if self.values else message
        self.hint = hint % self.hint_values if hint and self.hint_values else hint
        super().__init__(self.message)

    def translated_message(self) -> str:
        return gettext(self.template, **self.values)

    def translated_hint(self) -> str | None:
        return gettext(self.hint_template, **self.hint_values) if self.hint_template else None


@dataclass(frozen=True, slots=True)
class HSCode:
    """A well-formed code: its digits only, e.g. ``"090121"``."""

    digits: str

    @property
    def level(self) -> int:
        return len(self.digits)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def level_title(self) -> str:
        """The level for people, in the language shown: "Heading" / "Position"."""
        return str(LEVEL_TITLES[self.level])

    @property
    def display(self) -> str:
        """Return the customary dotted form: 09, 0901, 0901.21, 0901.21.00, 0901.21.00.00."""
        return format_code(self.digits)

    def ancestors(self) -> list[str]:
        """Return the codes of the levels above this one, chapter first."""
        return [self.digits[:length] for length in VALID_LENGTHS if length < self.level]

    def __str__(self) -> str:
        return self.digits


def format_code(digits: str) -> str:
    """Format code digits in the customary dotted form."""
    if len(digits) <= 4:
        return digits
    pairs = [digits[i : i + 2] for i in range(4, len(digits), 2)]
    return ".".join([digits[:4], *pairs])


def normalise_hs_code(raw: object) -> HSCode:
    """Read an HS code typed by a person; raise :class:`InvalidHSCode` saying what is wrong."""
    if not isinstance(raw, str):
        raise InvalidHSCode(N_("Enter an HS code, for example 0901.21."))
    if len(raw) > MAX_RAW_LENGTH:
        raise InvalidHSCode(
            N_("That is too long for an HS code (at most %(max)s characters)."),
            values={"max": MAX_RAW_LENGTH},
        )
    # NFKC folds full-width digits and odd spaces to their plain forms.
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _PREFIX.sub("", text, count=1)
    if not text:
        raise InvalidHSCode(N_("Enter an HS code, for example 0901.21."))
    compact = _SEPARATORS.sub("", text)
    if not compact:
        raise InvalidHSCode(N_("An HS code needs digits, for example 0901.21."))
    if not _DIGITS.fullmatch(compact):
        if any(char.isalpha() for char in compact):
            raise InvalidHSCode(
                N_("HS codes are made of digits only; letters are not allowed."),
                hint=N_("To find a product by name, use the search box."),
            )
        raise InvalidHSCode(N_("HS codes contain only digits, with optional dots or spaces."))
    length = len(compact)
    if length > max(VALID_LENGTHS):
        raise InvalidHSCode(
            N_("HS codes have at most %(max)s digits; this one has %(length)s."),
            values={"max": max(VALID_LENGTHS), "length": length},
        )
    if length not in VALID_LENGTHS:
        hint, hint_values = None, None
        if length + 1 in VALID_LENGTHS:
            # Spreadsheets drop the leading zero of chapters 01–09.
            hint = N_("Did you mean %(code)s? A leading zero is often lost.")
            hint_values = {"code": format_code("0" + compact)}
        raise InvalidHSCode(
            N_("HS codes have 2, 4, 6, 8 or 10 digits; this one has %(length)s."),
            values={"length": length},
            hint=hint,
            hint_values=hint_values,
        )
    return HSCode(compact)
