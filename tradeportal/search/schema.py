"""The Whoosh schema of the portal's search index.

Bump ``SCHEMA_VERSION`` when the fields, their analysis or the documents change: an
index built by an older version is then reported as stale and rebuilt.
"""

from datetime import date

from whoosh import columns
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from tradeportal.search.analysis import english_analyzer, french_analyzer, plain_analyzer

SCHEMA_VERSION = 2
# The weight column holds the score multiplier times this (see documents.weight_value).
WEIGHT_SCALE = 10**15

# Open-ended validity is indexed as this day, so "valid_to >= day" needs no special case;
# content never in force (an announced agreement) starts on it and is never found by date.
FAR_FUTURE = date(9999, 12, 31)

# Field boosts, applied at query time: a word in a title outweighs one in a body, which
# outweighs one in the context (the descriptions of an HS node's ancestors).
# Editor-curated references weigh most: they are the words people actually type for that
# product. Index-time boosts would barely count: BM25 saturates term frequency, so a
# boost of 6 on one occurrence scores about like a boost of 4 (measured on the judged set).
TITLE_BOOST = 4.0
REFERENCE_BOOST = 6.0
BODY_BOOST = 1.5
CONTEXT_BOOST = 0.6

TEXT_FIELDS = {
    # field: (language, boost)
    "refs_en": ("en", REFERENCE_BOOST),
    "refs_fr": ("fr", REFERENCE_BOOST),
    "title_en": ("en", TITLE_BOOST),
    "title_fr": ("fr", TITLE_BOOST),
    "body_en": ("en", BODY_BOOST),
    "body_fr": ("fr", BODY_BOOST),
    "context_en": ("en", CONTEXT_BOOST),
    "context_fr": ("fr", CONTEXT_BOOST),
}
# Every text field of one language in one field, for finding documents only: a word's
# documents are one posting list instead of four, so intersecting the words of a query
# is cheap; the documents found are then scored on TEXT_FIELDS (see query.build_query).
MATCH_FIELDS = {"en": "all_en", "fr": "all_fr"}
FACET_FIELDS = ("type", "chapter", "country", "language")


class FacetKeywords(KEYWORD):
    """Space-separated values with a list column, so facets count multi-valued fields fast.

    Without a column Whoosh rebuilds a per-document list from every posting on each
    grouped search.
    """

    def __init__(self, stored: bool = False):
        super().__init__(stored=stored, lowercase=False, commas=False)
        self.column_type = columns.VarBytesListColumn()

    def to_column_value(self, value):
        values = value.split() if isinstance(value, str) else list(value)
        return [item.encode("utf-8") for item in values]

    def from_column_value(self, value):
        return [item.decode("utf-8") for item in value]


def _text(language: str) -> TEXT:
    return TEXT(analyzer=english_analyzer() if language == "en" else french_analyzer())


def build_schema() -> Schema:
    """Return a fresh schema object (Whoosh schemas are mutable; never share one)."""
    fields = {
        # "hs:HS2022:090121", "regulation:12": the document's natural key.
        "key": ID(stored=True, unique=True),
        # "<source>:<entity id>" as the queue names it, so a deletion finds the document.
        "entity": ID(stored=True),
        "type": FacetKeywords(stored=True),
        # Normalised digits of a code; "codes" holds every prefix of it (and, for content
        # linked to HS prefixes, of those), so a filter on 0901 finds the descendants.
        "code": ID(stored=True, sortable=True),
        "codes": KEYWORD(),
        "chapter": FacetKeywords(),
        "country": FacetKeywords(),
        "language": FacetKeywords(),
        # Unstemmed words of titles and references, each once: fuzzy matching and "did
        # you mean" (a fuzzy query on a stemmed field finds nothing). Not scorable: no
        # field lengths to write, and fuzzy hits only need to be found.
        "spell": KEYWORD(analyzer=plain_analyzer(), scorable=False),
        # Validity as ordinal days (inclusive), for the "as of" filter. Signed on purpose:
        # range queries on unsigned NUMERIC fields match everything in whoosh-reloaded
        # 2.7.5 (tests/search/test_index.py keeps the measurement).
        # The columns let the in-force set of a day be read without a range query.
        "valid_from": NUMERIC(int, bits=32, stored=True, sortable=True),
        "valid_to": NUMERIC(int, bits=32, stored=True, sortable=True),
        # A per-document multiplier of the score (see backend.RankedBM25F), in units of
        # 1/WEIGHT_SCALE, less a tie-break under 0.01 % (see documents.weight_value).
        "weight": NUMERIC(int, bits=64, sortable=True),
        # Shown on the results page, never searched.
        "title": STORED(),
        "title_fr_text": STORED(),
        "snippet_en": STORED(),
        "snippet_fr": STORED(),
        "link": STORED(),
        "edition": STORED(),
        "level": STORED(),
        "is_demo": STORED(),
        "refs": STORED(),
        "fingerprint": STORED(),
    }
    fields.update({name: _text(language) for name, (language, _) in TEXT_FIELDS.items()})
    fields.update({name: _text(language) for language, name in MATCH_FIELDS.items()})
    return Schema(**fields)
