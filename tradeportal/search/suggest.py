"""Autocomplete for the search box: HS descriptions, search references and code prefixes.

Served from an in-memory sorted vocabulary rather than an index query: a prefix query
expands to every term sharing the prefix and scores every document holding one, while a
binary search over sorted keys answers in microseconds whatever the prefix. The
vocabulary is built from the live index's stored fields (HS codes and national lines in
force today, with their references), so it suggests exactly what search finds. It is
rebuilt when the index changed, at most every ``max_age`` seconds; meanwhile the
previous one answers.
"""

import heapq
import re
import threading
import time
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from datetime import date

from whoosh import query as wq

from tradeportal.hs.codes import format_code
from tradeportal.search.analysis import ENGLISH_STOP_WORDS, FRENCH_STOP_WORDS, fold
from tradeportal.search.backend import IndexStore
from tradeportal.search.results import PRODUCT_TYPES, in_force

# Longer input is not something being typed into a search box.
MAX_INPUT = 60
# Keys hold a word and what follows it, cut here: enough to match any typed prefix.
KEY_LENGTH = 48
_CANDIDATES = 300
# Prefixes shared by more keys than this are answered in advance.
_SMALL_SPAN = 16
_LAST_CHAR = chr(0x10FFFF)


@dataclass(frozen=True)
class Entry:
    label: str  # what the list shows
    code: str
    endpoint: str
    values: tuple[tuple[str, str], ...]
    rank: tuple  # lower first: references, then broader codes, then shorter texts
    folded: str  # the words to match, folded

    def as_json(self, url: str) -> dict:
        return {"label": self.label, "code": self.code, "url": url}


@dataclass
class Vocabulary:
    generation: tuple
    day: date
    built_at: float
    entries: list[Entry]
    # (folded text from one word on, entry index, word position), sorted
    keys: list[tuple[str, int, int]]
    ranks: list[tuple]  # the rank of each key's entry when that key matches
    codes: list[tuple[str, int, int]]  # (code digits, entry index, 0), sorted
    # The answers for short prefixes that many keys share ("co", "cof"), computed once.
    top: dict[str, list[int]]


_NON_WORD = re.compile(r"[\W_]+")


def _words(text: str) -> list[str]:
    return _NON_WORD.sub(" ", fold(text)).split()


def _keys(text: str, index: int) -> list[tuple[str, int, int]]:
    words = _words(text)
    return [
        (" ".join(words[position:])[:KEY_LENGTH], index, position)
        for position, word in enumerate(words)
        if word not in ENGLISH_STOP_WORDS and word not in FRENCH_STOP_WORDS
    ]


def build_vocabulary(borrowed, day: date) -> Vocabulary:
    """Read the suggestible documents of the index into sorted keys."""
    searcher = borrowed.searcher
    products = wq.Or([wq.Term("type", kind) for kind in PRODUCT_TYPES])
    allowed = in_force(borrowed, day)
    entries: list[Entry] = []
    keys: list[tuple[str, int, int]] = []
    codes: list[tuple[str, int, int]] = []
    for docnum in sorted(searcher.docs_for_query(products)):
        if docnum not in allowed:
            continue
        stored = searcher.stored_fields(docnum)
        code, title = stored.get("code", ""), stored.get("title", "")
        link = stored.get("link") or {}
        values = tuple(sorted((k, str(v)) for k, v in link.get("values", {}).items()))
        base = dict(code=code, endpoint=link.get("endpoint", "hs.detail"), values=values)
        label = f"{format_code(code)} {title}"
        index = len(entries)
        folded = fold(f"{title} {stored.get('title_fr_text') or ''}")
        entries.append(Entry(label=label, rank=(1, len(code), len(title)), folded=folded, **base))
        keys += _keys(title, index)
        if stored.get("title_fr_text"):
            # French labels below headings repeat the heading: "Café, … — non décaféiné".
            keys += _keys(stored["title_fr_text"].rsplit(" — ", 1)[-1], index)
        codes.append((code, index, 0))
        for item in stored.get("refs") or []:
            term = item.rsplit("|", 1)[0]
            index = len(entries)
            entries.append(
                Entry(
                    label=f"{term} → {label}",
                    rank=(0, len(code), len(term)),
                    folded=fold(term),
                    **base,
                )
            )
            keys += _keys(term, index)
    keys.sort()
    codes.sort()
    # Order of matches: references, then common words ("cof" completes to "coffee"
    # before "coffer"), the word at the start, broader codes, shorter texts.
    word_counts = Counter(key.split(" ", 1)[0] for key, _index, _position in keys)
    ranks = [
        (
            entries[index].rank[0],
            -word_counts[key.split(" ", 1)[0]],
            position > 0,
            *entries[index].rank[1:],
            entries[index].code,
        )
        for key, index, position in keys
    ]
    vocabulary = Vocabulary(
        borrowed.generation, day, time.monotonic(), entries, keys, ranks, codes, {}
    )
    vocabulary.top = _common_prefixes(vocabulary)
    return vocabulary


