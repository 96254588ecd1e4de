"""Loading the WTO agreements, UK schemes and ESA-UK rules of origin: counts, mapping, bad lines."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from tests.countries.helpers import break_line, copy_data, count, json_item_start, table_rows
from tradeportal.agreements.models import (
    AgreementParty,
    OriginRule,
    OriginRuleSet,
    PreferenceScheme,
    SchemeCountry,
    TradeAgreement,
)
from tradeportal.agreements.services import load_agreements_reference, parse_party_dates
from tradeportal.db import db

TABLES = (
    TradeAgreement,
    AgreementParty,
    PreferenceScheme,
    SchemeCountry,
    OriginRuleSet,
    OriginRule,
)
UNMAPPED = {"Netherlands Antilles", "UNMIK/Kosovo", "Yugoslavia, Socialist Federal Republic of"}


def agreement(name: str, valid_from: date | None = None) -> TradeAgreement:
    statement = select(TradeAgreement).where(TradeAgreement.name == name)
    if valid_from is not None:
        statement = statement.where(TradeAgreement.valid_from == valid_from)
    return db.session.scalars(statement).one()


def test_every_file_row_is_loaded(app_context):
    assert count(TradeAgreement) == 602
    assert count(PreferenceScheme) == 44
    assert count(OriginRuleSet) == 726
    assert count(OriginRule) == 946


def test_names_that_match_no_country_are_reported_by_name(app_context):
    report = load_agreements_reference(db.session, Path(app_context.config["DATA_DIR"]))
    db.session.rollback()
    assert set(report.unmapped_names) == UNMAPPED
    assert report.unmapped_names["UNMIK/Kosovo"] >= 1
    (line,) = [
        reason
        for reason in report.skipped
        if "matched to no ISO3 country or group" in reason and "WTO" in reason
    ]
    assert all(name in line for name in UNMAPPED)
    assert report.skipped[line] == 3


def test_the_seed_output_lists_the_unmapped_names(empty_app):
    output = run_cli(empty_app, "seed").output
    assert "602 inserted" in output
    assert "skipped 3 WTO party name(s) matched to no ISO3 country or group" in output
    assert "Netherlands Antilles; UNMIK/Kosovo; Yugoslavia, Socialist Federal Republic of" in output


def test_unmapped_parties_are_kept_not_dropped(app_context):
    kept = db.session.scalars(
        select(AgreementParty.wto_name).where(
            AgreementParty.country_iso3.is_(None), AgreementParty.group_code.is_(None)
        )
    ).all()
    assert set(kept) == UNMAPPED


def test_party_names_map_to_countries_aliases_and_groups(app_context):
    esa = agreement("EU - Eastern and Southern Africa States")
    parties = {p.wto_name: (p.country_iso3, p.group_code) for p in esa.parties}
    assert parties == {
        "Madagascar": ("MDG", None),
        "Mauritius": ("MUS", None),
        "Seychelles": ("SYC", None),
        "Zimbabwe": ("ZWE", None),
        "European Union": (None, "EU"),
    }
    ivory = db.session.scalar(
        select(AgreementParty.country_iso3).where(AgreementParty.wto_name == "CÙte d'Ivoire")
    )
    assert ivory == "CIV"


def test_dates_follow_the_wto_columns(app_context):
    uk_esa = agreement("United Kingdom - Eastern and Southern Africa States")
    assert (uk_esa.valid_from, uk_esa.valid_to) == (date(2021, 1, 1), None)
    assert uk_esa.agreement_type == "FTA" and uk_esa.status == "In Force"
    old_gcc = agreement("Gulf Cooperation Council (GCC)", date(1982, 1, 1))
    # The inactive date is the successor's first day; the old one's last day is the day before.
    assert old_gcc.inactive_on == date(2003, 1, 1)
    assert old_gcc.valid_to == date(2002, 12, 31)
    china = agreement("Asia Pacific Trade Agreement (APTA)")
    joined = {p.wto_name: p.joined_on for p in china.parties}
    assert joined["China"] == date(2002, 1, 1)


def test_early_announcements_are_never_in_force(app_context):
    efta_gcc = agreement("EFTA - GCC")
    assert efta_gcc.entry_into_force_goods_on == date(2014, 7, 1)
    assert efta_gcc.valid_from is None
    assert not efta_gcc.is_valid_on(date(2020, 1, 1))
    early = db.session.scalars(
        select(TradeAgreement).where(TradeAgreement.status.like("Early%"))
    ).all()
    assert len(early) == 36 and all(a.valid_from is None for a in early)


def test_party_dates_parse_both_ends():
    parsed = parse_party_dates(
        "Venezuela, Bolivarian Republic of( - 22-Apr-2006); Chile(01-Jan-9999 - )"
    )
    assert parsed == {
        "Venezuela, Bolivarian Republic of": (None, date(2006, 4, 22)),
        "Chile": (date(9999, 1, 1), None),
    }
    with pytest.raises(ValueError):
        parse_party_dates("Chile 01-Jan-2020")


def test_uk_schemes_map_alpha2_codes_groups_and_keep_the_rest(app_context):
    esa = db.session.scalar(select(PreferenceScheme).where(PreferenceScheme.code == "esa"))
    assert {c.country_iso3 for c in esa.countries} == {"MUS", "SYC", "ZWE"}
    assert esa.valid_from == date(2021, 1, 1) and not esa.is_unilateral
    assert esa.source_url.startswith("https://github.com/trade-tariff/trade-tariff-backend/")
    eu = db.session.scalar(select(PreferenceScheme).where(PreferenceScheme.code == "eu"))
    assert ("EU", None, "EU") in {
        (c.source_code, c.country_iso3, c.group_code) for c in eu.countries
    }
    andean = db.session.scalar(select(PreferenceScheme).where(PreferenceScheme.code == "andean"))
    assert {c.country_iso3 for c in andean.countries} == {"COL", "ECU", "PER"}
    serbia = db.session.scalar(select(PreferenceScheme).where(PreferenceScheme.code == "serbia"))
    assert [c.country_iso3 for c in serbia.countries] == ["SRB"]  # UK code XS
    kosovo = db.session.scalar(select(SchemeCountry).where(SchemeCountry.source_code == "XK"))
    assert kosovo.country_iso3 is None and kosovo.group_code is None
    gsp = db.session.scalar(select(PreferenceScheme).where(PreferenceScheme.code == "gsp"))
    assert gsp.is_unilateral and gsp.valid_to == date(2023, 6, 18)
    assert gsp.footnote and "<" not in gsp.footnote


def test_rule_texts_are_plain_text_with_the_link_words_kept(app_context):
    texts = db.session.scalars(select(OriginRule.text)).all()
    assert not [t for t in texts if "](" in t or "**" in t or "&nbsp;" in t]
    first = db.session.scalar(
        select(OriginRule).join(OriginRuleSet).where(OriginRuleSet.heading == "Chapter 1")
    )
    assert first.text == "All the animals of chapter\u00a01 used must be wholly obtained."
    assert first.rule_class == "WO"
    ranges = db.session.execute(select(OriginRuleSet.code_min, OriginRuleSet.code_max)).all()
    assert all(len(low) == len(high) == 10 and low <= high for low, high in ranges)


def test_seeding_again_changes_nothing(app):
    with app.app_context():
        before = table_rows(*TABLES)
    forced = run_cli(app, "seed", "--force")
    assert "agreements: 0 rows inserted or updated" in forced.output
    with app.app_context():
        assert table_rows(*TABLES) == before


def _refused(app, says: str, line: int):
    with app.app_context():
        before = table_rows(*TABLES)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "agreements not loaded, nothing changed" in result.output
    assert f"line {line} " in result.output
    assert says in result.output
    with app.app_context():
        assert table_rows(*TABLES) == before


@pytest.mark.parametrize(
    ("file", "find", "replacement", "says"),
    [
        (
            "agreements/wto_rta_list_2021.csv",
            "China - Mauritius,Goods & Services,FTA & EIA,GATT Art. XXIV & GATS Art. V,In Force,",
            "China - Mauritius,Goods & Services,FTA & EIA,GATT Art. XXIV & GATS Art. V,Maybe,",
            "'Maybe' is not a known WTO status",
        ),
        (
            "agreements/wto_rta_list_2021.csv",
            "2021-01-05,2021-01-05,2021-01-01",
            "2021-01-05,2021-01-05,2021-13-01",
            "'2021-13-01' is not a YYYY-MM-DD date",
        ),
        ("agreements/wto_name_aliases.csv", "country,CIV,", "country,XIV,", "'XIV'"),
    ],
)
def test_a_broken_csv_line_is_refused_with_its_number(app, tmp_path, file, find, replacement, says):
    data = copy_data(app, tmp_path)
    line = break_line(data / file, find, replacement)
    _refused(app, says, line)


@pytest.mark.parametrize(
    ("file", "find", "replacement", "says"),
    [
        ("agreements/esa_rule_sets.json", '"min": "0901000000"', '"min": "09010000"', "'09010000'"),
        (
            "agreements/esa_rule_sets.json",
            '"max": "0902999999"',
            '"max": "0901999998"',
            "below min",
        ),
        (
            "agreements/roo_schemes_uk.json",
            '"scheme_code": "esa"',
            '"scheme_code": "ESA UK"',
            "'ESA UK' is not a scheme code",
        ),
    ],
)
def test_a_broken_json_record_is_refused_with_the_line_it_starts_on(
    app, tmp_path, file, find, replacement, says
):
    data = copy_data(app, tmp_path)
    path = data / file
    broken = break_line(path, find, replacement)
    _refused(app, says, json_item_start(path, broken))
