"""Publisher texts as the portal shows them: plain paragraphs, first sentences, language."""

import re
from html import unescape
from html.parser import HTMLParser
from typing import ClassVar

DERIVED_TITLE_LENGTH = 160


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, one line per block element."""

    BLOCKS: ClassVar[frozenset[str]] = frozenset(
        ["p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"]
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def plain_text(raw) -> str:
    """Return publisher text as plain paragraphs: HTML tags dropped, blanks tidied."""
    if not isinstance(raw, str):
        return ""
    text = raw
    if _TAG.search(text):
        extractor = _TextExtractor()
        extractor.feed(text)
        extractor.close()
        text = "".join(extractor.parts)
    else:
        text = unescape(text)
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    paragraphs, blank = [], False
    for line in lines:
        if line:
            paragraphs.append(line)
            blank = False
        elif paragraphs and not blank:
            paragraphs.append("")
            blank = True
    return "\n".join(paragraphs).strip()


# A sentence ends at . ! or ? followed by a blank and a capital or a digit, unless the dot
# closes a short abbreviation ("No. 4", "Hyg. du").
_SENTENCE_END = re.compile(r"(?<=[^\s.]{4}[.!?])\s+(?=[A-ZÀ-Ý0-9])|(?<=\)[.!?])\s+")


def first_sentence(text: str, limit: int = DERIVED_TITLE_LENGTH) -> str:
    """Return the first sentence (or line) of a text, shortened at a word boundary."""
    first_line = next((line for line in text.split("\n") if line.strip()), "")
    sentence = _SENTENCE_END.split(first_line, maxsplit=1)[0].strip()
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return sentence


# Function words that tell English from French; a text needs a few of them to count.
_WORDS = {
    "en": {"the", "and", "of", "for", "to", "with", "on", "by", "is", "are", "this", "from"},
    "fr": {"le", "la", "les", "des", "du", "et", "pour", "un", "une", "au", "aux", "sur", "avec"},
}
_WORD = re.compile(r"[a-zàâçéèêëîïôûùüÿœ']+")


def detect_language(text: str) -> str | None:
    """Guess English or French from common function words; None when unsure."""
    words = [word.strip("'") for word in _WORD.findall(text.lower())]
    scores = {
        lang: sum(word in vocabulary for word in words) for lang, vocabulary in _WORDS.items()
    }
    best = max(scores, key=scores.get)
    others = [score for lang, score in scores.items() if lang != best]
    if scores[best] < 2 or scores[best] <= 2 * max(others):
        return None
    return best
