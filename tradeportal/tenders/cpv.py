"""From procurement classifications to HS prefixes, through the CPV -> HS table.

The table ``data/tenders/cpv_hs_map.csv`` maps CPV divisions (2 digits) and groups
(3 digits) to HS chapters and headings. It is approximate by nature: CPV classifies what
public buyers purchase (goods, works and services), the HS classifies traded goods.
A CPV code uses the rows of its longest listed prefix, so a group row (``031``) overrides
its division (``03``). A prefix listed with an empty ``hs_prefix`` is a works or services
division, known and deliberately left without an HS link.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from tradeportal.datafiles import DataFileError, read_csv
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.prefixes import normalise_prefix
from tradeportal.i18n import N_

# A CPV code is 8 digits, optionally followed by its check digit: 73000000-2.
CPV_ID = re.compile(r"([0-9]{8})(?:-[0-9])?")
CPV_PREFIX = re.compile(r"[0-9]{2,8}")

# Why a classification gives no HS link; also the reasons counted in the load report.
NO_CLASSIFICATION = N_("no item classification")
NOT_CPV = "classified with {scheme}, not CPV"
MALFORMED_CPV = N_("malformed CPV id")
UNKNOWN_DIVISION = N_("not a CPV 2008 division")
WORKS_OR_SERVICES = N_("CPV works or services only, no HS equivalent")


@dataclass(frozen=True)
class CpvHsMap:
    """The mapping table: CPV prefix -> HS prefixes (empty for works and services)."""

    targets: dict[str, tuple[str, ...]]
    notes: dict[str, str] = field(default_factory=dict)

    def match(self, cpv_code: str) -> str | None:
        """Return the longest listed prefix of an 8-digit CPV code, if any."""
        for length in range(len(cpv_code), 1, -1):
            if cpv_code[:length] in self.targets:
                return cpv_code[:length]
        return None


@dataclass(frozen=True)
class MappedClassification:
    """One item classification with the HS prefixes it leads to, or why it leads nowhere."""

    scheme: str
    id: str
    cpv_prefix: str | None = None
    hs_prefixes: tuple[str, ...] = ()
    problem: str | None = None  # one of the reasons above

    def as_json(self) -> dict:
        return {"scheme": self.scheme, "id": self.id, "problem": self.problem}


def read_cpv_hs_map(path: Path, known_hs_codes: set[str]) -> CpvHsMap:
    """Read and check the mapping table; raise DataFileError listing every bad line."""
    targets: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    problems: list[tuple[int, str, str]] = []
    for line, row in read_csv(path):
        cpv_prefix, raw_hs, note = (
            row.get("cpv_prefix", ""),
            row.get("hs_prefix", ""),
            row.get("note", ""),
        )
        if not CPV_PREFIX.fullmatch(cpv_prefix):
            problems.append((line, "cpv_prefix", "must be 2 to 8 digits"))
            continue
        if not note:
            problems.append((line, "note", "is empty; say what the CPV prefix covers"))
            continue
        listed = targets.setdefault(cpv_prefix, [])
        notes.setdefault(cpv_prefix, note)
        if not raw_hs:
            if listed:
                problems.append((line, "hs_prefix", f"CPV {cpv_prefix} also has HS rows"))
            listed.append("")
            continue
        try:
            hs_prefix = normalise_prefix(raw_hs)
        except InvalidHSCode as error:
            problems.append((line, "hs_prefix", error.message))
            continue
        if hs_prefix not in known_hs_codes:
            problems.append((line, "hs_prefix", f"{hs_prefix} is not an HS 2022 code"))
        elif "" in listed:
            problems.append((line, "hs_prefix", f"CPV {cpv_prefix} is listed as unmapped"))
        elif hs_prefix in listed:
            problems.append((line, "hs_prefix", f"CPV {cpv_prefix} -> {hs_prefix} appears twice"))
        else:
            listed.append(hs_prefix)
    if problems:
        raise DataFileError(path, problems)
    return CpvHsMap(
        {prefix: tuple(code for code in codes if code) for prefix, codes in targets.items()},
        notes,
    )


def map_classification(scheme: str, raw_id: str, table: CpvHsMap) -> MappedClassification:
    """Map one item classification (scheme, id) to HS prefixes through the table."""
    scheme = scheme.strip().upper()
    code = raw_id.strip()
    if scheme != "CPV":
        return MappedClassification(
            scheme, code, problem=NOT_CPV.format(scheme=scheme or "no scheme")
        )
    matched = CPV_ID.fullmatch(code)
    if matched is None:
        return MappedClassification(scheme, code, problem=MALFORMED_CPV)
    cpv_prefix = table.match(matched.group(1))
    if cpv_prefix is None:
        return MappedClassification(scheme, code, problem=UNKNOWN_DIVISION)
    hs_prefixes = table.targets[cpv_prefix]
    if not hs_prefixes:
        return MappedClassification(scheme, code, cpv_prefix, problem=WORKS_OR_SERVICES)
    return MappedClassification(scheme, code, cpv_prefix, hs_prefixes)


def unlinked_reason(mapped: list[MappedClassification]) -> str | None:
    """Say why a tender gets no HS link at all, or None when it gets one."""
    if not mapped:
        return NO_CLASSIFICATION
    if any(item.hs_prefixes for item in mapped):
        return None
    return " + ".join(sorted({item.problem for item in mapped if item.problem}))
