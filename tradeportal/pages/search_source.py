"""Search documents of free pages, news and events (the "page" type of the search facets).

Bodies are indexed as the text their Markdown renders to, so link addresses and markup
characters are not searchable words.
"""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradeportal.pages.models import Page
from tradeportal.pages.views import DETAIL_ENDPOINTS
from tradeportal.richtext import markdown_as_text
from tradeportal.search.documents import (
    Documents,
    DocumentSource,
    Watch,
    chunked,
    int_ids,
    joined,
    make_document,
    own_id,
    register_source,
    unique_words,
)

# As other editorial content (search/sources_content.py OTHER_CONTENT_WEIGHT).
PAGE_WEIGHT = 0.7
SNIPPET_LENGTH = 300


def _pages(session: Session, entity_ids: Sequence[str] | None) -> list[Page]:
    statement = select(Page).order_by(Page.id)
    if entity_ids is None:
        return list(session.scalars(statement))
    found = []
    for chunk in chunked(int_ids(entity_ids)):
        found += session.scalars(statement.where(Page.id.in_(chunk)))
    return found


def _snippet(summary: str | None, body_text: str) -> str | None:
    if summary:
        return summary
    if len(body_text) <= SNIPPET_LENGTH:
        return body_text or None
    return body_text[:SNIPPET_LENGTH].rsplit(" ", 1)[0] + " …"


def page_document(page: Page) -> dict:
    """Build the search document of one page, news item or event."""
    body_en = markdown_as_text(page.body_en)
    body_fr = markdown_as_text(page.body_fr)
    french = bool(page.title_fr or page.summary_fr or page.body_fr)
    return make_document(
        source="page",
        entity_id=str(page.id),
        key=f"page:{page.id}",
        doc_type="page",
        title=page.title_en,
        link={"endpoint": DETAIL_ENDPOINTS[page.kind], "values": {"slug": page.slug}},
        valid_from=page.valid_from,
        valid_to=page.valid_to,
        weight=PAGE_WEIGHT,
        languages=["en", "fr"] if french else ["en"],
        spell=unique_words(page.title_en, page.title_fr),
        title_en=page.title_en,
        title_fr=page.title_fr or "",
        body_en=joined(page.summary_en, body_en, page.event_location),
        body_fr=joined(page.summary_fr, body_fr),
        stored={
            "title_fr_text": page.title_fr,
            "snippet_en": _snippet(page.summary_en, " ".join(body_en.split())),
            "is_demo": page.is_demo,
        },
    )


def load_pages(session: Session, entity_ids: Sequence[str] | None) -> Documents:
    for page in _pages(session, entity_ids):
        yield str(page.id), page_document(page)


def count_pages(session: Session) -> int:
    return session.scalar(select(func.count(Page.id))) or 0


PAGES_SOURCE = register_source(
    DocumentSource("page", load_pages, count_pages),
    watches=[Watch(Page, "page", lambda instance, _connection: own_id(instance))],
)
