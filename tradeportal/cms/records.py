"""Records of any registered content type, as the CMS handles them.

A record is the dict its type's ``export`` yields and its Input schema loads back, made
JSON-safe so it can be kept in a revision. Forms are generated from the Input schema: one
field per schema field, posted as text like a CSV row, so the page, the import file and the
API are validated by the same code.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError, fields
from sqlalchemy.orm import Session

from tradeportal.content.fields import (
    CompactRecords,
    CountryCode,
    HsPrefix,
    IsoDate,
    SemicolonList,
    Text,
)
from tradeportal.content.labels import field_label, type_label
from tradeportal.content.registry import CONTENT_TYPES, ContentType
from tradeportal.i18n import N_

# Marshmallow's own messages that editors meet on the forms, marked for the catalog (the
# pages show them translated; files and the API keep them as marshmallow words them).
MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Not a valid boolean."),
)

# Fields whose value names the record on screens, in order of preference.
LABEL_FIELDS = ("title_en", "title", "name_en", "name", "term", "description", "code")
# Text longer than this is edited in a text area.
LONG_TEXT = 300
# The list of records a type shows at most when filtered by text, to keep pages light.
MAX_LISTED = 5000


class RecordProblem(ValueError):
    """A record that cannot be read back: messages per field, shown next to the fields.

    A field has one message or a list of them (each its own sentence, so each can be
    translated where a page shows it).
    """

    def __init__(self, errors: dict[str, str | list[str]]):
        super().__init__(
            "; ".join(f"{name}: {' '.join(_as_list(why))}" for name, why in errors.items())
        )
        self.errors = errors

    def by_form_field(self, translate=lambda text: text) -> dict[str, list[str]]:
        """Attach each message to its form field ("documents.2.name" belongs to documents).

        ``translate`` (gettext on pages) turns each message into the language shown
        before the entry it is about ("2: …") is put in front of it.
        """
        errors: dict[str, list[str]] = {}
        for name, why in self.errors.items():
            field = name.split(".")[0].split("[")[0]
            detail = name[len(field) :].lstrip(".")
            for message in _as_list(why):
                text = translate(message)
                errors.setdefault(field, []).append(f"{detail}: {text}" if detail else text)
        return errors


def _as_list(why: str | list[str]) -> list[str]:
    return [why] if isinstance(why, str) else list(why)


def messages_by_field(messages: Any, prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    """Marshmallow's nested messages as (field, [message, …]): like ``flatten_messages``
    (content/transfer.py) but with each message kept apart rather than joined."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from messages_by_field(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield prefix or "record", list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            yield from messages_by_field(value, f"{prefix}[{index}]")
    else:
        yield prefix or "record", [str(messages)]


def jsonable(value: Any) -> Any:
    """Turn an exported value into plain JSON (dates as ISO text, enums by value)."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def key_of(content_type: ContentType, record: dict[str, Any]) -> str:
    """Return the natural key of a loaded or exported record as stable JSON text."""
    values = [record.get(name) for name in content_type.natural_key]
    return json.dumps(["" if value is None else str(jsonable(value)) for value in values])


def label_of(record: dict[str, Any], key: str | None = None) -> str:
    """Return a short human name for a record."""
    for name in LABEL_FIELDS:
        value = record.get(name)
        if value:
            return str(value)[:300]
    return " · ".join(json.loads(key)) if key else "(untitled)"


def load_record(content_type: ContentType, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate a payload with the type's Input schema; raise RecordProblem per field."""
    try:
        return content_type.input_schema().load(payload)
    except ValidationError as error:
        raise RecordProblem(dict(messages_by_field(error.messages))) from None


