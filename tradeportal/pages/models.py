"""Free pages, news and events written by the portal's editors, in English and French.

One table holds the three kinds: they share their texts, validity and provenance; only
events carry dates and a place of their own. Bodies are Markdown, sanitised on render
(``tradeportal.richtext``).
"""

import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradeportal.db import Base, value_enum
from tradeportal.provenance import ProvenanceMixin
from tradeportal.validity import ValidityMixin

LANGUAGES = ("en", "fr")
KIND_LABELS = {"page": _l("Page"), "news": _l("News"), "event": _l("Event")}


class PageKind(enum.Enum):
    PAGE = "page"
    NEWS = "news"
    EVENT = "event"

    @property
    def label(self) -> str:
        """The kind for people, in the language shown."""
        return str(KIND_LABELS[self.value])


@dataclass(frozen=True)
class PageText:
    """The texts of a page in the language shown, and whether English stood in for French."""

    language: str
    title: str
    summary: str | None
    body: str | None
    english_only: bool  # French was asked for but the page has no complete translation


class Page(ValidityMixin, ProvenanceMixin, Base):
    """A free page (about, help), a news item or an event announcement."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[PageKind] = mapped_column(value_enum(PageKind))
    title_en: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str | None] = mapped_column(String(300))
    summary_en: Mapped[str | None] = mapped_column(String(500))
    summary_fr: Mapped[str | None] = mapped_column(String(500))
    body_en: Mapped[str | None] = mapped_column(Text)
    body_fr: Mapped[str | None] = mapped_column(Text)
    # The date a news item shows; the import sets it to valid_from when not given.
    published_on: Mapped[date]
    event_starts_on: Mapped[date | None]
    event_ends_on: Mapped[date | None]
    event_location: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        CheckConstraint(
            "kind = 'event' OR (event_starts_on IS NULL AND event_ends_on IS NULL "
            "AND event_location IS NULL)",
            name="event_fields_only_on_events",
        ),
        CheckConstraint(
            "kind != 'event' OR event_starts_on IS NOT NULL", name="events_have_a_start"
        ),
        CheckConstraint(
            "event_ends_on IS NULL OR event_ends_on >= event_starts_on",
            name="event_ends_after_start",
        ),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_ordered"),
        Index("ix_pages_kind_published_on", "kind", "published_on"),
        Index("ix_pages_kind_event_starts_on", "kind", "event_starts_on"),
    )

    @property
    def has_french(self) -> bool:
        """Tell whether every English text of the page has its French counterpart."""
        pairs = (
            (self.title_en, self.title_fr),
            (self.summary_en, self.summary_fr),
            (self.body_en, self.body_fr),
        )
        return all(not english or french for english, french in pairs)

    def text_in(self, language: str) -> PageText:
        """Return the texts to show for ``language`` ("en" or "fr"), English if untranslated."""
        if language == "fr" and self.has_french:
            return PageText("fr", self.title_fr or "", self.summary_fr, self.body_fr, False)
        english_only = language == "fr"
        return PageText("en", self.title_en, self.summary_en, self.body_en, english_only)

    @property
    def event_last_day(self) -> date | None:
        """The last day of an event: its end, or its start when it lasts one day."""
        return self.event_ends_on or self.event_starts_on

    def __repr__(self) -> str:
        return f"<Page {self.slug} {self.kind.value}>"
