"""The editorial workflow: draft → in review → scheduled / published → withdrawn.

Every function here flushes and never commits: the route or command that calls it commits
once. Each step checks the item's version the form was made from, so a step taken on a
stale page is refused instead of overwriting someone else's work.
"""

import json
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.auth.audit import record_audit
from tradeportal.auth.models import Role, User
from tradeportal.cms.diff import diff_records
from tradeportal.cms.impact import countries_named, hs_prefixes_named
from tradeportal.cms.models import (
    ChangeEvent,
    ChangeKind,
    CmsItem,
    CmsRevision,
    DraftState,
    LiveState,
    RevisionKind,
)
from tradeportal.cms.records import (
    RecordProblem,
    content_type_named,
    key_of,
    label_of,
    live_record,
    load_record,
)
from tradeportal.content.labels import field_label, type_label
from tradeportal.content.registry import ContentType, ImportProblem
from tradeportal.db import utcnow
from tradeportal.errors import people_message
from tradeportal.i18n import N_
from tradeportal.i18n import day as format_day

# Notes the CMS writes on revisions: stored in English, shown translated (history page).
BASELINE_NOTE = N_("As loaded or imported")
CREATED_NOTE = N_("Created")
EDITED_IN_REVIEW_NOTE = N_("Edited during review: back to draft")
CONFLICT_NOTE = N_("Save refused: the draft changed")
UNSCHEDULED_NOTE = N_("Schedule cancelled")


class WorkflowError(ValueError):
    """A step that is not allowed now; the message says why and what to do instead."""


class EditConflict(Exception):
    """Someone changed the item after this form was opened."""

    def __init__(self, item: CmsItem, mine: dict[str, Any] | None):
        super().__init__(f"item {item.id} changed since version was read")
        self.item = item
        self.mine = mine


def _content_type(item: CmsItem) -> ContentType:
    content_type = content_type_named(item.content_type)
    if content_type is None:
        raise WorkflowError(
            _("The content type %(name)s no longer exists.", name=repr(item.content_type))
        )
    return content_type


def _check_version(item: CmsItem, version: int, mine: dict | None = None) -> None:
    if version != item.version:
        raise EditConflict(item, mine)


def add_revision(
    session: Session,
    item: CmsItem,
    kind: RevisionKind,
    payload: dict[str, Any],
    author: User | None,
    note: str | None = None,
) -> CmsRevision:
    """Keep a version of the item; numbers count from 1 within the item."""
    last = session.scalar(
        select(CmsRevision.number)
        .where(CmsRevision.item_id == item.id)
        .order_by(CmsRevision.number.desc())
        .limit(1)
    )
    revision = CmsRevision(
        item=item,
        number=(last or 0) + 1,
        kind=kind,
        payload=payload,
        author_id=author.id if author is not None else None,
        note=note,
    )
    session.add(revision)
    session.flush()
    return revision


def _as_it_would_be_live(
    session: Session, content_type: ContentType, record: dict[str, Any], key: str
) -> dict[str, Any]:
    """Save the record, read it back as exported, and undo the save.

    Problems only the database knows (an unknown agency) surface now, at draft time, and
    the draft is kept exactly as the live record will read, so diffs compare like with like.
    """
    savepoint = session.begin_nested()
    try:
        content_type.save(session, record)
        session.flush()
        exported = live_record(session, content_type, key)
    except ImportProblem as problem:
        raise RecordProblem({problem.field: problem.message}) from None
    finally:
        savepoint.rollback()
    if exported is None:  # the type's save and export disagree on the key: a bug, say so
        raise WorkflowError(_("The record cannot be read back by its key."))
    return exported


def item_for(session: Session, content_type: ContentType, key: str) -> CmsItem | None:
    return session.scalar(
        select(CmsItem).where(CmsItem.content_type == content_type.name, CmsItem.record_key == key)
    )


def open_item(session: Session, content_type: ContentType, key: str) -> CmsItem:
    """Return the item of a live record, creating it with a baseline revision the first time.

    Raise LookupError when no live record has that key.
    """
    if "\x00" in key:  # no key holds one, and PostgreSQL cannot even compare it
        raise LookupError(key)
    item = item_for(session, content_type, key)
    if item is not None:
        return item
    record = live_record(session, content_type, key)
    if record is None:
        raise LookupError(key)
    item = CmsItem(
        content_type=content_type.name,
        record_key=key,
        label=label_of(record, key),
        live_state=LiveState.PUBLISHED,
    )
    session.add(item)
    session.flush()
    add_revision(session, item, RevisionKind.BASELINE, record, None, BASELINE_NOTE)
    return item


