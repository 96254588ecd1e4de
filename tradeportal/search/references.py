"""Loading the starter list of search references from ``data/search/references.csv``.

Columns: term, language (en|fr), code (HS 2022, 2 to 6 digits in any accepted form),
note. The whole file is checked first; any bad line (unknown code, bad language,
duplicate) stops the load with every problem listed, and nothing is written. Rows are
upserted on (term, language, code); references added later by editors are left alone.
"""

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.datafiles import DataFileError, LoadReport, Progress, read_csv
from tradeportal.db import upsert_rows
from tradeportal.hs.codes import InvalidHSCode, normalise_hs_code
from tradeportal.hs.models import HsNode, Nomenclature
from tradeportal.search.models import SearchReference
from tradeportal.search.sources_hs import REFERENCE_EDITION

REFERENCE_FILE = "search/references.csv"
# The HS dataset is what the codes are checked against.
HS_DEPENDENCIES = ("hs/hs2022.csv",)
MAX_TERM_LENGTH = 120
MAX_NOTE_LENGTH = 300
# The references name HS 2022 codes: they apply from that edition's entry into force.
VALID_FROM = date(2022, 1, 1)
ISSUED_BY = "Portal editors (starter list)"
LANGUAGES = ("en", "fr")


def _known_codes(session: Session) -> set[str]:
    return set(
        session.scalars(
            select(HsNode.code)
            .join(Nomenclature, Nomenclature.id == HsNode.nomenclature_id)
            .where(Nomenclature.code == REFERENCE_EDITION)
        )
    )


def read_references(path: Path, known_codes: set[str]) -> list[dict]:
    """Read and check every line; raise DataFileError listing all bad ones."""
    rows, problems, seen = [], [], {}
    for line, raw in read_csv(path):
        term = " ".join(raw.get("term", "").split())
        language = raw.get("language", "").strip().lower()
        note = raw.get("note", "").strip() or None
        line_problems = []
        if not term:
            line_problems.append((line, "term", "is empty"))
        elif len(term) > MAX_TERM_LENGTH:
            line_problems.append((line, "term", f"is longer than {MAX_TERM_LENGTH} characters"))
        if language not in LANGUAGES:
            line_problems.append((line, "language", f"{language!r} is not en or fr"))
        if note and len(note) > MAX_NOTE_LENGTH:
            line_problems.append((line, "note", f"is longer than {MAX_NOTE_LENGTH} characters"))
        try:
            code = normalise_hs_code(raw.get("code", "")).digits
        except InvalidHSCode as error:
            line_problems.append((line, "code", error.message))
            code = None
        if code and code not in known_codes:
            line_problems.append((line, "code", f"{code} is not a code of {REFERENCE_EDITION}"))
        key = (term.casefold(), language, code)
        if not line_problems and key in seen:
            line_problems.append((line, "term", f"repeats line {seen[key]}"))
        if line_problems:
            problems += line_problems
            continue
        seen[key] = line
        rows.append(
            {
                "term": term,
                "language": language,
                "code": code,
                "note": note,
                "valid_from": VALID_FROM,
                "issued_by": ISSUED_BY,
                "is_demo": False,
            }
        )
    if problems:
        raise DataFileError(path, problems)
    return rows


def load_search_references(
    session: Session, data_dir: Path, progress: Progress = lambda n: None
) -> LoadReport:
    """Check the whole file against the HS 2022 codes, then upsert it (flush only)."""
    rows = read_references(data_dir / REFERENCE_FILE, _known_codes(session))
    report = LoadReport()
    report.counts["search references"] = upsert_rows(
        session, SearchReference, ("term", "language", "code"), rows
    )
    progress(len(rows))
    return report


def search_references_size(data_dir: Path) -> int:
    with (data_dir / REFERENCE_FILE).open(encoding="utf-8-sig") as handle:
        return max(sum(1 for _ in handle) - 1, 0)
