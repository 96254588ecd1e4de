"""Reading the nomenclature: resolve what a person typed to the node they meant."""

import enum
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from tradeportal.hs.catalog import HsCatalog, Link, Node, NomenclatureTree, get_catalog
from tradeportal.hs.codes import HSCode, normalise_hs_code
from tradeportal.i18n import N_


class UnknownNomenclature(LookupError):
    """A nomenclature code that the portal does not hold.

    ``str(error)`` is English; pages show ``tradeportal.errors.people_message(error)``.
    """

    def __init__(self, template: str, **values):
        self.template, self.values = template, values
        super().__init__(template % values if values else template)


class Outcome(enum.Enum):
    FOUND = "found"  # the node exists as asked
    SAME_AS = "same_as"  # a national code padded with zeros: its subheading
    MOVED = "moved"  # a code of an older edition with exactly one successor
    SPLIT = "split"  # a code of an older edition with several successors
    MISSING = "missing"  # well-formed but not in the nomenclature


@dataclass
class Lookup:
    """The answer to "what is code X as of day D?"."""

    outcome: Outcome
    code: HSCode
    edition: NomenclatureTree
    day: date  # the day the answer is valid on (inside the edition's validity)
    node: Node | None = None
    target: str | None = None  # where SAME_AS and MOVED point
    old_node: Node | None = None  # the older edition's node for MOVED and SPLIT
    successors: list[Node] = field(default_factory=list)
    nearest: Node | None = None  # closest existing ancestor, for MISSING


def find_edition(catalog: HsCatalog, day: date, version: str | None) -> NomenclatureTree:
    """Return the edition asked for, or the HS edition in force on ``day``."""
    if version:
        tree = catalog.trees.get(version)
        if tree is None:
            raise UnknownNomenclature(
                N_("Unknown nomenclature; choose one of %(codes)s."),
                codes=", ".join(sorted(catalog.trees)),
            )
        return tree
    edition = catalog.edition_on(day)
    if edition is None:
        raise UnknownNomenclature(
            N_("No HS edition in this portal was in force on %(day)s."), day=day.isoformat()
        )
    return edition


def day_within(tree: NomenclatureTree, day: date) -> date:
    """Return ``day``, moved into the tree's validity when a version was asked by name."""
    if day < tree.valid_from:
        return tree.valid_from
    if tree.valid_to is not None and day > tree.valid_to:
        return tree.valid_to
    return day


def lookup_code(raw: str, day: date, version: str | None = None) -> Lookup:
    """Resolve a typed code; raise InvalidHSCode when it is not a well-formed code."""
    code = normalise_hs_code(raw)
    catalog = get_catalog()
    edition = find_edition(catalog, day, version)
    day = day_within(edition, day)
    if code.level > 6:
        return _lookup_national(catalog, code, edition, day)
    node = edition.get(code.digits, day)
    if node is not None:
        return Lookup(Outcome.FOUND, code, edition, day, node=node)
    for older in catalog.older_editions(edition):
        old_node = older.get(code.digits, older.valid_to or day)
        if old_node is None:
            continue
        successors = _successors(catalog, older, old_node, edition, day)
        if len(successors) == 1:
            return Lookup(
                Outcome.MOVED,
                code,
                edition,
                day,
                old_node=old_node,
                target=successors[0].code,
                successors=successors,
            )
        if successors:
            return Lookup(
                Outcome.SPLIT, code, edition, day, old_node=old_node, successors=successors
            )
        return Lookup(
            Outcome.MISSING,
            code,
            edition,
            day,
            old_node=old_node,
            nearest=_nearest(edition, code, day),
        )
    return Lookup(Outcome.MISSING, code, edition, day, nearest=_nearest(edition, code, day))


def _lookup_national(
    catalog: HsCatalog,
    code: HSCode,
    edition: NomenclatureTree,
    day: date,
) -> Lookup:
    national = catalog.national_for(current_app.config["HOME_COUNTRY"], edition, day)
    if national is not None and (node := national.get(code.digits, day)) is not None:
        return Lookup(Outcome.FOUND, code, national, day, node=node)
    subheading = edition.get(code.digits[:6], day)
    if subheading is not None and set(code.digits[6:]) == {"0"}:
        return Lookup(Outcome.SAME_AS, code, edition, day, node=subheading, target=subheading.code)
    return Lookup(
        Outcome.MISSING,
        code,
        edition,
        day,
        nearest=_nearest(national or edition, code, day) or _nearest(edition, code, day),
    )


def _successors(
    catalog: HsCatalog,
    older: NomenclatureTree,
    old_node: Node,
    edition: NomenclatureTree,
    day: date,
) -> list[Node]:
    """Find the codes of ``edition`` that took over an older code, at the same level.

    UNSD publishes the correspondence at 6 digits; a retired chapter or heading is
    followed through its subheadings.
    """
    if old_node.level == 6:
        old_codes = [old_node.code]
    else:
        old_codes = [
            code for code in older.nodes if len(code) == 6 and code.startswith(old_node.code)
        ]
    links: list[Link] = []
    for old_code in old_codes:
        links.extend(catalog.successors.get((older.code, old_code), ()))
    new_codes = sorted(
        {link.code[: old_node.level] for link in links if link.nomenclature == edition.code}
    )
    return [node for code in new_codes if (node := edition.get(code, day)) is not None]


def _nearest(tree: NomenclatureTree, code: HSCode, day: date) -> Node | None:
    """Return the closest ancestor of ``code`` that exists in ``tree``."""
    for prefix in reversed(code.ancestors()):
        node = tree.get(prefix, day)
        if node is not None:
            return node
    return None


def corresponding(node: Node, *, newer: bool) -> list[tuple[Link, Node | None]]:
    """Return the codes of other editions a node corresponds to, with their nodes.

    ``newer=True`` follows an old code to its successors, ``False`` a code back to its
    predecessors.
    """
    catalog = get_catalog()
    links = (catalog.successors if newer else catalog.predecessors).get(
        (node.nomenclature, node.code), ()
    )
    return [(link, catalog.trees[link.nomenclature].nodes.get(link.code)) for link in links]


def fold(text: str) -> str:
    """Lower-case and strip accents, so "cafe" finds "café"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def find_by_words(words: list[str], day: date, limit: int = 50) -> list[Node]:
    """Return the codes whose English or French text holds every word, broadest first.

    A plain scan of the in-memory edition (about 7,000 codes); the full-text index
    ranks better and replaces this for free text.
    """
    edition = get_catalog().edition_on(day)
    terms = [fold(word) for word in words if word.strip()]
    if edition is None or not terms:
        return []
    matches = []
    for node in edition.nodes.values():
        if not node.is_valid_on(day):
            continue
        text = fold(f"{node.description_en} {node.description_fr or ''}")
        if all(term in text for term in terms):
            matches.append(node)
    matches.sort(key=lambda node: (node.level, node.code))
    return matches[:limit]
