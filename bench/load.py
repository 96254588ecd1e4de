"""Load test: the portal under gunicorn, 2 sync workers, against a floor on the same server.

A scratch portal is built in a temporary folder (migrated, loaded with data/, its search
index rebuilt) and served by gunicorn as a subprocess: 2 workers of the sync class on
127.0.0.1 and a free port, the embedded SQLite database (fine for this bench: the pages
measured only read, except the search query log's one small write per search), a fixed
secret key, no inline search drain (as production runs). The app is bench/load_app.py:
the portal plus one bench-only route. Each target is then loaded in turn by 50 clients
(threads of this process, standard library http.client, loopback only) for 60 s after a
3 s warm-up that is not counted:

    floor     GET /_bench/floor, a plain Flask view returning "ok" on the same app and
              workers: routing, the global hooks and gunicorn, nothing of the portal's own
    product   GET /hs/<code>?market=GBR&origin=MUS over 1,000 random HS 2022 subheadings
              (as an anonymous visitor: each worker's page cache starts empty, so its
              first visit to each address collects and renders the whole page, and
              later ones are answered from its cache; see tradeportal/content_cache.py)
    search    GET /search?q=<word> over 30 real product words, English and French (first
              result page with facets; each one also counts the search in the query log)
    api       GET /api/v1/hs/<code>, the nomenclature lookup of the same subheadings

A request is an error when its answer is not 2xx/3xx (redirects are not followed), when
the connection fails or when no answer comes within 30 s. Latencies are those of the
answered requests, from sending to the last byte read; the sync workers close every
connection, so each request includes a new loopback TCP connection. requests/s counts
the answered requests over the time from the start to the last client's end.

The clients share the 2 cores with the server, so absolute numbers depend on the machine
and its load (recorded); the ratios to the floor, measured in the same run, less so.
All load comes from one address, so the API's per-address limit (300 per minute, kept in
each worker) would answer most API requests with 429: the bench raises API_RATE_LIMIT to
10,000,000 per minute, which keeps the limiter's check in every request but never trips.
Workers are recycled as gunicorn.conf.py says (max_requests and its jitter), so a new
worker's start-up is paid as often as in production.

Prints a table, writes instance/bench/load.json (and the server's log, load_server.log).
Targets (issue 9): product page requests/s ≥ 30 % of the floor's, and no error on any
target. Options: --seconds (per target), --clients, --warmup, --max-requests,
--targets.
"""

import argparse
import http.client
import json
import os
import random
import runpy
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gunicorn  # noqa: E402

from bench.common import percentile, report_dir, seeded_portal  # noqa: E402
from tradeportal.db import db  # noqa: E402
from tradeportal.search.extension import search_store  # noqa: E402

SEED = 2026
WORKERS = 2
CODES = 1_000
QUERY = "market=GBR&origin=MUS"
TIMEOUT = 30.0
TARGET_RATIO = 0.30
TARGET_NAMES = ("floor", "product", "search", "api")
API_RATE_LIMIT = "10000000 per minute"
SECRET_KEY = "bench-load-secret-key-not-for-production"
HOST = "127.0.0.1"
WORDS = [
    # English
    "coffee", "tea", "sugar", "rice", "fish", "tuna", "cotton", "vanilla", "honey", "milk",
    "wheat", "textiles", "garments", "shirts", "steel", "wood",
    # French
    "café", "sucre", "poisson", "coton", "miel", "lait", "riz", "thé", "bois", "acier",
    "fleurs", "vêtements", "viande", "chemises",
]  # fmt: skip


@dataclass
class Tally:
    """What one client saw."""

    latencies_ns: list[int] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


@dataclass
class Round:
    start: float = 0.0
    deadline: float = 0.0
    go: threading.Event = field(default_factory=threading.Event)


