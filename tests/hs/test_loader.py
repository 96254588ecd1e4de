"""Loading the real nomenclature: counts, French texts, idempotence, broken files."""

import shutil

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from tradeportal.db import db
from tradeportal.hs.models import HsCorrespondence, HsNode, HsSection, Nomenclature
from tradeportal.seed import DataLoad

TABLES = (Nomenclature, HsSection, HsNode, HsCorrespondence, DataLoad)


def level_counts(code: str) -> dict[int, int]:
    rows = db.session.execute(
        select(HsNode.level, func.count())
        .join(Nomenclature, HsNode.nomenclature_id == Nomenclature.id)
        .where(Nomenclature.code == code)
        .group_by(HsNode.level)
    )
    return dict(rows.all())


def table_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in TABLES
    }


def snapshot() -> list[tuple]:
    """Every node as (nomenclature, code, descriptions, dates), to compare loads."""
    return db.session.execute(
        select(
            HsNode.nomenclature_id,
            HsNode.code,
            HsNode.description_en,
            HsNode.description_fr,
            HsNode.valid_from,
            HsNode.valid_to,
            HsNode.parent_id,
        ).order_by(HsNode.id)
    ).all()


def test_hs2022_has_the_published_number_of_codes(app_context):
    assert level_counts("HS2022") == {2: 96, 4: 1228, 6: 5612}
    sections = db.session.scalar(
        select(func.count())
        .select_from(HsSection)
        .join(Nomenclature)
        .where(Nomenclature.code == "HS2022")
    )
    assert sections == 21


def test_hs2017_is_loaded_as_a_second_version(app_context):
    assert level_counts("HS2017") == {2: 96, 4: 1222, 6: 5387}


def test_comtrade_pseudo_codes_are_not_loaded(app_context):
    pseudo = db.session.scalars(
        select(HsNode.code).where(HsNode.code.in_(["99", "9999", "999999", "TOTAL"]))
    ).all()
    assert pseudo == []


def test_every_correlation_link_joins_existing_codes(app_context):
    links = db.session.scalar(select(func.count()).select_from(HsCorrespondence))
    # 15,657 published rows, one of which links the pseudo-code 999999.
    assert links == 15_656
    kinds = dict(
        db.session.execute(
            select(HsCorrespondence.relationship, func.count()).group_by(
                HsCorrespondence.relationship
            )
        ).all()
    )
    assert set(kinds) == {"1:1", "1:n", "n:1", "n:n"}


def test_french_labels_exist_at_every_level_and_are_never_a_bare_fragment(app_context):
    hs2022 = select(Nomenclature.id).where(Nomenclature.code == "HS2022").scalar_subquery()
    labels = db.session.execute(
        select(HsNode.code, HsNode.level, HsNode.description_fr).where(
            HsNode.nomenclature_id == hs2022
        )
    ).all()
    assert all(label for _code, _level, label in labels)
    bare = [
        code
        for code, level, label in labels
        if level == 6 and label.strip().lower() in {"autres", "autre", "other"}
    ]
    assert bare == []
    by_code = {code: label for code, _level, label in labels}
    # A 6-digit label starts with its heading's French text.
    assert by_code["090121"].startswith(by_code["0901"])
    assert by_code["09"] == "Café, thé, maté et épices"


def test_validity_dates_follow_the_editions(app_context):
    dates = dict(db.session.execute(select(Nomenclature.code, Nomenclature.valid_from)).all())
    assert dates["HS2022"].isoformat() == "2022-01-01"
    assert dates["HS2017"].isoformat() == "2017-01-01"
    ends = set(
        db.session.scalars(
            select(HsNode.valid_to).join(Nomenclature).where(Nomenclature.code == "HS2017")
        )
    )
    assert {d.isoformat() for d in ends} == {"2021-12-31"}


def test_seeding_twice_changes_nothing(app):
    with app.app_context():
        before, rows_before = table_counts(), snapshot()
    skipped = run_cli(app, "seed")
    assert "unchanged since the last load, skipped" in skipped.output
    forced = run_cli(app, "seed", "--force")
    assert "0 rows inserted or updated" in forced.output
    with app.app_context():
        assert table_counts() == before
        assert snapshot() == rows_before


def test_seed_shows_progress_and_counts(empty_app):
    result = run_cli(empty_app, "seed")
    assert "Loading hs" in result.output
    assert "5,612 inserted" in result.output
    with empty_app.app_context():
        assert level_counts("HS2022")[6] == 5612


@pytest.fixture
def data_copy(tmp_path, app):
    """A private copy of data/ that a test may break."""
    copy = tmp_path / "data"
    shutil.copytree(app.config["DATA_DIR"], copy)
    app.config["DATA_DIR"] = str(copy)
    return copy


def _break_line(path, find: str, replacement: str) -> int:
    """Replace ``find`` on the one line holding it; return that line's number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (number,) = [i for i, text in enumerate(lines, 1) if find in text]
    lines[number - 1] = lines[number - 1].replace(find, replacement)
    path.write_text("".join(lines), encoding="utf-8")
    return number


@pytest.mark.parametrize(
    ("file", "find", "replacement", "says"),
    [
        ("hs/hs2022.csv", "I,010121,", "I,01X121,", "01X121"),
        (
            "hs/hs2022.csv",
            'live, pure-bred breeding animals",0101,6',
            'live, pure-bred breeding animals",0199,6',
            "0199",
        ),
        ("hs/hs2022.csv", "I,010121,", "I,0101210,", "0101210"),
        ("hs/hs2022_hs2017_correlation.csv", "010121,010121,1:1", "010121,010121,2:3", "2:3"),
        ("hs/hs2022_hs2017_correlation.csv", "030910,030510,", "030910,039999,", "039999"),
    ],
)
def test_a_broken_file_is_refused_and_nothing_changes(
    app, data_copy, file, find, replacement, says
):
    line = _break_line(data_copy / file, find, replacement)
    with app.app_context():
        before, rows_before = table_counts(), snapshot()
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "nothing changed" in result.output
    assert f"line {line}" in result.output
    assert says in result.output
    with app.app_context():
        assert table_counts() == before
        assert snapshot() == rows_before


def test_a_file_with_missing_columns_is_refused(app, data_copy):
    path = data_copy / "hs/hs2017.csv"
    path.write_text("section,code\nI,01\n", encoding="utf-8")
    with app.app_context():
        before = table_counts()
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "nothing changed" in result.output
    with app.app_context():
        assert table_counts() == before


def test_a_changed_label_is_updated_in_place_and_the_snapshot_reloads(app, data_copy):
    from tradeportal.hs.catalog import get_catalog
    from tradeportal.validity import today

    path = data_copy / "hs/hs2022.csv"
    text = path.read_text(encoding="utf-8")
    assert "Coffee; roasted, not decaffeinated" in text
    path.write_text(
        text.replace("Coffee; roasted, not decaffeinated", "Coffee; roasted, with caffeine"),
        encoding="utf-8",
    )
    with app.app_context():
        ids_before = dict(db.session.execute(select(HsNode.code, HsNode.id)).all())
        assert (
            "with caffeine" not in get_catalog().edition_on(today()).nodes["090121"].description_en
        )
    result = run_cli(app, "seed")
    assert "1 updated" in result.output
    with app.app_context():
        assert get_catalog().edition_on(today()).nodes["090121"].description_en == (
            "Coffee; roasted, with caffeine"
        )
        ids_after = dict(db.session.execute(select(HsNode.code, HsNode.id)).all())
    # Updated in place: links from other content to node ids stay valid.
    assert ids_after == ids_before
