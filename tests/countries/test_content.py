"""Country profiles as a content type: import, export, round trip, refusals."""

import json

from sqlalchemy import select

from tests.conftest import run_cli
from tests.countries.helpers import count, table_rows
from tradeportal.countries.models import CountryProfileSection
from tradeportal.db import db

SEYCHELLES = {
    "country": "SYC",
    "kind": "economy",
    "language": "en",
    "title": "Economy",
    "body": "First paragraph.\n\nSecond paragraph.",
    "valid_from": "2026-01-01",
    "is_demo": True,
}


def write(tmp_path, items, name="profiles.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "country-profiles", "items": items}), encoding="utf-8")
    return path


def test_the_type_is_listed(app):
    assert "country-profiles" in run_cli(app, "content", "types").output


def test_import_creates_then_updates_on_the_natural_key(app, tmp_path):
    created = run_cli(app, "content", "import", str(write(tmp_path, [SEYCHELLES])))
    assert "1 created, 0 updated" in created.output
    changed = dict(SEYCHELLES, title="Economy at a glance")
    updated = run_cli(app, "content", "import", str(write(tmp_path, [changed])))
    assert "0 created, 1 updated" in updated.output
    with app.app_context():
        section = db.session.scalar(
            select(CountryProfileSection).where(CountryProfileSection.country_iso3 == "SYC")
        )
        assert section.title == "Economy at a glance"
        assert section.paragraphs == ["First paragraph.", "Second paragraph."]


def test_export_then_import_changes_nothing(app, tmp_path):
    out = tmp_path / "export.json"
    run_cli(app, "content", "export", "country-profiles", "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["type"] == "country-profiles"
    assert len(exported["items"]) == 5
    with app.app_context():
        before = table_rows(CountryProfileSection)
    result = run_cli(app, "content", "import", str(out))
    assert "0 created, 0 updated, 5 unchanged" in result.output
    with app.app_context():
        assert table_rows(CountryProfileSection) == before


def test_bad_records_are_refused_all_together(app, tmp_path):
    items = [
        SEYCHELLES,
        dict(SEYCHELLES, kind="trade_facts", body="<script>alert(1)</script>"),
        dict(SEYCHELLES, kind="contacts", valid_to="2025-01-01"),
        dict(SEYCHELLES, kind="market_access", country="mus"),
    ]
    result = app.test_cli_runner().invoke(args=["content", "import", str(write(tmp_path, items))])
    assert result.exit_code != 0
    assert "item 2: body: Use plain text" in result.output
    assert "item 3: valid_to" in result.output
    assert "item 4: country" in result.output
    with app.app_context():
        assert count(CountryProfileSection) == 5


def test_an_unknown_country_is_refused_and_nothing_is_saved(app, tmp_path):
    items = [SEYCHELLES, dict(SEYCHELLES, country="XXX")]
    result = app.test_cli_runner().invoke(args=["content", "import", str(write(tmp_path, items))])
    assert result.exit_code != 0
    assert "item 2: country: XXX is not a known country" in result.output
    with app.app_context():
        assert count(CountryProfileSection) == 5
