"""The query log editors read: what people searched, what found nothing, what was left.

A search that shows results counts as abandoned until one of its results is followed.
Result links go through ``/search/go`` with a signed token naming the log row and a
one-time nonce; the first follow of a token moves one search from "abandoned" to
"followed". The nonces already followed are kept in the visitor's session cookie, so
going back and opening a second result does not count twice. Without cookies a visitor
can at worst make "abandoned" too small, never negative.
"""

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask import session as cookie_session
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradeportal.db import utcnow
from tradeportal.search.models import SearchQueryLog

_SALT = "tradeportal.search.follow"
_FOLLOWED_KEY = "search_followed"
# How many followed searches a visitor's cookie remembers.
_REMEMBERED = 20


def normalise_for_log(text: str) -> str:
    """The form queries are counted under: case-folded, spaces collapsed, capped."""
    return " ".join(text.casefold().split())[:200]


def record_search(session: Session, text: str, language: str, total: int) -> int:
    """Count one search of ``text`` with ``total`` results; return its log row id."""
    query = normalise_for_log(text)
    now = utcnow()
    values = {
        "searches": SearchQueryLog.searches + 1,
        "zero_results": SearchQueryLog.zero_results + (1 if total == 0 else 0),
        "abandoned": SearchQueryLog.abandoned + (1 if total > 0 else 0),
        "last_seen": now,
        "language": language,
    }
    statement = update(SearchQueryLog).where(SearchQueryLog.query == query).values(values)
    if session.execute(statement).rowcount:
        return session.scalar(select(SearchQueryLog.id).where(SearchQueryLog.query == query))
    entry = SearchQueryLog(
        query=query,
        language=language,
        searches=1,
        zero_results=1 if total == 0 else 0,
        abandoned=1 if total > 0 else 0,
        followed=0,
        first_seen=now,
        last_seen=now,
    )
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        # Another request logged the same new query first: count on its row.
        session.execute(statement)
        return session.scalar(select(SearchQueryLog.id).where(SearchQueryLog.query == query))
    return entry.id


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def follow_token(log_id: int) -> str:
    """Sign a token for the result links of one search."""
    return _serializer().dumps([log_id, secrets.token_urlsafe(6)])


def record_follow(session: Session, token: str | None) -> bool:
    """Count a followed result of the search behind ``token``, once per search."""
    if not token:
        return False
    try:
        log_id, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return False
    followed = list(cookie_session.get(_FOLLOWED_KEY, []))
    if nonce in followed:
        return False
    cookie_session[_FOLLOWED_KEY] = [*followed, nonce][-_REMEMBERED:]
    session.execute(
        update(SearchQueryLog)
        .where(SearchQueryLog.id == log_id)
        .values(
            followed=SearchQueryLog.followed + 1,
            abandoned=case((SearchQueryLog.abandoned > 0, SearchQueryLog.abandoned - 1), else_=0),
        )
    )
    return True


def is_local_path(target: str | None) -> bool:
    """Accept only a path on this site: no scheme, no host, no "//" or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(char in target for char in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@dataclass(frozen=True)
class LoggedQuery:
    query: str
    language: str
    searches: int
    zero_results: int
    abandoned: int
    followed: int
    last_seen: object


def _logged(rows) -> list[LoggedQuery]:
    return [
        LoggedQuery(
            r.query, r.language, r.searches, r.zero_results, r.abandoned, r.followed, r.last_seen
        )
        for r in rows
    ]


def top_zero_result_queries(session: Session, limit: int = 20) -> list[LoggedQuery]:
    """Return the queries that most often found nothing, for the editors' dashboard."""
    rows = session.scalars(
        select(SearchQueryLog)
        .where(SearchQueryLog.zero_results > 0)
        .order_by(SearchQueryLog.zero_results.desc(), SearchQueryLog.last_seen.desc())
        .limit(limit)
    )
    return _logged(rows)


def top_abandoned_queries(session: Session, limit: int = 20) -> list[LoggedQuery]:
    """Return the queries whose results were most often left unfollowed."""
    rows = session.scalars(
        select(SearchQueryLog)
        .where(SearchQueryLog.abandoned > 0)
        .order_by(SearchQueryLog.abandoned.desc(), SearchQueryLog.last_seen.desc())
        .limit(limit)
    )
    return _logged(rows)
