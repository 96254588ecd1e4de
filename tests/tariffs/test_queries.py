"""What applies to a product: schedules by market and day, lines, taxes, preferences."""

import csv
from datetime import date
from pathlib import Path

import pytest

from tradeportal.tariffs.queries import (
    internal_taxes_for,
    internal_taxes_of,
    preferences_for,
    schedules_for,
    tariff_lines_for,
)

LAST_EU_DAY, FIRST_UKGT_DAY = date(2020, 12, 31), date(2021, 1, 1)
TODAY_ISH = date(2026, 6, 1)


def codes(answer) -> list[str]:
    return [match.line.code for match in answer.matches]


def schedule_codes(market: str, day: date) -> list[str]:
    return [schedule.code for schedule in schedules_for(market, day)]


@pytest.mark.parametrize(
    ("market", "day", "expected"),
    [
        ("GBR", date(2019, 12, 31), []),  # no schedule of 2019 is loaded
        ("GBR", date(2020, 1, 1), ["EU-CET-2020"]),  # still an EU member
        ("GBR", LAST_EU_DAY, ["EU-CET-2020"]),  # transition period
        ("GBR", FIRST_UKGT_DAY, ["UKGT-2021"]),
        ("GBR", TODAY_ISH, ["UKGT-2021"]),
        ("FRA", LAST_EU_DAY, ["EU-CET-2020"]),  # an EU member through members_of("EU")
        ("FRA", FIRST_UKGT_DAY, []),  # no EU schedule after 2020 is loaded
        ("MUS", LAST_EU_DAY, []),
    ],
)
def test_schedules_by_market_and_day(app_context, market, day, expected):
    assert schedule_codes(market, day) == expected


def test_lines_switch_schedule_at_the_end_of_2020(app_context):
    eu = tariff_lines_for("010129", "GBR", LAST_EU_DAY, nomenclature="HS2017")
    uk = tariff_lines_for("010129", "GBR", FIRST_UKGT_DAY, nomenclature="HS2017")
    assert [m.line.rate_text for m in eu.matches if m.line.code == "01012990"] == ["11.5%"]
    assert [m.line.rate_text for m in uk.matches if m.line.code == "01012990"] == ["10.0%"]
    assert {m.line.schedule.code for m in eu.matches} == {"EU-CET-2020"}
    assert {m.line.schedule.code for m in uk.matches} == {"UKGT-2021"}


def test_an_hs2022_code_finds_the_lines_of_its_hs2017_predecessor(app_context):
    answer = tariff_lines_for("090121", "GBR", TODAY_ISH, nomenclature="HS2022")
    assert codes(answer) == ["09012100"]
    match = answer.matches[0]
    assert (match.via, match.below, match.split_into) == (None, False, [])


def test_a_split_hs2017_line_is_found_from_each_part_and_says_so(app_context):
    for part in ("080291", "080292", "080299"):
        answer = tariff_lines_for(part, "GBR", TODAY_ISH, nomenclature="HS2022")
        assert codes(answer) == ["08029010", "08029050", "08029085"]
        assert all(m.split_into == ["080291", "080292", "080299"] for m in answer.matches)


def test_a_national_line_below_finds_lines_through_its_ancestor(app_context):
    answer = tariff_lines_for("0901210000", "GBR", TODAY_ISH, nomenclature="HS2022")
    assert codes(answer) == ["09012100"]
    assert answer.matches[0].via == "090121"


def test_a_heading_lists_the_lines_below_it(app, app_context):
    data = Path(app.config["DATA_DIR"])
    with (data / "hs" / "hs2022_hs2017_correlation.csv").open(encoding="utf-8") as handle:
        successors = {}
        for row in csv.DictReader(handle):
            successors.setdefault(row["hs2017"], set()).add(row["hs2022"])
    with (data / "tariffs" / "uk-global-tariff.csv").open(encoding="utf-8-sig") as handle:
        expected = sorted(
            row["commodity"]
            for row in csv.DictReader(handle)
            if any(code.startswith("0802") for code in successors.get(row["commodity"][:6], ()))
        )
    answer = tariff_lines_for("0802", "GBR", TODAY_ISH, nomenclature="HS2022", limit=100)
    assert codes(answer) == expected
    assert answer.total == len(expected) == 19
    assert all(match.below for match in answer.matches)


def test_a_chapter_is_limited_with_a_count(app_context):
    answer = tariff_lines_for("84", "GBR", TODAY_ISH, nomenclature="HS2022", limit=25)
    assert len(answer.matches) == 25
    assert answer.total > 900
    assert answer.truncated


