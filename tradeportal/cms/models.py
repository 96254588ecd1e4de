"""Editorial state of content: items with one open draft, their revisions, change events.

The live content stays in each area's own tables (regulations, tariff lines, …); the CMS
keeps, per record, the draft being edited and reviewed, every saved version as a revision,
and one change event per publication. A record is named by its content type and natural
key (``["coffee-import-permit"]``), the same key ``flask content import`` upserts on.
"""

import enum
from datetime import date, datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradeportal.auth.models import User
from tradeportal.db import Base, UtcDateTime, utcnow, value_enum


class DraftState(enum.Enum):
    """Where an item's open draft is in the workflow; None when there is no draft."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    SCHEDULED = "scheduled"

    @property
    def label(self) -> str:
        return str(_DRAFT_LABELS[self])


class LiveState(enum.Enum):
    """What the public sees of an item."""

    UNPUBLISHED = "unpublished"  # created in the CMS, never published yet
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # end-dated: still shown for dates before its withdrawal

    @property
    def label(self) -> str:
        return str(_LIVE_LABELS[self])


class RevisionKind(enum.Enum):
    BASELINE = "baseline"  # the live record as the CMS first saw it (loaded or imported)
    SAVED = "saved"  # a draft save
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back to its author by a reviewer
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    RESTORED = "restored"  # an old revision copied into a new draft
    CONFLICT = "conflict"  # a save that lost a race, kept so nothing typed is lost
    DISCARDED = "discarded"

    @property
    def label(self) -> str:
        return str(_REVISION_LABELS[self])


class ChangeKind(enum.Enum):
    NEW = "new"
    AMENDED = "amended"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(_CHANGE_LABELS[self])


# What editors read for each state (the values stay English: they are stored and exported).
_DRAFT_LABELS = {
    DraftState.DRAFT: _l("Draft"),
    DraftState.IN_REVIEW: _l("In review"),
    DraftState.SCHEDULED: _l("Scheduled"),
}
_LIVE_LABELS = {
    LiveState.UNPUBLISHED: _l("Unpublished"),
    LiveState.PUBLISHED: _l("Published"),
    LiveState.WITHDRAWN: _l("Withdrawn"),
}
_REVISION_LABELS = {
    RevisionKind.BASELINE: _l("Baseline"),
    RevisionKind.SAVED: _l("Saved"),
    RevisionKind.SUBMITTED: _l("Submitted"),
    RevisionKind.RETURNED: _l("Returned"),
    RevisionKind.SCHEDULED: _l("Scheduled"),
    RevisionKind.PUBLISHED: _l("Published"),
    RevisionKind.WITHDRAWN: _l("Withdrawn"),
    RevisionKind.RESTORED: _l("Restored"),
    RevisionKind.CONFLICT: _l("Conflict"),
    RevisionKind.DISCARDED: _l("Discarded"),
}
_CHANGE_LABELS = {
    ChangeKind.NEW: _l("New"),
    ChangeKind.AMENDED: _l("Amended"),
    ChangeKind.WITHDRAWN: _l("Withdrawn"),
}


class CmsItem(Base):
    """One record of one content type as editors see it: live state plus an open draft."""

    __tablename__ = "cms_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    record_key: Mapped[str] = mapped_column(String(600))  # JSON list of natural key values
    label: Mapped[str] = mapped_column(String(300))
    live_state: Mapped[LiveState] = mapped_column(value_enum(LiveState))
    draft_state: Mapped[DraftState | None] = mapped_column(value_enum(DraftState))
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    draft_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    draft_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(String(1000))
    publish_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Every change bumps it; a save carrying an older number is a conflict, not an overwrite.
    version: Mapped[int] = mapped_column()

    draft_author: Mapped[User | None] = relationship(foreign_keys=[draft_author_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    revisions: Mapped[list["CmsRevision"]] = relationship(
        back_populates="item", order_by="CmsRevision.number"
    )

    __table_args__ = (
        UniqueConstraint("content_type", "record_key"),
        Index("ix_cms_items_draft_state", "draft_state"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    def audit_target(self) -> tuple[str, str, str]:
        return "cms_items", str(self.id), f"{self.content_type}: {self.label}"

    def __repr__(self) -> str:
        return f"<CmsItem {self.content_type} {self.record_key} {self.live_state.value}>"


class CmsRevision(Base):
    """One saved version of an item: the whole record as its Input schema loads it."""

    __tablename__ = "cms_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("cms_items.id"))
    number: Mapped[int]  # 1, 2, … within the item
    kind: Mapped[RevisionKind] = mapped_column(value_enum(RevisionKind))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(String(1000))

    item: Mapped[CmsItem] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("item_id", "number"),)

    def __repr__(self) -> str:
        return f"<CmsRevision item={self.item_id} #{self.number} {self.kind.value}>"


class ChangeEvent(Base):
    """A publication the public can notice: what changed, for which products and countries.

    Written in the publishing transaction; the alerts fan-out reads it afterwards.
    """

    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("cms_items.id"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("cms_revisions.id"))
    content_type: Mapped[str] = mapped_column(String(40))
    kind: Mapped[ChangeKind] = mapped_column(value_enum(ChangeKind))
    label: Mapped[str] = mapped_column(String(300))
    hs_prefixes: Mapped[list[str]] = mapped_column(JSON)  # before and after, digits
    countries: Mapped[list[str]] = mapped_column(JSON)  # ISO3 codes named before or after
    changed_fields: Mapped[list[str]] = mapped_column(JSON)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    effective_on: Mapped[date | None]  # when the change applies (entry into force, withdrawal)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    item: Mapped[CmsItem] = relationship()
    published_by: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_change_events_published_at", "published_at"),)

    def __repr__(self) -> str:
        return f"<ChangeEvent {self.kind.value} {self.content_type} {self.label!r}>"
