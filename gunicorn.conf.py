"""gunicorn settings for the production mode (docs/deployment.md).

Run from the project folder:  gunicorn -c gunicorn.conf.py
Every value can be changed with an environment variable, so the systemd unit
(deploy/systemd/tradeportal-web.service) is the one place an operator edits.
"""

import multiprocessing
import os

# The WSGI callable: wsgi.py creates the app with create_app() (config from TRADEPORTAL_*).
wsgi_app = "wsgi:app"

# Loopback by default: nginx in front terminates TLS and forwards here. Listen on another
# address only behind a firewall that lets just the proxy in.
bind = os.environ.get("TRADEPORTAL_BIND", "127.0.0.1:8000")

# 2 × cores + 1 keeps the cores busy while some workers wait on PostgreSQL. The cap bounds
# memory (each worker holds its searchers and caches) and database connections: every
# worker has its own pool of DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW connections.
workers = int(os.environ.get("TRADEPORTAL_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))

# Sync workers, one request at a time per process. threads > 1 would make gunicorn switch to
# the gthread worker: the search index store is thread-safe (a pool of searchers), but the
# portal is measured and tested with sync workers (docs/research/deps-perf-reliability.md);
# add processes rather than threads.
worker_class = "sync"
threads = 1

# A request that runs longer than this is killed and logged (a stuck query, a lost lock).
# Full reindexing and imports run as `flask` commands, never in a request.
timeout = int(os.environ.get("TRADEPORTAL_TIMEOUT", 30))
# On SIGTERM (systemctl stop/restart) workers finish their current request within this.
graceful_timeout = 30
# Sync workers close the connection after each response; nginx keeps its own to clients.
keepalive = 2

# Each worker is replaced after about this many requests, so slow memory growth
# (fragmentation; every cache is bounded) stays bounded; the jitter keeps workers from all
# restarting at once. A new worker costs about 3 s of CPU before it answers at full speed
# (imports and app, the HS snapshot on its first page, searchers, empty page caches): at
# 1,000, bench/load.py served 85 % fewer product pages a second (167 against 1,107).
max_requests = int(os.environ.get("TRADEPORTAL_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10

# False on purpose: the app is created in each worker after the fork, so every worker opens
# its own database pool and its own Whoosh searchers. Connections and open index files
# must never be shared across fork() (SQLAlchemy: "Using Connection Pools with
# Multiprocessing or os.fork()"). It also means `systemctl reload` (SIGHUP) loads new code.
preload_app = False

# The heartbeat file on tmpfs: on a disk-backed /tmp os.fchmod can block a worker
# (gunicorn's FAQ). gunicorn creates it with a random name and unlinks it at once.
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# gunicorn itself trusts X-Forwarded-Proto (wsgi.url_scheme) only from these addresses;
# its default is the FORWARDED_ALLOW_IPS variable, else loopback. The app reads the client
# address, scheme and host through ProxyFix: set TRADEPORTAL_TRUSTED_PROXIES to the number
# of proxies in front (1 for one nginx), or every client shares the proxy's address and
# its rate limits.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to stdout/stderr, which systemd sends to the journal (journalctl -u …).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("TRADEPORTAL_GUNICORN_LOGLEVEL", "info")
# The client address (the app's ProxyFix puts the real one there when TRUSTED_PROXIES is
# set, else it is nginx's), the X-Forwarded-For chain, the request, status, size, duration
# in ms and the request id nginx sets (proxy_set_header X-Request-ID $request_id), which
# the app's JSON logs carry too. Paths can hold unsubscribe tokens: keep access logs private.
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms '
    '"%(f)s" "%(a)s" rid=%({x-request-id}i)s'
)

# No control socket (new in gunicorn 25): the service is managed by systemd signals, and
# its default path is in the home folder, which a system account may not have.
control_socket_disable = True

if os.environ.get("TRADEPORTAL_LOG_FORMAT") == "json":
    # gunicorn's own lines as JSON too. The root logger gets no handler here: the app adds
    # its JSON handler in each worker (tradeportal/logs.py), and two would print twice.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "tradeportal.logs.JsonFormatter"}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            name: {"level": "INFO", "handlers": ["json"], "propagate": False}
            for name in ("gunicorn.error", "gunicorn.access")
        },
    }
