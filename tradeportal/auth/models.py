"""Accounts with roles, and the audit log of who did what."""

import enum
import secrets
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradeportal.db import Base, UtcDateTime, utcnow, value_enum


class Role(enum.Enum):
    """What an account may do; each role includes the ones before it."""

    VIEWER = "viewer"
    EDITOR = "editor"
    PUBLISHER = "publisher"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        """The role for people, in the language shown ("Editor" / "Rédacteur")."""
        return {
            "viewer": _("Viewer"),
            "editor": _("Editor"),
            "publisher": _("Publisher"),
            "admin": _("Admin"),
        }[self.value]

    def includes(self, other: "Role") -> bool:
        """Tell whether this role may do everything ``other`` may."""
        return self.rank >= other.rank


def new_session_token() -> str:
    """Return a random token that names an account's sessions and remember-me cookies."""
    return secrets.token_urlsafe(32)


class User(Base):
    """An editor, publisher or administrator of the portal (visitors have no account).

    Flask-Login identifies sessions by ``session_token``, not ``id``: replacing the token
    ends every session and remember-me cookie of the account at once.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-case so uniqueness ignores case; the check keeps it that way.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(value_enum(Role))
    is_active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Failed sign-ins since the last successful one, shown to administrators.
    failed_logins: Mapped[int] = mapped_column(default=0)
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_is_lower_case"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    # What Flask-Login asks of a user object.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_token

    def can(self, role: Role) -> bool:
        """Tell whether this account is active and has ``role`` or a higher one."""
        return self.is_active and self.role.includes(role)

    @property
    def can_manage(self) -> bool:
        """Tell whether the /manage editor screens are open to this account."""
        return self.can(Role.EDITOR)

    def audit_target(self) -> tuple[str, str, str]:
        return ("user", str(self.id), self.email)

    def __repr__(self) -> str:
        state = "" if self.is_active else ", disabled"
        return f"<User {self.id} {self.email} ({self.role.value}{state})>"


class AuditEvent(Base):
    """One thing someone did: a sign-in, a role change, later a publication or an import.

    ``actor_id`` is empty for the command line and for failed sign-ins of unknown emails;
    ``target_*`` names what was acted on (type and id, or only a label).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    target_label: Mapped[str | None] = mapped_column(String(254))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_audit_events_action_id", "action", "id"),
        Index("ix_audit_events_actor_id_id", "actor_id", "id"),
        Index("ix_audit_events_target", "target_type", "target_id"),
    )

    def __repr__(self) -> str:
        target = f" {self.target_type}:{self.target_id}" if self.target_type else ""
        return f"<AuditEvent {self.id} {self.action} by {self.actor_id}{target}>"
