"""Public addresses of attachments: /files/<id>/<filename> (blueprint ``files``).

Always a download: the type found by sniffing, ``nosniff`` and a sandbox CSP, so a browser
never renders an uploaded file as a page of this site. Content-addressed, hence cached
for a year and revalidated by ETag (the SHA-256).
"""

import logging

from flask import Blueprint, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from tradeportal.attachments.queries import get_attachment
from tradeportal.attachments.storage import stored_path
from tradeportal.db import db
from tradeportal.errors import render_error

logger = logging.getLogger(__name__)

ONE_YEAR = 365 * 24 * 3600
FILE_POLICY = "sandbox; default-src 'none'"

bp = Blueprint("files", __name__, url_prefix="/files")


@bp.get("/<int:attachment_id>/<filename>")
def download(attachment_id: int, filename: str):
    """Send an attachment's bytes as a download; 410 Gone once it is withdrawn."""
    attachment = get_attachment(db.session, attachment_id)
    if attachment is None:
        return render_error(404, _("There is no file at this address."))
    if attachment.is_withdrawn:
        return render_template("attachments/withdrawn.html", attachment=attachment), 410
    if filename != attachment.filename:
        canonical = url_for(
            "files.download", attachment_id=attachment.id, filename=attachment.filename
        )
        return redirect(canonical, code=301)
    path = stored_path(attachment.sha256)
    if not path.is_file():
        logger.error("Attachment %s has no file at %s", attachment.id, path)
        return render_error(
            500,
            _(
                "This file cannot be found on the server. The problem has been logged; "
                "please try again later."
            ),
        )
    response = send_file(
        path,
        mimetype=attachment.media_type,
        as_attachment=True,
        download_name=attachment.filename,
        conditional=True,
        etag=attachment.sha256,
        max_age=ONE_YEAR,
    )
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    return response
