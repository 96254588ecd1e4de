"""Database plumbing: declarative base, engine and session per app, SQLite pragmas.

Routes and CLI commands commit once per unit of work; services and models only flush.
"""

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, Enum, MetaData, create_engine, event, insert, select, update
from sqlalchemy.engine import URL, Engine, Result, make_url
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

from tradeportal import memo

# Row ids are Integer columns: 32-bit on PostgreSQL (64 on SQLite). A larger id in an
# address cannot name a row, and would overflow PostgreSQL's parameter: a 404, not a query.
MAX_ROW_ID = 2**31 - 1

# Alembic's batch mode on SQLite can only drop constraints that have names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model; carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


def value_enum(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by its value (readable in SQL, stable across renames of members)."""
    return Enum(
        enum_cls,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        validate_strings=True,
        length=length,
        name=enum_cls.__name__.lower(),
    )


def _set_sqlite_pragmas(dbapi_connection, _record, busy_timeout_ms: int) -> None:
    dbapi_connection.isolation_level = None  # see make_engine: SQLAlchemy emits BEGIN
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while the worker writes; NORMAL is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.close()


@dataclass(frozen=True)
class PoolSettings:
    """The connection pool of a server database (see DATABASE_POOL_* in config.py)."""

    size: int = 5
    max_overflow: int = 5
    timeout: float = 10
    recycle: int = 1800
    connect_timeout: int = 5

    @classmethod
    def from_config(cls, config) -> "PoolSettings":
        return cls(
            size=int(config["DATABASE_POOL_SIZE"]),
            max_overflow=int(config["DATABASE_MAX_OVERFLOW"]),
            timeout=float(config["DATABASE_POOL_TIMEOUT"]),
            recycle=int(config["DATABASE_POOL_RECYCLE"]),
            connect_timeout=int(config["DATABASE_CONNECT_TIMEOUT"]),
        )


def _server_engine(url: URL, pool: PoolSettings) -> Engine:
    if url.drivername == "postgresql":
        # "postgresql://" alone would mean psycopg2; the portal ships psycopg 3.
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(
        url,
        # A connection the server dropped (a restart) is noticed and replaced on checkout,
        # so the first request after a restart does not fail.
        pool_pre_ping=True,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout,
        pool_recycle=pool.recycle,
        connect_args={"connect_timeout": pool.connect_timeout},
    )


def make_engine(
    url: str, *, busy_timeout_ms: int = 5000, pool: PoolSettings | None = None
) -> Engine:
    """Create an engine; SQLite gets its folder created and the pragmas we rely on."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return _server_engine(parsed, pool or PoolSettings())
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    event.listen(
        engine,
        "connect",
        lambda conn, record: _set_sqlite_pragmas(conn, record, busy_timeout_ms),
    )
    # pysqlite opens transactions lazily and not before SAVEPOINT, so a released savepoint
    # would commit on its own and a later rollback could not undo it (an import would no
    # longer be all-or-nothing). Let SQLAlchemy emit BEGIN itself, as its docs advise.
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return engine


class Database:
    """Engine and request-scoped session of the current app.

    A plain object rather than Flask-SQLAlchemy so the worker and the CLI share the
    same session factory without a request.
    """

    EXTENSION_KEY = "tradeportal.db"

    def init_app(self, app) -> None:
        engine = make_engine(
            app.config["DATABASE_URL"],
            busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
            pool=PoolSettings.from_config(app.config),
        )
        factory = sessionmaker(bind=engine)
        # Per-unit-of-work answers (tradeportal/memo.py) go stale as soon as anything is written.
        event.listen(factory, "after_flush", memo.forget)
        event.listen(factory, "after_rollback", memo.forget)
        event.listen(factory, "do_orm_execute", _forget_after_write)
        session = scoped_session(factory)
        app.extensions[self.EXTENSION_KEY] = (engine, session)

        @app.teardown_appcontext
        def _remove_session(_exc):
            session.remove()

    @property
    def engine(self) -> Engine:
        return current_app.extensions[self.EXTENSION_KEY][0]

    @property
    def session(self) -> Session:
        return current_app.extensions[self.EXTENSION_KEY][1]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def read(self, statement, parameters: dict | None = None) -> Result:
        """Run a SELECT of plain columns (no ORM entities) on the session's connection.

        ``session.execute`` adds the ORM's handling of statement and result: ~60 µs a
        statement, as much as SQLite spends running a small one, and the product page runs
        ~25. Changes pending in the session are flushed first, as ``session.execute``
        would, so a read after a write sees it.
        """
        session = self.session
        if session.new or session.dirty or session.deleted:
            session.flush()
        return session.connection().execute(statement, parameters)


db = Database()


def _forget_after_write(state) -> None:
    """Forget remembered answers when a statement writes (Core DML skips the flush)."""
    if state.is_insert or state.is_update or state.is_delete:
        memo.forget()


class UpsertCounts(dict):
    """How many rows an upsert inserted, updated and left unchanged."""

    @property
    def changed(self) -> int:
        return self["inserted"] + self["updated"]


def upsert_rows(
    session: Session,
    model: type[Base],
    key: Sequence[str],
    rows: Iterable[dict[str, Any]],
    *,
    scope=None,
) -> UpsertCounts:
    """Insert new rows and update changed ones, matching on the natural ``key`` columns.

    ``scope`` (an SQL condition) limits which existing rows are compared, e.g. one
    nomenclature. Rows only in the database are left alone: reference data is end-dated,
    never deleted.
    """
    rows = list(rows)
    columns = sorted({name for row in rows for name in row})
    mapper_cols = [getattr(model, name) for name in columns]
    query = select(model.id, *mapper_cols)
    if scope is not None:
        query = query.where(scope)
    existing = {
        tuple(getattr(found, name) for name in key): found for found in session.execute(query)
    }
    to_insert, to_update = [], []
    for row in rows:
        found = existing.get(tuple(row[name] for name in key))
        if found is None:
            to_insert.append(row)
        elif any(getattr(found, name) != value for name, value in row.items()):
            to_update.append({"id": found.id, **row})
    if to_insert:
        session.execute(insert(model), to_insert)
    if to_update:
        session.execute(update(model), to_update)
    return UpsertCounts(
        inserted=len(to_insert),
        updated=len(to_update),
        unchanged=len(rows) - len(to_insert) - len(to_update),
    )
