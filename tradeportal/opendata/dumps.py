"""Writing and reading the versioned dumps in ``<instance>/dumps/<version>/``.

A dump is written into a hidden folder and renamed into place when complete, so a
reader never sees half of one. Its ``manifest.json`` lists every file with its rows,
bytes and SHA-256 (also in ``SHA256SUMS``, for ``sha256sum -c``), and a digest of the
whole content: a dump identical to the latest one is not written again.
"""

import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from tradeportal.auth.manage_audit import spreadsheet_safe
from tradeportal.db import utcnow
from tradeportal.opendata.tables import TABLES, Table

VERSION = re.compile(r"[0-9]{8}-[0-9]{1,4}")
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
FORMATS = {"csv": "text/csv", "json": "application/json"}
LICENCE = (
    "Each dataset keeps the licence of its source (see provenance). Content written by "
    "the portal team is flagged is_demo and is illustrative only."
)
PROVENANCE = "/about/data"


@dataclass
class DumpResult:
    version: str
    manifest: dict
    unchanged: bool  # the content equals the latest dump's, so nothing was written


def dumps_root(instance_path: str, configured: str | None = None) -> Path:
    return Path(configured) if configured else Path(instance_path) / "dumps"


def _cell(value) -> str:
    """Write a value the way ``flask content export`` does, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(map(str, value))
    elif isinstance(value, bool):
        value = "True" if value else "False"
    elif isinstance(value, date | datetime):
        value = value.isoformat()
    return spreadsheet_safe(str(value))


def csv_bytes(rows: list[dict]) -> bytes:
    columns = sorted({name for row in rows for name in row})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    return out.getvalue().encode("utf-8")


def json_bytes(table: Table, rows: list[dict]) -> bytes:
    document = {"type": table.name, "items": rows}
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    return (text + "\n").encode("utf-8")


def versions(root: Path) -> list[str]:
    """Return the complete dumps' versions, oldest first."""
    if not root.is_dir():
        return []
    found = [
        path.name
        for path in root.iterdir()
        if VERSION.fullmatch(path.name) and (path / MANIFEST).is_file()
    ]
    return sorted(found, key=lambda name: (name[:8], int(name[9:])))


def read_manifest(root: Path, version: str) -> dict | None:
    """Return a dump's manifest; None for anything that is not a complete dump."""
    if not VERSION.fullmatch(version):
        return None
    path = root / version / MANIFEST
    return json.loads(path.read_text("utf-8")) if path.is_file() else None


def latest(root: Path) -> dict | None:
    known = versions(root)
    return read_manifest(root, known[-1]) if known else None


def _next_version(root: Path, day: date) -> str:
    stem = day.strftime("%Y%m%d")
    taken = [int(name[9:]) for name in versions(root) if name.startswith(stem)]
    return f"{stem}-{max(taken, default=0) + 1}"


def _content_digest(files: list[dict]) -> str:
    lines = "".join(f"{entry['sha256']}  {entry['name']}\n" for entry in files)
    return hashlib.sha256(lines.encode()).hexdigest()


def write_dump(
    session: Session,
    root: Path,
    *,
    force: bool = False,
    progress: Callable[[Table], None] = lambda table: None,
) -> DumpResult:
    """Write every table as CSV and JSON; skip writing when nothing changed (unless forced)."""
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    try:
        files = []
        for table in TABLES:
            rows = list(table.rows(session))
            for fmt, content in (("csv", csv_bytes(rows)), ("json", json_bytes(table, rows))):
                name = f"{table.name}.{fmt}"
                (staging / name).write_bytes(content)
                files.append(
                    {
                        "name": name,
                        "table": table.name,
                        "dataset": table.dataset,
                        "description": table.description,
                        "format": fmt,
                        "media_type": FORMATS[fmt],
                        "rows": len(rows),
                        "bytes": len(content),
                        "sha256": hashlib.sha256(content).hexdigest(),
                    }
                )
            progress(table)
        digest = _content_digest(files)
        previous = latest(root)
        if previous is not None and previous["content_sha256"] == digest and not force:
            return DumpResult(previous["version"], previous, unchanged=True)
        now = utcnow()
        version = _next_version(root, now.date())
        manifest = {
            "version": version,
            "generated_at": now.isoformat(timespec="seconds"),
            "content_sha256": digest,
            "licence": LICENCE,
            "provenance": PROVENANCE,
            "files": files,
        }
        (staging / CHECKSUMS).write_text(
            "".join(f"{entry['sha256']}  {entry['name']}\n" for entry in files), "utf-8"
        )
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
        staging.chmod(0o755)  # mkdtemp makes it private; the web server reads it
        staging.rename(root / version)
        return DumpResult(version, manifest, unchanged=False)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
