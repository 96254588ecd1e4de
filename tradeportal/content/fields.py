"""Marshmallow fields shared by every content type's Input schema.

Files, forms and the API all load through these, so a date, an address, a country or an HS
prefix is read and refused the same way everywhere. In CSV files lists are one cell with
items separated by ``;`` and nested records are text entries with parts separated by ``|``.
"""

from datetime import date

from marshmallow import Schema, ValidationError, fields

from tradeportal.countries.queries import country_exists, is_iso3_shape, iso3_codes
from tradeportal.hs.codes import InvalidHSCode, normalise_hs_code
from tradeportal.hs.prefixes import normalise_prefix
from tradeportal.i18n import N_
from tradeportal.validity import EARLIEST_DATE, ISO_DATE, LATEST_DATE


class Message(str):
    """An English validation message that can still be said in the language of a page.

    It is the English text (files, the command line and the JSON API show it as it is)
    and keeps its ``template`` (marked with ``N_``) and ``values``, so an HTML page shows
    it translated: ``tradeportal.errors.people_message(message)``. Messages without
    values are plain ``N_`` strings, which ``gettext(message)`` translates.
    """

    template: str
    values: dict

    def __new__(cls, template: str, **values):
        english = {
            key: f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value
            for key, value in values.items()
        }
        message = super().__new__(cls, template % english)
        message.template, message.values = template, values
        return message


def _hs_message(error: InvalidHSCode) -> Message:
    """An HS code error (and its hint) as one message."""
    reason = Message(error.template, **error.values)
    if not error.hint_template:
        return reason
    hint = Message(error.hint_template, **error.hint_values)
    return Message(N_("%(reason)s %(hint)s"), reason=reason, hint=hint)


class IsoDate(fields.Date):
    """A calendar date written YYYY-MM-DD (no week or compact forms) within a range."""

    def __init__(self, *, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE, **kwargs):
        self.earliest, self.latest = earliest, latest
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", None)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = value.strip() if isinstance(value, str) else value
        if not isinstance(text, str) or not ISO_DATE.fullmatch(text):
            raise ValidationError(
                Message(
                    N_("%(value)s is not a date written YYYY-MM-DD, e.g. 2026-01-31."),
                    value=repr(value),
                )
            )
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                Message(N_("%(value)s is not a real date."), value=text)
            ) from None
        if not self.earliest <= day <= self.latest:
            raise ValidationError(
                Message(
                    N_("%(value)s is outside %(earliest)s to %(latest)s."),
                    value=text,
                    earliest=self.earliest.isoformat(),
                    latest=self.latest.isoformat(),
                )
            )
        return day


def day_field(**kwargs) -> IsoDate:
    """Return a date field; optional ones default to None."""
    return IsoDate(**kwargs)


class Text(fields.String):
    """Trimmed text with a maximum length; empty optional text is None."""

    def __init__(self, max_length: int, *, forbid: tuple[str, ...] = (), **kwargs):
        self.max_length = max_length
        self.forbid = forbid
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", None)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            if self.required:
                raise ValidationError(N_("Must not be empty."))
            return None
        if len(text) > self.max_length:
            raise ValidationError(
                Message(
                    N_("Must be at most %(max)s characters (this is %(length)s)."),
                    max=self.max_length,
                    length=len(text),
                )
            )
        for character in self.forbid:
            if character in text:
                raise ValidationError(
                    Message(
                        N_("Must not contain %(character)s: it separates entries in CSV files."),
                        character=repr(character),
                    )
                )
        return text


