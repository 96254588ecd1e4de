"""Loading the UK tariff file as two schedules, with preferences and internal taxes."""

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tradeportal.datafiles import DataFileError
from tradeportal.db import db
from tradeportal.tariffs.models import (
    InternalTax,
    InternalTaxLink,
    PreferenceOrigin,
    PreferentialRate,
    PreferentialRateLink,
    TariffLine,
    TariffLineLink,
    TariffSchedule,
    TaxKind,
)
from tradeportal.tariffs.rates import RateKind, parse_rate
from tradeportal.tariffs.services import TARIFF_FILES, load_tariffs

TABLES = (
    TariffSchedule,
    TariffLine,
    TariffLineLink,
    InternalTax,
    InternalTaxLink,
    PreferentialRate,
    PreferenceOrigin,
    PreferentialRateLink,
)
COLUMNS = {"UKGT-2021": "ukgt_duty_rate", "EU-CET-2020": "cet_duty_rate"}


def data_dir(app) -> Path:
    return Path(app.config["DATA_DIR"])


def source_rows(app) -> list[dict]:
    path = data_dir(app) / TARIFF_FILES["uk-global-tariff.csv"]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def table_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in TABLES
    }


def snapshot() -> list[tuple]:
    return db.session.execute(
        select(
            TariffLine.schedule_id,
            TariffLine.code,
            TariffLine.rate_text,
            TariffLine.rate_kind,
            TariffLine.rate_parts,
            TariffLine.description,
        ).order_by(TariffLine.id)
    ).all()


def line(schedule: str, code: str) -> TariffLine:
    return db.session.scalar(
        select(TariffLine)
        .join(TariffSchedule)
        .where(TariffSchedule.code == schedule, TariffLine.code == code)
    )


def links(schedule: str, code: str, nomenclature: str) -> list[tuple[str, bool]]:
    found = line(schedule, code)
    return sorted(
        db.session.execute(
            select(TariffLineLink.prefix, TariffLineLink.split).where(
                TariffLineLink.line_id == found.id, TariffLineLink.nomenclature == nomenclature
            )
        ).all()
    )


def test_each_schedule_holds_every_line_of_the_file(app_context):
    rows = source_rows(app_context)
    assert len(rows) == 11_830
    for code in COLUMNS:
        count = db.session.scalar(
            select(func.count())
            .select_from(TariffLine)
            .join(TariffSchedule)
            .where(TariffSchedule.code == code)
        )
        assert count == 11_830


def test_lines_keep_the_published_rate_of_their_own_column(app_context):
    assert line("UKGT-2021", "01012990").rate_text == "10.0%"
    assert line("EU-CET-2020", "01012990").rate_text == "11.5%"
    sugar = line("UKGT-2021", "17011410")
    assert sugar.rate_kind is RateKind.SPECIFIC
    assert sugar.rate_parts["duty"]["components"][0]["qualifier"] == "standard quality"
    assert sugar.quota is True
    # The file's flags are UK measures: the EU schedule does not inherit them.
    assert line("EU-CET-2020", "17011410").quota is None
    assert line("UKGT-2021", "01012990").change_note == "Simplified"
    assert line("EU-CET-2020", "01012990").change_note is None


def test_validity_of_the_two_schedules(app_context):
    schedules = {s.code: s for s in db.session.scalars(select(TariffSchedule))}
    assert (schedules["UKGT-2021"].valid_from, schedules["UKGT-2021"].valid_to) == (
        date(2021, 1, 1),
        None,
    )
    assert (schedules["EU-CET-2020"].valid_from, schedules["EU-CET-2020"].valid_to) == (
        date(2020, 1, 1),
        date(2020, 12, 31),
    )
    assert schedules["EU-CET-2020"].reporter == "EU"
    assert [m.market for m in schedules["EU-CET-2020"].markets] == ["GBR"]


def test_every_rate_parses_or_is_reported(app_context):
    report = load_tariffs(db.session, data_dir(app_context))
    rows = source_rows(app_context)
    for schedule, column in COLUMNS.items():
        unparsed_in_file = [
            r[column] for r in rows if parse_rate(r[column]).kind is RateKind.UNPARSED
        ]
        stored = db.session.scalar(
            select(func.count())
            .select_from(TariffLine)
            .join(TariffSchedule)
            .where(TariffSchedule.code == schedule, TariffLine.rate_kind == RateKind.UNPARSED)
        )
        assert sum(report.unparsed[schedule].values()) == len(unparsed_in_file) == stored
        assert sum(report.rate_kinds[schedule].values()) == 11_830
        assert report.rate_kinds[schedule]["unparsed"] == stored
    assert report.unparsed["UKGT-2021"] == {}
    assert report.unparsed["EU-CET-2020"] == {
        "24 + 4.2 EUR/100 kg": 6,
        "7.2 MIN 0.36 EUR/100 kg": 2,
        "6.4 + 24.6 EUR/100 kg": 1,
        "8.3 + 3.8 EUR/100 kg eda": 1,
    }
    reasons = [reason for reason in report.skipped if "EU-CET-2020" in reason and "parse" in reason]
    assert len(reasons) == 1
    assert report.skipped[reasons[0]] == 10


