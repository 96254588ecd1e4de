"""Write operations on the nomenclature: loading HS editions and their correspondence.

Services flush, never commit: the CLI command that calls them commits once.
"""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.datafiles import DataFileError, LoadReport, Progress, read_csv
from tradeportal.db import upsert_rows
from tradeportal.hs.models import (
    HS_EDITIONS,
    HsCorrespondence,
    HsNode,
    HsSection,
    Nomenclature,
    NomenclatureKind,
)

# UN Comtrade's "commodities not specified" pseudo-codes are not part of the HS.
COMTRADE_PSEUDO_CODES = {"TOTAL", "99", "9999", "999999"}
HS_LEVELS = (2, 4, 6)


@dataclass
class HsRow:
    line: int
    code: str
    level: int
    parent: str | None
    section: str
    description_en: str


def read_hs_file(path: Path, skipped: dict[str, int]) -> list[HsRow]:
    """Read and check a Comtrade-style HS file; raise DataFileError listing every bad line."""
    rows, problems, seen = [], [], set()
    for line, raw in read_csv(path):
        code = raw.get("hscode", "")
        if not any(raw.values()):
            skipped["empty row(s)"] = skipped.get("empty row(s)", 0) + 1
            continue
        if code in COMTRADE_PSEUDO_CODES or raw.get("section") == "TOTAL":
            skipped["Comtrade pseudo-code(s)"] = skipped.get("Comtrade pseudo-code(s)", 0) + 1
            continue
        level = raw.get("level", "")
        if not (code.isascii() and code.isdigit() and len(code) in HS_LEVELS):
            problems.append((line, "hscode", f"{code!r} is not a 2, 4 or 6 digit code"))
            continue
        if level != str(len(code)):
            problems.append((line, "level", f"{level!r} does not match the code length"))
            continue
        if code in seen:
            problems.append((line, "hscode", f"{code} appears twice"))
            continue
        parent = raw.get("parent") or None
        if len(code) > 2 and (parent is None or not code.startswith(parent)):
            problems.append((line, "parent", f"{parent!r} is not a prefix of {code}"))
            continue
        if not raw.get("description"):
            problems.append((line, "description", "is empty"))
            continue
        seen.add(code)
        rows.append(
            HsRow(
                line,
                code,
                len(code),
                parent if len(code) > 2 else None,
                raw.get("section", ""),
                raw["description"],
            )
        )
    for row in rows:
        if row.parent is not None and row.parent not in seen:
            problems.append((row.line, "parent", f"{row.parent} is not in the file"))
    if problems:
        raise DataFileError(path, problems)
    return rows


def read_french_labels(path: Path) -> dict[str, str]:
    """Build readable French labels from the EU CN-derived file.

    Chapters come upper-case and are put in sentence case; a 6-digit label in the CN
    is only a fragment ("autres"), so it is shown after its heading's text.
    """
    raw = {row["hscode"]: row["name_fr"] for _line, row in read_csv(path) if row["name_fr"]}
    labels = {}
    for code, text in raw.items():
        if len(code) == 2 and text.isupper():
            text = text[0] + text[1:].lower()
        elif len(code) == 6:
            heading = raw.get(code[:4])
            if heading and text != heading:
                text = f"{heading} — {text}"
        labels[code] = text
    return labels


def read_sections(en_path: Path, fr_path: Path) -> list[dict]:
    """Read the 21 section titles in English and French."""
    french = {row["section"]: row["name_fr"] for _line, row in read_csv(fr_path)}
    sections = []
    for position, (_line, row) in enumerate(read_csv(en_path), start=1):
        title_en = row["name"][0].upper() + row["name"][1:]
        title_fr = french.get(row["section"])
        if title_fr and title_fr.isupper():
            title_fr = title_fr[0] + title_fr[1:].lower()
        sections.append(
            {
                "numeral": row["section"],
                "position": position,
                "title_en": title_en,
                "title_fr": title_fr,
            }
        )
    return sections


def ensure_hs_edition(session: Session, code: str) -> Nomenclature:
    """Return the nomenclature row of an HS edition, creating it when missing."""
    nomenclature = session.scalar(select(Nomenclature).where(Nomenclature.code == code))
    title, valid_from, valid_to = HS_EDITIONS[code]
    if nomenclature is None:
        nomenclature = Nomenclature(code=code, kind=NomenclatureKind.HS, revision=0)
        session.add(nomenclature)
    nomenclature.title, nomenclature.valid_from, nomenclature.valid_to = title, valid_from, valid_to
    session.flush()
    return nomenclature


