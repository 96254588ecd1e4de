"""Running a search: words or a code prefix, filters, facets, typo fallback, one page.

Used by the search page and, later, by the API: it returns plain data (no HTML beyond
escaped highlights), and never writes.

Ranking across types: one list ordered by score, where each document's BM25F score is
multiplied by a type weight (HS codes 1.0, regulations and procedures 0.8, other
content 0.7, HS codes of an older edition 0.6). Product codes therefore lead for product
words, while a regulation that matches much better still shows between them; the type
facet narrows to one kind.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from whoosh import collectors, sorting
from whoosh import query as wq
from whoosh.idsets import BitSet

from tradeportal.hs.codes import format_code
from tradeportal.search.analysis import fold
from tradeportal.search.backend import IndexStore
from tradeportal.search.docsets import facet_documents, matching_documents
from tradeportal.search.found_scoring import allowed_mask, top_found
from tradeportal.search.highlight import highlight, snippet
from tradeportal.search.query import (
    Unit,
    build_query,
    code_query,
    correct_units,
    guess_language,
    matching_part,
    query_terms,
    split_units,
    units_text,
)
from tradeportal.search.schema import FACET_FIELDS

PRODUCT_TYPES = ("hs", "national_line")
# The keys are the API's document types; the labels are for the search page (translated).
TYPE_LABELS = {
    "hs": _l("HS codes"),
    "national_line": _l("National tariff lines"),
    "regulation": _l("Regulations"),
    "procedure": _l("Procedures"),
    "agreement": _l("Agreements and schemes"),
    "country": _l("Countries"),
    "tender": _l("Tenders"),
    "page": _l("Pages"),
}
# One result's badge.
HIT_LABELS = {
    "hs": _l("HS code"),
    "national_line": _l("National tariff line"),
    "regulation": _l("Regulation"),
    "procedure": _l("Procedure"),
    "agreement": _l("Agreement or scheme"),
    "country": _l("Country"),
    "tender": _l("Tender"),
    "page": _l("Page"),
}
LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French")}


@dataclass(frozen=True)
class SearchParams:
    text: str
    day: date
    filters: dict[str, str] = field(default_factory=dict)  # facet field -> value
    page: int = 1
    page_size: int = 20
    max_pages: int = 50
    few_hits: int = 3  # fewer hits than this try close spellings too
    code_prefix: str | None = None  # list the codes starting with these digits instead
    facets: bool = True  # count the facets (the page does; an API list may not)


@dataclass
class Hit:
    key: str
    doc_type: str
    title: Markup
    title_fr: Markup | None
    snippet: Markup | None
    endpoint: str
    values: dict
    code: str | None
    edition: str | None
    is_demo: bool
    matched_refs: list[str]
    score: float
    snippet_fr: Markup | None = None

    @property
    def code_display(self) -> str | None:
        return format_code(self.code) if self.code else None

    @property
    def edition_label(self) -> str | None:
        """Say "HS 2017" on codes of an edition other than the one in force."""
        return self.edition.replace("HS", "HS ") if self.edition else None


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass
class SearchResults:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 0
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    corrected: str | None = None  # "did you mean"
    fuzzy: bool = False  # close spellings were searched too
    language: str = "und"
    no_words: bool = False  # nothing searchable in the query

    @property
    def product_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if hit.doc_type in PRODUCT_TYPES]


def _facet_counts(borrowed, matched: set[int]) -> dict[str, dict[str, int]]:
    """Count each facet value among the matched documents: one set intersection each.

    The documents of every facet value are read once per searcher; grouping the scored
    hits instead meant scoring every match.
    """
    counts: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        documents = borrowed.remember(
            ("facet", name), lambda name=name: facet_documents(borrowed.searcher, name)
        )
        counts[name] = {value: n for value, docs in documents.items() if (n := len(matched & docs))}
    return counts


def _facet_values(
    counts: dict[str, dict[str, int]], selected: dict[str, str]
) -> dict[str, list[FacetValue]]:
    facets = {}
    for name in FACET_FIELDS:
        ordered = sorted(counts.get(name, {}).items(), key=lambda item: (-item[1], item[0]))
        facets[name] = [
            FacetValue(value, count, selected.get(name) == value) for value, count in ordered
        ]
    return facets


def in_force(borrowed, day: date) -> BitSet:
    """Return the documents in force on ``day``, once per searcher and day.

    Read from the validity columns: a range query over every document took ~170 ms.
    """

    def compute():
        reader = borrowed.searcher.reader()
        number = day.toordinal()
        starts = reader.column_reader("valid_from")
        ends = reader.column_reader("valid_to")
        allowed = [
            docnum
            for docnum, (start, end) in enumerate(zip(starts, ends, strict=True))
            if start <= number <= end
        ]
        return BitSet(allowed, size=reader.doc_count_all())

    return borrowed.remember(("in force", day), compute)


class _Filter:
    """The documents a date and filters let through: a set, and the same documents as
    found_scoring takes them (a mask, made when first asked)."""

    def __init__(self, numbers: set[int], doc_count: int):
        self.numbers, self._doc_count = numbers, doc_count

    @cached_property
    def mask(self):
        return allowed_mask(self.numbers, self._doc_count)


def _filter(borrowed, params: SearchParams) -> _Filter:
    """Return the documents the date and filters let through, once per searcher."""
    terms = [wq.Term(name, value) for name, value in sorted(params.filters.items())]
    if params.code_prefix:
        terms.append(wq.Or([wq.Term("type", kind) for kind in PRODUCT_TYPES]))
    key = ("filter", params.day, tuple(sorted(params.filters.items())), bool(params.code_prefix))
    searcher = borrowed.searcher

    def compute():
        allowed = set(in_force(borrowed, params.day))
        if terms:
            allowed.intersection_update(searcher.docs_for_query(wq.And(terms)))
        return _Filter(allowed, searcher.doc_count_all())

    return borrowed.remember(key, compute, large=True)


def _allowed(borrowed, params: SearchParams) -> set[int]:
    """Return the documents the date and filters let through, once per searcher.

    A plain set, shared by the searches of this searcher (never modify it): Whoosh
    takes sets as filters, and set operations and ``in`` run at C speed.
    """
    return _filter(borrowed, params).numbers


def _code_order(borrowed) -> sorting.FunctionFacet:
    """Order by the ``code`` column, read once per searcher.

    ``sortedby="code"`` reopens the column for every search, and reading its offsets
    cost ~4 ms of a ~5 ms code search at 100,000 documents; this reads them once.
    """
    # One entry per searcher: kept with the small answers, not evicted by filter sets.
    codes = borrowed.remember(
        ("code column",), lambda: list(borrowed.searcher.reader().column_reader("code"))
    )
    return sorting.FunctionFacet(lambda _searcher, docnum: codes[docnum])


def _matched_refs(stored_refs: list[str], units: list[Unit]) -> list[str]:
    words = {fold(unit.text) for unit in units}
    matched = []
    for item in stored_refs or []:
        term = item.rsplit("|", 1)[0]
        if set(fold(term).replace("-", " ").split()) & words or fold(term) in words:
            matched.append(term)
    return matched


def _hit(found, units: list[Unit], terms: dict[str, set[str]]) -> Hit:
    stored = found.fields()
    link = stored.get("link") or {}
    is_product = stored.get("type") in PRODUCT_TYPES
    return Hit(
        key=stored["key"],
        doc_type=stored.get("type", ""),
        title=highlight(stored.get("title"), terms["en"], "en"),
        title_fr=(
            highlight(stored["title_fr_text"], terms["fr"], "fr")
            if stored.get("title_fr_text")
            else None
        ),
        snippet=(
            snippet(stored.get("snippet_en"), terms["en"], "en")
            if stored.get("snippet_en")
            else None
        ),
        endpoint=link.get("endpoint", "search.search"),
        values=dict(link.get("values", {})),
        code=stored.get("code"),
        edition=stored.get("edition") if is_product else None,
        is_demo=bool(stored.get("is_demo")),
        matched_refs=_matched_refs(stored.get("refs"), units),
        score=found.score or 0.0,
        snippet_fr=(
            snippet(stored.get("snippet_fr"), terms["fr"], "fr")
            if stored.get("snippet_fr")
            else None
        ),
    )


@dataclass(frozen=True)
class _Found:
    """A document scored by found_scoring, read as a Whoosh hit is."""

    searcher: object
    docnum: int
    score: float

    def fields(self) -> dict:
        return self.searcher.stored_fields(self.docnum)

    def __getitem__(self, name: str):
        return self.fields()[name]


class _BoundedTopCollector(collectors.TopCollector):
    """The top N by weighted score, skipping blocks of postings that cannot enter it.

    Whoosh turns block skipping off when the weighting has a final() step. Ours only
    multiplies by the document's weight, which is at most 1, so a block's unweighted
    best score still bounds its weighted scores and skipping stays exact.
    """

    def _use_block_quality(self):
        return self.usequality and self.matcher.supports_block_quality()


def _run(borrowed, q, params: SearchParams):
    """Return the results (one page's worth), and the documents that matched."""
    limit = min(params.page, params.max_pages) * params.page_size
    allowed = _allowed(borrowed, params)
    if not allowed:
        # Whoosh reads an empty filter as "no filter": let through nothing explicitly
        # (no document number is negative).
        allowed = {-1}
    if params.code_prefix:
        results = borrowed.searcher.search(
            q, filter=allowed, limit=limit, sortedby=_code_order(borrowed)
        )
    else:
        # By score; equal scores are ordered by the weight's tie-break. Searches of words
        # are scored term by term (found_scoring.py), counting what they found; the rest
        # by Whoosh's collector, which skips what cannot enter the top N, so it does not
        # count: sets of documents do.
        scored = top_found(borrowed.searcher, q, _filter(borrowed, params).mask, limit)
        if scored is not None:
            top, matched = scored
            return [_Found(borrowed.searcher, docnum, score) for score, docnum in top], matched
        collector = collectors.FilterCollector(_BoundedTopCollector(limit=limit), allow=allowed)
        borrowed.searcher.search_with_collector(q, collector)
        results = collector.results()
    return results, matching_documents(borrowed.searcher, matching_part(q), allowed)


def _attempts(units: list[Unit], corrected: list[Unit] | None, every_word_query):
    """The queries to try, cheapest first (``every_word_query``: the first, built), each
    built only when it is tried."""
    yield every_word_query, False
    if corrected:
        yield build_query(corrected, every_word=True), True
    yield build_query(units), False
    fuzzy = build_query(units, fuzzy=True)
    yield (wq.Or([fuzzy, build_query(corrected)]) if corrected else fuzzy), True


def _word_results(
    borrowed, units: list[Unit], every_word_query, params: SearchParams, outcome: SearchResults
):
    """Run the cheapest query that finds enough: every word (``every_word_query``), then
    the corrected words, then some of the words, then close spellings; keep the one that
    found the most.
    """
    corrected = correct_units(borrowed.searcher, units)
    outcome.corrected = units_text(corrected) if corrected else None
    best, tried = None, []
    for q, is_fuzzy in _attempts(units, corrected, every_word_query):
        if q in tried:  # one word: "every word" and "some words" are the same query
            continue
        tried.append(q)
        found = _run(borrowed, q, params)
        if best is None or len(found[1]) > len(best[0][1]):
            best = (found, is_fuzzy)
        if len(found[1]) >= params.few_hits:
            break
    found, outcome.fuzzy = best
    return found, units + (corrected or []) if outcome.fuzzy else units


def run_search(store: IndexStore, params: SearchParams) -> SearchResults:
    """Search the live index; raise IndexUnavailable when there is none."""
    units = split_units(params.text)
    with store.searcher() as borrowed:
        outcome = SearchResults(page=params.page)
        if params.code_prefix:
            found = _run(borrowed, code_query(params.code_prefix), params)
        else:
            every_word_query = build_query(units, every_word=True)
            if every_word_query is None:  # no word makes a query, in either shape
                outcome.no_words = True
                return outcome
            outcome.language = guess_language(params.text, borrowed.searcher)
            found, units = _word_results(borrowed, units, every_word_query, params, outcome)
        results, matched = found
        outcome.total = len(matched)
        outcome.pages = min(math.ceil(outcome.total / params.page_size), params.max_pages)
        if params.facets:
            outcome.facets = _facet_values(_facet_counts(borrowed, matched), params.filters)
        start = (params.page - 1) * params.page_size
        terms = query_terms(units)
        outcome.hits = [
            _hit(found, units, terms)
            for found in results[start : start + params.page_size]
            if params.page <= params.max_pages
        ]
        return outcome
