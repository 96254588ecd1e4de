"""An in-process, read-only snapshot of the nomenclatures, for fast lookups and browsing.

The HS tree is reference data that changes a few times a year but is read on every
product page, so each process keeps one immutable snapshot. A unit of work (a request, a
CLI command) compares the nomenclatures' revision numbers with the snapshot's when the
last comparison is older than ``HS_CATALOG_MAX_AGE_SECONDS``, and the snapshot is rebuilt
when they moved. Code that changes a nomenclature in this process calls
:func:`invalidate_catalog` so its own next read is fresh; other processes catch up within
that maximum age.
"""

import gc
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, g
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.db import db
from tradeportal.hs.codes import format_code
from tradeportal.hs.models import (
    HsCorrespondence,
    HsNode,
    HsSection,
    Nomenclature,
    NomenclatureKind,
)
from tradeportal.validity import is_valid_on

_EXTENSION_KEY = "tradeportal.hs_catalog"
_build_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Node:
    """One code of a nomenclature, as shown to people."""

    id: int
    nomenclature: str
    code: str
    level: int
    parent: str | None
    section: str | None
    description_en: str
    description_fr: str | None
    valid_from: date
    valid_to: date | None

    @property
    def display(self) -> str:
        return format_code(self.code)

    def is_valid_on(self, day: date) -> bool:
        return is_valid_on(self.valid_from, self.valid_to, day)


@dataclass(frozen=True, slots=True)
class Section:
    numeral: str
    position: int
    title_en: str
    title_fr: str | None
    chapters: tuple[str, ...]

    @property
    def chapter_range(self) -> str:
        if not self.chapters:
            return ""
        first, last = self.chapters[0], self.chapters[-1]
        return first if first == last else f"{first}–{last}"


@dataclass(frozen=True, slots=True)
class Link:
    """A correspondence between codes of two editions."""

    nomenclature: str
    code: str
    relationship: str


