"""A content generation number, and a per-process cache of rendered product sections.

The product page's sections (rules, tariffs, agreements…) cost tens of milliseconds to
collect and render, and the same code, market and origin are asked again and again. Any
process may change content (a request, the worker, ``flask seed``), so each process
keeps its own cache and keys it on ``content_generation.value``: a counter that every
transaction which wrote to a content table increments just before it commits, in the same
transaction. A reader reads the counter first, then the content: a page stored under a
generation is never older than that generation.

Writes are noticed at the engine, from the SQL itself, so ORM flushes, Core bulk upserts
(``flask seed``) and text statements all count. Only tables listed in
:data:`NOT_CONTENT` — accounts, audit, queues, mail, subscriptions — never move the
generation: the product page shows nothing from them. A table added later counts as
content until it is listed here: a needless miss is cheap, a stale page is not.

Changes made outside the application (psql, a restore of a backup) do not move the
counter: move it by hand or restart the web processes after them (docs/deployment.md).

In front of it, :func:`shared_page` keeps whole pages for visitors who are not signed in:
what an anonymous visitor sees of a public page depends only on its address, the language,
today and the content, so such a visit is answered without collecting or rendering
anything. Any request with a session or a remember-me cookie is rendered as usual.
"""

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Response, current_app, request, session
from sqlalchemy import BigInteger, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from tradeportal.db import Base, db
from tradeportal.i18n import current_locale
from tradeportal.memo import per_unit_of_work
from tradeportal.templating import CARRIED_PARAMETERS
from tradeportal.validity import today

T = TypeVar("T")

NOT_CONTENT = frozenset(
    {
        "content_generation",
        "users",
        "audit_events",
        "search_queue",
        "search_query_log",
        "outbound_emails",
        "mail_suppressions",
        "subscribers",
        "alert_subscriptions",
        "alert_fanouts",
        "alert_event_terms",
        "alert_deliveries",
    }
)

# The table a data-changing statement writes: INSERT [OR …] INTO t, UPDATE t, DELETE FROM t.
_WRITE = re.compile(
    r'^\s*(?:WITH\b.*?\)\s*)?(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?',
    re.IGNORECASE | re.DOTALL,
)
_CHANGED = "tradeportal.content_changed"
# Execution option of a connection whose writes must not touch the counter: migrations,
# which may run before its table exists (every process restarts after them anyway).
UNWATCHED = "tradeportal_unwatched"
_BUMP = "UPDATE content_generation SET value = value + 1 WHERE id = 1"


class ContentGeneration(Base):
    """One row: how many committed transactions have changed content so far."""

    __tablename__ = "content_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


def writes_content(statement: str) -> bool:
    """Does this SQL statement insert, update or delete rows of a content table?"""
    match = _WRITE.match(statement)
    return bool(match) and match.group(1).lower() not in NOT_CONTENT


def watch_writes(engine: Engine) -> None:
    """Make every transaction of ``engine`` that wrote content move the generation."""

    def after_cursor_execute(connection, _cursor, statement, *_args):
        if (
            _CHANGED not in connection.info
            and writes_content(statement)
            and not connection.get_execution_options().get(UNWATCHED)
        ):
            connection.info[_CHANGED] = True

    def commit(connection):
        if connection.info.pop(_CHANGED, False):
            # The DBAPI cursor, not connection.execute: SQLAlchemy is inside commit() here.
            # The row lock this takes on PostgreSQL lasts only until the commit that follows.
            # SQLAlchemy does not wrap errors raised here: wrap them as it would, so a
            # database that went away is the usual OperationalError (a clear 503).
            dbapi = connection.dialect.loaded_dbapi
            try:
                cursor = connection.connection.dbapi_connection.cursor()
                try:
                    cursor.execute(_BUMP)
                finally:
                    cursor.close()
            except dbapi.Error as error:
                raise DBAPIError.instance(_BUMP, None, error, dbapi.Error) from error

    def rollback(connection):
        connection.info.pop(_CHANGED, None)

    event.listen(engine, "after_cursor_execute", after_cursor_execute)
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)


