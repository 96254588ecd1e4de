"""Helpers every content type's save and export functions share."""

from typing import Any

# The validity and provenance fields of every content model (ValidityMixin + ProvenanceMixin).
CONTENT_FIELDS = (
    "valid_from",
    "valid_to",
    "source_url",
    "issued_by",
    "last_verified_on",
    "last_verified_by",
    "is_demo",
)


def assign_changed(target: Any, values: dict[str, Any]) -> None:
    """Set only the attributes that differ, so an unchanged record stays clean."""
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
