"""`flask data dump` and /data/: versioned files, manifest and checksums, safe serving."""

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from tests.api.conftest import COFFEE_SPS, publish_title
from tests.conftest import copy_database, dispose, drop_database, make_app, run_cli
from tradeportal.opendata.tables import TABLES


def _dump(app) -> str:
    return run_cli(app, "data", "dump").output


def _root(app) -> Path:
    return Path(app.instance_path) / "dumps"


def _dumped(app):
    output = _dump(app)
    (folder,) = [p for p in _root(app).iterdir() if not p.name.startswith(".")]
    assert f"Dump {folder.name}:" in output
    return app, folder.name, json.loads((folder / "manifest.json").read_text())


@pytest.fixture
def dumped(app):
    """The app with one dump written; returns (app, version, manifest)."""
    return _dumped(app)


@pytest.fixture(scope="module")
def read_only(seeded_template, tmp_path_factory):
    """One dump shared by the tests that only read it (writing one takes seconds)."""
    instance = tmp_path_factory.mktemp("dumped")
    copy_database(seeded_template, instance)
    app = make_app(instance)
    yield _dumped(app)
    dispose(app)
    drop_database(instance)


def test_the_manifest_lists_every_file_with_verified_checksums(read_only):
    app, version, manifest = read_only
    folder = _root(app) / version
    assert manifest["version"] == version and manifest["provenance"] == "/about/data"
    names = {entry["name"] for entry in manifest["files"]}
    assert names == {f"{t.name}.{fmt}" for t in TABLES for fmt in ("csv", "json")}
    datasets = {entry["dataset"] for entry in manifest["files"]}
    assert datasets >= {"nomenclature", "regulations", "procedures", "tariffs"}
    assert datasets >= {"agreements", "countries", "tenders"}
    for entry in manifest["files"]:
        content = (folder / entry["name"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["name"]
        assert len(content) == entry["bytes"]
    sums = dict(
        reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines()
    )
    assert sums == {entry["name"]: entry["sha256"] for entry in manifest["files"]}


def test_rows_match_in_csv_and_json_and_json_is_the_import_format(read_only):
    app, version, manifest = read_only
    folder = _root(app) / version
    by_name = {entry["name"]: entry for entry in manifest["files"]}
    for table in ("countries", "tariff-lines", "hs-nodes"):
        rows = list(csv.DictReader(io.StringIO((folder / f"{table}.csv").read_text())))
        document = json.loads((folder / f"{table}.json").read_text())
        assert document["type"] == table
        assert len(rows) == len(document["items"]) == by_name[f"{table}.csv"]["rows"] > 100
    regulations = json.loads((folder / "regulations.json").read_text())["items"]
    coffee = next(item for item in regulations if item["slug"] == COFFEE_SPS)
    assert coffee["hs_prefixes"] == ["0901"]


def test_a_second_dump_of_the_same_content_writes_nothing(dumped):
    app, version, _manifest = dumped
    assert f"Unchanged since dump {version}" in _dump(app)
    assert [p.name for p in _root(app).iterdir()] == [version]


def test_a_forced_dump_is_identical_but_for_version_and_time(dumped):
    app, version, manifest = dumped
    run_cli(app, "data", "dump", "--force")
    versions = sorted(p.name for p in _root(app).iterdir())
    assert versions == [version, version[:-1] + "2"]
    again = json.loads((_root(app) / versions[1] / "manifest.json").read_text())
    for key in ("version", "generated_at"):
        again.pop(key), manifest.pop(key)
    assert again == manifest


def test_a_publication_makes_a_new_version(dumped):
    app, version, manifest = dumped
    publish_title(app, COFFEE_SPS, "Coffee rules, amended for the dump")
    assert "Dump " in _dump(app)
    newest = sorted(p.name for p in _root(app).iterdir())[-1]
    assert newest != version
    changed = json.loads((_root(app) / newest / "manifest.json").read_text())
    differ = {
        entry["name"]
        for entry, old in zip(changed["files"], manifest["files"], strict=True)
        if entry["sha256"] != old["sha256"]
    }
    assert differ == {"regulations.csv", "regulations.json"}


def test_formula_like_cells_are_guarded_in_csv(read_only):
    app, version, _manifest = read_only
    text = (_root(app) / version / "tariff-lines.csv").read_text()
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_the_data_page_lists_the_latest_dump_and_serves_its_files(read_only):
    app, version, manifest = read_only
    client = app.test_client()
    page = client.get("/data/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for entry in manifest["files"]:
        assert f"/data/{version}/{entry['name']}" in text
    by_name = {entry["name"]: entry for entry in manifest["files"]}
    with client.get(f"/data/{version}/countries.csv") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert hashlib.sha256(response.data).hexdigest() == by_name["countries.csv"]["sha256"]
    latest = client.get("/data/latest/countries.json")
    assert latest.status_code == 302
    assert latest.headers["Location"] == f"/data/{version}/countries.json"
    with client.get(f"/data/{version}/manifest.json") as response:
        assert response.get_json()["version"] == version


@pytest.mark.parametrize(
    "path",
    [
        "/data/{v}/../secret_key",
        "/data/{v}/..%2Fsecret_key",
        "/data/{v}/%2e%2e%2f%2e%2e%2ftradeportal.db",
        "/data/..%2F..%2Ftradeportal.db/x",
        "/data/{v}/.incoming-x",
        "/data/{v}/not-listed.csv",
        "/data/00000000-1/countries.csv",
        "/data/latest/..%2F..%2Fsecret_key",
    ],
)
def test_nothing_outside_a_dump_can_be_reached(read_only, path):
    app, version, _manifest = read_only
    client = app.test_client()
    response = client.get(path.format(v=version))
    assert response.status_code in (302, 404)
    if response.status_code == 302:  # /latest/ only redirects into a dump, which refuses it
        assert client.get(response.headers["Location"]).status_code == 404


def test_without_a_dump_the_page_says_how_to_make_one(app):
    page = app.test_client().get("/data/")
    assert page.status_code == 200 and "flask data dump" in page.get_data(as_text=True)
    assert app.test_client().get("/data/latest/countries.csv").status_code == 404


def test_the_data_page_in_french_describes_the_files_the_manifest_keeps_english(read_only):
    app, _version, manifest = read_only
    page = app.test_client().get("/data/?lang=fr").get_data(as_text=True)
    assert "Données ouvertes" in page and "Dernière version" in page
    assert "Pays et territoires" in page and "Appels d&#39;offres (publications OCDS)" in page
    assert "Généré le" in page
    descriptions = {entry["name"]: entry["description"] for entry in manifest["files"]}
    assert descriptions["countries.csv"] == "Countries and territories"


def test_without_a_dump_the_page_says_so_in_french(app):
    page = app.test_client().get("/data/", headers={"Accept-Language": "fr"})
    assert "Aucun export n'a encore été publié" in page.get_data(as_text=True)
    assert "<code>flask data dump</code>" in page.get_data(as_text=True)
