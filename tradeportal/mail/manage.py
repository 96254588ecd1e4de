"""The outbox screen under /manage/mail (blueprint ``mail_admin``, administrators only).

Counts per status, the failed emails with their reason, and the suppressed addresses;
an administrator can queue a failed email again or allow a suppressed address again.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tradeportal.auth.access import guard_blueprint
from tradeportal.auth.models import Role
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.mail.outbox import oldest_queued_age
from tradeportal.mail.queries import (
    counts_by_status,
    get_email,
    get_suppression,
    recent_failures,
    suppressed_addresses,
)
from tradeportal.mail.services import MailRuleError, retry_email, unsuppress_address

FAILURES_SHOWN = 100

bp = Blueprint("mail_admin", __name__, url_prefix="/manage/mail")
guard_blueprint(bp, Role.ADMIN)


@bp.get("/")
def index():
    """Show the outbox: counts per status, failed emails and suppressed addresses."""
    session = db.session
    return render_template(
        "mail/admin.html",
        counts=counts_by_status(session),
        oldest_age=oldest_queued_age(session),
        failures=recent_failures(session, limit=FAILURES_SHOWN),
        failures_shown=FAILURES_SHOWN,
        suppressions=suppressed_addresses(session),
    )


@bp.post("/emails/<int:email_id>/retry")
def retry(email_id: int):
    """Queue a failed email again; it goes out at the sender's next pass."""
    email = get_email(db.session, email_id)
    if email is None:
        return render_error(404, _("There is no email with this number in the outbox."))
    try:
        retry_email(db.session, current_user, email)
    except MailRuleError as error:
        db.session.rollback()
        return render_error(409, error)
    db.session.commit()
    flash(_("Email %(id)s to %(address)s is queued again.", id=email.id, address=email.to_address))
    return redirect(url_for("mail_admin.index"))


@bp.post("/suppressions/<int:suppression_id>/unsuppress")
def unsuppress(suppression_id: int):
    """Allow mail to a suppressed address again, its bounce count cleared."""
    suppression = get_suppression(db.session, suppression_id)
    if suppression is None:
        return render_error(404, _("There is no suppressed address with this number."))
    try:
        unsuppress_address(db.session, current_user, suppression)
    except MailRuleError as error:
        db.session.rollback()
        return render_error(409, error)
    db.session.commit()
    flash(
        _(
            "%(address)s can receive mail again. Failed emails to it are not resent on their "
            "own: retry the ones that matter. Alerts to it resume when its subscriber signs in "
            "again with an emailed link.",
            address=suppression.address,
        )
    )
    return redirect(url_for("mail_admin.index"))
