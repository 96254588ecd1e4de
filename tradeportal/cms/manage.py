"""Editor screens for every registered content type: lists, drafts, review, history.

Blueprint ``cms`` under /manage; every route needs the editor role (checked once, before
any view), approving, returning, unscheduling and withdrawing need a publisher.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tradeportal.auth.access import guard_blueprint, role_required
from tradeportal.auth.models import Role
from tradeportal.cms import workflow
from tradeportal.cms.diff import diff_records
from tradeportal.cms.impact import impact_of
from tradeportal.cms.models import CmsItem, CmsRevision, DraftState, LiveState
from tradeportal.cms.records import (
    RecordProblem,
    content_type_named,
    form_fields,
    from_form,
    live_record,
    live_records,
    not_verified_since,
    to_form,
    verification_cutoff,
)
from tradeportal.content.labels import field_label, type_description, type_label
from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.db import db
from tradeportal.errors import people_message, render_error
from tradeportal.i18n import day as format_day
from tradeportal.validity import today

bp = Blueprint("cms", __name__, url_prefix="/manage")
guard_blueprint(bp, Role.EDITOR)
# Human names of content types and fields, for every editor screen (the dashboard too).
bp.add_app_template_filter(type_label, "type_label")
bp.add_app_template_filter(type_description, "type_description")
bp.add_app_template_filter(field_label, "field_label")


@bp.app_template_filter("record_day")
def record_day(text: str | None) -> str:
    """A record's date (ISO text, as records keep it) for reading; other text as it is."""
    if not text:
        return ""
    try:
        return format_day(date.fromisoformat(str(text)))
    except ValueError:
        return str(text)


@bp.app_template_filter("translated")
def translated(message: str | None) -> str:
    """A message made elsewhere (a validation or workflow message) in the language shown.

    Messages with values (``tradeportal.content.fields.Message``) are translated before the
    values go in. Unlike ``_(message)`` in a template, this never treats the text as a
    format string, so a message quoting what someone typed ("50%") cannot break the page.
    """
    return people_message(message) if message else ""


PAGE_SIZE = 50
MAX_REVISION_NUMBER = 2**31 - 1
MAX_FILTER_LENGTH = 200


@bp.context_processor
def workflow_states():
    """Let the CMS templates compare states by name."""
    return {"DraftState": DraftState, "LiveState": LiveState}


def _content_type_or_404(type_name: str):
    content_type = content_type_named(type_name)
    if content_type is None:
        return None, render_error(
            404, _("There is no content type called %(name)s.", name=repr(type_name))
        )
    return content_type, None


def find_item(item_id: int) -> CmsItem | None:
    return db.session.get(CmsItem, item_id)


def item_with_history(item_id: int) -> CmsItem | None:
    return db.session.scalar(
        select(CmsItem)
        .where(CmsItem.id == item_id)
        .options(selectinload(CmsItem.revisions).selectinload(CmsRevision.author))
    )


def _posted_version() -> int | None:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


# --- lists -------------------------------------------------------------------------------


@bp.get("/content/")
def content_types():
    """List the content types editors can work on, with their open drafts."""
    open_drafts = dict(
        db.session.execute(
            select(CmsItem.content_type, func.count())
            .where(CmsItem.draft_state.is_not(None))
            .group_by(CmsItem.content_type)
        ).all()
    )
    types = sorted(CONTENT_TYPES.values(), key=lambda content_type: type_label(content_type.name))
    return render_template("cms/types.html", types=types, open_drafts=open_drafts)


@bp.get("/content/<type_name>/")
def records(type_name: str):
    """List the records of a type, filtered by words in their key or title.

    ``verified_before=YYYY-MM-DD`` keeps the records never verified or verified earlier
    (the dashboard's "content to verify" links here).
    """
    content_type, refusal = _content_type_or_404(type_name)
    if refusal:
        return refusal
    text = request.args.get("q", "")[:MAX_FILTER_LENGTH]
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        return render_error(400, _("The page number must be a whole number."))
    try:
        verified_before = verification_cutoff(content_type, request.args.get("verified_before", ""))
    except ValueError as error:
        return render_error(400, str(error))
    found = []
    for key, record in live_records(db.session, content_type, text):
        if verified_before and not not_verified_since(record, verified_before):
            continue
        found.append((key, record))
        if len(found) > page * PAGE_SIZE:
            break
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    items = {
        item.record_key: item
        for item in db.session.scalars(
            select(CmsItem).where(
                CmsItem.content_type == content_type.name,
                CmsItem.record_key.in_([key for key, _ in shown]),
            )
        )
    }
    unpublished = db.session.scalars(
        select(CmsItem)
        .where(CmsItem.content_type == content_type.name, CmsItem.published_at.is_(None))
        .where(CmsItem.draft_state.is_not(None))
        .order_by(CmsItem.draft_updated_at.desc())
    ).all()
    return render_template(
        "cms/records.html",
        content_type=content_type,
        shown=shown,
        items=items,
        unpublished=[item for item in unpublished if item.record_key not in items],
        text=text,
        verified_before=verified_before,
        page=page,
        has_next=len(found) > page * PAGE_SIZE,
    )


