"""What the editorial dashboard shows: work waiting for me, the schedule, stale content."""

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from tradeportal.auth.models import Role, User
from tradeportal.cms.models import ChangeEvent, CmsItem, DraftState
from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.search.querylog import LoggedQuery, top_zero_result_queries

RECENT = 10


@dataclass
class StaleCount:
    content_type: str
    never_verified: int
    verified_long_ago: int


@dataclass
class Dashboard:
    my_drafts: list[CmsItem]
    awaiting_review: list[CmsItem]
    scheduled: list[CmsItem]
    recently_published: list[ChangeEvent]
    stale: list[StaleCount]
    stale_cutoff: date
    zero_result_queries: list[LoggedQuery]


def months_before(day: date, months: int) -> date:
    """Return the same day ``months`` earlier (the last day of a shorter month)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def stale_counts(session: Session, cutoff: date) -> list[StaleCount]:
    """Count, per content type, records never verified and verified before ``cutoff``."""
    counts = []
    for name, content_type in sorted(CONTENT_TYPES.items()):
        model = content_type.model
        if model is None or not hasattr(model, "last_verified_on"):
            continue
        never, old = session.execute(
            select(
                func.count().filter(model.last_verified_on.is_(None)),
                func.count().filter(model.last_verified_on < cutoff),
            )
        ).one()
        if never or old:
            counts.append(StaleCount(name, never, old))
    return counts


def editorial_dashboard(
    session: Session, user: User, today: date, stale_after_months: int, two_person_rule: bool
) -> Dashboard:
    """Collect the dashboard of ``user``; "awaiting review" lists what they may approve."""
    load = selectinload(CmsItem.draft_author), selectinload(CmsItem.submitted_by)
    my_drafts = session.scalars(
        select(CmsItem)
        .where(
            CmsItem.draft_state.in_([DraftState.DRAFT, DraftState.IN_REVIEW]),
            CmsItem.draft_author_id == user.id,
        )
        .order_by(CmsItem.draft_updated_at.desc())
        .options(*load)
    ).all()
    awaiting: list[CmsItem] = []
    if user.can(Role.PUBLISHER):
        in_review = select(CmsItem).where(CmsItem.draft_state == DraftState.IN_REVIEW)
        if two_person_rule:
            # A draft they wrote or sent needs another publisher: it does not await *them*.
            in_review = in_review.where(
                or_(CmsItem.draft_author_id.is_(None), CmsItem.draft_author_id != user.id),
                or_(CmsItem.submitted_by_id.is_(None), CmsItem.submitted_by_id != user.id),
            )
        awaiting = list(
            session.scalars(in_review.order_by(CmsItem.draft_updated_at).options(*load))
        )
    scheduled = session.scalars(
        select(CmsItem)
        .where(CmsItem.draft_state == DraftState.SCHEDULED)
        .order_by(CmsItem.publish_at)
        .options(*load)
    ).all()
    recent = session.scalars(
        select(ChangeEvent)
        .order_by(ChangeEvent.published_at.desc(), ChangeEvent.id.desc())
        .limit(RECENT)
        .options(selectinload(ChangeEvent.published_by))
    ).all()
    cutoff = months_before(today, stale_after_months)
    return Dashboard(
        list(my_drafts),
        awaiting,
        list(scheduled),
        list(recent),
        stale_counts(session, cutoff),
        cutoff,
        top_zero_result_queries(session, RECENT),
    )