def current_generation(session: Session) -> int | None:
    """The committed generation as this transaction sees it (None before the migration)."""
    statement = select(ContentGeneration.value).where(ContentGeneration.id == 1)
    return session.execute(statement).scalar()


@per_unit_of_work
def request_generation() -> int | None:
    """The generation as this request first read it: one query, however many caches ask."""
    return current_generation(db.session)


_KEPT = "tradeportal.kept_per_generation"


def kept_per_generation(key: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s answer, kept in the app until the content generation moves.

    For small reference lists every page shows (the countries of the pickers): read once
    per generation instead of once per page. Callers treat the answer as read-only.
    """
    generation = request_generation()
    kept = current_app.extensions.setdefault(_KEPT, {})
    found = kept.get(key)
    if found is not None and generation is not None and found[0] == generation:
        return found[1]
    answer = build()
    if generation is not None:
        kept[key] = (generation, answer)
    return answer


class RenderedCache:
    """A bounded least-recently-used map of rendered HTML, safe across threads."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0  # how many gets found their entry (read by the tests)

    def get(self, key: Hashable):
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_EXTENSION_KEY = "tradeportal.product_cache"
_PAGE_EXTENSION_KEY = "tradeportal.page_cache"


def init_app(app) -> None:
    """Watch the app's engine for content writes and give it empty caches."""
    engine, _session = app.extensions[db.EXTENSION_KEY]
    watch_writes(engine)
    app.extensions[_EXTENSION_KEY] = RenderedCache(app.config["PRODUCT_CACHE_ENTRIES"])
    app.extensions[_PAGE_EXTENSION_KEY] = RenderedCache(app.config["PAGE_CACHE_ENTRIES"])


def product_cache() -> RenderedCache:
    """This process's cache of rendered product sections (see hs/views.py)."""
    return current_app.extensions[_EXTENSION_KEY]


def page_cache() -> RenderedCache:
    """This process's cache of whole pages as anonymous visitors get them."""
    return current_app.extensions[_PAGE_EXTENSION_KEY]


# The parameters a shared page may have. Any other one is echoed into the page's language
# link, so such a request is rendered for itself (and cannot crowd the cache out).
SHARED_PAGE_PARAMETERS = frozenset({*CARRIED_PARAMETERS, "lang"})


def _shared_page_key() -> tuple | None:
    """The cache key of this request's page, or None when it is not the same for everyone."""
    config = current_app.config
    if (
        request.method != "GET"
        or config["SESSION_COOKIE_NAME"] in request.cookies
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
        or not SHARED_PAGE_PARAMETERS.issuperset(request.args.keys())
    ):
        return None
    generation = request_generation()  # first, before any content is read
    if generation is None:
        return None
    arguments = tuple(sorted(request.args.items(multi=True)))
    return (generation, today(), str(current_locale()), request.path, arguments)


def shared_page(view):
    """Answer anonymous visitors from the page cache; store the view's 200 HTML pages.

    Only a page the view rendered whole (a ``str``) is kept, never a redirect or an error,
    and never one whose rendering wrote to the session. The response hooks (security
    headers, the language cookie, ``Vary``) still run on every answer.
    """

    @functools.wraps(view)
    def serve(*args, **kwargs):
        cache = page_cache()
        key = _shared_page_key() if cache.max_entries > 0 else None
        if key is None:
            return view(*args, **kwargs)
        body = cache.get(key)
        if body is not None:
            return Response(body, mimetype="text/html")
        page = view(*args, **kwargs)
        if isinstance(page, str) and not session.modified:
            # Encoded once: half the memory of a str holding any non-ASCII character.
            cache.put(key, page.encode())
        return page

    return serve
