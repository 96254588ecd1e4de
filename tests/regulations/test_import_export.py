"""`flask content import/export` of agencies, regulations and procedures."""

import csv
import json

from sqlalchemy import func, select

from tests.conftest import run_cli
from tests.regulations.conftest import agency_record, regulation_record
from tradeportal.db import db
from tradeportal.regulations.models import (
    Agency,
    Procedure,
    Regulation,
    RegulationHsLink,
    RegulationPartner,
    RequiredDocument,
)

TYPES = ("agencies", "regulations", "procedures")
CHILD_TABLES = (RegulationHsLink, RegulationPartner, RequiredDocument)


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def snapshot(app) -> dict:
    """Every row of the area's tables, to show that a failed import changed nothing."""
    with app.app_context():
        tables = (Agency, Regulation, Procedure, *CHILD_TABLES)
        return {
            model.__tablename__: sorted(
                tuple(row) for row in db.session.execute(select(*model.__table__.columns))
            )
            for model in tables
        }


def export_json(app, type_name) -> dict:
    return json.loads(run_cli(app, "content", "export", type_name).output)


def write_json(path, type_name, items):
    path.write_text(json.dumps({"type": type_name, "items": items}), encoding="utf-8")
    return path


def test_one_bad_record_in_a_json_file_imports_nothing_and_names_item_field_and_reason(
    app, tmp_path
):
    before = snapshot(app)
    items = [
        regulation_record("good-one", ["0901"], agency="nppo"),
        regulation_record("bad-kind", ["0901"], agency="nppo", kind="ban"),
        regulation_record("good-two", ["0902"], agency="nppo"),
    ]
    result = invoke(
        app, "content", "import", str(write_json(tmp_path / "r.json", "regulations", items))
    )
    assert result.exit_code != 0
    assert "item 2: kind: Must be one of: licence_permit, prohibition" in result.output
    assert "nothing was imported" in result.output
    assert snapshot(app) == before


def test_one_bad_line_in_a_csv_file_imports_nothing_and_names_line_field_and_reason(app, tmp_path):
    before = snapshot(app)
    path = tmp_path / "regulations.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = ["slug", "title_en", "kind", "direction", "country_iso3", "agency"]
        writer.writerow([*header, "hs_prefixes", "hs_exclusions", "partners", "valid_from"])
        common = ["sps", "import", "MUS", "nppo"]
        writer.writerow(["csv-one", "One", *common, "0901;0902", "090190", "", "2024-01-01"])
        writer.writerow(["csv-two", "Two", *common, "0901;09x2", "", "GBR;FRA", "2024-01-01"])
        writer.writerow(["csv-three", "Three", *common, "0903", "", "", "2024-02-30"])
        writer.writerow(["csv-four", "Four", *common, "0904", "", "ZZZ", "2024-01-01"])
    result = invoke(app, "content", "import", str(path))
    assert result.exit_code != 0
    output = result.output
    assert "line 3: hs_prefixes.2: '09x2' is not an HS prefix" in output
    assert "line 4: valid_from: 2024-02-30 is not a real date" in output
    assert "line 5: partners.1: ZZZ is not a known country code" in output
    assert "line 2" not in output
    assert snapshot(app) == before


def test_a_problem_found_only_when_saving_rolls_back_the_records_saved_before_it(app, tmp_path):
    before = snapshot(app)
    items = [
        regulation_record("saved-first", ["0901"], agency="nppo"),
        regulation_record("unknown-agency", ["0901"], agency="no-such-agency"),
    ]
    result = invoke(
        app, "content", "import", str(write_json(tmp_path / "r.json", "regulations", items))
    )
    assert result.exit_code != 0
    assert "item 2: agency: no agency with slug 'no-such-agency'" in result.output
    assert snapshot(app) == before


def test_schema_checks_exclusions_dates_urls_and_partners(app, tmp_path):
    items = [
        regulation_record("a", ["0901"], agency="nppo", hs_exclusions=["0902"]),
        regulation_record("b", ["0901"], agency="nppo", valid_to="2019-12-31"),
        regulation_record("c", ["0901"], agency="nppo", legal_basis_url="javascript:alert(1)"),
        regulation_record("d", ["0901"], agency="nppo", partners=["MUS"]),
        regulation_record("e", [], agency="nppo"),
        regulation_record("f", ["0901"], agency="nppo", documents=["a | b | c | d | e"]),
    ]
    result = invoke(
        app, "content", "import", str(write_json(tmp_path / "r.json", "regulations", items))
    )
    output = result.output
    assert "item 1: hs_exclusions: 0902 is not under any of the linked prefixes" in output
    assert "item 2: valid_to: The last day in force comes before valid_from." in output
    assert "item 3: legal_basis_url: Must be a full http:// or https:// address." in output
    assert "item 4: partners: A country is not its own trading partner" in output
    assert "item 5: hs_prefixes: Give at least one HS prefix." in output
    assert "item 6: documents.1: Has 5 parts separated by '|'" in output


def test_reimporting_an_export_changes_nothing(app, tmp_path):
    before = snapshot(app)
    for type_name in TYPES:
        path = tmp_path / f"{type_name}.json"
        path.write_text(run_cli(app, "content", "export", type_name).output, encoding="utf-8")
        result = run_cli(app, "content", "import", str(path))
        assert " 0 created" in result.output
    # Same rows, same ids: unchanged children are not deleted and re-inserted.
    assert snapshot(app) == before


