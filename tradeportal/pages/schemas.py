"""The Input schema of pages, news and events: file imports, the CMS's forms and the API.

Every value may come as a string (a CSV cell, a form field). Bodies are Markdown, stored as
typed and sanitised when rendered; here they are only refused when they hold control
characters or are too long. Line breaks from browsers (CRLF) are stored as LF.
"""

import unicodedata

from marshmallow import ValidationError, fields, post_load, validates_schema

from tradeportal.content.fields import Text, day_field
from tradeportal.pages.models import PageKind
from tradeportal.regulations.schemas import ContentInput, Slug

MAX_TITLE = 300
MAX_SUMMARY = 500
MAX_BODY = 50_000
MAX_LOCATION = 300
EVENT_FIELDS = ("event_starts_on", "event_ends_on", "event_location")


class CleanText(Text):
    """Text without control characters; ``multiline`` keeps line breaks and tabs."""

    def __init__(self, max_length: int, *, multiline: bool = False, **kwargs):
        self.allowed_controls = "\n\t" if multiline else ""
        super().__init__(max_length, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            for position, character in enumerate(value, 1):
                # Cc: C0/C1 controls (NUL, ESC, ...); Cs: lone surrogates no database stores.
                if character in self.allowed_controls:
                    continue
                if unicodedata.category(character) in ("Cc", "Cs"):
                    raise ValidationError(
                        f"Must not contain control characters (U+{ord(character):04X} "
                        f"at character {position:,})."
                    )
        return super()._deserialize(value, attr, data, **kwargs)


class MarkdownText(CleanText):
    """Markdown source: line breaks and tabs allowed, sanitised when rendered.

    ``metadata["markdown"]`` tells the CMS to offer a Markdown editor and preview.
    """

    def __init__(self, **kwargs):
        kwargs["metadata"] = {**kwargs.get("metadata", {}), "markdown": True}
        super().__init__(MAX_BODY, multiline=True, **kwargs)


class PageInput(ContentInput):
    """A page, news item or event: ``slug`` identifies it across imports and kinds."""

    slug = Slug(required=True)
    kind = fields.Enum(PageKind, by_value=True, required=True)
    title_en = CleanText(MAX_TITLE, required=True)
    title_fr = CleanText(MAX_TITLE)
    summary_en = CleanText(MAX_SUMMARY, multiline=True)
    summary_fr = CleanText(MAX_SUMMARY, multiline=True)
    body_en = MarkdownText()
    body_fr = MarkdownText()
    published_on = day_field()
    event_starts_on = day_field()
    event_ends_on = day_field()
    event_location = CleanText(MAX_LOCATION)

    @validates_schema
    def check_event_fields(self, data, **kwargs):
        if data["kind"] is not PageKind.EVENT:
            errors = {
                name: [f"Only events have {name}; leave it empty for a {data['kind'].value} item."]
                for name in EVENT_FIELDS
                if data.get(name) is not None
            }
            if errors:
                raise ValidationError(errors)
            return
        starts, ends = data.get("event_starts_on"), data.get("event_ends_on")
        if starts is None:
            raise ValidationError("An event needs the day it starts.", "event_starts_on")
        if ends is not None and ends < starts:
            raise ValidationError("The event ends before it starts.", "event_ends_on")

    @validates_schema
    def check_french_title(self, data, **kwargs):
        if (data.get("summary_fr") or data.get("body_fr")) and not data.get("title_fr"):
            raise ValidationError("Give the French title with the French texts.", "title_fr")

    @post_load
    def default_publication_day(self, data, **kwargs):
        if data.get("published_on") is None:
            data["published_on"] = data["valid_from"]
        return data
