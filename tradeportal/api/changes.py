"""/api/v1/changes: what editors published since a moment, for systems that keep in sync."""

import json
from datetime import UTC, datetime, time

from marshmallow import Schema, ValidationError, fields
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tradeportal.api import bp
from tradeportal.api.core import PageQuery, documented, list_of, page_body, paged
from tradeportal.cms.models import ChangeEvent, ChangeKind
from tradeportal.db import db
from tradeportal.validity import EARLIEST_DATE, LATEST_DATE

EARLIEST = datetime.combine(EARLIEST_DATE, time(), UTC)
LATEST = datetime.combine(LATEST_DATE, time(23, 59, 59), UTC)


def _plausible(moment: datetime) -> None:
    # Far dates are typos, and near year 1 or 9999 converting to UTC overflows.
    if not EARLIEST <= moment <= LATEST:
        raise ValidationError(f"Give a moment between {EARLIEST_DATE} and {LATEST_DATE}.")


class ChangesQuery(PageQuery):
    since = fields.AwareDateTime(
        required=True,
        default_timezone=UTC,
        validate=_plausible,
        metadata={
            "example": "2026-01-31T00:00:00Z",
            "description": "Changes published after this moment (ISO 8601; UTC if no offset).",
        },
    )
    content_type = fields.String(
        load_default=None, metadata={"example": "regulations", "description": "Only this type."}
    )


class ChangeSchema(Schema):
    """One publication: a new, amended or withdrawn record, and what it concerns."""

    id = fields.Integer(required=True)
    content_type = fields.String(required=True)
    record_key = fields.Method(
        "_record_key",
        required=True,
        metadata={"type": "array", "items": {}, "description": "The record's natural key."},
    )
    kind = fields.Enum(ChangeKind, by_value=True, required=True)
    label = fields.String(required=True)
    hs_prefixes = fields.List(fields.String(), required=True)
    countries = fields.List(fields.String(), required=True)
    changed_fields = fields.List(fields.String(), required=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True)
    effective_on = fields.Date(required=True, allow_none=True)
    published_at = fields.DateTime(required=True)

    def _record_key(self, event) -> list:
        return json.loads(event.item.record_key)


@bp.get("/changes")
@documented(
    summary="List the publications since a moment, oldest first (new, amended, withdrawn).",
    tag="Changes",
    query=ChangesQuery,
    response=list_of(ChangeSchema),
    errors=(422,),
)
def changes(args):
    conditions = [ChangeEvent.published_at > args["since"]]
    if args["content_type"]:
        conditions.append(ChangeEvent.content_type == args["content_type"])
    total = db.session.scalar(select(func.count(ChangeEvent.id)).where(*conditions))
    events = db.session.scalars(
        select(ChangeEvent)
        .options(selectinload(ChangeEvent.item))
        .where(*conditions)
        .order_by(ChangeEvent.published_at, ChangeEvent.id)
        .offset((args["page"] - 1) * args["per_page"])
        .limit(args["per_page"])
    ).all()
    return page_body(paged(events, total or 0, args))
