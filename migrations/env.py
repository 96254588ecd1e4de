"""Alembic environment: migrates the database of the app that calls it."""

from logging.config import fileConfig

from alembic import context

from tradeportal.content_cache import UNWATCHED
from tradeportal.db import UtcDateTime
from tradeportal.models import Base

config = context.config
if config.config_file_name and not config.attributes.get("engine"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    # Run as plain `alembic`: use the app's configured database.
    from tradeportal import create_app
    from tradeportal.db import db

    with create_app().app_context():
        return db.engine


def _render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy types, so migrations never import the app."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        connection.execution_options(**{UNWATCHED: True})
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            # Batch mode copies and drops tables; with foreign keys on, ON DELETE
            # CASCADE would empty the child tables. The pragma is a no-op inside a
            # transaction, so it goes to the driver before the migration's transaction.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        if is_sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"Migration left broken foreign keys: {broken[:10]}")


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run `flask db upgrade`.")
run_migrations_online()