def create_draft(
    session: Session, actor: User, content_type: ContentType, payload: dict[str, Any]
) -> CmsItem:
    """Start a new record as a draft; raise RecordProblem when it is invalid or exists."""
    record = load_record(content_type, payload)
    key = key_of(content_type, record)
    names = "/".join(field_label(name) for name in content_type.natural_key)
    if item_for(session, content_type, key) or live_record(session, content_type, key):
        raise RecordProblem(
            {content_type.natural_key[0]: _("A record with this %(names)s exists.", names=names)}
        )
    draft = _as_it_would_be_live(session, content_type, record, key)
    item = CmsItem(
        content_type=content_type.name,
        record_key=key,
        label=label_of(draft, key),
        live_state=LiveState.UNPUBLISHED,
        draft=draft,
        draft_state=DraftState.DRAFT,
        draft_author_id=actor.id,
        draft_updated_at=utcnow(),
    )
    session.add(item)
    session.flush()
    add_revision(session, item, RevisionKind.SAVED, draft, actor, CREATED_NOTE)
    return item


def save_draft(
    session: Session, actor: User, item: CmsItem, payload: dict[str, Any], version: int
) -> CmsItem:
    """Save the draft of an item; a draft in review goes back to draft when edited."""
    content_type = _content_type(item)
    _check_version(item, version, payload)
    if item.draft_state is DraftState.SCHEDULED:
        raise WorkflowError(_("This draft is scheduled: cancel the schedule before editing it."))
    record = load_record(content_type, payload)
    if key_of(content_type, record) != item.record_key:
        names = ", ".join(field_label(name) for name in content_type.natural_key)
        raise RecordProblem(
            {
                content_type.natural_key[0]: _(
                    "%(names)s identify the record and cannot change.", names=names
                )
            }
        )
    draft = _as_it_would_be_live(session, content_type, record, item.record_key)
    note = None
    if item.draft_state is DraftState.IN_REVIEW:
        note = EDITED_IN_REVIEW_NOTE
    item.draft = draft
    item.draft_state = DraftState.DRAFT
    item.draft_author_id = actor.id
    item.draft_updated_at = utcnow()
    item.label = label_of(draft, item.record_key)
    item.submitted_by_id = None
    add_revision(session, item, RevisionKind.SAVED, draft, actor, note)
    return item


def keep_conflicting_save(
    session: Session, actor: User, item: CmsItem, payload: dict[str, Any]
) -> CmsRevision:
    """Keep what a losing editor typed as a revision, so a conflict loses nothing."""
    return add_revision(session, item, RevisionKind.CONFLICT, payload, actor, CONFLICT_NOTE)


def submit_for_review(session: Session, actor: User, item: CmsItem, version: int) -> None:
    _check_version(item, version)
    if item.draft_state is not DraftState.DRAFT:
        raise WorkflowError(_("Only a draft can be sent for review."))
    live = live_record(session, _content_type(item), item.record_key)
    if live is not None and not diff_records(live, item.draft):
        raise WorkflowError(
            _("The draft is the same as the live version: there is nothing to review.")
        )
    item.draft_state = DraftState.IN_REVIEW
    item.submitted_by_id = actor.id
    item.review_note = None
    add_revision(session, item, RevisionKind.SUBMITTED, item.draft, actor)
    record_audit(session, actor, "content.submitted", item)


def _check_reviewer(actor: User, item: CmsItem) -> None:
    if not actor.can(Role.PUBLISHER):
        raise WorkflowError(_("Only a publisher can approve or return a draft."))
    if item.draft_state is not DraftState.IN_REVIEW:
        raise WorkflowError(_("This draft is not awaiting review."))
    authors = {item.submitted_by_id, item.draft_author_id}
    if current_app.config["TWO_PERSON_RULE"] and actor.id in authors:
        raise WorkflowError(
            _("A publisher other than the author must approve this draft (two-person rule).")
        )


