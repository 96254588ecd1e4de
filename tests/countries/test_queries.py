"""The cheap country checks other areas call, and group membership by day."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli
from tradeportal.countries.queries import (
    countries_by_iso3,
    country_exists,
    get_country,
    groups_of,
    members_of,
)


def test_known_codes_exist_and_malformed_ones_do_not(app_context):
    assert country_exists("MUS") and country_exists("GBR")
    for raw in ("mus", "MU", "MUSS", "XXX", "", None, 480, "M S", "<b>", "MÜS"):
        assert not country_exists(raw), raw


# The examples only read, so sharing one app between them is safe.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(st.text(max_size=5))
def test_any_text_is_answered_without_error(app_context, raw):
    assert country_exists(raw) == (get_country(raw) is not None)
    if country_exists(raw):
        assert len(raw) == 3 and raw.isupper()


def test_get_country_and_lookup_by_codes(app_context):
    assert get_country("MUS").name_en == "Mauritius"
    assert get_country("mus") is None
    assert set(countries_by_iso3(["MUS", "GBR", "XXX", "bad"])) == {"MUS", "GBR"}


def test_the_code_cache_follows_a_load_in_the_same_process(empty_app):
    with empty_app.app_context():
        assert not country_exists("MUS")  # nothing loaded yet; the empty set is cached
    run_cli(empty_app, "seed")
    with empty_app.app_context():
        assert country_exists("MUS")


@pytest.mark.parametrize(
    ("iso3", "day", "groups"),
    [
        ("GBR", date(2020, 1, 31), {"EU"}),
        ("GBR", date(2020, 2, 1), set()),
        ("GBR", date(1972, 12, 31), {"EFTA"}),
        ("MUS", date(2024, 1, 1), {"ESA"}),
        ("CHE", date(2024, 1, 1), {"EFTA"}),
        ("ZAF", date(2024, 1, 1), {"SACU"}),
        ("USA", date(2024, 1, 1), set()),
    ],
)
def test_groups_of_a_country_on_a_day(app_context, iso3, day, groups):
    assert groups_of(iso3, day) == groups


def test_an_unknown_group_has_no_members(app_context):
    assert members_of("NOPE", date(2024, 1, 1)) == set()
