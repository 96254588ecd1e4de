"""Input schemas of the sign-in, password and user administration forms (and the CLI).

Messages are for people: translated when raised (``_``) or, marked ``N_``, when a form
shows them (``views.form_messages``); the CLI, outside any request, gets the English.
"""

import re
from typing import ClassVar

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validates_schema

from tradeportal.auth.models import Role
from tradeportal.i18n import N_

MAX_PASSWORD_LENGTH = 256
# Deliberately plain: one "@", a dot in the domain, printable ASCII without spaces.
EMAIL_SHAPE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class FormSchema(Schema):
    """A schema for posted forms: the CSRF token and buttons are not data."""

    class Meta:
        unknown = EXCLUDE


class EmailAddress(fields.String):
    """An email address, trimmed and lower-cased (accounts ignore case)."""

    default_error_messages: ClassVar[dict[str, str]] = {
        "required": N_("Enter an email address."),
        "null": N_("Enter an email address."),
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError(_("Enter an email address."))
        if len(text) > 254 or not EMAIL_SHAPE.fullmatch(text):
            raise ValidationError(_("Enter an email address like name@example.org."))
        return text.lower()


class DisplayName(fields.String):
    """A person's name as shown in the editor screens and the audit log."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = " ".join(super()._deserialize(value, attr, data, **kwargs).split())
        if not text:
            raise ValidationError(_("Enter the person's name."))
        if len(text) > 120:
            raise ValidationError(
                _("Use at most %(max)s characters (this is %(num)s).", max=120, num=len(text))
            )
        return text


class Password(fields.String):
    """A password taken exactly as typed; new ones must meet the configured length."""

    def __init__(self, *, new: bool = True, **kwargs):
        self.new = new
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text == "":
            if self.required:
                raise ValidationError(_("Enter a password."))
            return None
        if len(text) > MAX_PASSWORD_LENGTH:
            raise ValidationError(_("Use at most %(num)s characters.", num=MAX_PASSWORD_LENGTH))
        if self.new:
            check_new_password(text)
        return text


def check_new_password(password: str) -> None:
    """Raise ValidationError when ``password`` is too weak to be set."""
    minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
    if len(password) < minimum:
        raise ValidationError(
            ngettext(
                "Use at least %(num)s character; a few unrelated words make a good password.",
                "Use at least %(num)s characters; a few unrelated words make a good password.",
                minimum,
            )
        )
    if CONTROL_CHARACTERS.search(password):
        raise ValidationError(_("Use letters, digits, spaces and punctuation only."))


class RoleChoice(fields.String):
    """One of the role names: viewer, editor, publisher, admin."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        try:
            return Role(text)
        except ValueError:
            names = ", ".join(role.value for role in Role)
            raise ValidationError(_("Choose one of: %(names)s.", names=names)) from None


def _required(message) -> dict:
    return {"required": message, "null": message}


def _not_blank(message):
    def check(value: str) -> None:
        if not value.strip():
            raise ValidationError(message)

    return check


class LoginInput(FormSchema):
    # Not checked for shape: a malformed email simply matches no account.
    email = fields.String(
        required=True,
        validate=_not_blank(N_("Enter your email address.")),
        error_messages=_required(N_("Enter your email address.")),
    )
    password = Password(new=False, required=True, error_messages=_required(N_("Enter a password.")))
    remember = fields.Boolean(load_default=False)
    next = fields.String(load_default=None)


class PasswordChangeInput(FormSchema):
    current_password = Password(
        new=False, required=True, error_messages=_required(N_("Enter your current password."))
    )
    new_password = Password(required=True, error_messages=_required(N_("Enter a new password.")))
    new_password_again = fields.String(
        required=True, error_messages=_required(N_("Type the new password again."))
    )

    @validates_schema
    def _passwords_agree(self, data, **kwargs):
        if data["new_password"] != data["new_password_again"]:
            raise ValidationError(_("The two new passwords differ."), "new_password_again")
        if data["new_password"] == data["current_password"]:
            raise ValidationError(_("Choose a password you have not used here."), "new_password")


class PasswordResetInput(FormSchema):
    new_password = Password(required=True, error_messages=_required(N_("Enter a new password.")))
    new_password_again = fields.String(
        required=True, error_messages=_required(N_("Type the new password again."))
    )

    @validates_schema
    def _passwords_agree(self, data, **kwargs):
        if data["new_password"] != data["new_password_again"]:
            raise ValidationError(_("The two new passwords differ."), "new_password_again")


class UserCreateInput(FormSchema):
    email = EmailAddress(required=True, error_messages=_required(N_("Enter an email address.")))
    display_name = DisplayName(required=True, error_messages=_required(N_("Enter the name.")))
    role = RoleChoice(required=True, error_messages=_required(N_("Choose a role.")))
    # Empty: the portal generates one and shows it once.
    password = Password(load_default=None)


class RoleChangeInput(FormSchema):
    role = RoleChoice(required=True, error_messages=_required(N_("Choose a role.")))


class Matching(fields.String):
    """Optional text of a fixed shape, e.g. a filter from the address; empty is None."""

    def __init__(self, shape: str, message: str, **kwargs):
        self.shape, self.message = re.compile(shape), message
        kwargs.setdefault("load_default", None)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        if not self.shape.fullmatch(text):
            raise ValidationError(self.message)
        return text


class AuditFilterInput(Schema):
    """Query parameters of the audit log page and its CSV export."""

    class Meta:
        unknown = EXCLUDE

    action = Matching(r"[a-z][a-z0-9_.]{1,39}", N_("Unknown action; choose one from the list."))
    user = Matching(r"[1-9][0-9]{0,17}", N_("Unknown user; choose one from the list."))
    page = Matching(r"[1-9][0-9]{0,5}", N_("Page numbers are whole numbers from 1."))

    @post_load
    def _as_values(self, data, **kwargs):
        user, page = data.get("user"), data.get("page")
        return {
            "action": data.get("action"),
            "actor_id": int(user) if user else None,
            "page": int(page) if page else 1,
        }
