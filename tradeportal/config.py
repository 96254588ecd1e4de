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
    # PostgreSQL connection pool of each process (a gunicorn worker, the worker, a command).
    # Connections per process at most: POOL_SIZE + MAX_OVERFLOW; keep the sum over every
    # process below the server's max_connections (docs/deployment.md).
    DATABASE_POOL_SIZE = 5
    DATABASE_MAX_OVERFLOW = 5
    # Seconds a request waits for a free connection before it fails with a clear 503.
    DATABASE_POOL_TIMEOUT = 10
    # Connections older than this are replaced (a proxy or firewall may cut idle ones).
    DATABASE_POOL_RECYCLE = 1800
    # Seconds to wait for the server to answer a new connection (a restart must not hang).
    DATABASE_CONNECT_TIMEOUT = 5
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
    # Rendered product-page sections each process keeps (tradeportal/content_cache.py),
    # 3-60 kB each, so at most about 60 MB a process; any content change makes every
    # process render again. 0 turns the cache off.
    PRODUCT_CACHE_ENTRIES = 1000
    # Whole product pages as visitors who are not signed in get them, per process
    # (tradeportal/content_cache.py), 30-70 kB each (28-46 kB on the real data), so at most
    # about 70 MB a process; any content change makes every process render again.
    # 0 turns it off.
    PAGE_CACHE_ENTRIES = 1000
    # The portal's address as the public reaches it: links in emails and feeds are made from
    # it, never from a request's Host header. Production needs an https:// address.
    PUBLIC_URL = "http://localhost:5000"
    # How many reverse proxies (nginx, a load balancer) stand in front of the app. Their
    # X-Forwarded-For/-Proto/-Host headers are trusted for that many hops; 0 trusts none,
    # which is right when clients reach the app directly (the embedded default).
    TRUSTED_PROXIES = 0

    # Search (tradeportal/search). Empty means the folder instance/index.
    SEARCH_INDEX_DIR = None
    # Apply queued index changes at the end of each request or command that committed
    # some (the embedded default). Production sets False and runs one
    # `flask search drain --loop` per index directory.
    SEARCH_DRAIN_INLINE = True
    # How long that inline drain waits for the writer lock (a rebuild or another drain)
    # before leaving its changes queued for the next drain.
    SEARCH_INLINE_DRAIN_WAIT = 2.0
    # How long `flask search drain` / `rebuild` wait for another writer to finish.
    SEARCH_WRITER_TIMEOUT = 60.0
    SEARCH_DRAIN_BATCH = 500
    # Worker processes of a full rebuild (2 halves its time on a 2-core machine).
    SEARCH_REBUILD_PROCS = 2
    SEARCH_PAGE_SIZE = 20
    # Deeper pages are refused: nobody reads them and they cost the most to rank.
    SEARCH_MAX_PAGES = 50
    # A search with fewer hits than this also tries close spellings of its words.
    SEARCH_FEW_HITS = 3
    SEARCH_SUGGEST_LIMIT = 10
    # The autocomplete vocabulary follows index changes within this many seconds.
    SEARCH_SUGGEST_MAX_AGE = 30.0

    # Accounts, sign-in and editor access (tradeportal/auth).
    # "strong": a session used from another IP address or browser is dropped, remember-me too.
    SESSION_PROTECTION = "strong"
    # "Remember me" keeps someone signed in this many seconds; more than 14 days is refused
    # at start-up. Signing out everywhere or changing the password ends it earlier.
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None means Secure (HTTPS only) when PRODUCTION and plain in the embedded mode.
    REMEMBER_COOKIE_SECURE = None
    SESSION_COOKIE_SECURE = None
    # Flask refuses a signed session cookie older than this (seconds since it was last
    # written, which is at sign-in): without remember-me, editors sign in again each day.
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    # Form tokens stay valid this many seconds: editors keep forms open for hours.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Sign-in attempts per client IP address (flask-limiter syntax, ";" between limits).
    # Behind a reverse proxy set TRUSTED_PROXIES (below), or all clients share one IP.
    LOGIN_RATE_LIMIT = "5 per minute;20 per hour"
    # Failed sign-ins per account from any address: slows a guess spread over many IPs.
    LOGIN_ACCOUNT_RATE_LIMIT = "30 per hour"
    RATELIMIT_ENABLED = True
    # memory:// counts in each process: with several gunicorn workers or machines every one
    # keeps its own count, multiplying the limits. Production should use a shared store,
    # e.g. "redis://localhost:6379/0" (needs the redis package), or limit at the proxy.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    PASSWORD_MIN_LENGTH = 12
    # A password-reset link works once, for this many seconds.
    PASSWORD_RESET_MAX_AGE = 3600
    # argon2id cost, RFC 9106 low-memory profile (~145 ms and 64 MiB per hash). Hashes made
    # with other parameters are upgraded at the next sign-in. Tests use cheaper ones.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_KIB = 65536
    PASSWORD_HASH_PARALLELISM = 4
    # Publishing needs a publisher other than the author (read by the editorial workflow).
    TWO_PERSON_RULE = True
    AUDIT_PAGE_SIZE = 50
    # Attachments (tradeportal/attachments): the size cap of one uploaded file, below
    # MAX_CONTENT_LENGTH; no ATTACHMENT_DIR means the folder instance/attachments.
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    ATTACHMENT_DIR = None
    # Content not verified for this many months is listed as stale on the dashboard.
    STALE_AFTER_MONTHS = 12

    # Outbound mail (tradeportal/mail). "file" writes .eml files to MAIL_DIR (empty means
    # instance/mail); "smtp" sends through SMTP_URL, e.g. smtp://user:password@host:587?starttls=1
    # or smtps://user:password@host:465 (secrets from TRADEPORTAL_SMTP_URL, never the repo).
    MAIL_TRANSPORT = "file"
    MAIL_DIR = None
    SMTP_URL = None
    MAIL_SMTP_TIMEOUT = 30.0
    MAIL_FROM = "Trade portal <no-reply@localhost>"
    # Empty means the domain of MAIL_FROM; Message-IDs are <hash-of-dedupe-key@this>.
    MAIL_MESSAGE_ID_DOMAIN = None
    MAIL_SEND_BATCH = 50
    # A temporary failure waits MAIL_RETRY_BASE seconds × 2^(tries before it), at most
    # MAIL_RETRY_MAX; after MAIL_MAX_ATTEMPTS tries the email is failed.
    MAIL_RETRY_BASE = 60
    MAIL_RETRY_MAX = 6 * 3600
    MAIL_MAX_ATTEMPTS = 8
    # A row left "sending" this many seconds belongs to a sender that died: sent again.
    MAIL_CLAIM_TIMEOUT = 600
    # Permanent (5xx) refusals at RCPT/DATA before an address is mailed no more.
    MAIL_HARD_BOUNCE_LIMIT = 3
    # /readyz fails when the oldest queued email has waited longer than this (seconds):
    # the worker or the relay is down. 0 reports the age without ever failing.
    READY_MAIL_MAX_AGE_SECONDS = 900
    # "json": one JSON object per log line (tradeportal/logs.py) for log collectors;
    # "text" leaves logging as Flask and gunicorn set it up.
    LOG_FORMAT = "text"


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def validate_config(app) -> None:
    """Refuse unsafe settings; derive defaults that live in the instance folder."""
    from tradeportal.mail.transports import check_mail_config  # it imports this module

    config = app.config
    instance = Path(app.instance_path)
    check_mail_config(config)
    if config["PRODUCTION"]:
        missing = [key for key in ("SECRET_KEY", "DATABASE_URL") if not config.get(key)]
        if missing:
            names = ", ".join(f"TRADEPORTAL_{key}" for key in missing)
            raise ConfigError(f"Production mode needs {names} to be set.")
        if not str(config.get("PUBLIC_URL", "")).startswith("https://"):
            raise ConfigError(
                "Production mode needs TRADEPORTAL_PUBLIC_URL, the https:// address of the "
                "portal, for the links in emails."
            )
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
