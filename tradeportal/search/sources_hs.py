"""Search documents of the nomenclature: HS nodes of every edition and national lines."""

from collections import defaultdict
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session

from tradeportal.hs.catalog import NODE_COLUMNS
from tradeportal.hs.models import HsNode, HsSection, Nomenclature, NomenclatureKind
from tradeportal.hs.prefixes import prefixes_of
from tradeportal.search.analysis import (
    strip_negations_en,
    strip_negations_fr,
    with_joined_compounds,
)
from tradeportal.search.documents import (
    Documents,
    DocumentSource,
    Watch,
    chunked,
    int_ids,
    make_document,
    register_source,
    unique_words,
)
from tradeportal.search.models import SearchReference
from tradeportal.validity import today

# The edition search references name their codes in (data/search/references.csv).
REFERENCE_EDITION = "HS2022"
# Older editions stay findable (by date, and in their own results) but rank lower.
CURRENT_EDITION_WEIGHT = 1.0
OLDER_EDITION_WEIGHT = 0.9


def _nodes_with_ancestors(session: Session, entity_ids: Sequence[str] | None):
    """Return (the nodes asked for, every node by id including their ancestors)."""
    if entity_ids is None:
        rows = session.execute(select(*NODE_COLUMNS)).all()
        return rows, {row.id: row for row in rows}
    targets = []
    for chunk in chunked(int_ids(entity_ids)):
        targets += session.execute(select(*NODE_COLUMNS).where(HsNode.id.in_(chunk))).all()
    by_id = {row.id: row for row in targets}
    missing = {row.parent_id for row in targets if row.parent_id} - set(by_id)
    while missing:  # one query per level: at most four
        found = session.execute(select(*NODE_COLUMNS).where(HsNode.id.in_(missing))).all()
        by_id.update((row.id, row) for row in found)
        missing = {row.parent_id for row in found if row.parent_id} - set(by_id)
    return targets, by_id


def references_by_code(session: Session, codes: set[str] | None = None) -> dict[str, list]:
    """Map HS codes to their search references in force today: [(term, language)]."""
    statement = select(SearchReference.code, SearchReference.term, SearchReference.language)
    statement = statement.where(SearchReference.valid_on(today())).order_by(
        SearchReference.term, SearchReference.language
    )
    if codes is not None:
        if not codes:
            return {}
        statement = statement.where(SearchReference.code.in_(codes))
    found = defaultdict(list)
    for code, term, language in session.execute(statement):
        found[code].append((term, language))
    return found


def load_hs_nodes(session: Session, entity_ids: Sequence[str] | None) -> Documents:
    """Yield the documents of HS nodes and of the home country's national lines."""
    home = current_app.config["HOME_COUNTRY"]
    nomenclatures = {n.id: n for n in session.execute(select(Nomenclature)).scalars()}
    sections = {
        s.id: (s.title_en, s.title_fr) for s in session.execute(select(HsSection)).scalars()
    }
    targets, by_id = _nodes_with_ancestors(session, entity_ids)
    # Ancestors' references are context: "chicken" on 0207 also speaks for 0207.14.
    reference_codes = None if entity_ids is None else {row.code for row in by_id.values()}
    references = references_by_code(session, reference_codes)
    for row in targets:
        nomenclature = nomenclatures[row.nomenclature_id]
        national = nomenclature.kind is NomenclatureKind.NATIONAL
        if national and nomenclature.country_iso3 != home:
            continue  # only the home country's lines can be looked up on the portal
        ancestors = []
        parent = by_id.get(row.parent_id)
        while parent is not None:
            ancestors.insert(0, parent)
            parent = by_id.get(parent.parent_id)
        section = sections.get(row.section_id) or next(
            (sections.get(a.section_id) for a in ancestors if a.section_id), None
        )
        in_edition = nomenclature.code == REFERENCE_EDITION
        refs = references.get(row.code, []) if in_edition else []
        inherited = [r for a in ancestors for r in references.get(a.code, [])] if in_edition else []
        yield str(row.id), _node_document(row, nomenclature, ancestors, section, refs, inherited)


