"""The attachment folder: bytes stored by their SHA-256, outside static/, written atomically.

Layout: ``<ATTACHMENT_DIR>/<sha256[:2]>/<sha256>``; ``ATTACHMENT_DIR`` defaults to
``<instance>/attachments``. Files are written before their database row, so a crash leaves
at worst a file without a row (harmless, listed by ``flask attachments check``), never a
row without its file.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import current_app

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
TEMP_PREFIX = ".upload-"


def attachment_dir() -> Path:
    """Return the folder holding the current app's attachment files."""
    configured = current_app.config.get("ATTACHMENT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def stored_path(sha256: str) -> Path:
    """Return where the bytes with this SHA-256 are kept."""
    if not SHA256_HEX.fullmatch(sha256):
        raise ValueError(f"{sha256!r} is not a lower-case SHA-256 hex digest")
    return attachment_dir() / sha256[:2] / sha256


def store_bytes(sha256: str, data: bytes) -> Path:
    """Write ``data`` under its digest unless an identical file is already there."""
    target = stored_path(sha256)
    if target.is_file() and target.stat().st_size == len(data):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Same folder as the target, so os.replace is an atomic rename: readers see the whole
    # file or none of it, even if this process dies half-way.
    handle, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def stored_files() -> Iterator[tuple[str, Path]]:
    """Yield (name, path) of every file in the attachment folder, digests or not."""
    root = attachment_dir()
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path


def digest_of_stored(name: str) -> str | None:
    """Return the digest a stored file's relative name stands for, None for stray files."""
    folder, _, digest = name.partition("/")
    if SHA256_HEX.fullmatch(digest) and folder == digest[:2]:
        return digest
    return None
