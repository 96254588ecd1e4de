"""Shared fixtures: every test gets its own real database, built by migrating.

The database is a SQLite file, or with ``TRADEPORTAL_TEST_DATABASE=postgresql`` a database
on a private PostgreSQL server (tests/pg_server.py); ``make test`` runs the suite both ways.
Migrating and loading the real nomenclature takes a few seconds, so it is done once per
session into template instances that each test copies. An instance folder names its
database: the ``tradeportal.db`` file in it, or a PostgreSQL database named after it.
"""

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tradeportal import create_app
from tradeportal.db import db
from tradeportal.search.extension import search_store

DATABASE = os.environ.get("TRADEPORTAL_TEST_DATABASE", "sqlite")
if DATABASE not in ("sqlite", "postgresql"):
    raise SystemExit(f"TRADEPORTAL_TEST_DATABASE must be sqlite or postgresql, not {DATABASE!r}")

_postgres = None


def postgres():
    """The session's PostgreSQL server, started on first use."""
    global _postgres
    if _postgres is None:
        from tests.pg_server import PostgresServer

        _postgres = PostgresServer().start()
    return _postgres


@pytest.fixture(scope="session", autouse=True)
def _stop_postgres():
    yield
    if _postgres is not None:
        _postgres.stop()


def _database_name(instance: Path) -> str:
    return "t_" + hashlib.sha1(str(instance.resolve()).encode()).hexdigest()[:24]


def database_url(instance: Path) -> str:
    """The database of an instance folder (an empty one is created on first use)."""
    if DATABASE == "sqlite":
        return f"sqlite:///{instance / 'tradeportal.db'}"
    server, name = postgres(), _database_name(instance)
    if not server.exists(name):
        server.create(name)
    return server.url(name)


def copy_database(source: Path, target: Path) -> None:
    """Give the instance folder ``target`` a copy of the database of ``source``."""
    target.mkdir(parents=True, exist_ok=True)
    if DATABASE == "sqlite":
        _checkpointed_copy(source / "tradeportal.db", target / "tradeportal.db")
    else:
        postgres().create(_database_name(target), template=_database_name(source))


def drop_database(instance: Path) -> None:
    """Forget a test's database (the SQLite file goes with its temporary folder)."""
    if DATABASE == "postgresql":
        postgres().drop(_database_name(instance))


def make_app(instance: Path, **overrides):
    """Create an app whose instance folder, database and secret are the test's own."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key",
    }
    config.update(overrides)
    if "DATABASE_URL" not in config:
        config["DATABASE_URL"] = database_url(instance)
    return create_app(config)


def run_cli(app, *args: str):
    """Run a ``flask`` command and fail the test with its output when it fails."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


def _checkpointed_copy(source: Path, target: Path) -> None:
    # The template is in WAL mode: fold the log into the main file before copying it.
    with sqlite3.connect(source) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """An instance with an empty database at the newest schema."""
    instance = tmp_path_factory.mktemp("migrated")
    app = make_app(instance)
    run_cli(app, "db", "upgrade")
    dispose(app)
    return instance


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory, migrated_template) -> Path:
    """An instance with the real reference data loaded."""
    instance = tmp_path_factory.mktemp("seeded")
    copy_database(migrated_template, instance)
    app = make_app(instance)
    run_cli(app, "seed")
    dispose(app)
    return instance


def _app_from(template: Path, tmp_path: Path, request):
    instance = tmp_path / "instance"
    copy_database(template, instance)
    marker = request.node.get_closest_marker("config")
    app = make_app(instance, **(marker.kwargs if marker else {}))
    yield app
    dispose(app)
    drop_database(instance)


@pytest.fixture
def app(seeded_template, tmp_path, request):
    """An app on a copy of the seeded database; ``@pytest.mark.config(...)`` overrides."""
    yield from _app_from(seeded_template, tmp_path, request)


@pytest.fixture
def empty_app(migrated_template, tmp_path, request):
    """An app on a migrated database with no data loaded."""
    yield from _app_from(migrated_template, tmp_path, request)


@pytest.fixture(scope="session")
def indexed_template(tmp_path_factory, seeded_template) -> Path:
    """An instance folder with the seeded database and its full search index."""
    instance = tmp_path_factory.mktemp("indexed")
    copy_database(seeded_template, instance)
    app = make_app(instance)
    result = run_cli(app, "search", "rebuild")
    assert "now live" in result.output
    with app.app_context():
        search_store().close()
    dispose(app)
    return instance


@pytest.fixture
def indexed_app(indexed_template, tmp_path, request):
    """An app on copies of the seeded database and of its index."""
    instance = tmp_path / "instance"
    copy_database(indexed_template, instance)
    shutil.copytree(indexed_template / "index", instance / "index")
    marker = request.node.get_closest_marker("config")
    app = make_app(instance, **(marker.kwargs if marker else {}))
    yield app
    with app.app_context():
        search_store().close()
    dispose(app)
    drop_database(instance)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield app
