"""A readable field-by-field difference between two versions of a record."""

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


@dataclass
class FieldChange:
    name: str
    before: str
    after: str
    added: list[str] = field(default_factory=list)  # list fields: items only in ``after``
    removed: list[str] = field(default_factory=list)  # items only in ``before``

    @property
    def is_list(self) -> bool:
        return bool(self.added or self.removed)


def diff_records(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """List the fields whose value differs, in the order of ``after`` then ``before``.

    Empty text, None and an empty list count as the same "not given".
    """
    before, after = before or {}, after or {}
    names = list(after) + [name for name in before if name not in after]
    changes = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if _text(old) == _text(new):
            continue
        if isinstance(old, list) or isinstance(new, list):
            old_items = [_text(item) for item in old or []]
            new_items = [_text(item) for item in new or []]
            changes.append(
                FieldChange(
                    name,
                    "\n".join(old_items),
                    "\n".join(new_items),
                    added=[item for item in new_items if item not in old_items],
                    removed=[item for item in old_items if item not in new_items],
                )
            )
            continue
        changes.append(FieldChange(name, _text(old), _text(new)))
    return changes
