"""The /manage shell: the editors' dashboard (blueprint ``manage``).

Every /manage route needs at least the editor role: the blueprint checks it before any
view runs. Administrator pages add ``role_required(Role.ADMIN, fresh=True)``.
"""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from tradeportal.auth.access import guard_blueprint
from tradeportal.auth.models import Role
from tradeportal.auth.queries import active_users_by_role
from tradeportal.cms.dashboard import editorial_dashboard
from tradeportal.db import db
from tradeportal.validity import today

bp = Blueprint("manage", __name__, url_prefix="/manage")
guard_blueprint(bp, Role.EDITOR)


@bp.get("/")
def dashboard():
    """Show my drafts, what awaits review, the schedule, stale content and failed searches."""
    counts = active_users_by_role(db.session) if current_user.can(Role.ADMIN) else None
    board = editorial_dashboard(
        db.session,
        current_user,
        today(),
        current_app.config["STALE_AFTER_MONTHS"],
        current_app.config["TWO_PERSON_RULE"],
    )
    return render_template("manage/dashboard.html", counts=counts, roles=list(Role), board=board)
