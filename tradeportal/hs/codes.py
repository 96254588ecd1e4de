"""The one HS code normaliser: every page, import and API call reads codes through it.

Accepted: "0901", "09.01", "0901.21", "0901 21", "090121", "HS 0901.21.00", "0901210000".
A code has 2 (chapter), 4 (heading), 6 (subheading), 8 or 10 (national line) digits.
"""

import re
import unicodedata
from dataclasses import dataclass

# Longer raw input is not a code someone typed; refuse before doing any work on it.
MAX_RAW_LENGTH = 40
VALID_LENGTHS = (2, 4, 6, 8, 10)
LEVEL_NAMES = {2: "chapter", 4: "heading", 6: "subheading", 8: "national line", 10: "national line"}

_PREFIX = re.compile(r"^\s*(?:hs|sh)(?:\s*code)?\s*[:#]?\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[.\s\-]")
_DIGITS = re.compile(r"[0-9]+")


class InvalidHSCode(ValueError):
    """Input that is not a well-formed HS code; ``message`` says why, for people."""

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


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
        raise InvalidHSCode("Enter an HS code, for example 0901.21.")
    if len(raw) > MAX_RAW_LENGTH:
        raise InvalidHSCode(
            f"That is too long for an HS code (at most {MAX_RAW_LENGTH} characters)."
        )
    # NFKC folds full-width digits and odd spaces to their plain forms.
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _PREFIX.sub("", text, count=1)
    if not text:
        raise InvalidHSCode("Enter an HS code, for example 0901.21.")
    compact = _SEPARATORS.sub("", text)
    if not compact:
        raise InvalidHSCode("An HS code needs digits, for example 0901.21.")
    if not _DIGITS.fullmatch(compact):
        if any(char.isalpha() for char in compact):
            raise InvalidHSCode(
                "HS codes are made of digits only; letters are not allowed.",
                hint="To find a product by name, use the search box.",
            )
        raise InvalidHSCode("HS codes contain only digits, with optional dots or spaces.")
    length = len(compact)
    if length > max(VALID_LENGTHS):
        raise InvalidHSCode(
            f"HS codes have at most {max(VALID_LENGTHS)} digits; this one has {length}."
        )
    if length not in VALID_LENGTHS:
        hint = None
        if length + 1 in VALID_LENGTHS:
            # Spreadsheets drop the leading zero of chapters 01–09.
            hint = f"Did you mean {format_code('0' + compact)}? A leading zero is often lost."
        raise InvalidHSCode(
            f"HS codes have 2, 4, 6, 8 or 10 digits; this one has {length}.", hint=hint
        )
    return HSCode(compact)
