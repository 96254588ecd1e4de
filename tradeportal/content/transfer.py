"""Reading and writing content files: all-or-nothing imports with a report of every bad line."""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import event
from sqlalchemy.orm import Session

from tradeportal.content.registry import CONTENT_TYPES, ContentType, ImportProblem

MAX_IMPORT_BYTES = 50 * 1024 * 1024


@dataclass
class ImportReport:
    content_type: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (where, field, why)

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, size, unknown type)."""


def detect_type(path: Path, declared: str | None, payload: Any = None) -> ContentType:
    """Pick the content type from --type, a JSON file's "type", or the file name."""
    name = declared
    if name is None and isinstance(payload, dict):
        name = payload.get("type")
    if name is None:
        name = path.stem.split(".")[0]
    if name not in CONTENT_TYPES:
        known = ", ".join(sorted(CONTENT_TYPES))
        raise ImportFileError(f"Unknown content type {name!r}; use --type with one of: {known}.")
    return CONTENT_TYPES[name]


def read_records(path: Path, declared_type: str | None) -> tuple[ContentType, list]:
    """Read a CSV or JSON file into (content type, [(where, raw record)])."""
    if not path.is_file():
        raise ImportFileError(f"{path} is not a file.")
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise ImportFileError(f"{path} is larger than {MAX_IMPORT_BYTES // 2**20} MiB.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{path} is not UTF-8 text ({error.reason}).") from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportFileError(
                f"{path} is not valid JSON: {error.msg} at line {error.lineno}."
            ) from None
        content_type = detect_type(path, declared_type, payload)
        items = payload.get("items") if isinstance(payload, dict) else payload
        if not isinstance(items, list):
            raise ImportFileError('A JSON import is a list of records or {"type", "items"}.')
        return content_type, [(f"item {i}", item) for i, item in enumerate(items, 1)]
    if suffix == ".csv":
        content_type = detect_type(path, declared_type)
        reader = csv.DictReader(io.StringIO(text, newline=""))
        records = []
        for row in reader:
            if None in row:  # more cells than header columns
                records.append((f"line {reader.line_num}", {"__extra__": row.pop(None)}))
                continue
            # Empty cells mean "not given", so optional fields take their defaults.
            records.append((f"line {reader.line_num}", {k: v for k, v in row.items() if v}))
        return content_type, records
    raise ImportFileError(f"{path}: only .csv and .json files can be imported.")


def flatten_messages(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Turn marshmallow's nested error messages into (field, reason) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            yield from flatten_messages(value, name)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield prefix or "record", " ".join(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            yield from flatten_messages(value, f"{prefix}[{index}]")
    else:
        yield prefix or "record", str(messages)


def import_records(
    session: Session,
    content_type: ContentType,
    records: list,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Validate every record, then save them all; on any problem save nothing.

    ``progress`` is told of each record validated and each record saved (two passes).
    The caller commits when the report is ok and rolls back otherwise.
    """
    report = ImportReport(content_type.name)
    schema = content_type.input_schema()
    loaded, seen = [], {}
    for where, raw in records:
        progress(1)
        if not isinstance(raw, dict) or "__extra__" in raw:
            report.problems.append((where, "record", "not a record with the expected columns"))
            continue
        try:
            record = schema.load(raw)
        except ValidationError as error:
            report.problems.extend(
                (where, name, why) for name, why in flatten_messages(error.messages)
            )
            continue
        key = tuple(record.get(name) for name in content_type.natural_key)
        if key in seen:
            names = "/".join(content_type.natural_key)
            report.problems.append((where, names, f"same {names} as {seen[key]}"))
            continue
        seen[key] = where
        loaded.append((where, record))
    if report.problems:
        return report
    for where, record in loaded:
        progress(1)
        try:
            with session.begin_nested(), _WriteWatch(session) as watch:
                created = content_type.save(session, record)
                session.flush()
        except ImportProblem as problem:
            report.problems.append((where, problem.field, problem.message))
            continue
        if created:
            report.created += 1
        elif watch.wrote:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


class _WriteWatch:
    """Tell whether a save wrote anything: a flush with changes, or a Core write."""

    def __init__(self, session: Session):
        self.session = session
        self.wrote = False

    def _before_flush(self, session, _context, _instances) -> None:
        if session.new or session.deleted or any(map(session.is_modified, session.dirty)):
            self.wrote = True

    def _on_execute(self, state) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            self.wrote = True

    def __enter__(self) -> "_WriteWatch":
        event.listen(self.session, "before_flush", self._before_flush)
        event.listen(self.session, "do_orm_execute", self._on_execute)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.session, "before_flush", self._before_flush)
        event.remove(self.session, "do_orm_execute", self._on_execute)


def export_records(session: Session, content_type: ContentType, fmt: str) -> str:
    """Write every record of a type as JSON (lossless) or CSV (lists joined by ';')."""
    records = list(content_type.export(session))
    if fmt == "json":
        return (
            json.dumps(
                {"type": content_type.name, "items": records},
                ensure_ascii=False,
                indent=2,
                default=str,
            )
            + "\n"
        )
    columns = sorted({name for record in records for name in record})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                name: ";".join(map(str, value)) if isinstance(value, list) else value
                for name, value in record.items()
            }
        )
    return out.getvalue()
