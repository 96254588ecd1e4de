"""The "pages" content type: import, export round trip, demo content loaded by `flask seed`."""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import run_cli
from tests.pages.conftest import page_record, save_pages
from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.content.transfer import import_records
from tradeportal.datafiles import DataFileError
from tradeportal.db import db
from tradeportal.pages.content import DEMO_FILE, PAGES, load_demo_pages
from tradeportal.pages.models import Page, PageKind
from tradeportal.pages.services import export_pages, save_page


def snapshot() -> list[tuple]:
    return sorted(tuple(row) for row in db.session.execute(select(*Page.__table__.columns)))


def full_event(slug="fair-2027") -> dict:
    return page_record(
        slug,
        kind="event",
        title_fr="Foire 2027",
        summary_en="A fair.",
        summary_fr="Une foire.",
        body_en="## Programme\n\n- Day 1",
        body_fr="## Programme\n\n- Jour 1",
        published_on="2026-12-01",
        event_starts_on="2027-03-01",
        event_ends_on="2027-03-03",
        event_location="Port Louis",
        valid_to="2027-12-31",
        source_url="https://example.org/fair",
        issued_by="Chamber of commerce",
        last_verified_on="2026-11-01",
        last_verified_by="Editor",
        is_demo=True,
    )


def test_the_content_type_is_registered():
    content_type = CONTENT_TYPES["pages"]
    assert content_type.natural_key == ("slug",)
    assert content_type.model is Page
    assert "news" in content_type.description


def test_save_creates_then_updates_on_slug(app_context):
    schema = PAGES.input_schema()
    assert save_page(db.session, schema.load(page_record("help", title_en="Help"))) is True
    assert save_page(db.session, schema.load(page_record("help", title_en="Help!"))) is False
    page = db.session.scalar(select(Page).where(Page.slug == "help"))
    assert page.title_en == "Help!"
    assert page.kind is PageKind.PAGE
    assert repr(page) == "<Page help page>"


def test_export_then_import_changes_nothing(app_context):
    save_pages(full_event(), page_record("plain-news", kind="news"))
    exported = list(export_pages(db.session))
    before = snapshot()
    report = import_records(
        db.session, PAGES, [(f"item {i}", record) for i, record in enumerate(exported, 1)]
    )
    assert report.ok, report.problems
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == len(exported)
    assert not db.session.dirty
    assert snapshot() == before
    assert list(export_pages(db.session)) == exported


def test_export_writes_every_field_as_the_schema_reads_it(app_context):
    save_pages(full_event())
    (record,) = export_pages(db.session, ["fair-2027"])
    assert record == full_event() | {"title_en": "Title of fair-2027"}
    assert PAGES.input_schema().load(record)["event_ends_on"] == date(2027, 3, 3)


def test_export_by_slug_lists_only_those(app_context):
    save_pages(page_record("a-page"), page_record("b-page"))
    assert [record["slug"] for record in export_pages(db.session, ["b-page"])] == ["b-page"]


def test_the_cli_round_trip_through_a_json_file_changes_nothing(app, tmp_path):
    with app.app_context():
        save_pages(full_event())
    exported = run_cli(app, "content", "export", "pages").output
    path = tmp_path / "pages.json"
    path.write_text(exported, encoding="utf-8")
    with app.app_context():
        before = snapshot()
    result = run_cli(app, "content", "import", str(path))
    assert "0 created, 0 updated" in result.output
    with app.app_context():
        assert snapshot() == before


def test_one_bad_record_imports_nothing_and_names_item_field_and_reason(app, tmp_path):
    with app.app_context():
        before = snapshot()
    items = [page_record("good"), page_record("bad-event", kind="news", event_location="Here")]
    path = tmp_path / "pages.json"
    path.write_text(json.dumps({"type": "pages", "items": items}), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "import", str(path)])
    assert result.exit_code != 0
    assert "item 2: event_location: Only events have event_location" in result.output
    with app.app_context():
        assert snapshot() == before


def test_the_database_refuses_event_fields_on_news_even_without_the_schema(app_context):
    db.session.add(
        Page(
            slug="sneaky",
            kind=PageKind.NEWS,
            title_en="Sneaky",
            published_on=date(2026, 1, 1),
            valid_from=date(2026, 1, 1),
            event_location="Here",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- the demo content --------------------------------------------------------------------


def test_the_demo_content_is_loaded_illustrative_and_bilingual(app_context):
    pages = db.session.scalars(select(Page).order_by(Page.slug)).all()
    kinds = [page.kind for page in pages]
    assert kinds.count(PageKind.PAGE) == 2
    assert kinds.count(PageKind.NEWS) == 2
    assert kinds.count(PageKind.EVENT) == 2
    assert {"about-this-portal", "how-to-find-your-hs-code"} <= {page.slug for page in pages}
    for page in pages:
        assert page.is_demo, page.slug
        assert page.has_french, page.slug
        assert "llustrati" in page.body_en, page.slug
        assert "llustrati" in page.body_fr, page.slug


def test_loading_the_demo_content_twice_changes_nothing(app_context):
    data_dir = app_context.config["DATA_DIR"]
    before = snapshot()
    report = load_demo_pages(db.session, Path(data_dir), lambda n: None)
    assert report.counts == {"pages": {"inserted": 0, "updated": 0, "unchanged": 6}}
    assert report.changed == 0
    assert snapshot() == before


def test_the_demo_content_loads_into_an_empty_database(empty_app):
    run_cli(empty_app, "seed")
    with empty_app.app_context():
        assert db.session.scalar(select(func.count(Page.id))) == 6
    assert "pages: unchanged since the last load, skipped." in run_cli(empty_app, "seed").output


def test_a_broken_demo_file_loads_nothing_and_names_the_item(app, tmp_path):
    data_dir = tmp_path / "data"
    (data_dir / "pages").mkdir(parents=True)
    shutil.copyfile(f"{app.config['DATA_DIR']}/{DEMO_FILE}", data_dir / DEMO_FILE)
    payload = json.loads((data_dir / DEMO_FILE).read_text(encoding="utf-8"))
    payload["items"][2]["title_en"] = "Changed"
    payload["items"][4]["event_starts_on"] = None
    (data_dir / DEMO_FILE).write_text(json.dumps(payload), encoding="utf-8")
    with app.app_context():
        before = snapshot()
        with pytest.raises(DataFileError) as caught:
            load_demo_pages(db.session, data_dir, lambda n: None)
        db.session.rollback()
        assert caught.value.problems == [
            (5, "event_starts_on", "An event needs the day it starts.")
        ]
        assert snapshot() == before