def test_the_edition_in_force_is_the_default(app_context):
    # On 2021-06-01 HS 2017 is in force: its code 080290 still exists and lists its lines.
    answer = tariff_lines_for("080290", "GBR", date(2021, 6, 1))
    assert answer.nomenclature == "HS2017"
    assert codes(answer) == ["08029010", "08029050", "08029085"]


def test_home_taxes_apply_to_all_goods_and_excise_to_its_headings(app_context):
    def taxes(code):
        return {found.item.name: found for found in internal_taxes_for(code, "MUS", TODAY_ISH)}

    vat = taxes("090121")["Value added tax (standard rate)"]
    assert vat.all_goods and vat.via is None
    assert "Excise duty on alcoholic beverages" not in taxes("090121")
    beer = taxes("220300")["Excise duty on alcoholic beverages"]
    assert beer.via == "2203"
    chapter = taxes("22")["Excise duty on alcoholic beverages"]
    assert chapter.parts == ["2203", "2204", "2205", "2206", "2208"]
    assert "Excise duty on alcoholic beverages" not in taxes("2201")
    assert internal_taxes_for("090121", "MUS", date(2001, 1, 1)) == []


def test_uk_vat_starts_on_4_january_2011(app_context):
    assert internal_taxes_for("0901", "GBR", date(2011, 1, 3)) == []
    assert [t.item.rate_text for t in internal_taxes_for("0901", "GBR", date(2011, 1, 4))] == [
        "20%"
    ]


@pytest.mark.parametrize("code", ["220300", "22", "090121"])
def test_taxes_of_two_countries_at_once_are_each_country_s_own(app_context, code):
    both = internal_taxes_of(code, ["MUS", "GBR", "MUS"], TODAY_ISH)
    assert set(both) == {"MUS", "GBR"}
    for country in ("MUS", "GBR"):
        alone = internal_taxes_for(code, country, TODAY_ISH)
        assert [(t.item.name, t.via, t.parts) for t in both[country]] == [
            (t.item.name, t.via, t.parts) for t in alone
        ]
        assert all(t.item.country_iso3 == country for t in both[country])
    assert both["MUS"] and both["GBR"]  # VAT in both: neither answer is empty by accident


def eligible_schemes(code, market, origin, day) -> list[str]:
    return [m.rate.scheme_code for m in preferences_for(code, market, origin, day).eligible]


def test_preferences_only_for_eligible_origins(app_context):
    assert eligible_schemes("090121", "GBR", "MUS", TODAY_ISH) == ["esa"]
    assert eligible_schemes("090121", "GBR", "ZWE", TODAY_ISH) == ["esa"]
    # Madagascar applies the EU interim EPA, not the UK one (as of the sources loaded).
    assert eligible_schemes("090121", "GBR", "MDG", TODAY_ISH) == []
    answer = preferences_for("090121", "GBR", "MDG", TODAY_ISH)
    assert [[o.origin for o in m.rate.origins] for m in answer.others] == [["MUS", "SYC", "ZWE"]]
    assert eligible_schemes("090121", "GBR", "CHN", TODAY_ISH) == []
    no_origin = preferences_for("090121", "GBR", None, TODAY_ISH)
    assert no_origin.eligible == [] and len(no_origin.others) == 1


def test_preferences_follow_the_schedule_across_the_end_of_2020(app_context):
    assert eligible_schemes("090121", "GBR", "MUS", LAST_EU_DAY) == ["eu-esa"]
    assert eligible_schemes("090121", "GBR", "MUS", FIRST_UKGT_DAY) == ["esa"]
    assert eligible_schemes("090121", "FRA", "MDG", LAST_EU_DAY) == ["eu-esa"]
    assert eligible_schemes("090121", "FRA", "MDG", FIRST_UKGT_DAY) == []


def test_comoros_qualifies_from_its_accession(app_context):
    assert eligible_schemes("0901", "FRA", "COM", date(2020, 6, 1)) == ["eu-esa"]


def test_arms_are_excluded_from_the_epa_preferences(app_context):
    assert preferences_for("930100", "GBR", "MUS", TODAY_ISH).matches == []
    assert preferences_for("93", "GBR", "MUS", TODAY_ISH).matches == []
    all_goods = preferences_for("0901", "GBR", "MUS", TODAY_ISH).eligible[0].applicable
    assert all_goods.all_goods and all_goods.exceptions == ["93"]
