"""A fix to whoosh-reloaded 2.7.5, applied when the search package is imported.

``AndMaybeMatcher`` scores the documents of its first matcher and adds the second's
score where the second matches the same document. When it skips forward, it moves the
second matcher to the id it was asked for, not to the id the first one landed on, and
after skipping blocks by quality it does not move it at all: a document on which the
second matcher also matched then lost that part of its score. Whoosh builds these
matchers itself while pruning a search (a union whose one side cannot reach the top N
becomes an AndMaybe), so 34 of the search bench's 400 queries ranked documents with a
lower score than they have (tests/search/test_whoosh_fixes.py shows it on a small index).
"""

from whoosh.matching import ReadTooFar
from whoosh.matching.binary import AndMaybeMatcher

_skip_to_quality = AndMaybeMatcher.skip_to_quality


def _catch_up(matcher) -> bool:
    """Move the optional matcher to the required one's document; tell if it moved."""
    a, b = matcher.a, matcher.b
    if a.is_active() and b.is_active() and b.id() < a.id():
        return bool(b.skip_to(a.id()))
    return False


def skip_to(self, id):
    if not self.a.is_active():
        raise ReadTooFar
    moved = self.a.skip_to(id)
    return _catch_up(self) or moved


def skip_to_quality(self, minquality):
    skipped = _skip_to_quality(self, minquality)
    _catch_up(self)
    return skipped


AndMaybeMatcher.skip_to = skip_to
AndMaybeMatcher.skip_to_quality = skip_to_quality
