"""The audit log: record_audit, the filtered and paginated page, and the CSV export."""

import csv
import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.auth.conftest import add_user, audit_actions, user_row
from tests.conftest import run_cli
from tradeportal.auth.audit import AuditTargetError, record_audit
from tradeportal.auth.manage_audit import spreadsheet_safe
from tradeportal.auth.models import AuditEvent, Role
from tradeportal.auth.queries import find_user_by_email
from tradeportal.db import db


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_record_audit_names_targets_and_keeps_details_as_json(app):
    add_user(app, "ed@example.org")
    with app.app_context():
        ed = find_user_by_email(db.session, "ed@example.org")
        with_user = record_audit(db.session, ed, "role_changed", ed, after=Role.ADMIN)
        with_pair = record_audit(
            db.session, None, "regulation.published", ("regulation", 42), on=date(2027, 1, 1)
        )
        with_text = record_audit(db.session, None, "import", "tariffs.csv", rows=3)
        db.session.commit()
        assert (with_user.target_type, with_user.target_id, with_user.target_label) == (
            "user",
            str(ed.id),
            "ed@example.org",
        )
        assert with_user.detail == {"after": "admin"}
        assert with_user.ip is None  # no request: the command line
        assert (with_pair.target_type, with_pair.target_id) == ("regulation", "42")
        assert with_pair.detail == {"on": "2027-01-01"}
        assert (with_text.target_type, with_text.target_label) == (None, "tariffs.csv")
        with pytest.raises(ValueError, match="short lower-case word"):
            record_audit(db.session, None, "Drop Table")
        with pytest.raises(AuditTargetError):
            record_audit(db.session, None, "login", object())
        with pytest.raises(TypeError, match="not JSON-serialisable"):
            record_audit(db.session, None, "login", thing=object())


def test_audit_events_have_the_client_address(app, signed_in):
    signed_in(Role.EDITOR)
    with app.app_context():
        login = db.session.query(AuditEvent).filter_by(action="login").one()
        assert login.ip == "127.0.0.1"


def add_events(app, count: int, action: str = "demo.event", **detail) -> None:
    with app.app_context():
        for number in range(count):
            record_audit(db.session, None, action, ("thing", number), **detail)
        db.session.commit()


@pytest.mark.config(AUDIT_PAGE_SIZE=5)
def test_the_page_filters_by_action_and_user_and_pages(app, signed_in):
    admin = signed_in(Role.ADMIN, "admin@example.org")
    add_events(app, 7)
    admin_id = user_row(app, "admin@example.org").id
    first = admin.get("/manage/audit?action=demo.event")
    assert first.status_code == 200
    assert "7 events match the filters" in text(first)
    assert "Page 1 of 2" in text(first)
    assert text(first).count("demo.event") == 5 + 1  # five rows and the filter's option
    second = text(admin.get("/manage/audit?action=demo.event&page=2"))
    assert second.count("thing 1") == 1 and "thing 6" not in second  # oldest last
    mine = text(admin.get(f"/manage/audit?user={admin_id}"))
    assert "1 event matches the filters" in mine
    assert "login" in mine


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=abc", "page=-1", "user=me", "user=0", "action=DROP%20TABLE", "action=%3Cb%3E"],
)
def test_bad_filters_are_a_clear_400(app, signed_in, query):
    admin = signed_in(Role.ADMIN)
    response = admin.get(f"/manage/audit?{query}")
    assert response.status_code == 400
    assert "<b>" not in response.get_data(as_text=True)
    assert admin.get(f"/manage/audit.csv?{query}").status_code == 400


def test_a_page_past_the_end_is_a_404(app, signed_in):
    admin = signed_in(Role.ADMIN)
    assert admin.get("/manage/audit?page=99").status_code == 404


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("＝1+1", "'＝1+1"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_formulas_are_defused(cell, safe):
    assert spreadsheet_safe(cell) == safe


def read_csv(response) -> list[dict]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"), newline="")))


def test_the_csv_export_escapes_and_defuses_every_cell(app, signed_in):
    admin = signed_in(Role.ADMIN)
    tricky = 'Smith, "Jo"\nsecond line'
    add_user(app, "=cmd@example.org", Role.EDITOR, name="=1+1")
    with app.app_context():
        record_audit(db.session, None, "import", tricky, note="=HYPERLINK(1)", count=2)
        record_audit(db.session, None, "import", "@SUM(A1:A9)")
        db.session.commit()
    response = admin.get("/manage/audit.csv?action=import")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = read_csv(response)
    assert [row["target_label"] for row in rows] == ["'@SUM(A1:A9)", tricky]
    assert rows[1]["detail"] == '{"count": 2, "note": "=HYPERLINK(1)"}'  # starts with "{"
    every = read_csv(admin.get("/manage/audit.csv"))
    created = [row for row in every if row["action"] == "user_created"]
    assert "'=cmd@example.org" in [row["target_label"] for row in created]
    assert len(every) == len(audit_actions(app))
    assert list(every[0]) == [
        "id", "at_utc", "actor_id", "actor_email", "action",
        "target_type", "target_id", "target_label", "ip", "detail",
    ]  # fmt: skip
    ids = [int(row["id"]) for row in every]
    assert ids == sorted(ids, reverse=True)  # newest first


def test_a_content_import_is_audited_with_its_file_and_counts(app, tmp_path):
    page = {
        "slug": "audited-import",
        "kind": "page",
        "title_en": "Imported",
        "valid_from": "2026-01-01",
    }
    good = tmp_path / "pages.json"
    good.write_text(json.dumps({"type": "pages", "items": [page]}), encoding="utf-8")
    run_cli(app, "content", "import", str(good))
    run_cli(app, "content", "import", str(good))  # again: nothing changes, still recorded
    bad = tmp_path / "bad-pages.json"
    bad.write_text(json.dumps({"type": "pages", "items": [page | {"kind": "x"}]}), "utf-8")
    refused = app.test_cli_runner().invoke(args=["content", "import", str(bad)])
    assert refused.exit_code != 0  # a refused import changes nothing, the audit included
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "content.imported")
        ).all()
        assert [(e.actor_id, e.target_label) for e in events] == [(None, "pages.json")] * 2
        assert [e.detail for e in events] == [
            {"content_type": "pages", "created": 1, "updated": 0, "unchanged": 0, "via": "cli"},
            {"content_type": "pages", "created": 0, "updated": 0, "unchanged": 1, "via": "cli"},
        ]
