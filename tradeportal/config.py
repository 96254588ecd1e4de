"""Configuration defaults and start-up validation.

Order of precedence (later wins): the defaults below → ``instance/config.py`` →
``TRADEPORTAL_*`` environment variables (JSON-decoded by Flask) → test overrides.
"""

import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class DefaultConfig:
    """Documented defaults for the embedded mode (SQLite file, file mail, local index)."""

    # Generated into instance/secret_key on first start in the embedded mode;
    # production must set TRADEPORTAL_SECRET_KEY (validated below).
    SECRET_KEY = None
    # Empty means the embedded SQLite file instance/tradeportal.db.
    DATABASE_URL = None
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # Production mode refuses to start without explicit secrets and database.
    PRODUCTION = False
    # ISO 3166 alpha-3 code of the country this portal serves.
    HOME_COUNTRY = "MUS"
    # Dates shown and "today" are those of the home country.
    TIMEZONE = "Indian/Mauritius"
    DATA_DIR = str(ROOT / "data")
    # Long user input is cut here, and the page says so.
    MAX_QUERY_LENGTH = 200
    # How stale another process's nomenclature change may look here (see hs/catalog.py).
    HS_CATALOG_MAX_AGE_SECONDS = 1.0
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def validate_config(app) -> None:
    """Refuse unsafe settings; derive defaults that live in the instance folder."""
    config = app.config
    instance = Path(app.instance_path)
    if config["PRODUCTION"]:
        missing = [key for key in ("SECRET_KEY", "DATABASE_URL") if not config.get(key)]
        if missing:
            names = ", ".join(f"TRADEPORTAL_{key}" for key in missing)
            raise ConfigError(f"Production mode needs {names} to be set.")
        return
    instance.mkdir(parents=True, exist_ok=True)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'tradeportal.db'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret_key(instance / "secret_key")


def _instance_secret_key(path: Path) -> str:
    """Read the embedded mode's secret key, creating it once so sessions survive restarts."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
