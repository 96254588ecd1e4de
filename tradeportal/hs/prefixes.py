"""HS links are prefixes: content linked to ``0901`` applies to every code below it.

Content areas keep a link table per content type (owner id, prefix, excluded) built with
:class:`HsPrefixLinkMixin`. To find what applies to a code, select the links whose prefix
is one of :func:`prefixes_of` the code (an indexed ``IN``), then let
:func:`resolve_applicability` apply the exclusions and name the prefix each owner
applies through ("applies via 0901").
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable

from sqlalchemy import Boolean, CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradeportal.hs.codes import VALID_LENGTHS, normalise_hs_code


def prefixes_of(code: str) -> list[str]:
    """Return the code and every ancestor prefix of it, chapter first."""
    return [code[:length] for length in VALID_LENGTHS if length <= len(code)]


def normalise_prefix(raw: str) -> str:
    """Read an HS prefix written in any accepted form; raise InvalidHSCode otherwise."""
    return normalise_hs_code(raw).digits


def below(column, code, code_end=None):
    """SQL condition: ``column`` holds a code strictly below ``code``.

    In a statement built once, ``code`` and ``code_end`` are bind parameters whose values
    ``below_parameters`` gives.
    """
    if code_end is None:
        code_end = below_parameters(code)["code_end"]
    return (column > code) & (column < code_end)


def below_parameters(code: str) -> dict[str, str]:
    """Values of the bounds of ``below``."""
    # ":" sorts right after "9", so the range holds exactly the longer codes starting with it.
    return {"code": code, "code_end": code + ":"}


def resolve_applicability(
    code: str, links: Iterable[tuple[Hashable, str, bool]]
) -> dict[Hashable, str]:
    """Map each owner that applies to ``code`` to its most specific including prefix.

    ``links`` are (owner, prefix, excluded) rows; an owner applies when one of its
    including prefixes is the code or an ancestor of it, and none of its excluding
    prefixes is.
    """
    ancestry = set(prefixes_of(code))
    included: dict[Hashable, str] = {}
    excluded: set[Hashable] = set()
    for owner, prefix, is_exclusion in links:
        if prefix not in ancestry:
            continue
        if is_exclusion:
            excluded.add(owner)
        elif len(prefix) > len(included.get(owner, "")):
            included[owner] = prefix
    return {owner: prefix for owner, prefix in included.items() if owner not in excluded}


def group_links(links: Iterable[tuple[Hashable, str, bool]]) -> dict[Hashable, dict]:
    """Group (owner, prefix, excluded) rows into {owner: {"include": [...], "exclude": [...]}}."""
    grouped: dict[Hashable, dict] = defaultdict(lambda: {"include": [], "exclude": []})
    for owner, prefix, is_exclusion in links:
        grouped[owner]["exclude" if is_exclusion else "include"].append(prefix)
    return dict(grouped)


class HsPrefixLinkMixin:
    """Columns of a link between one piece of content and an HS prefix.

    A subclass adds its table name, its owner foreign key (e.g. ``regulation_id``) and
    ``__table_args__ = prefix_link_constraints("regulation_id")``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(10), index=True)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)


def prefix_link_constraints(owner_column: str) -> tuple:
    """Table constraints of a prefix link table: a code-shaped prefix, once per owner."""
    return (
        CheckConstraint("length(prefix) IN (2, 4, 6, 8, 10)", name="prefix_length"),
        UniqueConstraint(owner_column, "prefix"),
    )