def return_to_author(session: Session, actor: User, item: CmsItem, note: str, version: int) -> None:
    _check_version(item, version)
    if not actor.can(Role.PUBLISHER) or item.draft_state is not DraftState.IN_REVIEW:
        raise WorkflowError(_("Only a publisher can return a draft that awaits review."))
    item.draft_state = DraftState.DRAFT
    item.review_note = note[:1000] or None
    add_revision(session, item, RevisionKind.RETURNED, item.draft, actor, note[:1000] or None)
    record_audit(session, actor, "content.returned", item, note=note[:200])


def approve(
    session: Session, actor: User, item: CmsItem, version: int, publish_at: datetime | None
) -> ChangeEvent | None:
    """Approve a draft in review: publish it now, or schedule it for ``publish_at``."""
    _check_version(item, version)
    _check_reviewer(actor, item)
    item.approved_by_id = actor.id
    if publish_at is not None and publish_at > utcnow():
        item.draft_state = DraftState.SCHEDULED
        item.publish_at = publish_at
        note = f"To be published at {publish_at.isoformat(timespec='minutes')}"
        add_revision(session, item, RevisionKind.SCHEDULED, item.draft, actor, note)
        record_audit(session, actor, "content.scheduled", item, publish_at=publish_at)
        return None
    return publish(session, item, actor)


def cancel_schedule(session: Session, actor: User, item: CmsItem, version: int) -> None:
    _check_version(item, version)
    if not actor.can(Role.PUBLISHER) or item.draft_state is not DraftState.SCHEDULED:
        raise WorkflowError(_("Only a publisher can cancel a scheduled publication."))
    item.draft_state = DraftState.DRAFT
    item.publish_at = None
    add_revision(session, item, RevisionKind.RETURNED, item.draft, actor, UNSCHEDULED_NOTE)
    record_audit(session, actor, "content.unscheduled", item)


def _write_live(
    session: Session, content_type: ContentType, payload: dict[str, Any]
) -> dict[str, Any]:
    """Save a payload into the area's tables and return the live record as exported."""
    try:
        content_type.save(session, load_record(content_type, payload))
    except ImportProblem as problem:
        raise WorkflowError(
            _(
                "%(field)s: %(message)s",
                field=field_label(problem.field),
                message=people_message(problem.message),
            )
        ) from None
    session.flush()
    live = live_record(session, content_type, key_of(content_type, payload))
    if live is None:  # the type's save and export disagree on the key: a bug, say so
        raise WorkflowError(_("The record was saved but cannot be read back by its key."))
    return live


def _record_change(
    session: Session,
    item: CmsItem,
    content_type: ContentType,
    revision: CmsRevision,
    kind: ChangeKind,
    before: dict | None,
    after: dict,
    effective_on: date | None,
    actor: User | None,
) -> ChangeEvent:
    changes = diff_records(before, after)
    event = ChangeEvent(
        item_id=item.id,
        revision_id=revision.id,
        content_type=content_type.name,
        kind=kind,
        label=item.label,
        hs_prefixes=hs_prefixes_named(content_type, before, after),
        countries=countries_named(content_type, before, after),
        changed_fields=[change.name for change in changes],
        before=before,
        after=after,
        effective_on=effective_on,
        published_by_id=actor.id if actor is not None else None,
    )
    session.add(event)
    session.flush()
    return event


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def publish(session: Session, item: CmsItem, actor: User | None) -> ChangeEvent:
    """Make the draft live, keep a revision and write the change event."""
    content_type = _content_type(item)
    before = live_record(session, content_type, item.record_key)
    after = _write_live(session, content_type, item.draft)
    revision = add_revision(session, item, RevisionKind.PUBLISHED, after, actor)
    kind = ChangeKind.NEW if before is None else ChangeKind.AMENDED
    event = _record_change(
        session,
        item,
        content_type,
        revision,
        kind,
        before,
        after,
        _day(after.get("valid_from")),
        actor,
    )
    item.live_state = LiveState.PUBLISHED
    item.label = label_of(after, item.record_key)
    item.published_at = utcnow()
    item.draft = None
    item.draft_state = None
    item.draft_author_id = None
    item.submitted_by_id = None
    item.publish_at = None
    item.review_note = None
    record_audit(session, actor, "content.published", item, change=kind.value)
    return event


