"""The editors' attachment library under /manage/attachments (blueprint ``attachments``).

Editors upload and list; withdrawing and restoring need the publisher role. Also carries
the ``flask attachments …`` commands (the blueprint's CLI group).
"""

import re
from math import ceil

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from tradeportal.attachments.cli import check_storage
from tradeportal.attachments.models import Attachment
from tradeportal.attachments.queries import count_attachments, get_attachment, list_attachments
from tradeportal.attachments.schemas import AttachmentInput
from tradeportal.attachments.services import (
    DEFAULT_MAX_BYTES,
    max_upload_bytes,
    restore_attachment,
    upload_attachment,
    withdraw_attachment,
)
from tradeportal.attachments.sniffing import RefusedFile, sniff_document
from tradeportal.auth.access import guard_blueprint, role_required
from tradeportal.auth.models import Role
from tradeportal.db import db
from tradeportal.errors import people_message, render_error
from tradeportal.i18n import day, number

PAGE_SIZE = 50
PAGE_NUMBER = re.compile(r"[0-9]{1,6}")
# Room for the multipart envelope, the CSRF token and the title around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024

bp = Blueprint("attachments", __name__, url_prefix="/manage/attachments")
guard_blueprint(bp, Role.EDITOR)
bp.cli.help = "Uploaded attachments: check the files against the database."
bp.cli.add_command(check_storage)
publisher_only = role_required(Role.PUBLISHER)