def live_records(
    session: Session, content_type: ContentType, text: str = ""
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (key, record) of live records whose key or label contains ``text``."""
    needle = text.casefold().strip()
    for record in content_type.export(session):
        key = key_of(content_type, record)
        if needle and needle not in key.casefold() and needle not in label_of(record).casefold():
            continue
        yield key, jsonable(record)


def verification_cutoff(content_type: ContentType, text: str) -> date | None:
    """Read a "verified before" list filter (empty: none); raise ValueError saying why not."""
    if not text:
        return None
    if "last_verified_on" not in content_type.input_schema().fields:
        raise ValueError(
            _("%(type)s records carry no verification date.", type=type_label(content_type.name))
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("verified_before must be a date written YYYY-MM-DD.")) from None


def not_verified_since(record: dict[str, Any], day: date) -> bool:
    """Tell whether a record was never verified, or last verified before ``day``."""
    verified = record.get("last_verified_on")
    return not verified or str(verified) < day.isoformat()  # ISO dates sort as text


def live_record(session: Session, content_type: ContentType, key: str) -> dict[str, Any] | None:
    """Return the live record with natural key ``key``, or None."""
    for found_key, record in live_records(session, content_type):
        if found_key == key:
            return record
    return None


def content_type_named(name: str) -> ContentType | None:
    return CONTENT_TYPES.get(name)


# --- forms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    """How one schema field is edited: kind is text, textarea, lines, json, date, choice."""

    name: str
    kind: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    markdown: bool = False

    @property
    def label(self) -> str:
        """The field's name for editors, in the language shown."""
        return field_label(self.name)

    def choice_label(self, value: Any) -> str:
        """How a choice field's stored value reads ("sps" → its label); others as they are."""
        return dict(self.choices).get(str(value), str(value)) if self.choices else str(value)


def _choices(field: fields.Field) -> tuple[tuple[str, str], ...]:
    """The options of a choice field: (value posted, text shown)."""
    if isinstance(field, fields.Enum):
        return (("", "—"), *((m.value, str(getattr(m, "label", m.value))) for m in field.enum))
    return (("", "—"), ("true", _("Yes")), ("false", _("No")))


def form_fields(content_type: ContentType) -> list[FormField]:
    """Describe the form of a content type from its Input schema, natural key first."""
    schema = content_type.input_schema()
    order = list(content_type.natural_key) + [
        name for name in schema.fields if name not in content_type.natural_key
    ]
    result = []
    for name in order:
        field = schema.fields[name]
        markdown = bool(field.metadata.get("markdown"))
        if isinstance(field, (fields.Enum, fields.Boolean)):
            kind, hint = "choice", ""
        elif isinstance(field, IsoDate):
            kind, hint = "date", _("YYYY-MM-DD")
        elif isinstance(field, SemicolonList):
            inner = field.inner
            kind = "lines"
            hint = (
                _("One HS code per line, e.g. 0901")
                if isinstance(inner, HsPrefix)
                else _("One ISO alpha-3 code per line, e.g. GBR")
                if isinstance(inner, CountryCode)
                else _("One per line")
            )
        elif isinstance(field, (fields.List, fields.Nested, CompactRecords)) or (
            field.metadata.get("lines")
        ):
            kind, hint = "lines", _("One entry per line, parts separated by |")
        elif (isinstance(field, Text) and field.max_length > LONG_TEXT) or markdown:
            kind, hint = "textarea", _("Markdown") if markdown else ""
        else:
            kind, hint = "text", ""
        result.append(
            FormField(
                name,
                kind,
                field.required,
                _choices(field) if kind == "choice" else (),
                hint,
                markdown,
            )
        )
    return result


def _text_of_item(item: Any) -> str:
    if isinstance(item, dict):
        return json.dumps(item, ensure_ascii=False)
    return str(item)


def to_form(content_type: ContentType, payload: dict[str, Any]) -> dict[str, str]:
    """Turn a stored payload into the text each form field shows."""
    values = {}
    for field in form_fields(content_type):
        value = payload.get(field.name)
        if value is None:
            values[field.name] = ""
        elif isinstance(value, bool):
            values[field.name] = "true" if value else "false"
        elif isinstance(value, list):
            values[field.name] = "\n".join(_text_of_item(item) for item in value)
        else:
            values[field.name] = str(value)
    return values


def from_form(content_type: ContentType, form: dict[str, str]) -> dict[str, Any]:
    """Turn posted form text into a payload for the Input schema (empty means not given)."""
    payload: dict[str, Any] = {}
    for field in form_fields(content_type):
        text = form.get(field.name, "")
        text = text.replace("\r\n", "\n").strip() if isinstance(text, str) else ""
        if not text:
            continue
        if field.kind == "lines":
            lines = [line.strip() for line in text.split("\n") if line.strip()]
            payload[field.name] = [_item_of_text(line) for line in lines]
        elif field.kind == "choice" and text in ("true", "false"):
            payload[field.name] = text == "true"
        else:
            payload[field.name] = text
    return payload


def _item_of_text(line: str) -> Any:
    """A line of a list field: a JSON object when it looks like one, otherwise text."""
    if line.startswith("{"):
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            return line  # the schema says what is wrong with it
    return line
