"""``flask attachments check`` reports files without rows, rows without files, damaged files."""

import hashlib
import os
from pathlib import Path

from tests.attachments.conftest import add_attachment, stored_files
from tests.attachments.documents import docx_bytes, pdf_bytes
from tests.conftest import run_cli
from tradeportal.attachments.storage import TEMP_PREFIX


def check(app, *args: str):
    return app.test_cli_runner().invoke(args=["attachments", "check", *args])


def folder(app) -> Path:
    return Path(app.instance_path) / "attachments"


def test_a_consistent_library_passes(app):
    add_attachment(app, pdf_bytes(), "form.pdf")
    add_attachment(app, docx_bytes(), "form.docx")
    result = run_cli(app, "attachments", "check", "--verify")
    assert "2 attachment(s) in the database, 2 file(s) in the folder." in result.output
    assert "Every attachment has its file." in result.output


def test_an_empty_library_without_a_folder_passes(app):
    result = run_cli(app, "attachments", "check")
    assert "0 attachment(s) in the database, 0 file(s) in the folder." in result.output


def test_files_without_rows_and_stray_files_are_reported_but_harmless(app):
    add_attachment(app, pdf_bytes(), "form.pdf")
    orphan = hashlib.sha256(b"left by a failed upload").hexdigest()
    (folder(app) / orphan[:2]).mkdir(parents=True, exist_ok=True)
    (folder(app) / orphan[:2] / orphan).write_bytes(b"left by a failed upload")
    (folder(app) / "notes.txt").write_text("someone's notes")
    result = run_cli(app, "attachments", "check")
    assert "Files without a row (harmless" in result.output
    assert f"  {orphan[:2]}/{orphan}" in result.output
    assert "Other files (temporary or foreign; not served): 1\n  notes.txt" in result.output
    assert "Every attachment has its file." in result.output


def test_a_row_whose_file_is_missing_fails_the_check(app):
    attachment_id = add_attachment(app, pdf_bytes(), "form.pdf")
    [path] = stored_files(app)
    path.unlink()
    result = check(app)
    assert result.exit_code == 1
    assert "Rows whose file is missing (their addresses fail): 1" in result.output
    assert f"#{attachment_id} {path.name}" in result.output
    assert "1 missing and 0 damaged file(s)" in result.output


def test_verify_finds_a_damaged_file(app):
    attachment_id = add_attachment(app, pdf_bytes(), "form.pdf")
    [path] = stored_files(app)
    os.chmod(path, 0o600)
    path.write_bytes(pdf_bytes("tampered"))
    assert check(app).exit_code == 0  # without --verify only presence is checked
    result = check(app, "--verify")
    assert result.exit_code == 1
    assert "Files whose bytes no longer match their name (damaged): 1" in result.output
    assert f"#{attachment_id} " in result.output


def test_storing_leaves_no_temporary_file_and_is_idempotent(app):
    add_attachment(app, pdf_bytes(), "form.pdf")
    [path] = stored_files(app)
    assert not path.name.startswith(TEMP_PREFIX)
    from tradeportal.attachments.storage import store_bytes

    before = path.stat().st_mtime_ns
    with app.app_context():
        assert store_bytes(path.name, pdf_bytes()) == path
    assert path.stat().st_mtime_ns == before
    assert stored_files(app) == [path]