def _cap_request_size(state) -> None:
    # Without a global cap Flask would accept bodies of any size; with one, keep it.
    config = state.app.config
    if not config.get("MAX_CONTENT_LENGTH"):
        cap = int(config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
        config["MAX_CONTENT_LENGTH"] = cap + FORM_OVERHEAD_BYTES


bp.record(_cap_request_size)


def effective_max_bytes() -> int:
    """Return the largest file an upload can carry: the attachment cap or the body cap."""
    body_cap = current_app.config.get("MAX_CONTENT_LENGTH")
    if body_cap:
        return min(max_upload_bytes(), body_cap - FORM_OVERHEAD_BYTES)
    return max_upload_bytes()


def size_words(size: int) -> str:
    """A size cap for people, in the language of the page: "10.0 MiB" / "10,0 Mio"."""
    if size >= 2**20:
        return _("%(size)s MiB", size=number(size / 2**20, 1))
    return _("%(size)s KiB", size=number(size / 1024, 0))


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A file's size for people: "840 bytes", "12.5 KiB", "3.2 MiB" (or in French)."""
    if size < 1024:
        return ngettext("%(count)s byte", "%(count)s bytes", size, count=number(size))
    if size < 1024 * 1024:
        return _("%(size)s KiB", size=number(size / 1024, 1))
    return _("%(size)s MiB", size=number(size / 2**20, 1))


@bp.errorhandler(RequestEntityTooLarge)
def refuse_large_body(_error):
    """Answer a body above MAX_CONTENT_LENGTH (refused before any view runs) clearly."""
    return render_error(
        413,
        _(
            "The file is larger than the %(size)s that can be uploaded, so nothing was "
            "stored. Compress the PDF or split the document.",
            size=size_words(effective_max_bytes()),
        ),
    )


@bp.get("/")
def index():
    """List the attachments, newest first, with the address to paste into content."""
    raw_page = request.args.get("page", "1")
    if not PAGE_NUMBER.fullmatch(raw_page) or int(raw_page) < 1:
        return render_error(400, _("The page number must be a whole number from 1."))
    page = int(raw_page)
    total = count_attachments(db.session)
    pages = max(1, ceil(total / PAGE_SIZE))
    if page > pages:
        return render_error(
            404,
            ngettext(
                "The attachment library has %(count)s page.",
                "The attachment library has %(count)s pages.",
                pages,
                count=number(pages),
            ),
        )
    attachments = list_attachments(db.session, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render_template(
        "attachments/index.html", attachments=attachments, page=page, pages=pages, total=total
    )


@bp.route("/new", methods=["GET", "POST"])
def upload():
    """Upload a PDF, DOCX or XLSX file with a title; the same bytes give the existing one."""
    if request.method == "GET":
        return _upload_form({}, {})
    form = {"title": request.form.get("title", "")}
    errors: dict[str, list[str]] = {}
    title = ""
    try:
        title = AttachmentInput().load(form)["title"]
    except ValidationError as error:
        errors.update(_people_messages(error))
    sent = request.files.get("file")
    if sent is None or not (sent.filename or "").strip():
        errors["file"] = [_("Choose a PDF, DOCX or XLSX file to upload.")]
        return _upload_form(errors, form, status=422)
    filename = sent.filename.strip()
    # One byte more than the cap is enough to know the file is too large.
    content = sent.stream.read(max_upload_bytes() + 1)
    if errors:
        # Check the file too, so the editor learns every problem before choosing it again.
        _add_file_problem(errors, content, filename)
        return _upload_form(errors, form, status=422)
    try:
        result = upload_attachment(
            db.session, current_user, data=content, original_filename=filename, title=title
        )
    except RefusedFile as refusal:
        db.session.rollback()
        return _upload_form({"file": [refusal.text]}, form, status=refusal.status)
    db.session.commit()
    attachment = result.attachment
    if result.created:
        flash(_("“%(title)s” is uploaded. Copy its public address below.", title=attachment.title))
    else:
        flash(_already_uploaded_message(attachment))
    return redirect(url_for("attachments.detail", attachment_id=attachment.id), code=303)


def _people_messages(error: ValidationError) -> dict[str, list[str]]:
    """The form's messages ({field: [messages]}) in the language of the page."""
    found = error.messages if isinstance(error.messages, dict) else {"_form": error.messages}
    return {
        ("_form" if name == "_schema" else name): [
            people_message(message) for message in (said if isinstance(said, list) else [said])
        ]
        for name, said in found.items()
    }


def _add_file_problem(errors: dict, content: bytes, filename: str) -> None:
    if len(content) > max_upload_bytes():
        errors["file"] = [
            _("The file is larger than %(size)s.", size=size_words(max_upload_bytes()))
        ]
        return
    try:
        sniff_document(content, filename)
    except RefusedFile as refusal:
        errors["file"] = [refusal.text]


def _already_uploaded_message(attachment: Attachment) -> str:
    message = _(
        "This exact file was already uploaded on %(day)s as “%(title)s”: nothing new was "
        "stored and the title you typed was not used. Use the address below.",
        day=day(attachment.uploaded_at),
        title=attachment.title,
    )
    if attachment.is_withdrawn:
        message += " " + _(
            "It is withdrawn, so its address answers “gone”; a publisher can restore it."
        )
    return message


def _upload_form(errors: dict, form: dict, status: int = 200):
    return render_template(
        "attachments/upload.html",
        errors=errors,
        form=form,
        max_size=size_words(effective_max_bytes()),
    ), status


@bp.get("/<int:attachment_id>")
def detail(attachment_id: int):
    """Show one attachment: its public address, what it is, and who uploaded it."""
    attachment = get_attachment(db.session, attachment_id)
    if attachment is None:
        return _no_such_attachment()
    return render_template("attachments/detail.html", attachment=attachment)


@bp.post("/<int:attachment_id>/withdraw")
@publisher_only
def withdraw(attachment_id: int):
    """Withdraw an attachment: its address answers 410 Gone from now on."""
    attachment = get_attachment(db.session, attachment_id)
    if attachment is None:
        return _no_such_attachment()
    changed = withdraw_attachment(db.session, current_user, attachment)
    db.session.commit()
    if changed:
        flash(
            _("“%(title)s” is withdrawn: its address now answers “gone”.", title=attachment.title)
        )
    else:
        flash(_("“%(title)s” was already withdrawn.", title=attachment.title))
    return redirect(url_for("attachments.detail", attachment_id=attachment.id), code=303)


@bp.post("/<int:attachment_id>/restore")
@publisher_only
def restore(attachment_id: int):
    """Serve a withdrawn attachment again at the same address."""
    attachment = get_attachment(db.session, attachment_id)
    if attachment is None:
        return _no_such_attachment()
    changed = restore_attachment(db.session, current_user, attachment)
    db.session.commit()
    if changed:
        flash(_("“%(title)s” is available again at the same address.", title=attachment.title))
    else:
        flash(_("“%(title)s” was not withdrawn.", title=attachment.title))
    return redirect(url_for("attachments.detail", attachment_id=attachment.id), code=303)


def _no_such_attachment():
    return render_error(404, _("There is no attachment with this number."))
