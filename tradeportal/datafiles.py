"""Reading the reference files in ``data/``: shared by every area's loader.

A loader reads and checks a whole file first and raises :class:`DataFileError` listing
every bad line; only then does it write, so a broken file changes nothing.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

Progress = Callable[[int], None]


class DataFileError(ValueError):
    """A reference file with bad lines; nothing from it is loaded."""

    def __init__(self, path: Path, problems: list[tuple[int, str, str]]):
        self.path = path
        self.problems = problems  # (line number, field, reason)
        lines = "; ".join(f"line {line} {name}: {reason}" for line, name, reason in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{path.name}: {len(problems)} bad line(s): {lines}{more}")


@dataclass
class LoadReport:
    """Counts of what a load did, per table, and what it skipped on purpose."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(c["inserted"] + c["updated"] for c in self.counts.values())


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a UTF-8 CSV, tolerating a byte-order mark."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