def load_hs_edition(
    session: Session,
    nomenclature: Nomenclature,
    rows: list[HsRow],
    sections: list[dict],
    french: dict[str, str],
    report: LoadReport,
    progress: Progress = lambda n: None,
) -> None:
    """Upsert an edition's sections and its tree, level by level so parents exist first."""
    in_edition = HsSection.nomenclature_id == nomenclature.id
    report.counts[f"{nomenclature.code} sections"] = upsert_rows(
        session,
        HsSection,
        ("nomenclature_id", "numeral"),
        ({"nomenclature_id": nomenclature.id, **section} for section in sections),
        scope=in_edition,
    )
    section_ids = dict(
        session.execute(select(HsSection.numeral, HsSection.id).where(in_edition)).all()
    )
    chapter_sections = {row.code: row.section for row in rows if row.level == 2}
    ids: dict[str, int] = {}
    changed = 0
    for level in HS_LEVELS:
        batch = [row for row in rows if row.level == level]
        counts = upsert_rows(
            session,
            HsNode,
            ("nomenclature_id", "code"),
            (
                {
                    "nomenclature_id": nomenclature.id,
                    "code": row.code,
                    "level": row.level,
                    "parent_id": ids[row.parent] if row.parent else None,
                    "section_id": section_ids[chapter_sections[row.code[:2]]],
                    "description_en": row.description_en,
                    "description_fr": french.get(row.code),
                    "valid_from": nomenclature.valid_from,
                    "valid_to": nomenclature.valid_to,
                }
                for row in batch
            ),
            scope=(HsNode.nomenclature_id == nomenclature.id) & (HsNode.level == level),
        )
        report.counts[f"{nomenclature.code} level {level}"] = counts
        changed += counts.changed
        ids.update(
            session.execute(
                select(HsNode.code, HsNode.id).where(
                    HsNode.nomenclature_id == nomenclature.id, HsNode.level == level
                )
            ).all()
        )
        progress(len(batch))
    if changed:
        nomenclature.revision += 1


def load_correspondence(
    session: Session,
    path: Path,
    old: Nomenclature,
    new: Nomenclature,
    report: LoadReport,
    progress: Progress = lambda n: None,
) -> None:
    """Upsert the UNSD correlation table between two editions; refuse unknown codes."""
    known_old = set(session.scalars(select(HsNode.code).where(HsNode.nomenclature_id == old.id)))
    known_new = set(session.scalars(select(HsNode.code).where(HsNode.nomenclature_id == new.id)))
    new_column, old_column = new.code.lower(), old.code.lower()
    rows, problems, seen = [], [], set()
    for line, raw in read_csv(path):
        new_code, old_code, relationship = raw[new_column], raw[old_column], raw["relationship"]
        if new_code in COMTRADE_PSEUDO_CODES or old_code in COMTRADE_PSEUDO_CODES:
            report.skipped["Comtrade pseudo-code link(s)"] = (
                report.skipped.get("Comtrade pseudo-code link(s)", 0) + 1
            )
            continue
        if new_code not in known_new:
            problems.append((line, new_column, f"{new_code!r} is not in {new.code}"))
        elif old_code not in known_old:
            problems.append((line, old_column, f"{old_code!r} is not in {old.code}"))
        elif relationship not in {"1:1", "1:n", "n:1", "n:n"}:
            problems.append((line, "relationship", f"{relationship!r} is not 1:1, 1:n, n:1 or n:n"))
        elif (old_code, new_code) in seen:
            problems.append((line, old_column, f"{old_code} → {new_code} appears twice"))
        else:
            seen.add((old_code, new_code))
            rows.append(
                {
                    "old_nomenclature_id": old.id,
                    "old_code": old_code,
                    "new_nomenclature_id": new.id,
                    "new_code": new_code,
                    "relationship": relationship,
                }
            )
    if problems:
        raise DataFileError(path, problems)
    counts = upsert_rows(
        session,
        HsCorrespondence,
        ("old_nomenclature_id", "old_code", "new_nomenclature_id", "new_code"),
        rows,
        scope=(HsCorrespondence.old_nomenclature_id == old.id)
        & (HsCorrespondence.new_nomenclature_id == new.id),
    )
    report.counts[f"{old.code} → {new.code} correspondence"] = counts
    if counts.changed:
        # Snapshots hold the correspondence with the newer edition's tree.
        new.revision += 1
    progress(len(rows))


HS_FILES = {
    "sections": "hs/sections.csv",
    "sections_fr": "hs/sections_fr.csv",
    "HS2022": "hs/hs2022.csv",
    "HS2017": "hs/hs2017.csv",
    "french": "hs/hs2022_fr_labels.csv",
    "correlation": "hs/hs2022_hs2017_correlation.csv",
}


def load_hs_reference(
    session: Session,
    data_dir: Path,
    progress: Progress = lambda n: None,
) -> LoadReport:
    """Load HS 2022 and HS 2017 with French labels and their correspondence."""
    files = {name: data_dir / relative for name, relative in HS_FILES.items()}
    report = LoadReport()
    sections = read_sections(files["sections"], files["sections_fr"])
    french_2022 = read_french_labels(files["french"])
    hs2022_rows = read_hs_file(files["HS2022"], report.skipped)
    hs2017_rows = read_hs_file(files["HS2017"], report.skipped)
    # No French text of HS 2017 is published openly: reuse the HS 2022 label where the
    # code and its English text are unchanged, so the label surely means the same.
    english_2022 = {row.code: row.description_en for row in hs2022_rows}
    french_2017 = {
        row.code: french_2022[row.code]
        for row in hs2017_rows
        if english_2022.get(row.code) == row.description_en and row.code in french_2022
    }
    hs2022 = ensure_hs_edition(session, "HS2022")
    hs2017 = ensure_hs_edition(session, "HS2017")
    load_hs_edition(session, hs2022, hs2022_rows, sections, french_2022, report, progress)
    load_hs_edition(session, hs2017, hs2017_rows, sections, french_2017, report, progress)
    load_correspondence(session, files["correlation"], hs2017, hs2022, report, progress)
    return report


def hs_reference_size(data_dir: Path) -> int:
    """Count the rows a full load walks through, for the progress bar."""
    total = 0
    for name in ("HS2022", "HS2017", "correlation"):
        with (data_dir / HS_FILES[name]).open(encoding="utf-8-sig") as handle:
            total += sum(1 for _ in handle) - 1
    return total
