"""Reading accounts and the audit log."""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from tradeportal.auth.models import AuditEvent, Role, User


def normalise_email(raw: str) -> str:
    """Return an email as accounts store it: trimmed and lower-case."""
    return raw.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    """Return the account with ``email`` (any case), active or not."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def find_user_by_token(session: Session, token: str) -> User | None:
    """Return the active account whose sessions carry ``token``."""
    if not token:
        return None
    return session.scalar(select(User).where(User.session_token == token, User.is_active.is_(True)))


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session) -> list[User]:
    """Return every account, active ones first, then by email."""
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.email)))


def active_users_by_role(session: Session) -> dict[Role, int]:
    """Count active accounts per role (every role present, zero included)."""
    counts = dict.fromkeys(Role, 0)
    rows = session.execute(
        select(User.role, func.count()).where(User.is_active.is_(True)).group_by(User.role)
    )
    counts.update({role: count for role, count in rows})
    return counts


def active_admin_ids(session: Session, *, lock: bool = False) -> set[int]:
    """Return the ids of active administrators, row-locked when ``lock`` (PostgreSQL).

    The lock makes two administrators demoting each other at the same moment queue, so the
    second one sees that only one administrator is left.
    """
    query = select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
    if lock:
        query = query.with_for_update()
    return set(session.scalars(query))


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor_id: int | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _filtered(query, filters: AuditFilters):
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    return query


def audit_page(session: Session, filters: AuditFilters, page: int, page_size: int) -> AuditPage:
    """Return one page of audit events, newest first."""
    total = session.scalar(_filtered(select(func.count(AuditEvent.id)), filters)) or 0
    events = session.scalars(
        _filtered(select(AuditEvent), filters)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return AuditPage(list(events), total, page, page_size)


def iter_audit_events(session: Session, filters: AuditFilters) -> Iterator[AuditEvent]:
    """Yield every matching audit event, newest first, a batch at a time."""
    query = (
        _filtered(select(AuditEvent), filters)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .execution_options(yield_per=500)
    )
    yield from session.scalars(query)


def audit_actions(session: Session) -> list[str]:
    """Return the actions that occur in the audit log, for the filter."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def recent_events_about(session: Session, user: User, limit: int = 20) -> list[AuditEvent]:
    """Return the latest events done by or to ``user``."""
    about_user = (AuditEvent.target_type == "user") & (AuditEvent.target_id == str(user.id))
    query = (
        select(AuditEvent)
        .where((AuditEvent.actor_id == user.id) | about_user)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
