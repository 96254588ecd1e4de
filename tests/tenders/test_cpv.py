"""The CPV -> HS mapping table and how one classification is mapped."""

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradeportal.config import ROOT
from tradeportal.datafiles import DataFileError
from tradeportal.tenders.cpv import (
    MALFORMED_CPV,
    UNKNOWN_DIVISION,
    WORKS_OR_SERVICES,
    map_classification,
    read_cpv_hs_map,
    unlinked_reason,
)

DATA = ROOT / "data"
# The 45 divisions of CPV 2008 (Regulation (EC) No 213/2008).
CPV_GOODS_DIVISIONS = "03 09 14 15 16 18 19 22 24 30 31 32 33 34 35 37 38 39 41 42 43 44 48"
CPV_SERVICE_DIVISIONS = "45 50 51 55 60 63 64 65 66 70 71 72 73 75 76 77 79 80 85 90 92 98"
CPV_DIVISIONS = {*CPV_GOODS_DIVISIONS.split(" "), *CPV_SERVICE_DIVISIONS.split(" ")}


def hs2022_codes() -> set[str]:
    with (DATA / "hs" / "hs2022.csv").open(encoding="utf-8") as handle:
        return {row["hscode"] for row in csv.DictReader(handle)}


HS_CODES = hs2022_codes()
TABLE = read_cpv_hs_map(DATA / "tenders" / "cpv_hs_map.csv", HS_CODES)


@pytest.fixture
def table():
    return TABLE


def test_the_table_covers_every_cpv_division_once_goods_mapped_services_not(table):
    divisions = {prefix for prefix in table.targets if len(prefix) == 2}
    assert divisions == CPV_DIVISIONS and len(divisions) == 45
    unmapped = {prefix for prefix, targets in table.targets.items() if not targets}
    assert unmapped == set(CPV_SERVICE_DIVISIONS.split(" "))
    # Groups refine a division that is itself listed.
    assert all(prefix[:2] in divisions for prefix in table.targets)
    assert all(table.notes[prefix] for prefix in table.targets)


@pytest.mark.parametrize(
    ("cpv", "via", "includes"),
    [
        ("03000000", "03", {"09", "01", "10"}),  # agricultural products -> HS 01–14 rows
        ("03111100", "031", {"12"}),  # soya beans: the group overrides the division
        ("15000000-8", "15", {"15", "24"}),  # food, with its check digit
        ("33600000", "336", {"30"}),  # pharmaceutical products
        ("33100000", "331", {"9018", "9022"}),  # medical equipment
        ("09100000", "09", {"27"}),  # fuels
        ("18100000", "18", {"61", "62", "64"}),  # clothing
        ("44100000", "44", {"68", "73"}),  # construction materials
        ("30200000", "30", {"8471"}),  # computers
        ("32000000", "32", {"8517"}),  # telecommunication equipment
        ("34100000", "341", {"87"}),  # motor vehicles
    ],
)
def test_goods_codes_map_through_their_longest_listed_prefix(table, cpv, via, includes):
    mapped = map_classification("CPV", cpv, table)
    assert mapped.problem is None
    assert mapped.cpv_prefix == via
    assert includes <= set(mapped.hs_prefixes)


@pytest.mark.parametrize(
    ("scheme", "code", "problem"),
    [
        ("CPV", "441055482", MALFORMED_CPV),  # nine digits, as in the Nigerian samples
        ("CPV", "4410548", MALFORMED_CPV),
        ("CPV", "44105x48", MALFORMED_CPV),
        ("CPV", "13470098", UNKNOWN_DIVISION),  # there is no CPV division 13
        ("CPV", "73000000-2", WORKS_OR_SERVICES),
        ("cpv", " 45000000 ", WORKS_OR_SERVICES),
        ("UNSPSC", " 81101508", "classified with UNSPSC, not CPV"),
        ("GSIN", "N5811", "classified with GSIN, not CPV"),
        ("", "123", "classified with no scheme, not CPV"),
    ],
)
def test_what_cannot_be_mapped_says_why(table, scheme, code, problem):
    mapped = map_classification(scheme, code, table)
    assert mapped.problem == problem
    assert mapped.hs_prefixes == ()


def test_a_tender_is_unlinked_only_when_no_classification_links(table):
    services = map_classification("CPV", "72000000", table)
    goods = map_classification("CPV", "32000000", table)
    malformed = map_classification("CPV", "441055482", table)
    assert unlinked_reason([services, goods]) is None
    assert unlinked_reason([services]) == WORKS_OR_SERVICES
    assert unlinked_reason([malformed, services]) == f"{WORKS_OR_SERVICES} + {MALFORMED_CPV}"
    assert unlinked_reason([]) == "no item classification"


@given(st.text(alphabet="0123456789-", max_size=12))
def test_any_cpv_id_either_links_to_listed_hs_codes_or_says_why(code):
    mapped = map_classification("CPV", code, TABLE)
    assert (mapped.problem is None) == bool(mapped.hs_prefixes)
    if mapped.hs_prefixes:
        assert set(mapped.hs_prefixes) == set(TABLE.targets[mapped.cpv_prefix])
        assert code.startswith(mapped.cpv_prefix)


def test_a_bad_table_is_refused_listing_every_bad_line(tmp_path: Path):
    path = tmp_path / "map.csv"
    path.write_text(
        "cpv_prefix,hs_prefix,note\n"
        "03,01,ok\n"
        "03,01,twice\n"
        "3,01,one digit\n"
        "09,27x,letters\n"
        "09,7700,unknown heading\n"
        "45,,services\n"
        "45,68,services that map\n"
        "15,15,\n"
    )
    with pytest.raises(DataFileError) as caught:
        read_cpv_hs_map(path, HS_CODES)
    lines = [line for line, _field, _reason in caught.value.problems]
    assert lines == [3, 4, 5, 6, 8, 9]
