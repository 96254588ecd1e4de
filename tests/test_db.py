"""The database layer's promises on SQLite: pragmas and real transactions."""

from sqlalchemy import text

from tradeportal.db import db


def test_the_connection_is_set_up_for_its_database(app_context):
    """SQLite: WAL, foreign keys and a busy timeout. PostgreSQL: psycopg 3, pre-ping."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    else:
        assert connection.dialect.driver == "psycopg"
        assert db.engine.pool._pre_ping
        assert db.engine.pool.size() == 5


def test_a_released_savepoint_is_undone_by_the_outer_rollback(app_context):
    session = db.session
    session.execute(text("CREATE TABLE IF NOT EXISTS scratch (id INTEGER PRIMARY KEY)"))
    session.commit()
    with session.begin_nested():
        session.execute(text("INSERT INTO scratch (id) VALUES (1)"))
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM scratch")).scalar() == 0


def test_foreign_keys_are_enforced(app_context):
    from sqlalchemy.exc import IntegrityError

    session = db.session
    try:
        session.execute(
            text(
                "INSERT INTO hs_nodes (nomenclature_id, code, level, description_en, valid_from)"
                " VALUES (999999, '01', 2, 'x', '2022-01-01')"
            )
        )
        session.flush()
        raised = False
    except IntegrityError:
        raised = True
    session.rollback()
    assert raised
