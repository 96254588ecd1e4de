"""Text analysis for the index: English and French analyzers, and negation stripping.

Measured pitfalls this follows (docs/research/deps-perf-reliability.md §1.4):
- accents are folded BEFORE stemming, or "torréfiés" and "torrefie" stem apart;
- Whoosh's French StopFilter unions the English list, so the folded "thé" (tea) became
  "the" and was dropped: the French filter gets its own list and ``lang=None``;
- fuzzy matching finds nothing on a stemmed field, so typos go to an unstemmed field;
- codes never go through a word analyzer ("0901.21" must stay whole).
"""

import re
import unicodedata
from functools import cache, lru_cache

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    SubstitutionFilter,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

# Whoosh's default token pattern: keeps "0901.21" and "g/m2" pieces as words.
WORD_PATTERN = r"\w+(\.?\w+)*"


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case and strip accents, as the analyzers do: "Café" → "cafe"."""
    folded = text.casefold().translate(accent_map)
    if folded.isascii():
        return folded
    return _COMBINING.sub("", unicodedata.normalize("NFKD", folded))


ENGLISH_STOP_WORDS = frozenset(stopwords_for_language("en"))
# Whoosh's list lacks the plural articles and elided forms; folded like the tokens.
FRENCH_STOP_WORDS = frozenset(
    fold(word) for word in stopwords_for_language("fr") | {"les", "l", "d", "qu", "n", "s"}
)


@cache
def english_analyzer():
    """Tokenize, lower-case, fold accents, drop English stop words, stem (Porter)."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=ENGLISH_STOP_WORDS, lang=None)
        | StemFilter(lang="en")
    )


@cache
def french_analyzer():
    """Tokenize, lower-case, fold accents (before stemming), drop French stop words, stem.

    Folded feminine participles end in "ee(s)", which the stemmer cuts to a different
    stem than the masculine ("coupées" → "coupe", "coupés" → "coup"): they are brought
    to the masculine ending first.
    """
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | SubstitutionFilter(r"ee(s?)$", r"e\1")
        | StopFilter(stoplist=FRENCH_STOP_WORDS, lang=None)
        | StemFilter(lang="fr")
    )


@cache
def plain_analyzer():
    """Tokenize, lower-case and fold only: the words as written, for typos and autocomplete."""
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


def analyze(analyzer, text: str) -> list[str]:
    """Return the index terms ``analyzer`` makes of ``text``."""
    return [token.text for token in analyzer(text)]


LANGUAGE_ANALYZERS = {"en": english_analyzer, "fr": french_analyzer}
# The analyzers' tokens: every filter after the tokenizer works on one token at a time,
# so a word analysed alone gives the term it gives in its text.
TOKEN = re.compile(WORD_PATTERN)


@lru_cache(maxsize=100_000)
def word_term(word: str, language: str) -> str | None:
    """The index term of one word (None for a stop word), analysed once per process:
    a page of results analysed every word of its titles and snippets, ~1 ms a search."""
    terms = analyze(LANGUAGE_ANALYZERS[language](), word)
    return terms[0] if terms else None


def analyze_words(text: str, language: str) -> list[str]:
    """``analyze`` with the language's analyzer, one word at a time (word_term)."""
    return [
        term
        for match in TOKEN.finditer(text)
        if (term := word_term(match.group(), language)) is not None
    ]


_HYPHENATED = re.compile(r"\b(\w+)-(\w+)\b")


def with_joined_compounds(text: str) -> str:
    """Append the hyphen-less form of hyphenated words: "T-shirts" is also "Tshirts"."""
    joined = {first + second for first, second in _HYPHENATED.findall(text)}
    return text + "\n" + " ".join(sorted(joined)) if joined else text


# --- Negation stripping -------------------------------------------------------------
#
# HS texts describe a product by what it is NOT as often as by what it is: "T-shirts; of
# textile materials (other than cotton)". Indexed as written, "cotton" ranks that line
# next to the cotton one. The clause a negation opens is dropped from the INDEXED text
# (pages show the full text): "Coffee; not roasted" still matches "coffee" but no longer
# ranks for "roasted". A clause ends at ";", "," or ")" — inside parentheses only at ")"
# or ";", because "(excl. for slaughter, pure-bred for breeding)" lists several exclusions.

_ENGLISH_NEGATION = re.compile(
    r"(?<![\w-])(?:other\s+than|excluding|excl\.|except|neither|nor|"
    # "whether or not roasted" includes roasted; "not more than 200 g" is a quantity.
    r"(?<!whether or )not(?!\s+(?:more|less|over|exceeding|under)\b))(?![\w-])",
    re.IGNORECASE,
)
_FRENCH_NEGATION = re.compile(
    r"(?<![\w-])(?:autres?\s+que|à\s+l['’]exclusion\s+(?:des?|du|d['’])|non|sauf|ni)(?![\w])",
    re.IGNORECASE,
)


def _clause_end(text: str, start: int, in_parentheses: bool) -> int:
    stops = ";)" if in_parentheses else ";,)"
    for index in range(start, len(text)):
        if text[index] in stops:
            return index
    return len(text)


def _strip(text: str, pattern: re.Pattern) -> str:
    parts, position = [], 0
    for match in pattern.finditer(text):
        if match.start() < position:
            continue  # inside a clause already dropped
        depth = text.count("(", 0, match.start()) - text.count(")", 0, match.start())
        end = _clause_end(text, match.end(), in_parentheses=depth > 0)
        parts.append(text[position : match.start()])
        position = end
    parts.append(text[position:])
    return "".join(parts)


# "non-alcoholic" negates one word, not a clause.
_ENGLISH_NON_WORD = re.compile(r"(?<![\w-])non-\w+", re.IGNORECASE)


def strip_negations_en(text: str) -> str:
    """Drop the clauses of an English HS text that say what the product is not."""
    return _strip(_ENGLISH_NON_WORD.sub("", text), _ENGLISH_NEGATION)


def strip_negations_fr(text: str) -> str:
    """Drop the clauses of a French HS text that say what the product is not."""
    return _strip(text, _FRENCH_NEGATION)
