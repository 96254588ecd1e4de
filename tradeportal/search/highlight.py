"""Marking the searched words in titles and snippets, escaping everything else.

The text is re-analysed with the field's analyzer, so "torréfié" is marked for a search
on "torrefie". Every piece of the text goes through ``markupsafe.escape``; the only markup
added is ``<mark>``, so templates can print the result without ``|safe`` on raw data.
"""

from collections.abc import Collection

from markupsafe import Markup, escape
from whoosh.support.charset import accent_map

from tradeportal.search.analysis import TOKEN, word_term


def _matches(text: str, terms: Collection[str], language: str) -> list[tuple[int, int]]:
    if not terms or not text:
        return []
    # The stemmers change a word's ending only: a word can give one of the terms only if
    # it starts as that term does (its first two letters, or its only one), once
    # lower-cased and folded as the analyzers do. The others are not analysed: a word
    # seen for the first time costs ~15 µs to stem.
    starts = {term[:2] for term in terms}
    return [
        match.span()
        for match in TOKEN.finditer(text)
        if _could_give(match.group().lower().translate(accent_map), starts)
        and word_term(match.group(), language) in terms
    ]


def _could_give(folded: str, starts: set[str]) -> bool:
    return folded[:2] in starts or folded[:1] in starts


def highlight(text: str | None, terms: Collection[str], language: str = "en") -> Markup:
    """Return ``text`` escaped, with the words that analyse to ``terms`` in ``<mark>``."""
    if not text:
        return Markup("")
    return _marked(text, _matches(text, terms, language), 0, len(text))


def snippet(
    text: str | None, terms: Collection[str], language: str = "en", width: int = 220
) -> Markup:
    """Return about ``width`` characters of ``text`` around its first matched word."""
    if not text:
        return Markup("")
    spans = _matches(text, terms, language)
    if len(text) <= width:
        return _marked(text, spans, 0, len(text))
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return _marked(text, spans, start, end)


_MARK, _END, _BEFORE, _AFTER = Markup("<mark>"), Markup("</mark>"), Markup("… "), Markup(" …")


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    parts = [_BEFORE] if start else []
    position = start
    for span_start, span_end in spans:
        if span_start < position or span_end > end:
            continue
        parts += (escape(text[position:span_start]), _MARK, escape(text[span_start:span_end]))
        parts.append(_END)
        position = span_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(_AFTER)
    return Markup("").join(parts)