@dataclass
class NomenclatureTree:
    """One nomenclature's codes, with children and descendant counts."""

    code: str
    title: str
    kind: NomenclatureKind
    valid_from: date
    valid_to: date | None
    country_iso3: str | None
    base_code: str | None
    nodes: dict[str, Node]
    sections: list[Section]
    children_codes: dict[str | None, list[str]] = field(default_factory=dict)
    _counts: dict[date, dict[str, dict[int, int]]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        children = defaultdict(list)
        for node in self.nodes.values():
            children[node.parent].append(node.code)
        self.children_codes = {parent: sorted(codes) for parent, codes in children.items()}

    def is_valid_on(self, day: date) -> bool:
        return is_valid_on(self.valid_from, self.valid_to, day)

    def get(self, code: str, day: date) -> Node | None:
        """Return the node with this code in force on ``day``."""
        node = self.nodes.get(code)
        return node if node is not None and node.is_valid_on(day) else None

    def children(self, code: str | None, day: date) -> list[Node]:
        """Return the direct children in force on ``day``; ``None`` gives the chapters."""
        return [
            node
            for child in self.children_codes.get(code, ())
            if (node := self.nodes[child]).is_valid_on(day)
        ]

    def section(self, numeral: str | None) -> Section | None:
        return next((s for s in self.sections if s.numeral == numeral), None)

    def descendant_counts(self, code: str, day: date) -> dict[int, int]:
        """Count the descendants in force on ``day`` of a node, per level."""
        if day not in self._counts:
            counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
            for node in self.nodes.values():
                if node.is_valid_on(day):
                    for length in range(2, node.level, 2):
                        counts[node.code[:length]][node.level] += 1
            # Computing every date ever asked for would grow without bound.
            if len(self._counts) > 32:
                self._counts.clear()
            self._counts[day] = counts
        return dict(self._counts[day].get(code, {}))


@dataclass
class HsCatalog:
    """All nomenclatures and the correspondences between HS editions."""

    token: tuple
    trees: dict[str, NomenclatureTree]
    successors: dict[tuple[str, str], list[Link]]
    predecessors: dict[tuple[str, str], list[Link]]
    checked_at: float = field(default_factory=time.monotonic)

    def edition_on(self, day: date) -> NomenclatureTree | None:
        """Return the HS edition in force on ``day`` (the newest if several overlap)."""
        editions = [
            tree
            for tree in self.trees.values()
            if tree.kind is NomenclatureKind.HS and tree.is_valid_on(day)
        ]
        return max(editions, key=lambda tree: tree.valid_from, default=None)

    def older_editions(self, edition: NomenclatureTree) -> list[NomenclatureTree]:
        """Return the HS editions before ``edition``, newest first."""
        older = [
            tree
            for tree in self.trees.values()
            if tree.kind is NomenclatureKind.HS and tree.valid_from < edition.valid_from
        ]
        return sorted(older, key=lambda tree: tree.valid_from, reverse=True)

    def national_for(
        self,
        country_iso3: str,
        edition: NomenclatureTree,
        day: date,
    ) -> NomenclatureTree | None:
        """Return a country's national nomenclature on ``edition`` in force on ``day``."""
        return next(
            (
                tree
                for tree in self.trees.values()
                if tree.kind is NomenclatureKind.NATIONAL
                and tree.country_iso3 == country_iso3
                and tree.base_code == edition.code
                and tree.is_valid_on(day)
            ),
            None,
        )

    def ancestors(self, node: Node) -> list[Node]:
        """Return a node's ancestors, chapter first, across a national line's base edition."""
        chain = []
        tree = self.trees[node.nomenclature]
        parent = node.parent
        while parent is not None:
            found = tree.nodes.get(parent)
            if found is None and tree.base_code:
                tree = self.trees[tree.base_code]
                found = tree.nodes.get(parent)
            if found is None:
                break
            chain.append(found)
            parent = found.parent
        return chain[::-1]


# The node columns the snapshot (and the search index) read, in the order rows unpack.
NODE_COLUMNS = (
    HsNode.id,
    HsNode.nomenclature_id,
    HsNode.code,
    HsNode.level,
    HsNode.parent_id,
    HsNode.section_id,
    HsNode.description_en,
    HsNode.description_fr,
    HsNode.valid_from,
    HsNode.valid_to,
)


def build_catalog(session: Session, token: tuple) -> HsCatalog:
    """Read every nomenclature, section, node and correspondence into a snapshot."""
    nomenclatures = session.execute(select(Nomenclature)).scalars().all()
    code_of = {n.id: n.code for n in nomenclatures}
    numeral_of = {}
    sections_by_nomenclature = defaultdict(list)
    for section in session.execute(select(HsSection).order_by(HsSection.position)).scalars():
        numeral_of[section.id] = section.numeral
        sections_by_nomenclature[section.nomenclature_id].append(section)
    nodes_by_nomenclature: dict[int, dict[str, Node]] = defaultdict(dict)
    rows = session.execute(select(*NODE_COLUMNS)).all()
    parent_code = {row.id: row.code for row in rows}
    for row in rows:
        nodes_by_nomenclature[row.nomenclature_id][row.code] = Node(
            id=row.id,
            nomenclature=code_of[row.nomenclature_id],
            code=row.code,
            level=row.level,
            parent=parent_code.get(row.parent_id),
            section=numeral_of.get(row.section_id),
            description_en=row.description_en,
            description_fr=row.description_fr,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
    trees = {}
    for nomenclature in nomenclatures:
        nodes = nodes_by_nomenclature[nomenclature.id]
        sections = [
            Section(
                numeral=s.numeral,
                position=s.position,
                title_en=s.title_en,
                title_fr=s.title_fr,
                chapters=tuple(
                    sorted(
                        code
                        for code, node in nodes.items()
                        if node.level == 2 and node.section == s.numeral
                    )
                ),
            )
            for s in sections_by_nomenclature[nomenclature.id]
        ]
        trees[nomenclature.code] = NomenclatureTree(
            code=nomenclature.code,
            title=nomenclature.title,
            kind=nomenclature.kind,
            valid_from=nomenclature.valid_from,
            valid_to=nomenclature.valid_to,
            country_iso3=nomenclature.country_iso3,
            base_code=code_of.get(nomenclature.base_id),
            nodes=nodes,
            sections=sections,
        )
    successors, predecessors = defaultdict(list), defaultdict(list)
    for link in session.execute(select(HsCorrespondence)).scalars():
        old, new = code_of[link.old_nomenclature_id], code_of[link.new_nomenclature_id]
        successors[old, link.old_code].append(Link(new, link.new_code, link.relationship))
        predecessors[new, link.new_code].append(Link(old, link.old_code, link.relationship))
    for links in (*successors.values(), *predecessors.values()):
        links.sort(key=lambda link: link.code)
    return HsCatalog(token, trees, dict(successors), dict(predecessors))


def _current_token(session: Session) -> tuple:
    statement = select(Nomenclature.code, Nomenclature.revision).order_by(Nomenclature.code)
    return tuple((code, revision) for code, revision in session.execute(statement))


def _freeze_long_lived() -> None:
    """Keep the snapshot (a quarter of a million objects) out of garbage collection.

    Each full collection walked it for 60-220 ms in the middle of some request (measured
    at p99 of the product page); frozen, a full collection takes a few ms. Unfrozen and
    collected first: garbage waiting for a collection is not frozen with the snapshot,
    and what an earlier freeze kept (a replaced snapshot's cycles) can be freed again.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def get_catalog() -> HsCatalog:
    """Return the snapshot for this unit of work, rebuilding it if the data moved."""
    if "hs_catalog" in g:
        return g.hs_catalog
    catalog = current_app.extensions.get(_EXTENSION_KEY)
    max_age = current_app.config["HS_CATALOG_MAX_AGE_SECONDS"]
    if catalog is None or time.monotonic() - catalog.checked_at >= max_age:
        session = db.session
        token = _current_token(session)
        if catalog is not None and catalog.token == token:
            catalog.checked_at = time.monotonic()
        else:
            with _build_lock:
                catalog = current_app.extensions.get(_EXTENSION_KEY)
                if catalog is None or catalog.token != token:
                    catalog = build_catalog(session, token)
                    current_app.extensions[_EXTENSION_KEY] = catalog
                    _freeze_long_lived()
    g.hs_catalog = catalog
    return catalog


def invalidate_catalog() -> None:
    """Make the next unit of work compare the snapshot with the database (after a write)."""
    catalog = current_app.extensions.get(_EXTENSION_KEY)
    if catalog is not None:
        catalog.checked_at = float("-inf")
    g.pop("hs_catalog", None)
