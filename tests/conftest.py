"""Shared fixtures: every test gets its own real SQLite file, built by migrating.

Migrating and loading the real nomenclature takes a few seconds, so it is done once per
session into a template file that each test copies.
"""

import shutil
import sqlite3
from pathlib import Path

import pytest

from tradeportal import create_app
from tradeportal.db import db
from tradeportal.search.extension import search_store


def make_app(instance: Path, **overrides):
    """Create an app whose instance folder, database and secret are the test's own."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'tradeportal.db'}",
        "SECRET_KEY": "test-secret-key",
    }
    config.update(overrides)
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
    """An empty database at the newest schema."""
    instance = tmp_path_factory.mktemp("migrated")
    app = make_app(instance)
    run_cli(app, "db", "upgrade")
    dispose(app)
    return instance / "tradeportal.db"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory, migrated_template) -> Path:
    """A database at the newest schema with the real reference data loaded."""
    instance = tmp_path_factory.mktemp("seeded")
    _checkpointed_copy(migrated_template, instance / "tradeportal.db")
    app = make_app(instance)
    run_cli(app, "seed")
    dispose(app)
    return instance / "tradeportal.db"


def _app_from(template: Path, tmp_path: Path, request):
    instance = tmp_path / "instance"
    _checkpointed_copy(template, instance / "tradeportal.db")
    marker = request.node.get_closest_marker("config")
    app = make_app(instance, **(marker.kwargs if marker else {}))
    yield app
    dispose(app)


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
    _checkpointed_copy(seeded_template, instance / "tradeportal.db")
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
    _checkpointed_copy(indexed_template / "tradeportal.db", instance / "tradeportal.db")
    shutil.copytree(indexed_template / "index", instance / "index")
    marker = request.node.get_closest_marker("config")
    app = make_app(instance, **(marker.kwargs if marker else {}))
    yield app
    with app.app_context():
        search_store().close()
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield app
