"""A gunicorn web worker killed (SIGKILL) under requests: replaced, and nothing half-saved.

The portal runs under gunicorn with gunicorn.conf.py and 2 sync workers on this test's
database, on loopback. One worker is killed while two clients keep asking for a product
page; gunicorn's master starts a new one, and every request after that succeeds.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tradeportal.config import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def status_of(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:  # the connection the killed worker held
        return type(error).__name__


def start_gunicorn(app, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEPORTAL_")}
    env |= {
        "TRADEPORTAL_INSTANCE_PATH": app.instance_path,
        "TRADEPORTAL_DATABASE_URL": app.config["DATABASE_URL"],
        "TRADEPORTAL_SECRET_KEY": "test-secret-key",
        "TRADEPORTAL_BIND": f"127.0.0.1:{port}",
        "TRADEPORTAL_WORKERS": "2",
    }
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until(condition, what: str, log: Path, seconds: float = 120) -> None:
    # A bound on waiting for the server, not an assertion on how fast it is.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen:\n{log.read_text()}")


def test_a_killed_web_worker_is_replaced_and_requests_recover(indexed_app, tmp_path):
    app = indexed_app
    port, log = free_port(), tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(app, port, log)
    try:
        wait_until(lambda: status_of(f"{base}/healthz") == 200, "gunicorn answering", log)
        wait_until(lambda: len(children(server.pid)) == 2, "two workers", log)
        before = children(server.pid)

        results: list[int | str] = []
        stop = threading.Event()

        def client():
            while not stop.is_set():
                results.append(status_of(f"{base}/hs/090121"))

        clients = [threading.Thread(target=client) for _ in range(2)]
        for thread in clients:
            thread.start()
        wait_until(lambda: len(results) >= 10, "ten answers before the kill", log)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        wait_until(
            lambda: len(children(server.pid) - before) == 1 and len(children(server.pid)) == 2,
            "a replacement worker",
            log,
        )
        after_kill = len(results)
        wait_until(lambda: len(results) >= after_kill + 20, "twenty answers after it", log)
        stop.set()
        for thread in clients:
            thread.join(60)

        failed = [result for result in results if result != 200]
        # At most the requests the killed worker was serving (one per client) failed...
        assert len(failed) <= 2, failed
        # ...and every answer once the new worker was up is a page.
        assert set(results[after_kill + 2 :]) == {200}, results[after_kill:]
        assert status_of(f"{base}/readyz") == 200
        assert f"Worker (pid:{victim})" in log.read_text()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)
