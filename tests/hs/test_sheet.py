"""The printable product sheet and its CSV: the checklist for code × origin × market × date."""

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from tradeportal.db import db
from tradeportal.hs.sheet import GROUPS, SheetRow, sheet_csv
from tradeportal.product import ProductContext
from tradeportal.regulations.models import Direction, Regulation
from tradeportal.tariffs.models import TariffLine, TariffSchedule

EXPORT_RULE = "phytosanitary-certificate-export"  # Mauritius, export, covers 09
IMPORT_RULE = "food-import-clearance"  # Mauritius, import, covers 09


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheets read the accents right
    return list(csv.DictReader(io.StringIO(text[1:])))


def titles(app, slug: str) -> str:
    with app.app_context():
        regulation = db.session.scalar(select(Regulation).where(Regulation.slug == slug))
        return regulation.title_en, regulation.direction


def test_an_export_sheet_lists_the_export_rules_the_uk_duty_and_the_preference(app, client):
    export_title, export_direction = titles(app, EXPORT_RULE)
    import_title, import_direction = titles(app, IMPORT_RULE)
    assert (export_direction, import_direction) == (Direction.EXPORT, Direction.IMPORT)

    rows = rows_of(client.get("/hs/090121/sheet.csv?origin=MUS&market=GBR&date=2026-06-01"))
    assert {row["code"] for row in rows} == {"090121"}
    assert {(row["origin"], row["market"], row["date"]) for row in rows} == {
        ("MUS", "GBR", "2026-06-01")
    }
    assert {row["group"] for row in rows} <= set(GROUPS)
    requirements = [row["requirement"] for row in rows if row["group"] == "rule"]
    assert export_title in requirements
    assert import_title not in requirements  # goods leaving Mauritius are not imported there

    with app.app_context():
        uk = db.session.scalar(select(TariffSchedule).where(TariffSchedule.code == "UKGT-2021"))
        line = db.session.scalar(
            select(TariffLine).where(
                TariffLine.schedule_id == uk.id, TariffLine.code.startswith("09012100")
            )
        )
    duties = [row for row in rows if row["group"] == "duty" and "0901.21" in row["requirement"]]
    assert len(duties) == 1 and duties[0]["valid_from"] == line.valid_from.isoformat()
    assert any(row["group"] == "preference" for row in rows)
    assert any(row["group"] == "origin" for row in rows)


def test_an_import_sheet_lists_the_import_rules_instead(app, client):
    export_title, _ = titles(app, EXPORT_RULE)
    import_title, _ = titles(app, IMPORT_RULE)
    rows = rows_of(client.get("/hs/090121/sheet.csv?origin=GBR&market=MUS"))
    requirements = [row["requirement"] for row in rows if row["group"] == "rule"]
    assert import_title in requirements and export_title not in requirements


def test_the_sheet_page_groups_the_checklist_and_links_the_csv(client):
    page = client.get("/hs/090121/sheet?origin=MUS&market=GBR")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count('class="checklist"') >= 3
    assert re.search(r'href="/hs/090121/sheet\.csv\?[^"]*market=GBR', text)
    assert "data-print hidden" in text  # shown by JavaScript only
    # The product page offers it.
    product = client.get("/hs/090121?origin=MUS&market=GBR").get_data(as_text=True)
    assert re.search(r'href="/hs/090121/sheet\?[^"]*market=GBR', product)


def test_the_sheet_in_french(client):
    text = client.get("/hs/090121/sheet?origin=MUS&market=GBR&date=2026-06-01&lang=fr").text
    assert '<html lang="fr">' in text
    assert "Fiche produit" in text and "1 juin 2026" in text
    assert "Documents à obtenir" in text


def test_without_a_market_the_sheet_says_what_is_missing(client):
    text = client.get("/hs/090121/sheet").text
    assert "Choose a destination market" in text


@pytest.mark.parametrize(
    "query",
    ["/hs/09x1/sheet", "/hs/090121/sheet?market=XXX", "/hs/090121/sheet.csv?date=2026-13-01"],
)
def test_bad_input_is_a_clear_400(client, query):
    response = client.get(query)
    assert response.status_code == 400
    assert "text/html" in response.content_type


def test_a_code_written_otherwise_redirects_to_its_sheet(client):
    response = client.get("/hs/0901.21/sheet.csv?market=GBR")
    assert response.status_code == 301
    assert response.headers["Location"].startswith("/hs/090121/sheet.csv?")


def test_cells_that_look_like_formulas_are_neutralised(app):
    with app.test_request_context():
        product = ProductContext(None, (), date(2026, 1, 1), "MUS", "GBR", None)
        object.__setattr__(product, "node", type("Node", (), {"code": "090121"})())
        text = sheet_csv(product, [SheetRow("rule", '=HYPERLINK("http://x")', "+1", "@a")])
    (row,) = list(csv.DictReader(io.StringIO(text[1:])))
    assert row["requirement"].startswith("'=")
    assert row["detail"] == "'+1" and row["authority"] == "'@a"