def withdraw(
    session: Session, actor: User, item: CmsItem, version: int, reason: str, today: date
) -> ChangeEvent:
    """End-date a published record from ``today``: it stays visible for earlier dates."""
    _check_version(item, version)
    content_type = _content_type(item)
    if not actor.can(Role.PUBLISHER):
        raise WorkflowError(_("Only a publisher can withdraw published content."))
    if item.draft_state is not None:
        raise WorkflowError(_("Publish or discard the open draft before withdrawing."))
    if "valid_to" not in content_type.input_schema().fields:
        raise WorkflowError(
            _(
                "%(type)s have no end date and cannot be withdrawn.",
                type=type_label(content_type.name),
            )
        )
    before = live_record(session, content_type, item.record_key)
    if before is None or item.live_state is not LiveState.PUBLISHED:
        raise WorkflowError(_("Only published content can be withdrawn."))
    last_day = today - timedelta(days=1)
    valid_from = _day(before.get("valid_from"))
    if valid_from is not None and valid_from > last_day:
        raise WorkflowError(
            _(
                "It only comes into force on %(day)s: edit its dates instead.",
                day=format_day(valid_from),
            )
        )
    after = _write_live(session, content_type, before | {"valid_to": last_day.isoformat()})
    revision = add_revision(session, item, RevisionKind.WITHDRAWN, after, actor, reason[:1000])
    event = _record_change(
        session, item, content_type, revision, ChangeKind.WITHDRAWN, before, after, today, actor
    )
    item.live_state = LiveState.WITHDRAWN
    record_audit(session, actor, "content.withdrawn", item, reason=reason[:200])
    return event


def discard_draft(session: Session, actor: User, item: CmsItem, version: int) -> None:
    """Drop the open draft; its revisions stay in the history."""
    _check_version(item, version)
    if item.draft_state is None:
        raise WorkflowError(_("There is no draft to discard."))
    if item.draft_author_id != actor.id and not actor.can(Role.PUBLISHER):
        raise WorkflowError(_("Only its author or a publisher can discard this draft."))
    add_revision(session, item, RevisionKind.DISCARDED, item.draft, actor)
    item.draft = None
    item.draft_state = None
    item.draft_author_id = None
    item.submitted_by_id = None
    item.publish_at = None
    record_audit(session, actor, "content.discarded", item)


def restore_revision(
    session: Session, actor: User, item: CmsItem, number: int, version: int
) -> CmsRevision:
    """Copy an old revision into the draft (a new revision; the old one stays as it was)."""
    _check_version(item, version)
    if item.draft_state is DraftState.SCHEDULED:
        raise WorkflowError(_("This draft is scheduled: cancel the schedule first."))
    old = session.scalar(
        select(CmsRevision).where(CmsRevision.item_id == item.id, CmsRevision.number == number)
    )
    if old is None:
        raise LookupError(number)
    item.draft = json.loads(json.dumps(old.payload))
    item.draft_state = DraftState.DRAFT
    item.draft_author_id = actor.id
    item.draft_updated_at = utcnow()
    item.submitted_by_id = None
    return add_revision(
        session, item, RevisionKind.RESTORED, item.draft, actor, f"Restored from revision {number}"
    )


def publish_due(session: Session, now: datetime | None = None) -> list[ChangeEvent]:
    """Publish every scheduled draft whose time has come (the worker calls this).

    Several workers may run at once. On PostgreSQL each claims its items with FOR UPDATE
    SKIP LOCKED, so another worker's pass skips them; on SQLite the first write takes
    the database lock and a second worker's pass fails and finds nothing due next time.
    Either way an item is published in the same transaction as its change event: once.
    """
    now = now or utcnow()
    statement = (
        select(CmsItem)
        .where(CmsItem.draft_state == DraftState.SCHEDULED, CmsItem.publish_at <= now)
        .order_by(CmsItem.publish_at, CmsItem.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=CmsItem)
    due = session.scalars(statement).all()
    events = []
    for item in due:
        approver = session.get(User, item.approved_by_id) if item.approved_by_id else None
        try:
            with session.begin_nested():
                events.append(publish(session, item, approver))
        except WorkflowError as error:
            # Something it names changed since approval: back to its author, not stuck.
            item.draft_state = DraftState.DRAFT
            item.publish_at = None
            item.review_note = f"Scheduled publication failed: {error}"[:1000]
            add_revision(session, item, RevisionKind.RETURNED, item.draft, None, item.review_note)
    return events
