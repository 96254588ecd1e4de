"""`flask content import/export` of tariff schedules, lines, preferences and taxes."""

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from tests.tariffs.test_views import tariffs_section
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
    TariffScheduleMarket,
    TaxKind,
)
from tradeportal.tariffs.queries import internal_taxes_for, preferences_for
from tradeportal.tariffs.rates import RateKind, parse_rate, rate_to_json

TABLES = (
    TariffSchedule,
    TariffScheduleMarket,
    TariffLine,
    TariffLineLink,
    InternalTax,
    InternalTaxLink,
    PreferentialRate,
    PreferentialRateLink,
    PreferenceOrigin,
)
TYPES = (
    "tariff-schedules",
    "tariff-schedule-markets",
    "tariff-lines",
    "preferential-rates",
    "internal-taxes",
)
COMPOUND = "12.5% + 3.00 GBP / 100 kg"
UNPARSED = "8.3 + 3.8 EUR/100 kg eda"  # a form found in the UK file that the parser leaves


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def snapshot(app) -> dict:
    """Every row of the tariff tables, to show that a failed import changed nothing."""
    with app.app_context():
        return {
            model.__tablename__: sorted(
                tuple(row) for row in db.session.execute(select(*model.__table__.columns))
            )
            for model in TABLES
        }