def _node_document(row, nomenclature: Nomenclature, ancestors, section, refs, inherited):
    national = nomenclature.kind is NomenclatureKind.NATIONAL
    doc_type = "national_line" if national else "hs"
    closed_edition = not national and nomenclature.valid_to is not None
    link_values = {"raw": row.code}
    if closed_edition:
        link_values["version"] = nomenclature.code
    section_en, section_fr = section or (None, None)
    context_en = [strip_negations_en(a.description_en) for a in ancestors]
    # French labels below headings repeat the heading's text: "Café, … — non décaféiné".
    french = [a.description_fr for a in ancestors if a.description_fr]
    # The typo field takes only this node's own French words (its ancestors have theirs).
    own_fr = row.description_fr or ""
    if french and own_fr.startswith(french[-1]):
        own_fr = own_fr[len(french[-1]) :]
    context_fr = [
        strip_negations_fr(text)
        for position, text in enumerate(french)
        if not any(
            later.startswith(text) for later in [*french[position + 1 :], row.description_fr or ""]
        )
    ]
    refs_en = [term for term, language in refs if language == "en"]
    refs_fr = [term for term, language in refs if language == "fr"]
    return make_document(
        source="hs_node",
        entity_id=str(row.id),
        key=f"{doc_type}:{nomenclature.code}:{row.code}",
        doc_type=doc_type,
        code=row.code,
        level=row.level,
        codes=prefixes_of(row.code),
        chapters=[row.code[:2]],
        countries=[nomenclature.country_iso3] if national else [],
        languages=["en", "fr"] if row.description_fr else ["en"],
        title=row.description_en,
        link={"endpoint": "hs.detail", "values": link_values},
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        weight=OLDER_EDITION_WEIGHT if closed_edition else CURRENT_EDITION_WEIGHT,
        spell=unique_words(with_joined_compounds(row.description_en), own_fr, *refs_en, *refs_fr),
        title_en=with_joined_compounds(strip_negations_en(row.description_en)),
        title_fr=with_joined_compounds(strip_negations_fr(row.description_fr or "")),
        refs_en="\n".join(refs_en),
        refs_fr="\n".join(refs_fr),
        # Low-weight background words: each once is enough, and far less to analyze.
        context_en=unique_words(
            section_en, *context_en, *(term for term, lang in inherited if lang == "en")
        ),
        context_fr=unique_words(
            section_fr, *context_fr, *(term for term, lang in inherited if lang == "fr")
        ),
        stored={
            "title_fr_text": row.description_fr,
            "snippet_en": " › ".join(a.description_en for a in ancestors),
            "edition": nomenclature.code,
            "refs": [f"{term}|{language}" for term, language in refs],
        },
    )


def count_hs_nodes(session: Session) -> int:
    return session.scalar(select(func.count(HsNode.id))) or 0


def _node_and_descendants(node: HsNode, connection) -> list[str]:
    """A node's text is its descendants' context: re-index them with it."""
    ids = connection.execute(
        select(HsNode.id).where(
            or_(HsNode.id == node.id, HsNode.code.startswith(node.code, autoescape=True))
        )
    ).scalars()
    return [str(found) for found in ids]


def _nodes_of_reference(reference: SearchReference, connection) -> list[str]:
    """A reference lives in the documents of its code and, as context, of the codes below
    (for its old and its new code)."""
    codes = {reference.code}
    history = inspect(reference).attrs.code.history
    codes.update(code for code in history.deleted or () if code)
    ids = connection.execute(
        select(HsNode.id)
        .join(Nomenclature, Nomenclature.id == HsNode.nomenclature_id)
        .where(
            Nomenclature.code == REFERENCE_EDITION,
            or_(*(HsNode.code.startswith(code, autoescape=True) for code in sorted(codes))),
        )
    ).scalars()
    return [str(found) for found in ids]


HS_NODE_SOURCE = register_source(
    DocumentSource("hs_node", load_hs_nodes, count_hs_nodes),
    watches=[
        Watch(HsNode, "hs_node", _node_and_descendants),
        Watch(SearchReference, "hs_node", _nodes_of_reference),
    ],
)
