"""Agreements between two countries on a day, UK schemes, and rules of origin by code range."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradeportal.agreements.queries import (
    agreements_between,
    agreements_of,
    code_range,
    origin_rules_for,
    schemes_for,
)

UK_ESA = "United Kingdom - Eastern and Southern Africa States"
EU_ESA = "EU - Eastern and Southern Africa States"


def names(agreements) -> set[str]:
    return {agreement.name for agreement in agreements}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 12, 31), False),  # the day before entry into force
        (date(2021, 1, 1), True),  # the day of entry into force
        (date(2030, 1, 1), True),
    ],
)
def test_an_agreement_applies_from_its_entry_into_force(app_context, day, expected):
    assert (UK_ESA in names(agreements_between("MUS", "GBR", day))) is expected
    assert (UK_ESA in names(agreements_between("GBR", "MUS", day))) is expected


def test_a_group_party_counts_its_members_on_the_day(app_context):
    assert EU_ESA in names(agreements_between("FRA", "MUS", date(2024, 1, 1)))
    assert EU_ESA in names(agreements_between("MUS", "HRV", date(2013, 7, 1)))
    assert EU_ESA not in names(agreements_between("MUS", "HRV", date(2013, 6, 30)))
    # The UK counted through the EU until it left, on 2020-01-31.
    assert EU_ESA in names(agreements_between("GBR", "MUS", date(2020, 1, 31)))
    assert EU_ESA not in names(agreements_between("GBR", "MUS", date(2020, 2, 1)))
    assert EU_ESA not in names(agreements_between("MUS", "FRA", date(2012, 5, 13)))


def test_two_members_of_one_group_party_are_not_between_themselves(app_context):
    between = names(agreements_between("FRA", "DEU", date(2024, 1, 1)))
    assert EU_ESA not in between
    assert "EU Treaty" in between  # where both are named parties


def test_an_inactive_date_is_the_first_day_out_of_force(app_context):
    before = agreements_between("SAU", "KWT", date(2002, 12, 31))
    on = agreements_between("SAU", "KWT", date(2003, 1, 1))
    gcc_before = [a.valid_from for a in before if a.name == "Gulf Cooperation Council (GCC)"]
    gcc_on = [a.valid_from for a in on if a.name == "Gulf Cooperation Council (GCC)"]
    assert gcc_before == [date(1982, 1, 1)]
    assert gcc_on == [date(2003, 1, 1)]


def test_a_partys_own_entry_date_counts(app_context):
    apta = "Asia Pacific Trade Agreement (APTA)"
    assert apta not in names(agreements_between("CHN", "IND", date(2001, 12, 31)))
    assert apta in names(agreements_between("CHN", "IND", date(2002, 1, 1)))


def test_no_agreement_between_a_country_and_itself_or_unknowns(app_context):
    assert agreements_between("XXX", "MUS", date(2024, 1, 1)) == []
    assert "China - Mauritius" in names(agreements_of("MUS", date(2024, 1, 1)))
    assert "China - Mauritius" not in names(agreements_of("MUS", date(2020, 12, 31)))


def test_uk_schemes_apply_to_imports_into_the_uk(app_context):
    day = date(2024, 1, 1)
    assert [s.code for s in schemes_for("MUS", "GBR", day)] == ["esa"]
    assert [s.code for s in schemes_for("FRA", "GBR", day)] == ["eu"]  # through the EU group
    assert schemes_for("MUS", "FRA", day) == []
    assert schemes_for("MUS", "GBR", date(2020, 12, 31)) == []


def test_uk_exports_use_only_reciprocal_schemes(app_context):
    day = date(2024, 1, 1)
    assert [s.code for s in schemes_for("GBR", "MUS", day)] == ["esa"]
    assert schemes_for("GBR", "AFG", day) == []  # DCTS is unilateral
    assert [s.code for s in schemes_for("AFG", "GBR", day)] == ["dcts-ldcs"]


def test_scheme_validity_boundaries(app_context):
    assert [s.code for s in schemes_for("AFG", "GBR", date(2023, 6, 18))] == ["gsp"]
    assert [s.code for s in schemes_for("AFG", "GBR", date(2023, 6, 19))] == ["dcts-ldcs"]


def headings(code: str, day=date(2024, 1, 1), schemes=("esa",)) -> list[str]:
    return [rule_set.heading for rule_set in origin_rules_for(code, schemes, day)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("090121", ["0901"]),
        ("0901", ["0901"]),
        ("0902", ["0902"]),
        ("0902999999", ["0902"]),  # last code of the range
        ("0903000000", ["ex Chapter 9"]),  # first code of the next range
        ("0909999999", ["ex Chapter 9"]),
        ("0910000000", ["ex 0910", "ex Chapter 9"]),
        ("091", ["ex 0910", "ex Chapter 9"]),
    ],
)
def test_rule_sets_whose_range_overlaps_the_code(app_context, code, expected):
    assert sorted(headings(code)) == sorted(expected)


def test_a_chapter_overlaps_every_rule_set_inside_it(app_context):
    assert len(headings("09")) == 5
    assert headings("09", day=date(2020, 12, 31)) == []  # before the scheme
    assert headings("09", schemes=()) == []
    assert headings("09", schemes=("japan",)) == []  # no rules loaded for it


@given(st.text(alphabet="0123456789", min_size=1, max_size=10))
def test_a_code_range_holds_exactly_the_codes_it_prefixes(code):
    low, high = code_range(code)
    assert len(low) == len(high) == 10
    assert low.startswith(code) and high.startswith(code)
    assert low <= high
    assert set(low[len(code) :]) <= {"0"} and set(high[len(code) :]) <= {"9"}
