"""Input schema of the upload form (the file itself is checked by sniffing.py)."""

import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from tradeportal.attachments.models import MAX_TITLE_LENGTH

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class Title(fields.String):
    """An editor-given title: spaces collapsed, 1 to 200 characters, no control characters."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = " ".join(super()._deserialize(value, attr, data, **kwargs).split())
        if not text:
            raise ValidationError("Give the file a title, e.g. “Application for an import permit”.")
        if len(text) > MAX_TITLE_LENGTH:
            raise ValidationError(
                f"Use at most {MAX_TITLE_LENGTH} characters (this is {len(text)})."
            )
        if CONTROL_CHARACTERS.search(text):
            raise ValidationError("Remove the control characters from the title.")
        return text


class AttachmentInput(Schema):
    """The text fields of an upload."""

    class Meta:
        unknown = EXCLUDE

    title = Title(
        required=True,
        error_messages={"required": "Give the file a title.", "null": "Give the file a title."},
    )