class WebAddress(fields.Url):
    """An absolute http or https address, trimmed; empty is None."""

    def __init__(self, *, forbid: tuple[str, ...] = (), **kwargs):
        self.forbid = forbid
        kwargs.setdefault("load_default", None)
        kwargs.setdefault(
            "error_messages", {"invalid": N_("Must be a full http:// or https:// address.")}
        )
        super().__init__(schemes={"http", "https"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if len(value) > 500:
                raise ValidationError(N_("Must be at most 500 characters."))
            if any(character in value for character in self.forbid):
                raise ValidationError(
                    N_("Must not contain ';' or '|' (they separate CSV entries).")
                )
        return super()._deserialize(value, attr, data, **kwargs)


class CountryCode(fields.Field):
    """An ISO 3166 alpha-3 code the portal knows."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        if not is_iso3_shape(value):
            raise ValidationError(
                Message(
                    N_(
                        "%(value)s is not an ISO 3166 alpha-3 code "
                        "(three capital letters, e.g. GBR)."
                    ),
                    value=repr(value),
                )
            )
        # Until the countries dataset is loaded only the shape can be checked.
        if iso3_codes() and not country_exists(value):
            raise ValidationError(
                Message(N_("%(value)s is not a known country code."), value=value)
            )
        return value


class HsPrefix(fields.Field):
    """An HS code of 2, 4, 6, 8 or 10 digits, in any accepted spelling; stored as digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(N_('An HS prefix is text, e.g. "0901" (a number loses its 0).'))
        try:
            return normalise_prefix(value)
        except InvalidHSCode as error:
            reason = Message(error.template, **error.values)
            raise ValidationError(
                Message(
                    N_("%(value)s is not an HS prefix: %(reason)s"),
                    value=repr(value),
                    reason=reason,
                )
            ) from None


class HsCodeText(fields.String):
    """An HS code or national line in any spelling the pages accept; loaded as digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalise_hs_code(super()._deserialize(value, attr, data, **kwargs)).digits
        except InvalidHSCode as error:
            raise ValidationError(_hs_message(error)) from None


class SemicolonList(fields.List):
    """A list given as a JSON array or as one CSV cell of items separated by ';'."""

    def __init__(self, inner, **kwargs):
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", list)
        super().__init__(inner, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(";") if part.strip()]
        if not isinstance(value, list):
            raise ValidationError(N_("Must be a list, or one cell of items separated by ';'."))
        # Items are numbered from 1 in messages, as people count them in a cell.
        items, errors, seen = [], {}, set()
        for number, raw in enumerate(value, 1):
            try:
                item = self.inner.deserialize(raw, **kwargs)
            except ValidationError as error:
                errors[number] = error.messages
                continue
            if item in seen:
                errors[number] = [Message(N_("%(item)s appears twice."), item=item)]
            seen.add(item)
            items.append(item)
        if errors:
            raise ValidationError(errors)
        return items


class CompactRecords(fields.Field):
    """Nested records as JSON objects or as '|'-separated text entries (see module doc)."""

    def __init__(self, schema_class: type[Schema], parts: tuple[str, ...], **kwargs):
        self.schema_class = schema_class
        self.parts = parts
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", list)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            items = [entry for entry in value.split(";") if entry.strip()]
        elif isinstance(value, list):
            items = value
        else:
            raise ValidationError(N_("Must be a list, or one cell of entries separated by ';'."))
        if self.required and not items:
            raise ValidationError(N_("Give at least one."))
        schema, loaded, errors = self.schema_class(), [], {}
        for number, item in enumerate(items, 1):
            if isinstance(item, str):
                texts = [part.strip() for part in item.split("|")]
                if len(texts) > len(self.parts):
                    errors[number] = [
                        Message(
                            N_("Has %(count)s parts separated by '|'; at most %(max)s: %(parts)s."),
                            count=len(texts),
                            max=len(self.parts),
                            parts=" | ".join(self.parts),
                        )
                    ]
                    continue
                item = {name: text for name, text in zip(self.parts, texts, strict=False) if text}
            if not isinstance(item, dict):
                errors[number] = [N_("Must be an object or a text entry.")]
                continue
            try:
                loaded.append(schema.load(item))
            except ValidationError as error:
                errors[number] = error.messages
        if errors:
            raise ValidationError(errors)
        return loaded
