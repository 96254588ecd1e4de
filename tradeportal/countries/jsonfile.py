"""Reading a list of records from a JSON reference file, with the line each record starts on.

Loaders report problems by line number, in JSON files as in CSV files. (A candidate for
``tradeportal/datafiles.py``, next to ``read_csv``.)
"""

import json
import re
from pathlib import Path
from typing import Any

from tradeportal.datafiles import DataFileError

_WHITESPACE = re.compile(r"[\s,]*")


def _item_lines(text: str, key: str, count: int) -> list[int] | None:
    """Find the line each element of the top-level list ``key`` starts on."""
    start = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', text)
    if start is None:
        return None
    decoder, index, lines = json.JSONDecoder(), start.end(), []
    while True:
        index = _WHITESPACE.match(text, index).end()
        if index >= len(text) or text[index] == "]":
            break
        lines.append(text.count("\n", 0, index) + 1)
        _value, index = decoder.raw_decode(text, index)
    return lines if len(lines) == count else None


def read_json_items(path: Path, key: str) -> tuple[dict[str, Any], list[tuple[int, Any]]]:
    """Return the file's top-level object and [(line, item)] for its list ``key``."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(
            path, [(error.lineno, "file", f"not valid JSON: {error.msg}")]
        ) from None
    items = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise DataFileError(path, [(1, key, f'expected an object with a "{key}" list')])
    lines = _item_lines(text, key, len(items)) or list(range(1, len(items) + 1))
    return payload, list(zip(lines, items, strict=True))
