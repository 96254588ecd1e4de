"""The documents registry: which database rows become which search documents.

Each content type registers a :class:`DocumentSource` (how to build its documents, in bulk
or for a few entities) and :class:`Watch` entries (which model changes make which of its
documents stale). The rebuild walks every source; the queue captures watched changes at
flush; the drain rebuilds the queued entities' documents. A new area (the CMS "page" and
"news" types) registers its own source the same way, from its ``content.py``.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tradeportal.search.schema import FAR_FUTURE, MATCH_FIELDS, TEXT_FIELDS, WEIGHT_SCALE

# The level other content ranks at, after codes of every level, when scores are equal.
CONTENT_LEVEL = 11

# (entity id, document) pairs; an entity without a document is deleted from the index.
Documents = Iterator[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class DocumentSource:
    """One kind of indexed entity.

    ``load(session, entity_ids)`` yields the documents of those entities (all of them when
    ``entity_ids`` is None) with few queries whatever their number; ``count(session)``
    says how many a full load yields, for the progress bar.
    """

    name: str
    load: Callable[[Session, Sequence[str] | None], Documents]
    count: Callable[[Session], int]


@dataclass(frozen=True)
class Watch:
    """A model whose changes make documents of ``source`` stale.

    ``entities(instance, connection)`` returns the entity ids to re-index: the instance's
    own for an indexed model, its owner's for a child row (an HS link re-indexes its
    regulation). It may read through ``connection`` (the flush's), never write.
    """

    model: type
    source: str
    entities: Callable[[Any, Connection], Iterable[str]]


SOURCES: dict[str, DocumentSource] = {}
WATCHES: dict[type, list[Watch]] = defaultdict(list)


def register_source(source: DocumentSource, watches: Iterable[Watch] = ()) -> DocumentSource:
    """Make a document source known to rebuild, drain and check, with its watches."""
    SOURCES[source.name] = source
    for watch in watches:
        if watch not in WATCHES[watch.model]:
            WATCHES[watch.model].append(watch)
    return source


def own_id(instance) -> list[str]:
    """Entity id of an indexed row: its primary key."""
    return [str(instance.id)]


def entity_term(source: str, entity_id: str) -> str:
    return f"{source}:{entity_id}"


def ordinal(day: date | None, *, default: date = FAR_FUTURE) -> int:
    """Return a day as an ordinal for the validity fields."""
    return (day or default).toordinal()


def joined(*parts: str | None) -> str:
    """Join the non-empty texts with blank lines."""
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def unique_words(*texts: str | None) -> str:
    """Return each word of the texts once, in order: the typo field needs no frequencies."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in (text or "").split():
            seen.setdefault(word.strip(".,;:()[]«»\"'").casefold(), None)
    return " ".join(word for word in seen if word)


def make_document(
    *,
    source: str,
    entity_id: str,
    key: str,
    doc_type: str,
    title: str,
    link: dict,
    valid_from: date | None,
    valid_to: date | None,
    weight: float,
    languages: Iterable[str],
    codes: Iterable[str] = (),
    chapters: Iterable[str] = (),
    countries: Iterable[str] = (),
    code: str | None = None,
    level: int = CONTENT_LEVEL,
    spell: str = "",
    stored: dict[str, Any] | None = None,
    **texts: str,
) -> dict[str, Any]:
    """Assemble a document with its fingerprint; ``texts`` are the TEXT_FIELDS values."""
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not text fields of the schema: {sorted(unknown)}")
    document: dict[str, Any] = {
        "key": key,
        "entity": entity_term(source, entity_id),
        "type": doc_type,
        "codes": " ".join(sorted(set(codes))),
        "chapter": " ".join(sorted(set(chapters))),
        "country": " ".join(sorted(set(countries))),
        "language": " ".join(sorted(set(languages))),
        "valid_from": ordinal(valid_from, default=date.min),
        "valid_to": ordinal(valid_to),
        "weight": weight_value(weight, level, code),
        "title": title,
        "level": level,
        "link": link,
        "spell": spell,
        **{name: text for name, text in texts.items() if text},
        **(stored or {}),
    }
    for language, name in MATCH_FIELDS.items():
        combined = joined(
            *(text for field, text in texts.items() if TEXT_FIELDS[field][0] == language)
        )
        if combined:
            document[name] = combined
    if code:
        document["code"] = code
    document["fingerprint"] = fingerprint(document)
    return document


def weight_value(weight: float, level: int, code: str | None) -> int:
    """Return the weight column: the multiplier, less a tie-break too small to reorder
    scores that differ by more than 0.01 %.

    Equal scores then list broader codes first (a subheading repeating its heading's
    words says no more than the heading), then codes in order, then other content —
    the same order on every build, whichever process indexed which document.
    """
    digits = int(code.ljust(10, "0")) if code and code.isdigit() else 0
    return round(weight * WEIGHT_SCALE) - (level * 10**10 + digits)


def fingerprint(document: dict[str, Any]) -> str:
    """Hash the indexed values of a document, so ``flask search check`` can spot stale ones."""
    values = {name: value for name, value in document.items() if name != "fingerprint"}
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


def chunked(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """Split ids into chunks that fit an SQL ``IN`` list on every backend."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def int_ids(entity_ids: Sequence[str]) -> list[int]:
    """Read numeric entity ids, ignoring any that are not (they have no document)."""
    return [int(value) for value in entity_ids if value.isdigit()]
