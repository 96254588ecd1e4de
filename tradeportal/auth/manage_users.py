"""User administration under /manage/users (administrators only)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from tradeportal.auth.access import role_required
from tradeportal.auth.manage import bp
from tradeportal.auth.models import Role, User
from tradeportal.auth.passwords import generate_password
from tradeportal.auth.queries import get_user, list_users, recent_events_about
from tradeportal.auth.schemas import RoleChangeInput, UserCreateInput
from tradeportal.auth.services import AccountRuleError, change_role, create_user, set_active
from tradeportal.auth.views import form_messages
from tradeportal.db import db
from tradeportal.errors import people_message, render_error

admin_only = role_required(Role.ADMIN, fresh=True)


def _user_or_404(user_id: int) -> User | None:
    return get_user(db.session, user_id)


def _no_such_user():
    return render_error(404, _("There is no account with this number."))


@bp.get("/users")
@admin_only
def users():
    """List every account with its role and state."""
    return render_template("manage/users.html", users=list_users(db.session))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def user_new():
    """Create an account; an empty password field generates one, shown once."""
    if request.method == "GET":
        return _new_user_form({}, {"role": Role.EDITOR.value})
    form = request.form.to_dict()
    try:
        data = UserCreateInput().load(form)
    except ValidationError as error:
        return _new_user_form(form_messages(error), form, status=422)
    generated = data["password"] is None
    password = generate_password() if generated else data["password"]
    try:
        user = create_user(
            db.session,
            current_user,
            email=data["email"],
            display_name=data["display_name"],
            role=data["role"],
            password=password,
        )
    except AccountRuleError as error:
        db.session.rollback()
        return _new_user_form({error.field or "_form": [people_message(error)]}, form, status=409)
    db.session.commit()
    # Rendered, not redirected: a generated password must never travel in the session.
    return render_template(
        "manage/user_created.html", user=user, password=password if generated else None
    )


def _new_user_form(errors: dict, form: dict, status: int = 200):
    form = {key: value for key, value in form.items() if key != "password"}
    return render_template(
        "manage/user_new.html", errors=errors, form=form, roles=list(Role)
    ), status


@bp.get("/users/<int:user_id>")
@admin_only
def user_detail(user_id: int):
    """Show one account: role, state, recent events, and the forms to change them."""
    user = _user_or_404(user_id)
    if user is None:
        return _no_such_user()
    return _detail(user, {})


def _detail(user: User, errors: dict, status: int = 200):
    return render_template(
        "manage/user_detail.html",
        user=user,
        roles=list(Role),
        errors=errors,
        events=recent_events_about(db.session, user),
    ), status


@bp.post("/users/<int:user_id>/role")
@admin_only
def user_role(user_id: int):
    """Change an account's role (not your own; one active administrator always remains)."""
    user = _user_or_404(user_id)
    if user is None:
        return _no_such_user()
    try:
        data = RoleChangeInput().load(request.form.to_dict())
        changed = change_role(db.session, current_user, user, data["role"])
    except ValidationError as error:
        return _detail(user, form_messages(error), status=422)
    except AccountRuleError as error:
        db.session.rollback()
        return _detail(user, {"role": [people_message(error)]}, status=409)
    db.session.commit()
    if changed:
        flash(_("%(email)s is now %(role)s.", email=user.email, role=user.role.label))
    return redirect(url_for("manage.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/disable")
@admin_only
def user_disable(user_id: int):
    """Disable an account: it cannot sign in and its sessions end."""
    return _set_active(user_id, active=False)


@bp.post("/users/<int:user_id>/enable")
@admin_only
def user_enable(user_id: int):
    """Enable a disabled account again."""
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool):
    user = _user_or_404(user_id)
    if user is None:
        return _no_such_user()
    try:
        changed = set_active(db.session, current_user, user, active)
    except AccountRuleError as error:
        db.session.rollback()
        return _detail(user, {"active": [people_message(error)]}, status=409)
    db.session.commit()
    if changed:
        if active:
            flash(_("%(email)s is enabled.", email=user.email))
        else:
            flash(_("%(email)s is disabled.", email=user.email))
    return redirect(url_for("manage.user_detail", user_id=user.id))
