"""Search tables: editor-curated references, the index queue and the query log."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradeportal.db import Base, UtcDateTime, utcnow, value_enum
from tradeportal.provenance import ProvenanceMixin
from tradeportal.validity import ValidityMixin


class SearchReference(ValidityMixin, ProvenanceMixin, Base):
    """A word people use for a product, pointing at the HS 2022 code it belongs under.

    "laptop" → 8471.30: the term is indexed into that code's search document with a high
    boost and feeds autocomplete.
    """

    __tablename__ = "search_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2))
    code: Mapped[str] = mapped_column(String(10), index=True)  # HS 2022 digits
    note: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        UniqueConstraint("term", "language", "code"),
        CheckConstraint("language IN ('en', 'fr')", name="language_is_known"),
        CheckConstraint("length(code) IN (2, 4, 6, 8, 10)", name="code_length"),
    )

    def __repr__(self) -> str:
        return f"<SearchReference {self.term!r} ({self.language}) → {self.code}>"


class QueueOp(enum.Enum):
    UPSERT = "upsert"
    DELETE = "delete"


class SearchQueueItem(Base):
    """A document to re-index, written in the same transaction as the change behind it.

    ``source`` names a document source of the registry (``hs_node``, ``regulation``…) and
    ``entity_id`` the entity in it; the drain re-reads the entity, so the op only says
    whether the change was a deletion.
    """

    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    op: Mapped[QueueOp] = mapped_column(value_enum(QueueOp, length=10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchQueueItem {self.id} {self.op.value} {self.source}:{self.entity_id}>"


class SearchQueryLog(Base):
    """How often people searched for a (normalised) query, and how it went.

    ``abandoned`` counts searches that showed results of which none was followed (see
    ``querylog.py`` for how a follow is recorded).
    """

    __tablename__ = "search_query_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200), unique=True)
    language: Mapped[str] = mapped_column(String(3))  # en, fr, or "und" when unclear
    searches: Mapped[int] = mapped_column(default=0)
    zero_results: Mapped[int] = mapped_column(default=0)
    abandoned: Mapped[int] = mapped_column(default=0)
    followed: Mapped[int] = mapped_column(default=0)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index("ix_search_query_log_zero_results", "zero_results"),)

    def __repr__(self) -> str:
        return f"<SearchQueryLog {self.query!r} ×{self.searches} zero={self.zero_results}>"
