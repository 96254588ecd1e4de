"""Writing the audit log: one row per thing someone did, in the same transaction as it."""

import enum
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from sqlalchemy.orm import Session

from tradeportal.auth.models import AuditEvent, User

# Actions are short dotted or snake-case words: "login", "user_created", "regulation.published".
ACTION = re.compile(r"[a-z][a-z0-9_.]{1,39}")

# What record_audit accepts as a target: a model with ``audit_target()`` or with
# ``__tablename__`` and ``id``, a (type, id) pair, or a free-text label.
AuditTarget = Any


class AuditTargetError(TypeError):
    """An audit target that cannot be named."""


def record_audit(
    session: Session,
    actor: User | None,
    action: str,
    target: AuditTarget = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event for ``actor`` doing ``action`` to ``target`` (flush, no commit).

    ``actor`` is None for the command line and the anonymous; ``detail`` must be
    JSON-serialisable (dates, enums and decimals are written as text).
    """
    if not ACTION.fullmatch(action):
        raise ValueError(f"audit action {action!r} is not a short lower-case word")
    target_type, target_id, target_label = describe_target(target)
    event = AuditEvent(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:254] if target_label else None,
        detail=json.loads(json.dumps(detail, default=_json_value)),
        ip=request.remote_addr if has_request_context() else None,
    )
    session.add(event)
    session.flush()
    return event


def describe_target(target: AuditTarget) -> tuple[str | None, str | None, str | None]:
    """Return (type, id, label) for an audit target."""
    if target is None:
        return None, None, None
    if isinstance(target, str):
        return None, None, target
    if isinstance(target, tuple) and len(target) == 2:
        return str(target[0]), str(target[1]), None
    if hasattr(target, "audit_target"):
        return target.audit_target()
    if hasattr(target, "__tablename__") and getattr(target, "id", None) is not None:
        return target.__tablename__, str(target.id), None
    raise AuditTargetError(f"cannot name {target!r} as an audit target")


def _json_value(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable in an audit detail")
