"""Tenders as a content type: imports relink through the loader's CPV -> HS table."""

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from tests.countries.helpers import count, table_rows, text_of
from tradeportal.db import db
from tradeportal.tenders.models import Tender, TenderHsLink, TenderStatus
from tradeportal.tenders.services import load_tenders

COFFEE = {
    "ocid": "ocds-demo-mus-0001",
    "release_id": "mus-0001-tender",
    "publisher": "Illustrative publisher",
    "country_iso3": "MUS",
    "buyer_name": "Ministry of Agro-Industry (illustrative)",
    "title": "Supply of roasted coffee to state schools",
    "description": "Roasted coffee beans, 2 tonnes.",
    "status": "active",
    "procurement_method": "open",
    "main_category": "goods",
    "value_amount": 12500.5,
    "value_currency": "MUR",
    "value_basis": "tender",
    "tender_period_start": "2024-01-01T08:00:00+04:00",
    # Far in the future: the tender is open on any day these tests run.
    "tender_period_end": "2099-06-30T17:00:00+04:00",
    "published_at": "2024-01-01T08:00:00+04:00",
    "tag": "tender",
    "classifications": ["CPV:15861000-4"],
    "source_url": "https://example.org/tenders/mus-0001",
    "is_demo": True,
}
CSV_COLUMNS = [
    "ocid",
    "release_id",
    "publisher",
    "country_iso3",
    "title",
    "published_at",
    "tender_period_end",
    "status",
    "tag",
    "classifications",
]


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["content", *args])


def write_json(tmp_path, items):
    path = tmp_path / "tenders.json"
    path.write_text(json.dumps({"type": "tenders", "items": items}), encoding="utf-8")
    return path


def write_csv(tmp_path, rows):
    path = tmp_path / "tenders.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows)
    return path


def snapshot(app) -> dict:
    with app.app_context():
        return table_rows(Tender, TenderHsLink)


def tender(ocid: str) -> Tender:
    return db.session.scalar(select(Tender).where(Tender.ocid == ocid))


def links_of(found: Tender) -> list[tuple]:
    return [(link.prefix, link.cpv_code, link.cpv_prefix) for link in found.hs_links]


def tenders_section(response) -> str:
    page = response.get_data(as_text=True)
    found = re.search(r'<section[^>]*id="tenders".*?</section>', page, re.S)
    assert found, "no tenders section on the page"
    return found.group()


def test_the_type_is_listed(app):
    assert "tenders " in run_cli(app, "content", "types").output


def test_an_imported_coffee_tender_shows_as_open_on_the_coffee_page(app, client, tmp_path):
    assert COFFEE["title"] not in text_of(client.get("/hs/0901"))
    result = run_cli(app, "content", "import", str(write_json(tmp_path, [COFFEE])))
    assert "tenders: 1 created, 0 updated, 0 unchanged." in result.output
    with app.app_context():
        found = tender(COFFEE["ocid"])
        # CPV group 158 (miscellaneous food products) maps to chapter 09, among others.
        assert ("09", "15861000-4", "158") in links_of(found)
        assert found.unlinked_reason is None
        assert found.classifications == [{"scheme": "CPV", "id": "15861000-4", "problem": None}]
        # Validity defaults to the days as written, not as converted to UTC.
        assert (found.valid_from, found.valid_to) == (date(2024, 1, 1), date(2099, 6, 30))
        assert found.published_at.isoformat() == "2024-01-01T04:00:00+00:00"
        assert (found.source, found.status) == ("import", TenderStatus.ACTIVE)
    section = tenders_section(client.get("/hs/0901"))
    assert COFFEE["title"] in section
    item = next(li for li in re.findall(r"<li>.*?</li>", section, re.S) if COFFEE["title"] in li)
    assert 'class="badge tender-open">open<' in item
    assert 'class="badge demo">Illustrative<' in item


def test_a_tender_past_its_deadline_is_not_open(app, client, tmp_path):
    closed = dict(COFFEE, tender_period_end="2024-02-01T17:00:00+04:00")
    run_cli(app, "content", "import", str(write_json(tmp_path, [closed])))
    section = tenders_section(client.get("/hs/0901?date=2025-01-01"))
    assert "No tender concerning this product was open on 1 January 2025" in section
    assert COFFEE["title"] in section  # among the chapter's recent closed tenders


def test_changing_the_classification_relinks_the_tender(app, tmp_path):
    run_cli(app, "content", "import", str(write_json(tmp_path, [COFFEE])))
    works = dict(COFFEE, classifications=["CPV:45000000", "UNSPSC:50201706"])
    result = run_cli(app, "content", "import", str(write_json(tmp_path, [works])))
    assert "tenders: 0 created, 1 updated, 0 unchanged." in result.output
    with app.app_context():
        found = tender(COFFEE["ocid"])
        assert links_of(found) == []
        assert found.unlinked_reason == (
            "CPV works or services only, no HS equivalent + classified with UNSPSC, not CPV"
        )


