"""The audit log under /manage/audit, and its CSV export (administrators only)."""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from flask import Response, current_app, render_template, request, stream_with_context
from flask_babel import ngettext
from marshmallow import ValidationError

from tradeportal.auth.access import role_required
from tradeportal.auth.manage import bp
from tradeportal.auth.models import AuditEvent, Role
from tradeportal.auth.queries import (
    AuditFilters,
    audit_actions,
    audit_page,
    iter_audit_events,
    list_users,
)
from tradeportal.auth.schemas import AuditFilterInput
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.validity import today

admin_only = role_required(Role.ADMIN, fresh=True)

CSV_COLUMNS = (
    "id", "at_utc", "actor_id", "actor_email", "action",
    "target_type", "target_id", "target_label", "ip", "detail",
)  # fmt: skip
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV
# injection"); the full-width forms are read as formulas by some spreadsheets too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def spreadsheet_safe(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with a quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _read_filters():
    try:
        values = AuditFilterInput().load(request.args.to_dict())
    except ValidationError as error:
        first = next(iter(error.messages.values()))
        return None, render_error(400, first[0] if isinstance(first, list) else str(first))
    return values, None


@bp.get("/audit")
@admin_only
def audit():
    """List audit events newest first, filtered by action and user, a page at a time."""
    values, refusal = _read_filters()
    if refusal:
        return refusal
    filters = AuditFilters(action=values["action"], actor_id=values["actor_id"])
    size = int(current_app.config["AUDIT_PAGE_SIZE"])
    page = audit_page(db.session, filters, values["page"], size)
    if values["page"] > page.pages:
        return render_error(
            404,
            ngettext(
                "The audit log has %(num)s page with these filters.",
                "The audit log has %(num)s pages with these filters.",
                page.pages,
            ),
        )
    return render_template(
        "manage/audit.html",
        page=page,
        filters=filters,
        actions=audit_actions(db.session),
        users=list_users(db.session),
    )


@bp.get("/audit.csv")
@admin_only
def audit_csv():
    """Download the filtered audit log as CSV (UTF-8 with a byte order mark for Excel)."""
    values, refusal = _read_filters()
    if refusal:
        return refusal
    filters = AuditFilters(action=values["action"], actor_id=values["actor_id"])
    rows = stream_with_context(audit_csv_lines(iter_audit_events(db.session, filters)))
    filename = f"audit-log-{today().isoformat()}.csv"
    return Response(
        rows,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def audit_csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """Yield the CSV text of ``events``, header first, one line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + _take(buffer)
    for event in events:
        writer.writerow([spreadsheet_safe(cell) for cell in _cells(event)])
        yield _take(buffer)


def _cells(event: AuditEvent) -> list[str]:
    return [
        str(event.id),
        event.at.isoformat(timespec="seconds"),
        "" if event.actor_id is None else str(event.actor_id),
        event.actor.email if event.actor else "",
        event.action,
        event.target_type or "",
        event.target_id or "",
        event.target_label or "",
        event.ip or "",
        json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True),
    ]


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
