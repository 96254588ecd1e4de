"""``flask attachments check``: files without rows, rows without files, damaged files."""

import hashlib

import click
from flask.cli import with_appcontext

from tradeportal.attachments.queries import all_digests
from tradeportal.attachments.storage import (
    attachment_dir,
    digest_of_stored,
    stored_files,
    stored_path,
)
from tradeportal.db import db

CHUNK = 1024 * 1024


@click.command("check")
@click.option("--verify", is_flag=True, help="Also hash every file and compare it with its name.")
@with_appcontext
def check_storage(verify: bool) -> None:
    """Compare the attachment folder with the database; fail when a row has no file."""
    rows = all_digests(db.session)
    root = attachment_dir()
    files = dict(stored_files())
    on_disk = {digest_of_stored(name): name for name in files if digest_of_stored(name)}
    click.echo(f"Attachment folder: {root}")
    click.echo(
        f"{len(rows):,} attachment(s) in the database, {len(files):,} file(s) in the folder."
    )

    missing = sorted(
        (attachment_id, digest) for digest, attachment_id in rows.items() if digest not in on_disk
    )
    orphans = sorted(name for digest, name in on_disk.items() if digest not in rows)
    strays = sorted(name for name in files if digest_of_stored(name) is None)
    damaged = []
    if verify:
        with click.progressbar(sorted(rows), label="Hashing files") as digests:
            damaged = [d for d in digests if d in on_disk and _hash_of(files[on_disk[d]]) != d]

    _report(
        "Rows whose file is missing (their addresses fail)",
        [f"#{attachment_id} {digest}" for attachment_id, digest in missing],
    )
    _report(
        "Files whose bytes no longer match their name (damaged)",
        [f"#{rows[digest]} {stored_path(digest)}" for digest in damaged],
    )
    _report("Files without a row (harmless: an upload that failed or is under way)", orphans)
    _report("Other files (temporary or foreign; not served)", strays)
    if missing or damaged:
        raise click.ClickException(
            f"{len(missing):,} missing and {len(damaged):,} damaged file(s): restore them "
            "from a backup of the attachment folder."
        )
    click.echo("Every attachment has its file.")


def _report(heading: str, lines: list[str]) -> None:
    if not lines:
        return
    click.echo(f"{heading}: {len(lines):,}")
    for line in lines:
        click.echo(f"  {line}")


def _hash_of(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
