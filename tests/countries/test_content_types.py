"""Countries as a content type: JSON and CSV imports, refusals, the export round trip."""

import csv
import json

from sqlalchemy import select, text

from tests.conftest import run_cli
from tests.countries.helpers import count, table_rows
from tradeportal.countries.models import Country
from tradeportal.countries.queries import _load_stamp, country_exists, get_country
from tradeportal.db import db

KOSOVO = {
    "iso3": "XKX",
    "iso2": "XK",
    "numeric": "412",
    "name_en": "Kosovo",
    "name_fr": "Kosovo",
    "region": "Europe",
    "subregion": "Southern Europe",
    "currency_code": "EUR",
    "currency_name": "Euro",
    "capital": "Pristina",
    "sovereignty": "In contention",
}
COLUMNS = ["iso3", "iso2", "numeric", "name_en", "name_fr", "capital", "is_sids"]


def write_json(tmp_path, items, name="countries.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "countries", "items": items}), encoding="utf-8")
    return path


def write_csv(tmp_path, rows, name="countries.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["content", *args])


def snapshot(app) -> dict:
    with app.app_context():
        return table_rows(Country)


def mauritius(app) -> dict:
    """Mauritius as the export writes it, to change one field in a test."""
    exported = json.loads(run_cli(app, "content", "export", "countries").output)
    return next(item for item in exported["items"] if item["iso3"] == "MUS")


def test_the_type_is_listed(app):
    assert "countries " in run_cli(app, "content", "types").output


def test_a_json_import_creates_a_territory_and_updates_a_country(app, tmp_path):
    changed = dict(mauritius(app), capital="Port-Louis")
    result = run_cli(app, "content", "import", str(write_json(tmp_path, [KOSOVO, changed])))
    assert "countries: 1 created, 1 updated, 0 unchanged." in result.output
    with app.app_context():
        kosovo = get_country("XKX")
        assert (kosovo.iso2, kosovo.numeric, kosovo.name_fr) == ("XK", "412", "Kosovo")
        assert (kosovo.is_sids, kosovo.m49) == (False, None)
        # The cached code set other areas validate against sees the new territory.
        assert country_exists("XKX")
        assert get_country("MUS").capital == "Port-Louis"
    assert app.test_client().get("/countries/XKX").status_code == 200


def test_a_csv_import_creates_and_updates(app, tmp_path):
    path = write_csv(
        tmp_path,
        [
            ["XKX", "XK", "412", "Kosovo", "Kosovo", "Pristina", ""],
            ["MUS", "MU", "480", "Mauritius", "Maurice", "Port Louis", "True"],
        ],
    )
    result = run_cli(app, "content", "import", str(path))
    assert "countries: 1 created, 1 updated, 0 unchanged." in result.output
    with app.app_context():
        assert get_country("XKX").capital == "Pristina"
        mus = get_country("MUS")
        assert (mus.is_sids, mus.name_fr) == (True, "Maurice")
        # Columns left out of the file are cleared: a record is the whole country.
        assert mus.region is None


def test_one_bad_iso3_in_a_json_file_imports_nothing(app, tmp_path):
    before = snapshot(app)
    items = [KOSOVO, dict(KOSOVO, iso3="Xk1", iso2="XY")]
    result = invoke(app, "import", str(write_json(tmp_path, items)))
    assert result.exit_code != 0
    assert "item 2: iso3: Use an ISO 3166 alpha-3 code, e.g. MUS." in result.output
    assert "nothing was imported" in result.output
    assert snapshot(app) == before


def test_one_bad_line_in_a_csv_file_imports_nothing(app, tmp_path):
    before = snapshot(app)
    path = write_csv(
        tmp_path,
        [
            ["XKX", "XK", "412", "Kosovo", "Kosovo", "Pristina", ""],
            ["MUSS", "MU", "480", "Mauritius", "Maurice", "Port Louis", ""],
            ["XKY", "XZ", "41a", "Somewhere", "Quelque part", "", "maybe"],
        ],
    )
    result = invoke(app, "import", str(path))
    assert result.exit_code != 0
    assert "line 3: iso3: Use an ISO 3166 alpha-3 code" in result.output
    assert "line 4: numeric: '41a' is not a number of at most 3 digits" in result.output
    assert "line 4: is_sids: Not a valid boolean." in result.output
    assert snapshot(app) == before


def test_an_alpha2_code_of_another_country_is_refused(app, tmp_path):
    before = snapshot(app)
    items = [KOSOVO, dict(KOSOVO, iso3="XKY", iso2="MU")]
    result = invoke(app, "import", str(write_json(tmp_path, items)))
    assert result.exit_code != 0
    assert "item 2: iso2: MU is already the alpha-2 code of MUS." in result.output
    assert snapshot(app) == before
    with app.app_context():
        assert get_country("XKX") is None


def test_export_then_import_changes_nothing_in_json_and_csv(app, tmp_path):
    before = snapshot(app)
    with app.app_context():
        total = count(Country)
    for fmt in ("json", "csv"):
        out = tmp_path / f"countries.{fmt}"
        run_cli(app, "content", "export", "countries", "--format", fmt, "--output", str(out))
        result = run_cli(app, "content", "import", str(out))
        assert f"countries: 0 created, 0 updated, {total:,} unchanged." in result.output
        assert snapshot(app) == before


def test_a_territory_added_by_another_process_changes_the_cache_stamp(app_context):
    before = _load_stamp()
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO countries (iso3, iso2, numeric, name_en, name_fr, is_sids, is_ldc,"
                " is_lldc) VALUES ('XKX', 'XK', '412', 'Kosovo', 'Kosovo', FALSE, FALSE, FALSE)"
            )
        )
    db.session.rollback()  # as a new request would, start a new transaction
    assert _load_stamp() != before
    assert db.session.scalar(select(Country.iso2).where(Country.iso3 == "XKX")) == "XK"