def test_an_imported_tender_and_its_links_survive_a_reload_of_the_samples(app, tmp_path):
    run_cli(app, "content", "import", str(write_json(tmp_path, [COFFEE])))
    before = snapshot(app)
    with app.app_context():
        load_tenders(db.session, Path(app.config["DATA_DIR"]))
        db.session.commit()
    assert snapshot(app) == before


def test_tenders_import_from_csv(app, tmp_path):
    rows = [
        [
            "ocds-demo-mus-0002",
            "mus-0002",
            "Illustrative publisher",
            "MUS",
            "Tea for hospitals",
            "2024-03-01",
            "2099-01-31T12:00:00Z",
            "planned",
            "planning",
            "CPV:15860000;GSIN:N8955",
        ]
    ]
    result = run_cli(app, "content", "import", str(write_csv(tmp_path, rows)))
    assert "tenders: 1 created, 0 updated, 0 unchanged." in result.output
    with app.app_context():
        found = tender("ocds-demo-mus-0002")
        assert found.classification_codes == ["CPV:15860000", "GSIN:N8955"]
        assert ("09", "15860000", "158") in links_of(found)
        assert found.language == "en" and found.licence_note == "Not stated."
        assert found.valid_to == date(2099, 1, 31)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            {"classifications": ["CPV:15861000", "15861000"]},
            "classifications.2: '15861000' is not scheme:id",
        ),
        (
            {"classifications": "CPV:1586100O"},
            "classifications.1: 'CPV:1586100O': a CPV id is digits",
        ),
        ({"published_at": "2024-13-01"}, "published_at: Not a valid date-time"),
        ({"source_url": "ftp://example.org/x"}, "source_url: Must be a full http:// or https://"),
        ({"country_iso3": "mus"}, "country_iso3: Use an ISO 3166 alpha-3 code"),
        ({"value_currency": None}, "value_currency: Give an amount and its currency together."),
    ],
)
def test_one_bad_record_fails_the_whole_json_import(app, tmp_path, bad, message):
    before = snapshot(app)
    second = dict(COFFEE, ocid="ocds-demo-mus-0003", **bad)
    result = invoke(app, "import", str(write_json(tmp_path, [COFFEE, second])))
    assert result.exit_code != 0
    assert f"item 2: {message}" in result.output
    assert "nothing was imported" in result.output
    assert snapshot(app) == before


def test_one_bad_line_fails_the_whole_csv_import(app, tmp_path):
    before = snapshot(app)
    good = [
        "ocds-a",
        "a",
        "Pub",
        "MUS",
        "Coffee",
        "2024-03-01",
        "",
        "active",
        "tender",
        "CPV:15861000",
    ]
    bad = ["ocds-b", "b", "Pub", "MUS", "Tea", "2024-03-01", "", "active", "tender", "CPV 15860000"]
    result = invoke(app, "import", str(write_csv(tmp_path, [good, bad])))
    assert result.exit_code != 0
    assert "line 3: classifications.1: 'CPV 15860000' is not scheme:id" in result.output
    assert snapshot(app) == before


def test_an_unknown_country_fails_the_whole_import(app, tmp_path):
    before = snapshot(app)
    items = [COFFEE, dict(COFFEE, ocid="ocds-demo-xxx", country_iso3="XXX")]
    result = invoke(app, "import", str(write_json(tmp_path, items)))
    assert result.exit_code != 0
    assert "item 2: country_iso3: XXX is not a known country." in result.output
    assert snapshot(app) == before


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_changes_nothing(app, tmp_path, fmt):
    before = snapshot(app)
    with app.app_context():
        total = count(Tender)
    out = tmp_path / f"tenders.{fmt}"
    run_cli(app, "content", "export", "tenders", "--format", fmt, "--output", str(out))
    result = run_cli(app, "content", "import", str(out))
    assert f"tenders: 0 created, 0 updated, {total:,} unchanged." in result.output
    assert snapshot(app) == before


def test_an_imported_tender_round_trips_too(app, tmp_path):
    run_cli(app, "content", "import", str(write_json(tmp_path, [COFFEE])))
    before = snapshot(app)
    out = tmp_path / "again.csv"
    run_cli(app, "content", "export", "tenders", "--format", "csv", "--output", str(out))
    run_cli(app, "content", "import", "--type", "tenders", str(out))
    assert snapshot(app) == before
