"""Helpers shared by the countries and agreements tests: breaking data files, page text."""

import html
import re
import shutil
from pathlib import Path

from sqlalchemy import func, select

from tradeportal.db import db


def copy_data(app, tmp_path: Path) -> Path:
    """Point the app at a private copy of data/ that a test may break."""
    copy = tmp_path / "data"
    shutil.copytree(app.config["DATA_DIR"], copy)
    app.config["DATA_DIR"] = str(copy)
    return copy


def break_line(path: Path, find: str, replacement: str, occurrence: int = 0) -> int:
    """Replace ``find`` on one line holding it (the first by default); return its number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    numbers = [i for i, text in enumerate(lines, 1) if find in text]
    number = numbers[occurrence]
    lines[number - 1] = lines[number - 1].replace(find, replacement, 1)
    path.write_text("".join(lines), encoding="utf-8")
    return number


def json_item_start(path: Path, line: int) -> int:
    """Return the line on which the top-level list item holding ``line`` starts."""
    lines = path.read_text(encoding="utf-8").splitlines()
    opening = next(i for i, text in enumerate(lines) if text.rstrip().endswith("["))
    indent = lines[opening + 1][: len(lines[opening + 1]) - len(lines[opening + 1].lstrip())]
    return max(
        i for i, text in enumerate(lines[:line], 1) if text.rstrip() == indent + "{" and i > opening
    )


def table_rows(*models) -> dict[str, list[tuple]]:
    """Every row of these tables, to compare the database before and after."""
    snapshot = {}
    for model in models:
        columns = [column for column in model.__table__.columns]
        snapshot[model.__tablename__] = db.session.execute(
            select(*columns).order_by(model.__table__.c.id)
        ).all()
    return snapshot


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    body = re.sub(
        r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ").split())
