"""Benchmark: HS code lookup and the /hs/<code> page against raw sqlite3, in one run.

For every HS 2022 subheading (5,612), typed the way people type it ("0901.21"):
  lookup   normalise + resolve through the portal (one unit of work each, so the
           snapshot freshness check is included, as in a request)
  raw      strip the dots and SELECT the row with the sqlite3 module
  page     GET /hs/<code> through the Flask test client (routing, lookup, template, and
           since issue 3 every product section for the home country)
  raw page sqlite3 SELECTs of the rows that page shows (node, ancestors, children,
           correspondences)
Prints p50/p95 and ratios and writes instance/bench/hs_lookup.json.
Target (issue 2): lookup p95 ≤ 3 × raw p95.
"""

import json
import random
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

from flask import g

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import report_dir, seeded_portal, summary, timed  # noqa: E402
from tradeportal.hs.codes import format_code, normalise_hs_code  # noqa: E402
from tradeportal.hs.queries import lookup_code  # noqa: E402

TARGET_LOOKUP_RATIO = 3.0


def main() -> None:
    out_dir = report_dir()
    with tempfile.TemporaryDirectory() as tmp:
        app = seeded_portal(Path(tmp))
        database = Path(tmp) / "tradeportal.db"
        raw = sqlite3.connect(database)
        hs2022_id = raw.execute("SELECT id FROM nomenclatures WHERE code = 'HS2022'").fetchone()[0]
        codes = [
            row[0]
            for row in raw.execute(
                "SELECT code FROM hs_nodes WHERE nomenclature_id = ? AND level = 6", (hs2022_id,)
            )
        ]
        random.Random(2022).shuffle(codes)
        typed = [format_code(code) for code in codes]
        day = date.today()

        def portal_lookup(text):
            g.pop("hs_catalog", None)  # each lookup is its own unit of work, as a request is
            found = lookup_code(text, day)
            assert found.node is not None

        def raw_lookup(text):
            digits = text.replace(".", "").replace(" ", "")
            row = raw.execute(
                "SELECT id, code, level, parent_id, description_en, description_fr, "
                "valid_from, valid_to FROM hs_nodes WHERE nomenclature_id = ? AND code = ?",
                (hs2022_id, digits),
            ).fetchone()
            assert row is not None

        client = app.test_client()

        def render_page(code):
            response = client.get(f"/hs/{code}")
            assert response.status_code == 200

        def raw_page(code):
            node = raw.execute(
                "SELECT id, code, parent_id, section_id, description_en, description_fr "
                "FROM hs_nodes WHERE nomenclature_id = ? AND code = ?",
                (hs2022_id, code),
            ).fetchone()
            raw.execute(
                "SELECT code, description_en, description_fr FROM hs_nodes "
                "WHERE nomenclature_id = ? AND code IN (?, ?)",
                (hs2022_id, code[:2], code[:4]),
            ).fetchall()
            raw.execute(
                "SELECT numeral, title_en FROM hs_sections WHERE id = ?", (node[3],)
            ).fetchone()
            raw.execute(
                "SELECT code, description_en FROM hs_nodes WHERE parent_id = ?", (node[0],)
            ).fetchall()
            raw.execute(
                "SELECT c.old_code, c.relationship, n.description_en FROM hs_correspondences c "
                "JOIN hs_nodes n ON n.nomenclature_id = c.old_nomenclature_id "
                "AND n.code = c.old_code WHERE c.new_nomenclature_id = ? AND c.new_code = ?",
                (hs2022_id, code),
            ).fetchall()

        with app.app_context():
            normalise = summary(timed(normalise_hs_code, typed))
            lookup = summary(timed(portal_lookup, typed))
        baseline = summary(timed(raw_lookup, typed))
        page = summary(timed(render_page, codes))
        baseline_page = summary(timed(raw_page, codes))
        raw.close()

    report = {
        "date": date.today().isoformat(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "codes": len(codes),
        "normalise": normalise,
        "lookup": lookup,
        "raw_sqlite3_lookup": baseline,
        "page": page,
        "raw_sqlite3_page_rows": baseline_page,
        "ratios": {
            "lookup_p50": round(lookup["p50_us"] / baseline["p50_us"], 2),
            "lookup_p95": round(lookup["p95_us"] / baseline["p95_us"], 2),
            "page_p50": round(page["p50_us"] / baseline_page["p50_us"], 2),
            "page_p95": round(page["p95_us"] / baseline_page["p95_us"], 2),
        },
        "target": {"lookup_p95_ratio_max": TARGET_LOOKUP_RATIO},
    }
    report["target"]["met"] = report["ratios"]["lookup_p95"] <= TARGET_LOOKUP_RATIO
    (out_dir / "hs_lookup.json").write_text(json.dumps(report, indent=2) + "\n")

    print(
        f"HS lookup benchmark — {len(codes):,} HS 2022 subheadings, SQLite {sqlite3.sqlite_version}"
    )
    print(f"{'measure':<28}{'p50 µs':>10}{'p95 µs':>10}")
    for name, key in [
        ("normalise only", "normalise"),
        ("portal lookup", "lookup"),
        ("raw sqlite3 lookup", "raw_sqlite3_lookup"),
        ("GET /hs/<code>", "page"),
        ("raw sqlite3 page rows", "raw_sqlite3_page_rows"),
    ]:
        print(f"{name:<28}{report[key]['p50_us']:>10}{report[key]['p95_us']:>10}")
    ratios = report["ratios"]
    verdict = "met" if report["target"]["met"] else "MISSED"
    print(
        f"lookup / raw: p50 {ratios['lookup_p50']}×, p95 {ratios['lookup_p95']}× "
        f"(target ≤ {TARGET_LOOKUP_RATIO}× at p95: {verdict})"
    )
    # Since the trade content landed, /hs/<code> also collects every product section (home
    # regulations, taxes, tenders...), which these HS rows do not cover: the like-for-like
    # comparison of the page is bench/product_page.py.
    print(
        f"page / raw HS page rows: p50 {ratios['page_p50']}×, p95 {ratios['page_p95']}× "
        "(the page also runs every product section; see bench/product_page.py)"
    )
    print(f"report: {out_dir / 'hs_lookup.json'}")


if __name__ == "__main__":
    main()
