"""Item history under /manage/items/<id>: revisions, diffs, restore; and the HS-link picker.

Routes of the ``cms`` blueprint (its editor guard applies); split from manage.py for size.
"""

import json
import re
from datetime import datetime

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tradeportal.cms import workflow
from tradeportal.cms.diff import diff_records
from tradeportal.cms.impact import read_prefixes
from tradeportal.cms.manage import (
    MAX_REVISION_NUMBER,
    bp,
    find_item,
    item_with_history,
    run_step,
)
from tradeportal.cms.models import CmsRevision
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.i18n import moment
from tradeportal.validity import today

# --- history -------------------------------------------------------------------------------


@bp.get("/items/<int:item_id>/history")
def history(item_id: int):
    """List every revision of an item, to compare two or restore one."""
    found = item_with_history(item_id)
    if found is None:
        return render_error(404, _("There is no such item."))
    return render_template("cms/history.html", item=found)


def _revision(item_id: int, number_text: str | None) -> CmsRevision | None:
    try:
        number = int(number_text or "")
    except ValueError:
        return None
    if not 1 <= number <= MAX_REVISION_NUMBER:  # beyond the database's integers
        return None
    return db.session.scalar(
        select(CmsRevision).where(CmsRevision.item_id == item_id, CmsRevision.number == number)
    )


@bp.get("/items/<int:item_id>/diff")
def revision_diff(item_id: int):
    """Compare any two revisions of an item (``a`` older, ``b`` newer)."""
    found = find_item(item_id)
    if found is None:
        return render_error(404, _("There is no such item."))
    old, new = _revision(item_id, request.args.get("a")), _revision(item_id, request.args.get("b"))
    if old is None or new is None:
        return render_error(400, _("Choose two revisions of this item to compare."))
    changes = diff_records(old.payload, new.payload)
    return render_template("cms/diff.html", item=found, old=old, new=new, changes=changes)


@bp.post("/items/<int:item_id>/revisions/<int:number>/restore")
def restore(item_id: int, number: int):
    def step(item, version):
        try:
            workflow.restore_revision(db.session, current_user, item, number, version)
        except LookupError:
            raise workflow.WorkflowError(
                _("There is no revision %(number)s of this item.", number=number)
            ) from None

    return run_step(
        item_id,
        step,
        _("Revision %(number)s copied into the draft. Review and save.", number=number),
    )


# --- the HS-link picker --------------------------------------------------------------------


@bp.get("/hs-picker")
def hs_picker():
    """Resolve HS prefixes as typed: "0901 → 14 subheadings, 3 national lines".

    A plain page for browsers without JavaScript; ``?fragment=1`` answers just the list for
    the script that checks the field as the editor types.
    """
    text = request.args.get("prefixes", "")[:2000]
    answer = read_prefixes(text, today(), current_app.config["HOME_COUNTRY"])
    template = "cms/_picker.html" if request.args.get("fragment") else "cms/picker.html"
    return render_template(template, text=text, answer=answer)


def record_key_label(key: str) -> str:
    """Show a natural key as people read it: parts joined by " · "."""
    try:
        return " · ".join(json.loads(key))
    except (ValueError, TypeError):
        return key


bp.add_app_template_filter(record_key_label, "record_key")


# Notes the workflow writes with a value in them (stored in English, see workflow.py).
_SCHEDULED_NOTE = re.compile(r"To be published at (\S+)")
_RESTORED_NOTE = re.compile(r"Restored from revision (\d+)")
_FAILED_NOTE = re.compile(r"Scheduled publication failed: (.*)", re.S)


def note_text(note: str | None) -> str:
    """Show a revision or review note in the language shown.

    The workflow's own notes are translated (a time read in the portal's zone); what a
    person wrote is shown as written.
    """
    if not note:
        return ""
    if found := _SCHEDULED_NOTE.fullmatch(note):
        try:
            when = moment(datetime.fromisoformat(found.group(1)))
        except ValueError:
            when = found.group(1)
        return _("To be published at %(moment)s", moment=when)
    if found := _RESTORED_NOTE.fullmatch(note):
        return _("Restored from revision %(number)s", number=found.group(1))
    if found := _FAILED_NOTE.fullmatch(note):
        return _("Scheduled publication failed: %(reason)s", reason=_(found.group(1).strip()))
    return _(note)


bp.add_app_template_filter(note_text, "note_text")