def write_json(path: Path, type_name: str, items: list) -> Path:
    path.write_text(json.dumps({"type": type_name, "items": items}), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict]) -> Path:
    """Write rows as CSV, lists as one cell of items separated by ';'."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {name: ";".join(v) if isinstance(v, list) else v for name, v in row.items()}
            )
    return path


def line_record(code: str, **fields) -> dict:
    return {
        "schedule": "UKGT-2021",
        "code": code,
        "description": f"Test line {code}",
        "rate_text": "7.5%",
        "valid_from": "2021-01-01",
        **fields,
    }


def tax_record(name: str, **fields) -> dict:
    return {
        "country_iso3": "GBR",
        "kind": "excise",
        "name": name,
        "rate_text": "Rates per litre set by HMRC",
        "valid_from": "2021-01-01",
        **fields,
    }


def preference_record(scheme: str, **fields) -> dict:
    return {
        "schedule": "UKGT-2021",
        "scheme_code": scheme,
        "agreement_name": f"Agreement {scheme}",
        "origins": ["MUS"],
        "rate_text": "Free",
        "valid_from": "2021-01-01",
        **fields,
    }


def schedule_record(code: str, **fields) -> dict:
    return {
        "code": code,
        "title": f"Schedule {code}",
        "reporter": "MUS",
        "nomenclature": "HS2022",
        "currency": "MUR",
        "valid_from": "2024-01-01",
        **fields,
    }


def find_line(schedule: str, code: str) -> TariffLine:
    return db.session.scalar(
        select(TariffLine)
        .join(TariffSchedule)
        .where(TariffSchedule.code == schedule, TariffLine.code == code)
    )


def links_of(line: TariffLine) -> set[tuple]:
    rows = db.session.execute(
        select(TariffLineLink.prefix, TariffLineLink.nomenclature, TariffLineLink.split).where(
            TariffLineLink.line_id == line.id
        )
    )
    return {tuple(row) for row in rows}


def assert_import_fails(app, path: Path, *messages: str, absent: tuple[str, ...] = ()):
    """Import ``path``; it must fail naming each message, and change no tariff row."""
    before = snapshot(app)
    result = invoke(app, "content", "import", str(path))
    assert result.exit_code != 0
    for message in messages:
        assert message in result.output
    for message in absent:
        assert message not in result.output
    assert "nothing was imported" in result.output
    assert snapshot(app) == before


# --- tariff lines --------------------------------------------------------------------


def test_tariff_lines_json_import_parses_rates_and_links_like_the_loader(app, tmp_path):
    items = [
        # 0208.90 was split between 0208.90 and 0410.10 in HS 2022.
        line_record("0208909900", rate_text=COMPOUND, trade_remedy=False),
        line_record("09012100", description="Roasted coffee, renamed", rate_text=UNPARSED),
    ]
    result = run_cli(
        app, "content", "import", str(write_json(tmp_path / "l.json", "tariff-lines", items))
    )
    assert "tariff-lines: 1 created, 1 updated, 0 unchanged." in result.output
    with app.app_context():
        created = find_line("UKGT-2021", "0208909900")
        assert created.rate_kind is RateKind.COMPOUND
        assert created.ad_valorem_pct == 12.5
        assert created.rate_parts == rate_to_json(parse_rate(COMPOUND))
        assert (created.trade_remedy, created.quota) == (False, None)
        assert links_of(created) == {
            ("0208909900", "HS2017", False),
            ("020890", "HS2022", True),
            ("041010", "HS2022", True),
        }
        # The HS 2022 links are those the loader gave the lines of the same subheading.
        sibling = find_line("UKGT-2021", "02089010")
        assert {link for link in links_of(sibling) if link[1] == "HS2022"} == {
            link for link in links_of(created) if link[1] == "HS2022"
        }
        updated = find_line("UKGT-2021", "09012100")
        assert updated.description == "Roasted coffee, renamed"
        # Accepted, and stored as the loader stores a rate it cannot read.
        assert updated.rate_text == UNPARSED
        assert updated.rate_kind is RateKind.UNPARSED
        assert (updated.rate_parts, updated.ad_valorem_pct) == (None, None)
        assert links_of(updated) == {("09012100", "HS2017", False), ("090121", "HS2022", False)}


def test_tariff_lines_csv_import_reads_codes_flags_and_provenance(app, tmp_path):
    rows = [
        line_record(
            "0901.21.00.10",
            trade_remedy="True",
            suspension="False",
            change_note="Simplified",
            source_url="https://www.trade-tariff.service.gov.uk/",
            issued_by="HM Revenue & Customs",
            last_verified_on="2024-05-02",
            last_verified_by="Tariff desk",
            is_demo="true",
        ),
        line_record("0901 21 00 20", rate_text="Free"),
        line_record("09012100", schedule="EU-CET-2020", valid_from="2020-01-01")
        | {"valid_to": "2020-12-31", "rate_text": "7.5%"},
    ]
    result = run_cli(app, "content", "import", str(write_csv(tmp_path / "tariff-lines.csv", rows)))
    assert "tariff-lines: 2 created, 1 updated, 0 unchanged." in result.output
    with app.app_context():
        line = find_line("UKGT-2021", "0901210010")
        assert (line.trade_remedy, line.suspension, line.quota) == (True, False, None)
        assert line.change_note == "Simplified"
        assert line.source_url == "https://www.trade-tariff.service.gov.uk/"
        assert line.last_verified_on == date(2024, 5, 2)
        assert line.is_demo is True
        assert find_line("UKGT-2021", "0901210020").rate_kind is RateKind.FREE
        eu_line = find_line("EU-CET-2020", "09012100")
        assert (eu_line.rate_kind, eu_line.ad_valorem_pct) == (RateKind.AD_VALOREM, 7.5)
        assert eu_line.valid_to == date(2020, 12, 31)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"code": "0901x100"}, "line 3: code: '0901x100' is not a tariff line code: HS codes"),
        ({"code": "090121"}, "line 3: code: '090121' has 6 digits; a tariff line code has 8 or 10"),
        ({"valid_from": "2021-02-30"}, "line 3: valid_from: 2021-02-30 is not a real date"),
        ({"valid_from": "01/02/2021"}, "line 3: valid_from: '01/02/2021' is not a date written"),
        ({"valid_from": "20210101"}, "line 3: valid_from: '20210101' is not a date written"),
        ({"valid_to": "2020-12-31"}, "line 3: valid_to: The last day in force comes before"),
        ({"rate_text": ""}, "line 3: rate_text: Missing data for required field."),
        ({"rate_text": "9" * 301}, "line 3: rate_text: Must be at most 300 characters"),
        ({"trade_remedy": "perhaps"}, "line 3: trade_remedy: Not a valid boolean."),
        ({"source_url": "javascript:alert(1)"}, "line 3: source_url: Must be a full http://"),
        ({"schedule": "ukgt 2021"}, "line 3: schedule: 'ukgt 2021' is not a schedule code"),
    ],
)
def test_one_bad_line_in_a_csv_file_imports_nothing(app, tmp_path, bad, message):
    rows = [line_record("0901210010"), line_record("0901210020") | bad, line_record("09012100")]
    path = write_csv(tmp_path / "tariff-lines.csv", rows)
    assert_import_fails(app, path, message, absent=("line 2", "line 4"))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            {"schedule": "NO-SUCH-2020"},
            "item 2: schedule: no tariff schedule with code 'NO-SUCH-2020'; import "
            "tariff-schedules first",
        ),
        ({"code": "99999999"}, "item 2: code: 9999.99 is not a subheading of HS2017"),
        (
            {"valid_from": "2019-06-01"},
            "item 2: valid_from: 2019-06-01 is before schedule UKGT-2021 starts",
        ),
        (
            {"schedule": "EU-CET-2020", "valid_from": "2020-01-01"},
            "item 2: valid_to: must be given and not after schedule EU-CET-2020 ends",
        ),
    ],
)
def test_a_problem_found_when_saving_rolls_back_the_lines_saved_before_it(
    app, tmp_path, bad, message
):
    items = [line_record("0901210010"), line_record("0901210020") | bad, line_record("09012100")]
    path = write_json(tmp_path / "l.json", "tariff-lines", items)
    assert_import_fails(app, path, message, absent=("item 1", "item 3"))


def test_the_same_line_twice_in_a_file_is_refused(app, tmp_path):
    items = [line_record("0901210010"), line_record("0901.21.00.10")]
    path = write_json(tmp_path / "l.json", "tariff-lines", items)
    assert_import_fails(app, path, "item 2: schedule/code: same schedule/code as item 1")


def test_an_imported_line_appears_on_the_product_page_with_its_parsed_rate(app, tmp_path):
    items = [line_record("0901210010", description="Roasted coffee in capsules")]
    items[0]["rate_text"] = COMPOUND
    run_cli(app, "content", "import", str(write_json(tmp_path / "l.json", "tariff-lines", items)))
    response = app.test_client().get("/hs/090121?market=GBR")
    assert response.status_code == 200
    section = tariffs_section(response)
    assert "0901.21.00.10" in section
    assert "Roasted coffee in capsules" in section
    assert COMPOUND in section
    assert "12.5% of the customs value + GBP 3.00 per 100 kg" in section
    # Reached from HS 2022 through the correlation, as the loaded lines are.
    split = [line_record("0208909900", description="Other meat, test line")]
    run_cli(app, "content", "import", str(write_json(tmp_path / "s.json", "tariff-lines", split)))
    section = tariffs_section(app.test_client().get("/hs/041010?market=GBR"))
    assert "Other meat, test line" in section
    assert "split in HS 2022 between 0208.90, 0410.10" in section


# --- internal taxes ------------------------------------------------------------------


def test_internal_taxes_import_from_json_and_csv(app, tmp_path):
    json_items = [
        tax_record("Excise duty on drinks", hs_prefixes=["22"], hs_exclusions=["2201", "2202"]),
        # Same tax from a later day: a new record, not an update of the first.
        tax_record("Excise duty on drinks", valid_from="2024-02-01", rate_text="12%"),
    ]
    result = run_cli(
        app, "content", "import", str(write_json(tmp_path / "t.json", "internal-taxes", json_items))
    )
    assert "internal-taxes: 2 created, 0 updated, 0 unchanged." in result.output
    csv_rows = [
        tax_record("Excise duty on tobacco", country_iso3="MUS", hs_prefixes="2402;2403"),
        tax_record("Value added tax (standard rate)", country_iso3="MUS", kind="vat")
        | {"rate_text": "16%", "valid_from": "2002-01-07", "hs_exclusions": "0901;1006"},
    ]
    result = run_cli(
        app, "content", "import", str(write_csv(tmp_path / "internal-taxes.csv", csv_rows))
    )
    assert "internal-taxes: 1 created, 1 updated, 0 unchanged." in result.output
    with app.app_context():
        drinks = db.session.scalar(
            select(InternalTax).where(
                InternalTax.name == "Excise duty on drinks",
                InternalTax.valid_from == date(2021, 1, 1),
            )
        )
        assert drinks.kind is TaxKind.EXCISE
        assert drinks.rate_kind is RateKind.UNPARSED
        assert {(link.prefix, link.excluded) for link in drinks.links} == {
            ("22", False),
            ("2201", True),
            ("2202", True),
        }
        on_day = date(2022, 6, 1)
        assert "Excise duty on drinks" in [
            t.item.name for t in internal_taxes_for("220300", "GBR", on_day)
        ]
        assert "Excise duty on drinks" not in [
            t.item.name for t in internal_taxes_for("220110", "GBR", on_day)
        ]
        vat = db.session.scalar(
            select(InternalTax).where(
                InternalTax.country_iso3 == "MUS", InternalTax.kind == TaxKind.VAT
            )
        )
        assert (vat.rate_text, vat.rate_kind, vat.ad_valorem_pct) == (
            "16%",
            RateKind.AD_VALOREM,
            16.0,
        )
        assert [t.item.name for t in internal_taxes_for("090121", "MUS", on_day)] == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"country_iso3": "ZZZ"}, "line 3: country_iso3: ZZZ is not a known country code"),
        ({"country_iso3": "gbr"}, "line 3: country_iso3: 'gbr' is not an ISO 3166 alpha-3"),
        ({"kind": "sales"}, "line 3: kind: Must be one of: vat, excise, other."),
        ({"hs_prefixes": "22;2x"}, "line 3: hs_prefixes.2: '2x' is not an HS prefix"),
        (
            {"hs_prefixes": "22", "hs_exclusions": "0901"},
            "line 3: hs_exclusions: 0901 is not under any of the linked prefixes",
        ),
        ({"valid_from": "2021-13-01"}, "line 3: valid_from: 2021-13-01 is not a real date"),
        ({"rate_text": " "}, "line 3: rate_text: Must not be empty."),
        ({"name": "n" * 201}, "line 3: name: Must be at most 200 characters"),
    ],
)
def test_one_bad_tax_line_imports_nothing(app, tmp_path, bad, message):
    rows = [tax_record("Tax one"), tax_record("Tax two") | bad, tax_record("Tax three")]
    path = write_csv(tmp_path / "internal-taxes.csv", rows)
    assert_import_fails(app, path, message, absent=("line 2", "line 4"))


# --- preferential rates ----------------------------------------------------------------


def test_preferential_rates_import_from_json_and_csv(app, tmp_path):
    items = [
        preference_record(
            "test-gsp", origins=["MUS", "ESA"], hs_prefixes=["09"], hs_exclusions=["0901"]
        )
    ]
    result = run_cli(
        app, "content", "import", str(write_json(tmp_path / "p.json", "preferential-rates", items))
    )
    assert "preferential-rates: 1 created, 0 updated, 0 unchanged." in result.output
    rows = [
        preference_record("esa", origins="MUS;SYC;ZWE;MDG", hs_exclusions="93", rate_text="0.00%")
        | {"agreement_name": "ESA–UK Economic Partnership Agreement"},
        preference_record("test-two", schedule="EU-CET-2020", valid_from="2020-01-01"),
    ]
    result = run_cli(
        app, "content", "import", str(write_csv(tmp_path / "preferential-rates.csv", rows))
    )
    assert "preferential-rates: 1 created, 1 updated, 0 unchanged." in result.output
    with app.app_context():
        gsp = db.session.scalar(
            select(PreferentialRate).where(PreferentialRate.scheme_code == "test-gsp")
        )
        assert [origin.origin for origin in gsp.origins] == ["ESA", "MUS"]
        assert {(link.prefix, link.excluded) for link in gsp.links} == {
            ("09", False),
            ("0901", True),
        }
        assert gsp.rate_kind is RateKind.FREE
        esa = db.session.scalar(
            select(PreferentialRate).where(PreferentialRate.scheme_code == "esa")
        )
        assert [origin.origin for origin in esa.origins] == ["MDG", "MUS", "SYC", "ZWE"]
        on_day = date(2022, 6, 1)
        found = preferences_for("090210", "GBR", "MUS", on_day)
        assert {match.rate.scheme_code for match in found.eligible} == {"esa", "test-gsp"}
        found = preferences_for("090121", "GBR", "MUS", on_day)
        assert {match.rate.scheme_code for match in found.eligible} == {"esa"}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"origins": "MUS;QQQ"}, "line 3: origins.2: QQQ is neither a known country code nor"),
        ({"origins": "MUS;mus"}, "line 3: origins.2: 'mus' is not a country or group code"),
        ({"origins": ";"}, "line 3: origins: Give at least one origin country or group."),
        ({"hs_prefixes": "09", "hs_exclusions": "09"}, "line 3: hs_exclusions: 09 is both"),
        ({"valid_to": "2020-01-01"}, "line 3: valid_to: The last day in force comes before"),
        ({"schedule": "NO-SUCH-2020"}, "line 3: schedule: no tariff schedule with code"),
    ],
)
def test_one_bad_preference_line_imports_nothing(app, tmp_path, bad, message):
    rows = [preference_record("one"), preference_record("two") | bad, preference_record("three")]
    path = write_csv(tmp_path / "preferential-rates.csv", rows)
    assert_import_fails(app, path, message, absent=("line 2", "line 4"))


# --- schedules and the markets that adopted them ---------------------------------------


def test_schedules_and_markets_import_from_json_and_csv(app, tmp_path):
    items = [schedule_record("MUS-TEST-2024", recorded_on="2024-02-01")]
    result = run_cli(
        app, "content", "import", str(write_json(tmp_path / "s.json", "tariff-schedules", items))
    )
    assert "tariff-schedules: 1 created, 0 updated, 0 unchanged." in result.output
    export = json.loads(run_cli(app, "content", "export", "tariff-schedules").output)
    ukgt = next(item for item in export["items"] if item["code"] == "UKGT-2021")
    rows = [ukgt | {"title": "UK Global Tariff (renamed)"}]
    result = run_cli(
        app, "content", "import", str(write_csv(tmp_path / "tariff-schedules.csv", rows))
    )
    assert "tariff-schedules: 0 created, 1 updated, 0 unchanged." in result.output
    markets = [
        {
            "schedule": "UKGT-2021",
            "market": "IMN",
            "valid_from": "2021-01-01",
            "note": "The Isle of Man is in the UK's customs territory.",
            "source_url": "https://www.gov.im/categories/tax-vat-and-your-money/customs-and-excise/",
        }
    ]
    result = run_cli(
        app,
        "content",
        "import",
        str(write_csv(tmp_path / "tariff-schedule-markets.csv", markets)),
    )
    assert "tariff-schedule-markets: 1 created, 0 updated, 0 unchanged." in result.output
    with app.app_context():
        created = db.session.scalar(
            select(TariffSchedule).where(TariffSchedule.code == "MUS-TEST-2024")
        )
        assert (created.reporter, created.recorded_on) == ("MUS", date(2024, 2, 1))
        renamed = db.session.scalar(
            select(TariffSchedule).where(TariffSchedule.code == "UKGT-2021")
        )
        assert renamed.title == "UK Global Tariff (renamed)"
        assert renamed.notes == ukgt["notes"]
        assert [market.market for market in renamed.markets] == ["IMN"]
    # The Isle of Man now reaches the UK's lines.
    section = tariffs_section(app.test_client().get("/hs/090121?market=IMN"))
    assert "0901.21.00" in section


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"nomenclature": "HS1800"}, "item 2: nomenclature: 'HS1800' is not an HS edition"),
        ({"currency": "mur"}, "item 2: currency: Must be an ISO 4217 code"),
        ({"reporter": "XYZ"}, "item 2: reporter: XYZ is neither a known country code nor"),
        ({"recorded_on": "2024-W01-1"}, "item 2: recorded_on: '2024-W01-1' is not a date"),
        ({"title": ""}, "item 2: title: Must not be empty."),
    ],
)
def test_one_bad_schedule_imports_nothing(app, tmp_path, bad, message):
    items = [schedule_record("MUS-A-2024"), schedule_record("MUS-B-2024") | bad]
    path = write_json(tmp_path / "s.json", "tariff-schedules", items)
    assert_import_fails(app, path, message, absent=("item 1",))


def test_a_schedule_with_lines_keeps_its_edition(app, tmp_path):
    export = json.loads(run_cli(app, "content", "export", "tariff-schedules").output)
    ukgt = next(item for item in export["items"] if item["code"] == "UKGT-2021")
    path = write_json(tmp_path / "s.json", "tariff-schedules", [ukgt | {"nomenclature": "HS2022"}])
    assert_import_fails(
        app, path, "item 1: nomenclature: the schedule's 11,830 lines are coded in HS2017"
    )


# --- round trips -----------------------------------------------------------------------


def test_reimporting_a_json_export_changes_nothing(app, tmp_path):
    before = snapshot(app)
    for type_name in TYPES:
        path = tmp_path / f"{type_name}.json"
        path.write_text(run_cli(app, "content", "export", type_name).output, encoding="utf-8")
        assert json.loads(path.read_text(encoding="utf-8"))["items"]
        result = run_cli(app, "content", "import", str(path))
        assert f"{type_name}: 0 created, 0 updated," in result.output
    # Same rows, same ids: unchanged links and origins are not deleted and re-inserted.
    assert snapshot(app) == before


def test_reimporting_a_csv_export_changes_nothing(app, tmp_path):
    before = snapshot(app)
    for type_name in TYPES:
        path = tmp_path / f"{type_name}.csv"
        run_cli(app, "content", "export", type_name, "--format", "csv", "-o", str(path))
        result = run_cli(app, "content", "import", str(path))
        assert f"{type_name}: 0 created, 0 updated," in result.output
    with (tmp_path / "internal-taxes.csv").open(encoding="utf-8") as handle:
        taxes = list(csv.DictReader(handle))
    excise = next(row for row in taxes if row["kind"] == "excise")
    assert excise["hs_prefixes"] == "2203;2204;2205;2206;2208"
    assert snapshot(app) == before


def test_an_export_lists_every_line_with_its_rate_as_published(app):
    export = json.loads(run_cli(app, "content", "export", "tariff-lines").output)
    with app.app_context():
        assert len(export["items"]) == db.session.scalar(select(func.count(TariffLine.id)))
    first = export["items"][0]
    assert (first["schedule"], first["code"], first["rate_text"]) == (
        "EU-CET-2020",
        "01012100",
        "0.0%",
    )
    assert set(first) >= {"valid_from", "valid_to", "source_url", "issued_by", "is_demo"}