@bp.get("/content/<type_name>/open")
def open_record(type_name: str):
    """Open a live record for editing: its item is created on first use, with a baseline."""
    content_type, refusal = _content_type_or_404(type_name)
    if refusal:
        return refusal
    key = request.args.get("key", "")
    try:
        item = workflow.open_item(db.session, content_type, key)
    except LookupError:
        return render_error(
            404,
            _(
                "No record of %(type)s has the key %(key)s.",
                type=type_label(content_type.name),
                key=repr(key[:200]),
            ),
        )
    db.session.commit()
    return redirect(url_for("cms.item", item_id=item.id))


# --- drafts ------------------------------------------------------------------------------


@bp.route("/content/<type_name>/new", methods=["GET", "POST"])
def new_record(type_name: str):
    """Start a new record as a draft."""
    content_type, refusal = _content_type_or_404(type_name)
    if refusal:
        return refusal
    values, errors = {}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            item = workflow.create_draft(
                db.session, current_user, content_type, from_form(content_type, values)
            )
        except RecordProblem as problem:
            db.session.rollback()
            errors = problem.by_form_field(people_message)
        else:
            db.session.commit()
            flash(_("Draft saved. Send it for review when it is ready."))
            return redirect(url_for("cms.item", item_id=item.id))
    return render_template(
        "cms/edit.html",
        content_type=content_type,
        fields=form_fields(content_type),
        values=values,
        errors=errors,
        item=None,
        action=url_for("cms.new_record", type_name=type_name),
    ), (422 if errors else 200)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id: int):
    """Edit an item's draft (starting one from the live version when there is none)."""
    item = find_item(item_id)
    if item is None:
        return render_error(404, _("There is no such item."))
    content_type, refusal = _content_type_or_404(item.content_type)
    if refusal:
        return refusal
    errors = {}
    if request.method == "POST":
        values = request.form.to_dict()
        version = _posted_version()
        if version is None:
            return render_error(400, _("The form is missing its version number; reload the page."))
        payload = from_form(content_type, values)
        try:
            workflow.save_draft(db.session, current_user, item, payload, version)
        except workflow.EditConflict:
            db.session.rollback()
            return _conflict(item_id, payload)
        except workflow.WorkflowError as error:
            db.session.rollback()
            return render_error(409, str(error))
        except RecordProblem as problem:
            db.session.rollback()
            errors = problem.by_form_field(people_message)
        else:
            db.session.commit()
            flash(_("Draft saved."))
            return redirect(url_for("cms.item", item_id=item.id))
    else:
        source = item.draft or live_record(db.session, content_type, item.record_key) or {}
        values = to_form(content_type, source)
    return render_template(
        "cms/edit.html",
        content_type=content_type,
        fields=form_fields(content_type),
        values=values,
        errors=errors,
        item=item,
        action=url_for("cms.edit", item_id=item.id),
    ), (422 if errors else 200)


def _conflict(item_id: int, mine: dict):
    """Show both versions after a refused save; keep the refused one as a revision."""
    item = db.session.get(CmsItem, item_id)
    kept = workflow.keep_conflicting_save(db.session, current_user, item, mine)
    db.session.commit()
    content_type = content_type_named(item.content_type)
    theirs = item.draft or live_record(db.session, content_type, item.record_key)
    return render_template(
        "cms/conflict.html",
        item=item,
        kept=kept,
        changes=diff_records(theirs, mine),
    ), 409


# --- the item and its workflow steps ---------------------------------------------------------


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    """Show an item: live state, open draft, what can be done next, recent history."""
    found = item_with_history(item_id)
    if found is None:
        return render_error(404, _("There is no such item."))
    content_type = content_type_named(found.content_type)
    live = live_record(db.session, content_type, found.record_key) if content_type else None
    return render_template(
        "cms/item.html",
        item=found,
        content_type=content_type,
        live=live,
        changes=diff_records(live, found.draft) if found.draft else [],
        can_review=_can_review(found),
    )


