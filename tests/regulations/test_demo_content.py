"""The illustrative Mauritian content: loaded by `flask seed` through the import path."""

import json
import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from tradeportal.datafiles import DataFileError
from tradeportal.db import db
from tradeportal.hs.catalog import get_catalog
from tradeportal.regulations.content import DEMO_FILES, load_demo_content
from tradeportal.regulations.models import (
    Agency,
    Direction,
    Procedure,
    Regulation,
    RegulationHsLink,
    RegulationPartner,
)


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_demo_content_is_large_varied_and_all_illustrative(app_context):
    assert count(Regulation) >= 40
    assert count(Procedure) >= 10
    chapters = set(
        db.session.scalars(
            select(func.substr(RegulationHsLink.prefix, 1, 2)).where(
                RegulationHsLink.excluded.is_(False)
            )
        )
    )
    assert len(chapters) >= 15
    assert {"03", "09", "17", "30", "61", "62", "71"} <= chapters
    for model in (Agency, Regulation, Procedure):
        assert count(model, model.is_demo.is_(False)) == 0
    assert count(RegulationHsLink, RegulationHsLink.excluded.is_(True)) >= 3
    for direction in Direction:
        assert count(Regulation, Regulation.direction == direction) >= 1
    assert db.session.scalar(select(func.count(func.distinct(RegulationPartner.regulation_id))))
    assert count(Regulation, Regulation.valid_to.is_not(None)) >= 2
    assert count(Regulation, Regulation.valid_from > date(2026, 12, 31)) >= 1


def test_every_demo_prefix_is_an_hs_2022_code(app_context):
    edition = get_catalog().edition_on(date(2026, 1, 1))
    prefixes = set(db.session.scalars(select(RegulationHsLink.prefix)))
    assert prefixes
    assert {prefix for prefix in prefixes if edition.get(prefix, date(2026, 1, 1)) is None} == set()


def test_the_coffee_rule_excludes_coffee_substitutes(app_context):
    coffee = db.session.scalar(select(Regulation).where(Regulation.slug == "coffee-import-sps"))
    assert {(link.prefix, link.excluded) for link in coffee.hs_links} == {
        ("0901", False),
        ("090190", True),
    }


def test_seeding_again_changes_nothing(app):
    with app.app_context():
        before = {model.__tablename__: count(model) for model in (Agency, Regulation, Procedure)}
    result = run_cli(app, "seed", "--force")
    assert "regulations: 0 rows inserted or updated." in result.output
    assert "regulations: 0 inserted, 0 updated, 64 unchanged" in result.output
    with app.app_context():
        after = {model.__tablename__: count(model) for model in (Agency, Regulation, Procedure)}
    assert after == before


def copy_demo_files(app, tmp_path):
    source = app.config["DATA_DIR"]
    for relative in DEMO_FILES.values():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f"{source}/{relative}", tmp_path / relative)
    return tmp_path


def edit_items(path, change):
    payload = json.loads(path.read_text(encoding="utf-8"))
    change(payload["items"])
    path.write_text(json.dumps(payload), encoding="utf-8")


def test_a_bad_demo_record_raises_a_data_file_error_with_line_field_and_reason(empty_app, tmp_path):
    data_dir = copy_demo_files(empty_app, tmp_path)

    def break_two(items):
        items[2]["kind"] = "ban"
        items[4]["hs_prefixes"] = ["09A"]

    edit_items(data_dir / "regulations" / "regulations.json", break_two)
    with empty_app.app_context():
        with pytest.raises(DataFileError) as caught:
            load_demo_content(db.session, data_dir, lambda n: None)
        db.session.rollback()
        assert caught.value.path.name == "regulations.json"
        problems = caught.value.problems
        assert (3, "kind") in {(line, field) for line, field, _ in problems}
        assert (5, "hs_prefixes.1") in {(line, field) for line, field, _ in problems}
        assert count(Regulation) == 0


def test_a_save_time_problem_in_the_demo_files_writes_nothing(empty_app, tmp_path):
    data_dir = copy_demo_files(empty_app, tmp_path)
    edit_items(
        data_dir / "regulations" / "procedures.json",
        lambda items: items[-1].update(regulations=["no-such-regulation"]),
    )
    with empty_app.app_context():
        with pytest.raises(DataFileError) as caught:
            load_demo_content(db.session, data_dir, lambda n: None)
        db.session.rollback()
        assert caught.value.problems[0][1:] == (
            "regulations",
            "no regulation with slug 'no-such-regulation'",
        )
        assert (count(Agency), count(Regulation), count(Procedure)) == (0, 0, 0)