def test_a_line_of_an_unchanged_hs_subheading_maps_to_one_hs2022_code(app_context):
    assert links("UKGT-2021", "09012100", "HS2022") == [("090121", False)]
    assert links("UKGT-2021", "09012100", "HS2017") == [("09012100", False)]


def test_a_line_of_a_split_hs2017_subheading_maps_to_each_part(app_context):
    assert links("UKGT-2021", "08029050", "HS2022") == [
        ("080291", True),
        ("080292", True),
        ("080299", True),
    ]
    assert links("EU-CET-2020", "08029050", "HS2017") == [("08029050", False)]


def test_mapping_counts_and_the_unmapped_subheading(app_context):
    report = load_tariffs(db.session, data_dir(app_context))
    assert report.mapping["UKGT-2021"] == {"one": 8_867, "split": 2_962, "unmapped": 1}
    # 300219 is missing from the UNSD table: the line keeps only its own code.
    assert links("UKGT-2021", "30021900", "HS2022") == []
    assert links("UKGT-2021", "30021900", "HS2017") == [("30021900", False)]


def test_loading_again_changes_nothing(app_context):
    before, counts = snapshot(), table_counts()
    report = load_tariffs(db.session, data_dir(app_context))
    db.session.commit()
    assert report.changed == 0
    assert all(c.get("deleted", 0) == 0 for c in report.counts.values())
    assert snapshot() == before
    assert table_counts() == counts


def test_internal_taxes_and_preferences_are_loaded(app_context):
    taxes = {(t.country_iso3, t.kind): t for t in db.session.scalars(select(InternalTax))}
    assert taxes["MUS", TaxKind.VAT].ad_valorem_pct == 15.0
    assert taxes["MUS", TaxKind.VAT].links == []  # no link: every product
    assert not taxes["MUS", TaxKind.VAT].is_demo
    assert taxes["GBR", TaxKind.VAT].ad_valorem_pct == 20.0
    assert taxes["MUS", TaxKind.EXCISE].is_demo
    assert [link.prefix for link in taxes["MUS", TaxKind.EXCISE].links] == [
        "2203",
        "2204",
        "2205",
        "2206",
        "2208",
    ]
    esa = db.session.scalar(select(PreferentialRate).where(PreferentialRate.scheme_code == "esa"))
    assert [o.origin for o in esa.origins] == ["MUS", "SYC", "ZWE"]
    assert [(link.prefix, link.excluded) for link in esa.links] == [("93", True)]
    assert esa.rate_kind is RateKind.FREE


def broken_copy(app, tmp_path: Path, edit) -> Path:
    """Copy the data folder and let ``edit`` change the tariff file's rows."""
    target = tmp_path / "data"
    shutil.copytree(data_dir(app), target)
    path = target / TARIFF_FILES["uk-global-tariff.csv"]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    edit(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_a_broken_line_is_refused_with_its_number_and_nothing_changes(app, tmp_path):
    def break_rows(rows):
        rows[2]["commodity"] = "0101AB90"  # line 4: header, then rows 0 and 1
        rows[3]["ukgt_duty_rate"] = ""
        rows[4]["suspension_applies"] = "maybe"

    broken = broken_copy(app, tmp_path, break_rows)
    with app.app_context():
        before, counts = snapshot(), table_counts()
        with pytest.raises(DataFileError) as caught:
            load_tariffs(db.session, broken)
        problems = caught.value.problems
        assert (4, "commodity", "'0101AB90' is not an 8 or 10 digit code") in problems
        assert (5, "ukgt_duty_rate", "is empty") in problems
        assert (6, "suspension_applies", "'maybe' is not one of True, False") in problems
        assert "line 4 commodity" in str(caught.value)
        db.session.rollback()
        assert snapshot() == before
        assert table_counts() == counts

    app.config["DATA_DIR"] = str(broken)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "tariffs not loaded, nothing changed" in result.output
    assert "line 4 commodity" in result.output
    with app.app_context():
        assert snapshot() == before
        assert table_counts() == counts


def test_a_changed_rate_is_updated_in_place(app, tmp_path):
    def change(rows):
        rows[0]["ukgt_duty_rate"] = "3.5%"

    changed = broken_copy(app, tmp_path, change)
    with app.app_context():
        first = source_rows(app)[0]["commodity"]
        before = line("UKGT-2021", first).id
        report = load_tariffs(db.session, changed)
        db.session.commit()
        assert report.counts["UKGT-2021 lines"]["updated"] == 1
        assert report.counts["EU-CET-2020 lines"]["updated"] == 0
        updated = line("UKGT-2021", first)
        assert (updated.id, updated.rate_text, updated.ad_valorem_pct) == (before, "3.5%", 3.5)


def test_a_bad_schedule_definition_is_refused(app, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(data_dir(app), target)
    path = target / TARIFF_FILES["schedules"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",2020-01-01,2020-12-31,", ",2020-01-01,2019-12-31,"), "utf-8")
    with app.app_context(), pytest.raises(DataFileError) as caught:
        load_tariffs(db.session, target)
    assert (3, "valid_to", "is before valid_from") in caught.value.problems
