"""What a publication touches: HS codes and countries, and who will hear of it.

The same reach powers the HS-link picker ("0901 → 14 subheadings, 3 national lines") and
the impact preview a publisher reads before publishing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from marshmallow import fields
from sqlalchemy.orm import Session

from tradeportal.content.fields import CountryCode, HsPrefix
from tradeportal.content.registry import ContentType
from tradeportal.hs.catalog import get_catalog
from tradeportal.hs.codes import InvalidHSCode, format_code
from tradeportal.hs.prefixes import normalise_prefix

SUBHEADING_LEVEL = 6


@dataclass(frozen=True)
class PrefixReach:
    """How far one HS prefix reaches in the edition in force and the home country's lines."""

    prefix: str
    description: str | None  # None: no such code in the edition in force
    subheadings: int
    national_lines: int
    description_fr: str | None = None

    @property
    def description_en(self) -> str | None:
        """The English description (``localized(reach, "description")`` in templates)."""
        return self.description

    @property
    def display(self) -> str:
        return format_code(self.prefix)

    @property
    def known(self) -> bool:
        return self.description is not None


def prefix_reach(prefix: str, day: date, home_country: str) -> PrefixReach:
    """Count the subheadings and national lines in force on ``day`` under ``prefix``."""
    catalog = get_catalog()
    edition = catalog.edition_on(day)
    if edition is None:
        return PrefixReach(prefix, None, 0, 0)
    node = edition.get(prefix, day)
    if len(prefix) == SUBHEADING_LEVEL:
        subheadings = 1 if node else 0
    else:
        subheadings = edition.descendant_counts(prefix, day).get(SUBHEADING_LEVEL, 0)
    national = catalog.national_for(home_country, edition, day)
    lines = 0
    if national is not None:
        lines = sum(
            1
            for code, line in national.nodes.items()
            if code.startswith(prefix) and len(code) > SUBHEADING_LEVEL and line.is_valid_on(day)
        )
    return PrefixReach(
        prefix,
        node.description_en if node else None,
        subheadings,
        lines,
        node.description_fr if node else None,
    )


@dataclass
class PickerAnswer:
    """The picker's reading of what an editor typed: reaches, or the problem per entry."""

    reaches: list[PrefixReach] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (entry, why)


MAX_PICKER_ENTRIES = 50


def read_prefixes(text: str, day: date, home_country: str) -> PickerAnswer:
    """Resolve HS prefixes typed one per line or separated by ';' or ','."""
    answer = PickerAnswer()
    entries = [part.strip() for part in text.replace(";", "\n").replace(",", "\n").split("\n")]
    entries = [entry for entry in entries if entry][:MAX_PICKER_ENTRIES]
    for entry in entries:
        try:
            prefix = normalise_prefix(entry)
        except InvalidHSCode as error:
            answer.problems.append((entry[:40], error.translated_message()))
            continue
        reach = prefix_reach(prefix, day, home_country)
        if not reach.known:
            answer.problems.append((entry[:40], _("No such code in the HS edition in force.")))
        answer.reaches.append(reach)
    return answer


# --- what a publication touches ----------------------------------------------------------


def _values_of_kind(content_type: ContentType, payload: dict | None, kind: type) -> set[str]:
    """Collect the values of fields of a given marshmallow field class (or lists of it)."""
    if not payload:
        return set()
    found = set()
    for name, schema_field in content_type.input_schema().fields.items():
        inner = schema_field.inner if isinstance(schema_field, fields.List) else schema_field
        if not isinstance(inner, kind):
            continue
        value = payload.get(name)
        values = value if isinstance(value, list) else [value]
        found.update(str(item) for item in values if item)
    return found


def hs_prefixes_named(content_type: ContentType, *payloads: dict | None) -> list[str]:
    """Return the HS prefixes a record links to, before and after, as digits."""
    found: set[str] = set()
    for payload in payloads:
        for value in _values_of_kind(content_type, payload, HsPrefix):
            try:
                found.add(normalise_prefix(value))
            except InvalidHSCode:
                continue
    return sorted(found)


def countries_named(content_type: ContentType, *payloads: dict | None) -> list[str]:
    """Return the ISO3 codes a record names, before and after."""
    found: set[str] = set()
    for payload in payloads:
        found |= _values_of_kind(content_type, payload, CountryCode)
    return sorted(found)


# Areas that can tell how many people a change will reach (the alerts area) register here.
AudienceCounter = Callable[[Session, dict[str, Any]], int]
AUDIENCE_COUNTERS: list[AudienceCounter] = []


def register_audience_counter(counter: AudienceCounter) -> None:
    AUDIENCE_COUNTERS.append(counter)


@dataclass
class Impact:
    reaches: list[PrefixReach]
    countries: list[str]
    audience: int | None  # None: no alerts area counts subscribers yet


def impact_of(
    session: Session,
    content_type: ContentType,
    before: dict | None,
    after: dict | None,
    day: date,
    home_country: str,
) -> Impact:
    """Describe what publishing ``after`` over ``before`` touches."""
    prefixes = hs_prefixes_named(content_type, before, after)
    countries = countries_named(content_type, before, after)
    change = {
        "content_type": content_type.name,
        "hs_prefixes": prefixes,
        "countries": countries,
        # The record itself: a page reaches news or events followers by its kind.
        "before": before,
        "after": after,
    }
    audience = sum(counter(session, change) for counter in AUDIENCE_COUNTERS)
    return Impact(
        [prefix_reach(prefix, day, home_country) for prefix in prefixes],
        countries,
        audience if AUDIENCE_COUNTERS else None,
    )
