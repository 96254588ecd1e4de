"""The schema is built only by migrations: upgrade, downgrade and drift check."""

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tests.conftest import dispose, make_app, run_cli
from tradeportal.cli import alembic_config
from tradeportal.db import db
from tradeportal.models import Base


def table_names(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_upgrade_from_empty_creates_every_model_table_then_downgrade_removes_them(tmp_path):
    app = make_app(tmp_path)
    try:
        assert table_names(app) == set()
        run_cli(app, "db", "upgrade")
        assert set(Base.metadata.tables) <= table_names(app)
        run_cli(app, "db", "check")
        run_cli(app, "db", "downgrade", "base")
        assert table_names(app) <= {"alembic_version"}
        # And back up again: a downgrade must leave a database that upgrades cleanly.
        run_cli(app, "db", "upgrade")
        assert set(Base.metadata.tables) <= table_names(app)
    finally:
        dispose(app)


def test_check_reports_no_drift(empty_app):
    result = run_cli(empty_app, "db", "check")
    assert "No drift" in result.output


def test_check_fails_when_a_model_is_not_migrated(empty_app):
    from sqlalchemy import Column, Integer, Table

    extra = Table("not_migrated", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        result = empty_app.test_cli_runner().invoke(args=["db", "check"])
        assert result.exit_code != 0
        assert "not_migrated" in result.output
    finally:
        Base.metadata.remove(extra)


def test_migrations_form_a_single_line(empty_app):
    with empty_app.app_context():
        script = ScriptDirectory.from_config(alembic_config())
        assert len(script.get_heads()) == 1
        # Every file name starts with its date, so the folder lists in order.
        for revision in script.walk_revisions():
            assert revision.path.rsplit("/", 1)[-1][:8].isdigit()


def test_seed_on_an_unmigrated_database_fails_clearly(tmp_path):
    app = make_app(tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code != 0
        assert "run `flask db upgrade` first" in result.output
        assert table_names(app) <= {"alembic_version"}
    finally:
        dispose(app)