def _can_review(item: CmsItem) -> bool:
    if not current_user.can(Role.PUBLISHER) or item.draft_state is not DraftState.IN_REVIEW:
        return False
    if not current_app.config["TWO_PERSON_RULE"]:
        return True
    return current_user.id not in {item.submitted_by_id, item.draft_author_id}


@bp.get("/items/<int:item_id>/preview")
def preview(item_id: int):
    """Show the draft as readers will see its fields, Markdown rendered."""
    found = find_item(item_id)
    if found is None or found.draft is None:
        return render_error(404, _("This item has no draft to preview."))
    content_type = content_type_named(found.content_type)
    return render_template(
        "cms/preview.html", item=found, fields=form_fields(content_type), record=found.draft
    )


@bp.get("/items/<int:item_id>/review")
def review(item_id: int):
    """The publisher's page: the diff against the live version and the impact."""
    found = find_item(item_id)
    if found is None or found.draft is None:
        return render_error(404, _("This item has no draft to review."))
    content_type = content_type_named(found.content_type)
    live = live_record(db.session, content_type, found.record_key)
    impact = impact_of(
        db.session,
        content_type,
        live,
        found.draft,
        today(),
        current_app.config["HOME_COUNTRY"],
    )
    return render_template(
        "cms/review.html",
        item=found,
        fields=form_fields(content_type),
        live=live,
        changes=diff_records(live, found.draft),
        impact=impact,
        can_review=_can_review(found),
    )


def run_step(item_id: int, step, success: str):
    """Run one workflow step posted from a page; answer 409 with the reason when refused.

    ``success`` is the message flashed after it, already in the language shown.
    """
    found = find_item(item_id)
    if found is None:
        return render_error(404, _("There is no such item."))
    version = _posted_version()
    if version is None:
        return render_error(400, _("The form is missing its version number; reload the page."))
    try:
        step(found, version)
    except workflow.EditConflict:
        db.session.rollback()
        return render_error(
            409, _("Someone changed this item after you opened the page. Reload it and try again.")
        )
    except workflow.WorkflowError as error:
        db.session.rollback()
        return render_error(409, str(error))
    db.session.commit()
    flash(success)
    return redirect(url_for("cms.item", item_id=item_id))


@bp.post("/items/<int:item_id>/submit")
def submit(item_id: int):
    return run_step(
        item_id,
        lambda item, version: workflow.submit_for_review(db.session, current_user, item, version),
        _("Sent for review. A publisher will approve it or send it back."),
    )


def _publish_at() -> datetime | None:
    """Read the optional publication time, typed in the portal's local time zone."""
    text = request.form.get("publish_at", "").strip()
    if not text:
        return None
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise workflow.WorkflowError(
            _(
                "%(text)s is not a date and time written YYYY-MM-DDTHH:MM.",
                text=repr(text[:40]),
            )
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


@bp.post("/items/<int:item_id>/approve")
@role_required(Role.PUBLISHER)
def approve(item_id: int):
    def step(item, version):
        workflow.approve(db.session, current_user, item, version, _publish_at())

    return run_step(item_id, step, _("Approved."))


@bp.post("/items/<int:item_id>/return")
@role_required(Role.PUBLISHER)
def return_draft(item_id: int):
    note = request.form.get("note", "").strip()

    def step(item, version):
        if not note:
            raise workflow.WorkflowError(_("Say what the author should change."))
        workflow.return_to_author(db.session, current_user, item, note, version)

    return run_step(item_id, step, _("Sent back to its author."))


@bp.post("/items/<int:item_id>/unschedule")
@role_required(Role.PUBLISHER)
def unschedule(item_id: int):
    return run_step(
        item_id,
        lambda item, version: workflow.cancel_schedule(db.session, current_user, item, version),
        _("Schedule cancelled: the draft is back in draft."),
    )


@bp.post("/items/<int:item_id>/withdraw")
@role_required(Role.PUBLISHER)
def withdraw(item_id: int):
    reason = request.form.get("reason", "").strip()

    def step(item, version):
        if not reason:
            raise workflow.WorkflowError(_("Give the reason for withdrawing it."))
        workflow.withdraw(db.session, current_user, item, version, reason, today())

    return run_step(item_id, step, _("Withdrawn: it is no longer in force from today."))


@bp.post("/items/<int:item_id>/discard")
def discard(item_id: int):
    return run_step(
        item_id,
        lambda item, version: workflow.discard_draft(db.session, current_user, item, version),
        _("Draft discarded. It stays in the history."),
    )
