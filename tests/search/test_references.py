"""The search references loader: whole-file check, line report, idempotent upsert."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tradeportal.datafiles import DataFileError
from tradeportal.db import db
from tradeportal.search.models import SearchReference
from tradeportal.search.references import REFERENCE_FILE, load_search_references
from tradeportal.seed import DATASETS

DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = "term,language,code,note\n"


def data_dir_with(tmp_path: Path, text: str) -> Path:
    target = tmp_path / "data"
    (target / "search").mkdir(parents=True)
    (target / REFERENCE_FILE).write_text(HEADER + text, encoding="utf-8")
    return target


def count(session) -> int:
    return session.scalar(select(func.count(SearchReference.id)))


def test_the_references_load_last_of_the_datasets():
    assert DATASETS[-1].name == "search_references"
    assert REFERENCE_FILE in DATASETS[-1].files


def test_the_starter_list_is_loaded_by_the_seed(app_context):
    session = db.session
    assert count(session) >= 200
    laptop = session.scalar(select(SearchReference).where(SearchReference.term == "laptop"))
    assert (laptop.language, laptop.code, laptop.is_demo) == ("en", "847130", False)
    languages = set(session.scalars(select(SearchReference.language).distinct()))
    assert languages == {"en", "fr"}


def test_loading_the_same_file_twice_changes_nothing(app_context, tmp_path):
    session = db.session
    data_dir = tmp_path / "copy"
    shutil.copytree(DATA / "search", data_dir / "search")
    before = count(session)
    report = load_search_references(session, data_dir)
    assert report.counts["search references"]["inserted"] == 0
    assert report.counts["search references"]["updated"] == 0
    assert count(session) == before


def test_codes_in_any_accepted_form_are_normalised(app_context, tmp_path):
    data_dir = data_dir_with(tmp_path, "kopi luwak,en,0901.21,\ncafé de civette,fr,HS 0901 21,\n")
    load_search_references(db.session, data_dir)
    codes = db.session.scalars(
        select(SearchReference.code).where(
            SearchReference.term.in_(["kopi luwak", "café de civette"])
        )
    )
    assert set(codes) == {"090121"}


def test_a_bad_file_is_refused_whole_with_every_bad_line(app_context, tmp_path):
    session = db.session
    before = count(session)
    data_dir = data_dir_with(
        tmp_path,
        "kopi luwak,en,090121,good line\n"
        "moon rock,en,9999,\n"
        ",en,0901,\n"
        "café,de,0901,\n"
        "widget,en,09x1,\n"
        "kopi luwak,en,090121,again\n",
    )
    with pytest.raises(DataFileError) as caught:
        load_search_references(session, data_dir)
    problems = [(line, field) for line, field, _reason in caught.value.problems]
    assert problems == [(3, "code"), (4, "term"), (5, "language"), (6, "code"), (7, "term")]
    assert "9999 is not a code of HS2022" in str(caught.value)
    assert count(session) == before