def _span(items: list[tuple[str, int, int]], prefix: str, start: int = 0) -> tuple[int, int]:
    """Return the positions of the sorted items whose text starts with ``prefix``."""
    low = bisect_left(items, (prefix,), lo=start)
    return low, bisect_left(items, (prefix + _LAST_CHAR,), lo=low)


def _best(vocabulary: Vocabulary, positions, limit: int) -> list[int]:
    """Return the entry indexes of the best-ranked keys among ``positions``."""
    best: dict[int, tuple] = {}
    keys, ranks = vocabulary.keys, vocabulary.ranks
    for position in positions:
        index = keys[position][1]
        if index not in best or ranks[position] < best[index]:
            best[index] = ranks[position]
    return heapq.nsmallest(limit, best, key=best.__getitem__)


def _common_prefixes(vocabulary: Vocabulary, limit: int = 10) -> dict[str, list[int]]:
    """Answer in advance the prefixes of two to five letters that many keys share."""
    top: dict[str, list[int]] = {}
    keys = vocabulary.keys
    for length in range(2, 6):
        start = 0
        while start < len(keys):
            prefix = keys[start][0][:length]
            if len(prefix) < length:
                # A shorter key ("mat"): the next keys may still share a longer prefix
                # ("mater..."); jumping past all keys starting "mat" would miss them.
                start += 1
                continue
            low, high = _span(keys, prefix, start)
            if high - low > _SMALL_SPAN:
                top[prefix] = _best(vocabulary, range(low, high), limit)
            start = max(high, start + 1)
    return top


def _ranked(vocabulary: Vocabulary, prefix: str, limit: int) -> list[int]:
    """Return the best entries whose keys start with ``prefix``."""
    if prefix in vocabulary.top:
        return vocabulary.top[prefix][:limit]
    low, high = _span(vocabulary.keys, prefix)
    return _best(vocabulary, range(low, min(high, low + _CANDIDATES)), limit)


def suggest(vocabulary: Vocabulary, text: str, limit: int = 10) -> list[Entry]:
    """Return up to ``limit`` entries completing ``text``: codes for digits, else words."""
    text = text[:MAX_INPUT]
    digits = "".join(char for char in text if char.isdigit())
    if digits and len(digits) == len(text.replace(".", "").replace(" ", "")):
        low, high = _span(vocabulary.codes, digits)
        return [
            vocabulary.entries[vocabulary.codes[i][1]] for i in range(low, min(high, low + limit))
        ]
    words = _words(text)
    if not words:
        return []
    # The words typed in order first ("roasted cof"), then entries holding every
    # earlier word anywhere and a word starting with the last one.
    found = _ranked(vocabulary, " ".join(words)[:KEY_LENGTH], limit)
    if len(found) < limit and len(words) > 1:
        earlier = words[:-1]
        low, high = _span(vocabulary.keys, words[-1])
        more = [
            position
            for position in range(low, min(high, low + _CANDIDATES))
            if all(word in _words(vocabulary.entries[vocabulary.keys[position][1]].folded)
                   for word in earlier)
        ]  # fmt: skip
        found += [index for index in _best(vocabulary, more, limit) if index not in found]
    return [vocabulary.entries[index] for index in found[:limit]]


class SuggestionCache:
    """One vocabulary per process, rebuilt when the index or the day changed."""

    def __init__(self, max_age: float = 30.0):
        self.max_age = max_age
        self._vocabulary: Vocabulary | None = None
        self._lock = threading.Lock()

    def get(self, store: IndexStore, day: date) -> Vocabulary:
        current = self._vocabulary
        if current is not None and (
            current.day == day and time.monotonic() - current.built_at < self.max_age
        ):
            return current
        # One thread rebuilds; the others keep answering from the previous vocabulary.
        if current is not None and not self._lock.acquire(blocking=False):
            return current
        if current is None:
            self._lock.acquire()
        try:
            with store.searcher() as borrowed:
                generation = borrowed.generation
                current = self._vocabulary
                if (
                    current is not None
                    and current.generation == generation
                    and (current.day == day)
                ):
                    current.built_at = time.monotonic()
                    return current
                self._vocabulary = build_vocabulary(borrowed, day)
                return self._vocabulary
        finally:
            self._lock.release()
