"""A full disk under the search index: the database stays the truth, and a rebuild repairs.

The index directory is put on a small tmpfs of its own (mounting needs root, as in CI)
and filled to the last byte; the commands run as real processes, with a time limit, so
that a writer stuck on the full disk fails the test instead of hanging the suite.
"""

import errno
import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import select

from tests.conftest import copy_database, dispose, drop_database, make_app
from tests.search.conftest import queue_rows
from tests.search.test_queue import regulation, titles
from tradeportal.config import ROOT
from tradeportal.db import db
from tradeportal.regulations.models import Regulation
from tradeportal.search.extension import search_store

NEW_TITLE = "Phytosanitary rules for quokkaite coffee"


@pytest.fixture
def small_disk(tmp_path):
    """A 480 MiB tmpfs: the live index (~55 MiB) and what a rebuild asks for (~360 MiB)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=480m", "tmpfs", str(disk)], check=True)
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk) -> int:
    """Write a filler file until the disk refuses one more byte; return its size."""
    written = 0
    descriptor = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (1 << 20, 1 << 12, 1):
            block = b"\0" * chunk
            while True:
                try:
                    written += os.write(descriptor, block)
                except OSError as error:
                    assert error.errno == errno.ENOSPC
                    break
    finally:
        os.close(descriptor)
    return written


def command(app, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TRADEPORTAL_INSTANCE_PATH": app.instance_path,
        "TRADEPORTAL_DATABASE_URL": app.config["DATABASE_URL"],
        "TRADEPORTAL_SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "TRADEPORTAL_SECRET_KEY": "test-secret-key",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def app_on_small_disk(indexed_template, tmp_path, small_disk):
    instance = tmp_path / "instance"
    copy_database(indexed_template, instance)
    shutil.copytree(indexed_template / "index", small_disk / "index")
    app = make_app(instance, SEARCH_INDEX_DIR=str(small_disk / "index"))
    yield app
    with app.app_context():
        search_store().close()
    dispose(app)
    drop_database(instance)


def test_a_full_index_disk_loses_no_change_and_a_rebuild_repairs(app_on_small_disk, small_disk):
    app = app_on_small_disk
    assert fill(small_disk) > 0

    # An editor's change commits; the inline drain cannot write and leaves it queued.
    with app.app_context():
        found = regulation(db.session)
        found.title_en = NEW_TITLE
        db.session.commit()
        regulation_id = str(found.id)
    with app.app_context():
        stored = db.session.scalar(select(Regulation.title_en).where(Regulation.id == found.id))
        assert stored == NEW_TITLE
    assert queue_rows(app) == [("regulation", regulation_id, "upsert")]
    # Searching still works from the index as it was.
    page = app.test_client().get("/search?q=coffee")
    assert page.status_code == 200
    assert titles(app, "quokkaite") == []

    drained = command(app, "search", "drain")
    assert drained.returncode == 1, drained.stdout + drained.stderr
    assert "No space left on device" in drained.stderr
    assert "Traceback" not in drained.stderr
    # A rebuild is refused before it writes anything (Whoosh would hang half way).
    rebuilt = command(app, "search", "rebuild")
    assert rebuilt.returncode == 1, rebuilt.stdout + rebuilt.stderr
    assert "MiB free; a rebuild needs about" in rebuilt.stderr
    assert "Traceback" not in rebuilt.stderr
    # Nothing was lost: the change is still queued, the old index still answers.
    assert queue_rows(app) == [("regulation", regulation_id, "upsert")]
    assert app.test_client().get("/search?q=coffee").status_code == 200

    # The operator frees the disk; a rebuild brings the index back to the database.
    os.remove(small_disk / "filler")
    rebuilt = command(app, "search", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    checked = command(app, "search", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 missing, 0 stale, 0 extra; 0 change(s) queued" in checked.stdout
    with app.app_context():
        search_store().close()  # reopen: the rebuild swapped in a new directory
    assert titles(app, "quokkaite") == [NEW_TITLE]
