"""Reading what people type into a search, and turning it into Whoosh queries.

Queries are built here from analysed words, never by Whoosh's query parser: query syntax
typed by a user ("AND", "*", "(", a lone quote) is just text, so no input can raise.
Paired double quotes make phrases; an unpaired one is dropped.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

from whoosh import query as wq

from tradeportal.hs.codes import VALID_LENGTHS
from tradeportal.search.analysis import (
    ENGLISH_STOP_WORDS,
    FRENCH_STOP_WORDS,
    analyze,
    analyze_words,
    english_analyzer,
    fold,
    french_analyzer,
    plain_analyzer,
)
from tradeportal.search.docsets import CountedOn, FoundDocuments, boosted
from tradeportal.search.schema import MATCH_FIELDS, TEXT_FIELDS, TITLE_BOOST

# Input made only of digits and separators (optionally "HS ...") is meant as a code.
CODE_LIKE = re.compile(r"^\s*(?:hs|sh)?(?:\s*code)?[\s:#]*[0-9][0-9.\s\-]*$", re.IGNORECASE)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "＂": '"'})
_WORD = re.compile(r"\w[\w.'’\-]*")
_CODE_WORD = re.compile(r"[0-9]{2}(?:\.?[0-9]{2}){0,4}")
# All typed words found beat some of them (see build_query).
ALL_WORDS_BOOST = 4.0
# Fuzzy matches count less than the words as typed.
FUZZY_BOOST = 0.5
# Words used: phrases of more, or more words, are cut.
MAX_UNITS = 12


@dataclass(frozen=True)
class Unit:
    """One searched word, or one quoted phrase."""

    text: str
    phrase: bool = False

    @property
    def optional(self) -> bool:
        """A stop word in either language need not be found ("the", "de", "or")."""
        return not self.phrase and (
            self.text.lower() in ENGLISH_STOP_WORDS or fold(self.text) in FRENCH_STOP_WORDS
        )


def normalise_query(raw: str | None, limit: int) -> tuple[str, bool]:
    """Return the query as searched (capped, controls removed, spaces collapsed) and
    whether it was cut."""
    raw = raw or ""
    # Cap first so the work below is bounded; NFKC can lengthen text, so cap again.
    text = unicodedata.normalize("NFKC", raw[: limit * 2])
    truncated = len(raw) > limit or len(text) > limit
    text = text[:limit]
    # Control, format, surrogate, private-use and unassigned characters become spaces.
    text = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text)
    return " ".join(text.split()), truncated


def split_units(text: str) -> list[Unit]:
    """Split a query into words and "quoted phrases"; an unpaired quote is dropped."""
    text = text.translate(_QUOTES)
    pieces = text.split('"')
    if len(pieces) % 2 == 0:  # an odd number of quotes: the last one has no partner
        pieces[-2:] = [pieces[-2] + " " + pieces[-1]]
    units: list[Unit] = []
    for index, piece in enumerate(pieces):
        words = _WORD.findall(piece)
        if index % 2 == 1 and len(words) > 1:
            units.append(Unit(" ".join(words), phrase=True))
        else:
            units.extend(Unit(word.strip(".'’-")) for word in words if word.strip(".'’-"))
    return units[:MAX_UNITS]


def code_digits(word: str) -> str | None:
    """Return the digits of a word written like an HS code ("0901", "0901.21")."""
    if not _CODE_WORD.fullmatch(word):
        return None
    return word.replace(".", "")


def _field_query(field: str, terms: list[str], phrase: bool, boost: float):
    if len(terms) == 1:
        return boosted(wq.Term(field, terms[0]), boost)
    # Context fields hold each word once (no positions worth a phrase).
    if phrase and not field.startswith("context"):
        return boosted(wq.Phrase(field, terms), boost)
    return boosted(wq.And([wq.Term(field, term) for term in terms]), boost)


def unit_query(unit: Unit, *, fuzzy: bool = False):
    """Return the query of one word or phrase across every text field, or None."""
    terms_by_language = _language_terms(unit.text)
    alternatives = []
    for field, (language, boost) in TEXT_FIELDS.items():
        terms = terms_by_language[language]
        if terms:
            alternatives.append(_field_query(field, terms, unit.phrase, boost))
    digits = code_digits(unit.text)
    if digits:
        alternatives.append(boosted(wq.Term("codes", digits), TITLE_BOOST))
    if fuzzy and not unit.phrase:
        for word in analyze(plain_analyzer(), unit.text):
            distance = fuzzy_distance(word)
            if distance:
                alternatives.append(
                    boosted(
                        wq.FuzzyTerm(
                            "spell", word, maxdist=distance, prefixlength=fuzzy_prefix(word)
                        ),
                        FUZZY_BOOST,
                    )
                )
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)


def _language_terms(text: str) -> dict[str, list[str]]:
    return {"en": analyze_words(text, "en"), "fr": analyze_words(text, "fr")}


def match_query(unit: Unit):
    """Return a query finding (not scoring) the documents ``unit_query`` finds, or more.

    Words: one posting list per language instead of one per field. A phrase: in each
    field, as it is scored (context fields keep their "every word" reading of it); the
    search finds each field's phrase once and scores from it (docsets.Reads), and no
    phrase spans two fields' texts, as it could in the combined field.
    """
    terms_by_language = _language_terms(unit.text)
    if unit.phrase:
        fields = {field: language for field, (language, _boost) in TEXT_FIELDS.items()}
    else:
        fields = {field: language for language, field in MATCH_FIELDS.items()}
    alternatives = [
        _field_query(field, terms_by_language[language], unit.phrase, 1.0)
        for field, language in fields.items()
        if terms_by_language[language]
    ]
    digits = code_digits(unit.text)
    if digits:
        alternatives.append(wq.Term("codes", digits))
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)


def found_then_scored(found, scored):
    """Documents of ``found``, scored by ``scored`` alone.

    Intersecting the words on the combined fields is cheap; scoring then reads each
    field only for the documents found, instead of intersecting every field's postings.
    """
    return wq.AndMaybe(FoundDocuments(found), scored)


def matching_part(q):
    """Return the part of a query that decides which documents match (for counting)."""
    if isinstance(q, wq.AndMaybe) and isinstance(q.a, FoundDocuments):
        return q.a
    if isinstance(q, CountedOn):
        return q.found
    return q


def fuzzy_distance(word: str) -> int:
    """Edits allowed for a typo: none under four letters, one up to five, then two."""
    if len(word) < 4 or not word.isalpha():
        return 0
    return 1 if len(word) <= 5 else 2


def fuzzy_prefix(word: str) -> int:
    """Letters a close spelling must share at the start: typos are rarely there, and each
    letter divides the words to compare by about twenty."""
    return 2 if len(word) >= 5 else 1


def build_query(units: list[Unit], *, fuzzy: bool = False, every_word: bool = False):
    """Return the query of a list of words and phrases.

    ``every_word``: documents holding every required word (stop words only add to the
    score). Otherwise: documents holding any word, where those holding every required
    word score the AND part (boosted) on top, so "all words" ranks above "some words".
    The search runs the first and falls back to the second when it finds too little
    (see results.run_search): scoring every document with any of the words is what
    costs, so it is done only when needed.
    """
    queries = [(unit, q) for unit in units if (q := unit_query(unit, fuzzy=fuzzy)) is not None]
    if not queries:
        return None
    if len(queries) == 1:
        unit, q = queries[0]
        # A phrase: found in each field (see match_query), then scored there.
        if unit.phrase:
            return found_then_scored(match_query(unit), q)
        # One term per language: the combined fields hold exactly the documents of its
        # every field, so they are counted there (two posting lists instead of eight),
        # while Whoosh scores the fields and skips what cannot enter the top N.
        if not fuzzy and all(len(terms) <= 1 for terms in _language_terms(unit.text).values()):
            return CountedOn(q, match_query(unit))
        return q
    # Stop words need not be found, unless the query is nothing else.
    required = [(unit, q) for unit, q in queries if not unit.optional] or queries
    if every_word:
        # Scored by every word found, as And(required) plus the optional words scored.
        found = [match_query(unit) for unit, _ in required]
        found_all = found[0] if len(found) == 1 else wq.And(found)
        return found_then_scored(found_all, wq.Or([q for _, q in queries]))
    every = boosted(wq.And([q for _, q in required]), ALL_WORDS_BOOST)
    return wq.Or([every, wq.Or([q for _, q in queries])])


def code_query(digits: str):
    """Documents whose code starts with ``digits`` (the codes field holds every prefix)."""
    if len(digits) in VALID_LENGTHS:
        return wq.Term("codes", digits)
    return wq.Prefix("codes", digits)


def query_terms(units: list[Unit]) -> dict[str, set[str]]:
    """Return the analysed terms of the query per language, for highlighting."""
    terms: dict[str, set[str]] = {"en": set(), "fr": set()}
    for unit in units:
        terms["en"].update(analyze_words(unit.text, "en"))
        terms["fr"].update(analyze_words(unit.text, "fr"))
    return terms


def as_of_filter(day: date):
    """Documents in force on ``day`` (validity stored as inclusive ordinal days)."""
    number = day.toordinal()
    return wq.And(
        [
            wq.NumericRange("valid_from", None, number),
            wq.NumericRange("valid_to", number, None),
        ]
    )


_FRENCH_LETTERS = re.compile(r"[éèêëàâîïôûùüçœæ]", re.IGNORECASE)


def guess_language(text: str, searcher=None) -> str:
    """Guess whether a query is English or French: "en", "fr", or "und" when unclear.

    Stop words and French accents decide first; otherwise the index says which
    language's titles hold the words.
    """
    words = _WORD.findall(text)
    french = sum(fold(w) in FRENCH_STOP_WORDS for w in words) + 2 * bool(
        _FRENCH_LETTERS.search(text)
    )
    english = sum(w.lower() in ENGLISH_STOP_WORDS for w in words)
    if french == english and searcher is not None:
        # "in" stops at the first segment holding the term; doc_frequency reads them all.
        reader = searcher.reader()
        for word in words:
            english += sum(("title_en", t) in reader for t in analyze_words(word, "en"))
            french += sum(("title_fr", t) in reader for t in analyze_words(word, "fr"))
    if french > english:
        return "fr"
    if english > french:
        return "en"
    return "und"


def correct_units(searcher, units: list[Unit]) -> list[Unit] | None:
    """Return the words with unknown ones replaced by the closest indexed word, or None.

    Candidates come from the unstemmed words of titles and references; the closest is
    the fewest edits away, then the one sharing most letters with the typed word, then
    the most frequent ("shirmp" → "shrimps" before "shirts").
    """
    reader = searcher.reader()
    corrected, changed = [], False
    for unit in units:
        text = fold(unit.text)
        if not unit.phrase:
            for word in analyze(plain_analyzer(), unit.text):
                if not fuzzy_distance(word) or is_known_word(reader, word):
                    continue
                replacement = _closest_word(reader, word)
                if replacement:
                    text = re.sub(rf"\b{re.escape(word)}\b", replacement, text)
        changed = changed or text != fold(unit.text)
        corrected.append(Unit(text, unit.phrase) if text != fold(unit.text) else unit)
    return corrected if changed else None


def _closest_word(reader, word: str) -> str | None:
    letters = Counter(word)
    for edits in range(1, fuzzy_distance(word) + 1):
        candidates = set(reader.terms_within("spell", word, edits, prefix=fuzzy_prefix(word)))
        if candidates:
            return min(
                candidates,
                key=lambda term: (
                    -sum((letters & Counter(term)).values()),
                    -reader.doc_frequency("spell", term),
                    term,
                ),
            )
    return None


def is_known_word(reader, word: str) -> bool:
    """Tell whether the index holds a word as typed, or its stem in some text field."""
    if ("spell", fold(word)) in reader:
        return True
    for field, (language, _boost) in TEXT_FIELDS.items():
        analyzer = english_analyzer() if language == "en" else french_analyzer()
        if any((field, term) in reader for term in analyze(analyzer, word)):
            return True
    return False


def units_text(units: list[Unit]) -> str:
    return " ".join(f'"{unit.text}"' if unit.phrase else unit.text for unit in units)
