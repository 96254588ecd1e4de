"""Input schema of the upload form (the file itself is checked by sniffing.py)."""

import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from tradeportal.attachments.models import MAX_TITLE_LENGTH
from tradeportal.content.fields import Message
from tradeportal.i18n import N_

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class Title(fields.String):
    """An editor-given title: spaces collapsed, 1 to 200 characters, no control characters."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = " ".join(super()._deserialize(value, attr, data, **kwargs).split())
        if not text:
            raise ValidationError(
                N_("Give the file a title, e.g. “Application for an import permit”.")
            )
        if len(text) > MAX_TITLE_LENGTH:
            raise ValidationError(
                Message(
                    N_("Use at most %(max)s characters (this is %(count)s)."),
                    max=MAX_TITLE_LENGTH,
                    count=len(text),
                )
            )
        if CONTROL_CHARACTERS.search(text):
            raise ValidationError(N_("Remove the control characters from the title."))
        return text


class AttachmentInput(Schema):
    """The text fields of an upload."""

    class Meta:
        unknown = EXCLUDE

    title = Title(
        required=True,
        error_messages={
            "required": N_("Give the file a title."),
            "null": N_("Give the file a title."),
        },
    )
