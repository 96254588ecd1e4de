"""Fields every dated, sourced record shares."""

from marshmallow import Schema, fields


class DatedSchema(Schema):
    """Validity (``valid_to`` is the last day in force, null: open-ended) and provenance."""

    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True, allow_none=True)
    source_url = fields.String(required=True, allow_none=True)
    issued_by = fields.String(required=True, allow_none=True)
    last_verified_on = fields.Date(required=True, allow_none=True)
    last_verified_by = fields.String(required=True, allow_none=True)
    is_demo = fields.Boolean(
        required=True,
        metadata={"description": "Illustrative content written by the portal team."},
    )


def optional_text(**kwargs) -> fields.String:
    """A required string that may be null."""
    return fields.String(required=True, allow_none=True, **kwargs)
