"""``flask content import|export``: file-level errors are clear and change nothing."""

import json

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from tradeportal.db import db
from tradeportal.regulations.models import Agency


def agency_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Agency))


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("agencies.json", "{not json", "is not valid JSON"),
        ("agencies.json", '{"type": "agencies", "items": 3}', "is a list of records"),
        ("agencies.xml", "<agencies/>", "only .csv and .json"),
        ("mystery.json", "[]", "Unknown content type 'mystery'"),
        ("agencies.csv", "slug,name_en,kind\na,b,authority,extra\n", "line 2"),
    ],
)
def test_a_broken_file_is_refused_with_a_clear_message(app, tmp_path, name, content, says):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = agency_count(app)
    result = app.test_cli_runner().invoke(args=["content", "import", str(path)])
    assert result.exit_code != 0
    assert says in result.output
    assert agency_count(app) == before


def test_a_file_that_is_not_utf8_is_refused(app, tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes("slug,name_en\nx,Agence de sécurité\n".encode("latin-1"))
    result = app.test_cli_runner().invoke(args=["content", "import", str(path)])
    assert result.exit_code != 0
    assert "is not UTF-8" in result.output


def test_a_missing_file_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "import", str(tmp_path / "no.json")])
    assert result.exit_code != 0
    assert "is not a file" in result.output


def test_export_to_a_file_then_import_it_changes_nothing(app, tmp_path):
    path = tmp_path / "agencies.json"
    run_cli(app, "content", "export", "agencies", "-o", str(path))
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["type"] == "agencies"
    assert len(exported["items"]) == agency_count(app)
    result = run_cli(app, "content", "import", str(path))
    assert "0 created" in result.output
    assert agency_count(app) == len(exported["items"])


def test_an_unknown_type_cannot_be_exported(app):
    result = app.test_cli_runner().invoke(args=["content", "export", "nothing"])
    assert result.exit_code != 0
    assert "Unknown content type" in result.output


def test_types_lists_every_registered_type(app):
    result = run_cli(app, "content", "types")
    for name in ("agencies", "regulations", "procedures", "tariff-lines"):
        assert name in result.output
