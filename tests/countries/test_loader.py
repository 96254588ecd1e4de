"""Loading countries, groups, EU access facts and demo profiles: counts, caveats, bad lines."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from tests.countries.helpers import (
    break_line,
    copy_data,
    count,
    json_item_start,
    table_rows,
)
from tradeportal.countries.models import (
    Country,
    CountryGroupMember,
    CountryProfileSection,
    EuAccessProfile,
)
from tradeportal.countries.queries import members_of
from tradeportal.db import db

TABLES = (Country, CountryGroupMember, CountryProfileSection, EuAccessProfile)


def test_every_row_of_the_canonical_list_is_loaded(app_context):
    assert count(Country) == 249
    mauritius = db.session.scalar(select(Country).where(Country.iso3 == "MUS"))
    assert (mauritius.iso2, mauritius.numeric, mauritius.m49) == ("MU", "480", "480")
    assert (mauritius.name_en, mauritius.name_fr) == ("Mauritius", "Maurice")
    assert (mauritius.currency_code, mauritius.capital) == ("MUR", "Port Louis")
    assert (mauritius.region, mauritius.subregion) == ("Africa", "Sub-Saharan Africa")
    assert (mauritius.is_sids, mauritius.is_ldc, mauritius.is_lldc) == (True, False, False)


def test_numeric_codes_are_zero_padded_and_na_is_namibia(app_context):
    afghanistan = db.session.scalar(select(Country).where(Country.iso3 == "AFG"))
    assert (afghanistan.numeric, afghanistan.m49) == ("004", "004")
    assert afghanistan.is_ldc and afghanistan.is_lldc
    namibia = db.session.scalar(select(Country).where(Country.iso2 == "NA"))
    assert namibia.iso3 == "NAM"


def test_every_country_has_a_french_name(app_context):
    missing = db.session.scalars(select(Country.iso3).where(Country.name_fr == "")).all()
    assert missing == []
    assert db.session.scalar(select(Country.name_fr).where(Country.iso3 == "DEU")) == "Allemagne"


def test_eu_membership_follows_accessions_and_the_uk_exit(app_context):
    assert len(members_of("EU", date(2024, 1, 1))) == 27
    assert "GBR" in members_of("EU", date(2020, 1, 31))
    assert "GBR" not in members_of("EU", date(2020, 2, 1))
    assert "HRV" not in members_of("EU", date(2013, 6, 30))
    assert "HRV" in members_of("EU", date(2013, 7, 1))
    assert len(members_of("EU", date(1958, 1, 1))) == 6


def test_esa_states_are_the_four_then_comoros(app_context):
    assert members_of("ESA", date(2019, 2, 6)) == {"MDG", "MUS", "SYC", "ZWE"}
    assert members_of("ESA", date(2019, 2, 7)) == {"COM", "MDG", "MUS", "SYC", "ZWE"}
    assert members_of("ESA", date(2012, 5, 13)) == set()
    sources = set(db.session.scalars(select(CountryGroupMember.source_url)))
    assert all(url.startswith("https://") for url in sources)


def test_eu_access_facts_are_real_and_sourced(app_context):
    assert count(EuAccessProfile) == 90  # 91 rows, Kosovo has no ISO code
    profile = db.session.scalar(
        select(EuAccessProfile).where(EuAccessProfile.country_iso3 == "MUS")
    )
    assert profile.duty_free_share == pytest.approx(0.9872)
    assert "Eastern and Southern Africa States" in profile.arrangements
    assert profile.licence == "OGL-UK-3.0"
    assert not profile.is_demo
    assert profile.source_url.startswith("https://github.com/checkdutyrates/")
    australia = db.session.scalar(
        select(EuAccessProfile).where(EuAccessProfile.country_iso3 == "AUS")
    )
    assert australia.arrangements is None  # MFN only


def test_the_demo_profile_is_loaded_and_marked_illustrative(app_context):
    sections = db.session.scalars(select(CountryProfileSection)).all()
    assert {(s.country_iso3, s.kind.value, s.language) for s in sections} == {
        ("MUS", "economy", "en"),
        ("MUS", "trade_facts", "en"),
        ("MUS", "market_access", "en"),
        ("MUS", "contacts", "en"),
        ("MUS", "economy", "fr"),
    }
    assert all(section.is_demo for section in sections)
    assert all(len(section.paragraphs) >= 2 for section in sections)


def test_seeding_again_changes_nothing(app):
    with app.app_context():
        before = table_rows(*TABLES)
    forced = run_cli(app, "seed", "--force")
    assert "countries: 0 rows inserted or updated" in forced.output
    assert "249 unchanged" in forced.output
    with app.app_context():
        assert table_rows(*TABLES) == before


def test_a_first_seed_reports_what_it_skipped(empty_app):
    result = run_cli(empty_app, "seed")
    assert "countries: 249 inserted" in result.output
    assert "skipped 1 EU access row(s) for Kosovo" in result.output


CSV_BREAKS = [
    ("countries/country-codes.csv", "MRI,230,MUS,mf", "MRI,230,MU5,mf", "MU5"),
    ("countries/country-codes.csv", "MRI,230,MUS,mf", "MRI,230,AFG,mf", "AFG also on line 2"),
    ("countries/groups.csv", "EU,European Union (and the EEC/EC before it),HRV", "EU,x,XXX", "XXX"),
    ("countries/groups.csv", "MUS,2012-05-14", "MUS,2012-13-14", "2012-13-14"),
    (
        "countries/eu_duty_by_country.csv",
        "MU,mauritius,9791,9666,0.9872",
        "MU,mauritius,9791,9666,lots",
        "lots",
    ),
]


@pytest.mark.parametrize(("file", "find", "replacement", "says"), CSV_BREAKS)
def test_a_broken_line_is_refused_with_its_number_and_nothing_changes(
    app, tmp_path, file, find, replacement, says
):
    data = copy_data(app, tmp_path)
    line = break_line(data / file, find, replacement)
    with app.app_context():
        before = table_rows(*TABLES)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "countries not loaded, nothing changed" in result.output
    assert f"line {line} " in result.output
    assert says in result.output
    with app.app_context():
        assert table_rows(*TABLES) == before


def test_a_broken_profile_is_refused_with_the_line_of_its_record(app, tmp_path):
    data = copy_data(app, tmp_path)
    path = data / "countries/profiles_demo.json"
    broken = break_line(path, '"kind": "contacts"', '"kind": "weather"')
    with app.app_context():
        before = table_rows(*TABLES)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert f"line {json_item_start(path, broken)} kind" in result.output
    with app.app_context():
        assert table_rows(*TABLES) == before