def test_json_export_round_trips_into_an_empty_database(app, empty_app, tmp_path):
    originals = {type_name: export_json(app, type_name) for type_name in TYPES}
    for type_name in TYPES:
        path = tmp_path / f"{type_name}.json"
        path.write_text(json.dumps(originals[type_name]), encoding="utf-8")
        run_cli(empty_app, "content", "import", str(path))
    for type_name in TYPES:
        assert export_json(empty_app, type_name) == originals[type_name]


def test_csv_export_round_trips(app, empty_app, tmp_path):
    originals = {type_name: export_json(app, type_name) for type_name in TYPES}
    for type_name in TYPES:
        path = tmp_path / f"{type_name}.csv"
        run_cli(app, "content", "export", type_name, "--format", "csv", "-o", str(path))
        run_cli(empty_app, "content", "import", str(path))
    for type_name in TYPES:
        assert export_json(empty_app, type_name) == originals[type_name]


def test_an_update_replaces_partners_documents_and_links(app, tmp_path):
    record = regulation_record(
        "changing",
        ["0901", "0902"],
        agency="nppo",
        hs_exclusions=["090190"],
        partners=["GBR", "FRA"],
        documents=[{"name": "Old form", "form_number": "F-1"}, "Second | F-2"],
    )
    path = write_json(tmp_path / "r.json", "regulations", [record])
    assert "1 created" in run_cli(app, "content", "import", str(path)).output
    record |= {
        "hs_prefixes": "0903",
        "hs_exclusions": [],
        "partners": ["USA"],
        "documents": [
            {"name": "New form", "url": "https://example.org/form", "issuing_agency": "nppo"}
        ],
        "title_en": "Changed title",
    }
    path = write_json(tmp_path / "r.json", "regulations", [record])
    assert "1 updated" in run_cli(app, "content", "import", str(path)).output
    exported = next(
        item for item in export_json(app, "regulations")["items"] if item["slug"] == "changing"
    )
    assert exported["title_en"] == "Changed title"
    assert exported["hs_prefixes"] == ["0903"]
    assert exported["hs_exclusions"] == []
    assert exported["partners"] == ["USA"]
    assert exported["documents"] == ["New form |  | https://example.org/form | nppo"]
    with app.app_context():
        regulation = db.session.scalar(select(Regulation).where(Regulation.slug == "changing"))
        counts = {
            model.__tablename__: db.session.scalar(
                select(func.count()).where(model.regulation_id == regulation.id)
            )
            for model in CHILD_TABLES
        }
    assert counts == {"regulation_hs_links": 1, "regulation_partners": 1, "regulation_documents": 1}


def test_procedures_name_known_regulations_and_agencies(app, tmp_path):
    items = [
        {
            "slug": "new-procedure",
            "title_en": "New procedure",
            "direction": "export",
            "country_iso3": "MUS",
            "hs_prefixes": "03",
            "regulations": "eu-health-certificate-fishery;no-such-rule",
            "steps": "competent-authority-seafood | Ask | Form | Rs 1 | 1 day;nobody | Wait",
            "valid_from": "2024-01-01",
        },
        {
            "slug": "no-steps",
            "title_en": "No steps",
            "direction": "export",
            "country_iso3": "MUS",
            "hs_prefixes": "03",
            "steps": [],
            "valid_from": "2024-01-01",
        },
    ]
    result = invoke(
        app, "content", "import", str(write_json(tmp_path / "p.json", "procedures", items))
    )
    assert "item 2: steps: Give at least one." in result.output
    items.pop()
    result = invoke(
        app, "content", "import", str(write_json(tmp_path / "p.json", "procedures", items))
    )
    assert "item 1: steps.2.agency: no agency with slug 'nobody'" in result.output
    items[0]["steps"] = "competent-authority-seafood | Ask | Form | Rs 1 | 1 day; | Wait"
    result = invoke(
        app, "content", "import", str(write_json(tmp_path / "p.json", "procedures", items))
    )
    assert "item 1: regulations: no regulation with slug 'no-such-rule'" in result.output
    items[0]["regulations"] = "eu-health-certificate-fishery"
    run_cli(app, "content", "import", str(write_json(tmp_path / "p.json", "procedures", items)))
    exported = next(
        item for item in export_json(app, "procedures")["items"] if item["slug"] == "new-procedure"
    )
    assert exported["steps"] == [
        "competent-authority-seafood | Ask | Form | Rs 1 | 1 day",
        " | Wait",
    ]
    assert exported["regulations"] == ["eu-health-certificate-fishery"]


def test_agencies_validate_kind_email_phone_and_website(app, tmp_path):
    items = [
        agency_record("ok-agency", email="info@example.org", phone="+230 202 0500"),
        agency_record("bad", kind="ministry", email="nope", phone="call us", website="ftp://x"),
    ]
    result = invoke(
        app, "content", "import", str(write_json(tmp_path / "a.json", "agencies", items))
    )
    output = result.output
    assert "item 2: kind: Must be one of: authority, enquiry_point." in output
    assert "item 2: email:" in output
    assert "item 2: phone: 'call us' is not a telephone number" in output
    assert "item 2: website: Must be a full http:// or https:// address." in output
    assert "item 1" not in output
