"""The content types that ``flask content import|export`` knows, registered by each area.

An area describes each of its content types once: its marshmallow Input schema (which
validates file rows, form posts and API input alike), the natural key that identifies a
record across imports, how to save one validated record (upsert: flush, never commit) and
how to dump one for export.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema
from sqlalchemy.orm import Session


class ImportProblem(ValueError):
    """A validated record that still cannot be saved (e.g. it names an unknown agency)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ContentType:
    name: str  # plural, as typed on the command line: "regulations"
    input_schema: type[Schema]
    natural_key: tuple[str, ...]  # fields of the loaded record that identify it
    # Upsert one validated record; return True when it was created. Raise ImportProblem.
    save: Callable[[Session, dict[str, Any]], bool]
    # Yield every record as a dict the Input schema would load back (round trip).
    export: Callable[[Session], Iterator[dict[str, Any]]]
    description: str = ""
    # The table holding the records, for counts such as "not verified for a year".
    model: type | None = None


CONTENT_TYPES: dict[str, ContentType] = {}


def register_content_type(content_type: ContentType) -> ContentType:
    """Make a content type available to import and export."""
    CONTENT_TYPES[content_type.name] = content_type
    return content_type