def build_portal(instance: Path) -> list[str]:
    """Seed a portal in ``instance``, build its index; return 1,000 random subheadings."""
    app = seeded_portal(instance)
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    if result.exit_code != 0 or "now live" not in result.output:
        raise SystemExit(result.output + repr(result.exception))
    with app.app_context():
        search_store().close()
        db.engine.dispose()
    raw = sqlite3.connect(instance / "tradeportal.db")
    codes = [
        row[0]
        for row in raw.execute(
            "SELECT n.code FROM hs_nodes n JOIN nomenclatures v ON v.id = n.nomenclature_id "
            "WHERE v.code = 'HS2022' AND n.level = 6 ORDER BY n.code"
        )
    ]
    raw.close()
    return random.Random(SEED).sample(codes, CODES)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_environment(instance: Path) -> dict[str, str]:
    """This process's environment without any TRADEPORTAL_* of its own, plus the bench's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEPORTAL_")}
    env.update(
        {
            "TRADEPORTAL_INSTANCE_PATH": str(instance),
            "TRADEPORTAL_DATABASE_URL": f"sqlite:///{instance / 'tradeportal.db'}",
            "TRADEPORTAL_SEARCH_INDEX_DIR": str(instance / "index"),
            "TRADEPORTAL_SECRET_KEY": SECRET_KEY,
            "TRADEPORTAL_SEARCH_DRAIN_INLINE": "false",
            "TRADEPORTAL_API_RATE_LIMIT": API_RATE_LIMIT,
        }
    )
    return env


def production_recycling() -> tuple[int, int]:
    """The worker recycling of the production config: (max_requests, its jitter)."""
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return settings["max_requests"], settings["max_requests_jitter"]


def start_server(
    instance: Path, port: int, log: Path, recycling: tuple[int, int]
) -> subprocess.Popen:
    config = instance / "gunicorn.conf.py"
    config.write_text(
        f"bind = {f'{HOST}:{port}'!r}\n"
        f"workers = {WORKERS}\n"
        "worker_class = 'sync'\n"
        f"max_requests = {recycling[0]}\n"
        f"max_requests_jitter = {recycling[1]}\n"
        f"timeout = {int(TIMEOUT)}\n"
        "graceful_timeout = 10\n"
        f"chdir = {str(ROOT)!r}\n"
        "accesslog = None\n"
        f"errorlog = {str(log)!r}\n"
        "loglevel = 'warning'\n"
        "capture_output = True\n"
    )
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(config), "bench.load_app:app"],
        cwd=ROOT,
        env=server_environment(instance),
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C reaches the bench, which stops the server itself
    )


def wait_until_serving(server: subprocess.Popen, port: int, log: Path) -> None:
    """Wait until both workers can answer (each worker creates its own app at start)."""
    give_up = time.monotonic() + 120
    answered = 0
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            connection.request("GET", "/_bench/floor")
            answered += connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
        finally:
            connection.close()
        if answered >= 20:
            return
    raise SystemExit(f"gunicorn did not answer within 120 s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful stop), wait; kill its process group if it hangs."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # its own session: gunicorn and workers
            server.wait()


def client(port: int, paths: list[str], rng: random.Random, round_: Round, tally: Tally):
    """Send requests one after the other until the deadline, on one connection at a time."""
    connection = None
    round_.go.wait()
    while time.monotonic() < round_.deadline:
        path = rng.choice(paths)
        started = time.perf_counter_ns()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            status = response.status
        except TimeoutError:
            tally.errors["timeout"] += 1
        except (OSError, http.client.HTTPException) as error:
            tally.errors[type(error).__name__] += 1
        else:
            if 200 <= status < 400:
                tally.latencies_ns.append(time.perf_counter_ns() - started)
                continue
            tally.errors[f"HTTP {status}"] += 1
            continue
        # A failed connection is not reused; pause a little so a dead server is not spun on.
        connection.close()
        connection = None
        time.sleep(0.01)


def hammer(port: int, paths: list[str], clients: int, seconds: float, seed: int) -> dict:
    """Run ``clients`` clients for ``seconds``; return their merged counts and duration."""
    round_ = Round()
    tallies = [Tally() for _ in range(clients)]
    threads = [
        threading.Thread(
            target=client,
            args=(port, paths, random.Random(seed + number), round_, tally),
            daemon=True,
        )
        for number, tally in enumerate(tallies)
    ]
    for thread in threads:
        thread.start()
    round_.start = time.monotonic()
    round_.deadline = round_.start + seconds
    round_.go.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - round_.start
    errors = Counter()
    for tally in tallies:
        errors.update(tally.errors)
    return {
        "latencies_ns": [ns for tally in tallies for ns in tally.latencies_ns],
        "errors": dict(errors),
        "elapsed_s": elapsed,
    }


def measure(name: str, paths: list[str], port: int, options, position: str) -> dict:
    print(
        f"[{position}] {name}: warming up {options.warmup:g} s, then {options.clients} "
        f"clients × {options.seconds:g} s …",
        file=sys.stderr,
        flush=True,
    )
    hammer(port, paths, options.clients, options.warmup, SEED - 1)
    run = hammer(port, paths, options.clients, options.seconds, SEED)
    millis = [ns / 1e6 for ns in run["latencies_ns"]]
    errors = sum(run["errors"].values())
    result = {
        "paths": len(paths),
        "example": paths[0],
        "answered": len(millis),
        "errors": errors,
        "error_kinds": run["errors"],
        "elapsed_s": round(run["elapsed_s"], 2),
        "requests_per_s": round(len(millis) / run["elapsed_s"], 1),
    }
    for label, fraction in (("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        result[label] = round(percentile(millis, fraction), 2) if millis else None
    print(
        f"[{position}] {name}: {result['answered']:,} answered, {errors:,} errors, "
        f"{result['requests_per_s']:,} req/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms",
        file=sys.stderr,
        flush=True,
    )
    return result


def server_log_problems(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    marks = ("[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "Traceback", "Error", "WARNING")
    return [line for line in lines if any(mark in line for mark in marks)]


def parse_options():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per target (60)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--warmup", type=float, default=3.0, help="uncounted, per target (3)")
    parser.add_argument(
        "--max-requests",
        type=int,
        help="recycle each worker after this many requests (default: gunicorn.conf.py's)",
    )
    parser.add_argument(
        "--targets",
        default=",".join(TARGET_NAMES),
        help="comma-separated targets to load; the floor and the product page always run",
    )
    return parser.parse_args()


def main() -> None:
    options = parse_options()
    recycling = production_recycling()
    if options.max_requests is not None:
        recycling = (options.max_requests, options.max_requests // 10)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        print("building the scratch portal and its search index …", file=sys.stderr, flush=True)
        codes = build_portal(instance)
        every_target = {
            "floor": ["/_bench/floor"],
            "product": [f"/hs/{code}?{QUERY}" for code in codes],
            "search": [f"/search?q={quote(word)}" for word in WORDS],
            "api": [f"/api/v1/hs/{code}" for code in codes],
        }
        chosen = {"floor", "product", *options.targets.split(",")}
        targets = {name: paths for name, paths in every_target.items() if name in chosen}
        port, log = free_port(), Path(tmp) / "gunicorn.log"
        server = start_server(instance, port, log, recycling)
        results = {}
        try:
            wait_until_serving(server, port, log)
            for number, (name, paths) in enumerate(targets.items(), start=1):
                position = f"{number}/{len(targets)}"
                results[name] = measure(name, paths, port, options, position)
        finally:
            stop_server(server)
            server_log = log.read_text(errors="replace") if log.exists() else ""
            (report_dir() / "load_server.log").write_text(server_log)
        problems = server_log_problems(log)

    floor_rps = results["floor"]["requests_per_s"]
    for result in results.values():
        result["ratio_to_floor"] = round(result["requests_per_s"] / floor_rps, 3)
    product_ratio = results["product"]["ratio_to_floor"]
    total_errors = sum(result["errors"] for result in results.values())
    ratio_met, errors_met = product_ratio >= TARGET_RATIO, total_errors == 0
    report = {
        "date": date.today().isoformat(),
        "python": sys.version.split()[0],
        "gunicorn": gunicorn.__version__,
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "server": {
            "workers": WORKERS,
            "worker_class": "sync",
            "max_requests": recycling[0],
            "max_requests_jitter": recycling[1],
            "database": "embedded SQLite",
            "search_drain_inline": False,
            "api_rate_limit": API_RATE_LIMIT,
        },
        "clients": options.clients,
        "seconds_per_target": options.seconds,
        "warmup_s": options.warmup,
        "timeout_s": TIMEOUT,
        "words": WORDS,
        "targets": results,
        "server_log_problems": problems[:50],
        "target": {
            "product_ratio_min": TARGET_RATIO,
            "product_ratio": product_ratio,
            "ratio_met": ratio_met,
            "errors": total_errors,
            "errors_met": errors_met,
            "met": ratio_met and errors_met,
        },
    }
    (report_dir() / "load.json").write_text(json.dumps(report, indent=2) + "\n")

    print(
        f"Load test — gunicorn {gunicorn.__version__}, {WORKERS} sync workers, "
        f"{options.clients} clients × {options.seconds:g} s per target, SQLite "
        f"{sqlite3.sqlite_version}, {os.cpu_count()} CPUs, load average before "
        f"{load_before[0]:.2f}"
    )
    print(
        f"{'target':<40}{'answered':>10}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'× floor':>9}"
    )
    labels = {
        "floor": "floor  /_bench/floor",
        "product": f"product /hs/<code>?{QUERY}",
        "search": f"search /search?q=<{len(WORDS)} words>",
        "api": "api    /api/v1/hs/<code>",
    }
    for name, result in results.items():
        print(
            f"{labels[name]:<40}{result['answered']:>10,}{result['errors']:>8,}"
            f"{result['requests_per_s']:>9,.1f}{result['p50_ms']!s:>9}{result['p95_ms']!s:>9}"
            f"{result['p99_ms']!s:>9}{result['ratio_to_floor']:>9.3f}"
        )
        if result["error_kinds"]:
            kinds = ", ".join(
                f"{kind} × {n:,}" for kind, n in sorted(result["error_kinds"].items())
            )
            print(f"    errors: {kinds}")
    print(
        f"product / floor requests/s: {product_ratio:.1%} (target ≥ {TARGET_RATIO:.0%}: "
        f"{'met' if ratio_met else 'MISSED'}); errors on all targets: {total_errors:,} "
        f"(target 0: {'met' if errors_met else 'MISSED'})"
    )
    if problems:
        print(
            f"server log: {len(problems)} warning/error lines, first: {problems[0][:200]} "
            f"(all in instance/bench/load_server.log)"
        )


if __name__ == "__main__":
    main()
