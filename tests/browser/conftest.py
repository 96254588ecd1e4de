"""Browser tests: the portal served over real HTTP, driven by Debian chromium via Playwright.

Each test gets its own copy of the seeded database and search index, served by Werkzeug in a
thread, mailing through a real aiosmtpd server. Steps the worker would do in production
(fan-out, the mail pass, the search drain) run in the test process with ``flask worker
--once``. Screenshots of the pages visited are kept in ``instance/screenshots/`` and the
accessibility findings in ``instance/screenshots/axe.json``: the artifacts of a CI run.
"""

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from tests.auth.conftest import CHEAP_HASHING
from tests.mail.smtp_sink import SmtpSink

CHROMIUM = os.environ.get("TRADEPORTAL_CHROMIUM", "/usr/bin/chromium")
# Quiet, reproducible chromium: no background traffic, no GPU, no sandbox (root in CI).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA rules only (axe's "best practice" rules are advice, not the standard).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 15_000


@dataclass
class Portal:
    """A running portal: its app (for worker steps and lookups), address and mail server."""

    app: object
    url: str
    sink: SmtpSink

    def at(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs the Debian chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def portal(indexed_app) -> Portal:
    """The seeded, indexed portal on a free port, mailing through a real SMTP server."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in reports
    sink = SmtpSink().start()
    server = make_server("127.0.0.1", 0, indexed_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    indexed_app.config.update(
        CHEAP_HASHING, MAIL_TRANSPORT="smtp", SMTP_URL=sink.url, PUBLIC_URL=url
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Portal(indexed_app, url, sink)
    server.shutdown()
    thread.join()
    sink.stop()
    assert not sink.handler.problems, sink.handler.problems


def _new_page(browser: Browser, **context_options) -> Page:
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # A page error (an exception in our JavaScript) fails the test that caused it.
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


@pytest.fixture
def page(browser) -> Page:
    """A fresh English browser tab (its own cookies)."""
    page = _new_page(browser, locale="en-GB")
    yield page
    page.context.close()
    assert not page.errors, page.errors


@pytest.fixture
def open_page(browser):
    """Open more tabs with their own cookies and options (locale, JavaScript, viewport)."""
    pages = []

    def make(**context_options) -> Page:
        pages.append(_new_page(browser, **context_options))
        return pages[-1]

    yield make
    for page in pages:
        page.context.close()
    for page in pages:
        assert not page.errors, page.errors


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot of what the browser shows now, as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page, name: str) -> list[dict]:
    """Run axe-core on the page; record every finding, return the serious and critical ones."""
    # Evaluated through the DevTools protocol, so the page's own CSP (no inline scripts)
    # stays in force for everything else.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    findings = [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]
    _record_axe(name, page.url, len(result["passes"]), findings)
    return [finding for finding in findings if finding["impact"] in ("serious", "critical")]


def _record_axe(name: str, url: str, passes: int, findings: list[dict]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / "axe.json"
    recorded = json.loads(report.read_text()) if report.exists() else {}
    recorded[name] = {"url": url, "rules_passed": passes, "violations": findings}
    report.write_text(json.dumps(recorded, indent=2, sort_keys=True))
