"""Benchmark: the product page with all real data plus 100,000 generated regulations.

    page      GET /hs/<code>?market=GBR&origin=MUS through the Flask test client, for 1,000
              random HS 2022 subheadings (routing, every product section's queries, Python
              applicability logic, templates)
    raw SQL   the same rows fetched with the sqlite3 module: every SQL statement the page
              ran for that code (recorded once, replayed with their parameters), plus the
              HS rows the page takes from its in-memory snapshot (node, ancestors, children,
              correspondences)

The generated regulations are spread like a large real corpus: 2 % linked to chapters,
8 % to headings, 70 % to subheadings and 20 % to national lines, some with exclusions.
Pages are measured three times: first with both caches off (the page cache of whole
pages for anonymous visitors and the cache of rendered sections), so that every page
collects and renders everything (the target is judged on this one); then, for
information, on a warm cache of sections as a signed-in editor's repeat visit finds it,
and on a warm page cache as an anonymous visitor's repeat visit finds it
(tradeportal/content_cache.py).
Prints p50/p95 and the ratios, writes instance/bench/product_page.json.
Target (issue 3): page p95 ≤ 3 × raw SQL p95, the cache off.
"""

import json
import random
import sqlite3
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import report_dir, seeded_portal, summary, timed  # noqa: E402
from tradeportal.content_cache import page_cache, product_cache  # noqa: E402
from tradeportal.db import db  # noqa: E402
from tradeportal.hs.models import HsNode, Nomenclature  # noqa: E402
from tradeportal.regulations.models import (  # noqa: E402
    Agency,
    Direction,
    Regulation,
    RegulationHsLink,
    RegulationKind,
)

GENERATED = 100_000
PAGES = 1_000
TARGET_RATIO = 3.0
QUERY = "market=GBR&origin=MUS"


def generate_regulations(app, rng: random.Random, count: int) -> int:
    """Insert ``count`` regulations with HS links; return how many links were made."""
    with app.app_context():
        session = db.session
        codes = session.scalars(
            select(HsNode.code).join(Nomenclature).where(Nomenclature.code == "HS2022")
        ).all()
        by_level = {level: [c for c in codes if len(c) == level] for level in (2, 4, 6)}
        agency_ids = session.scalars(select(Agency.id)).all()
        kinds, directions = list(RegulationKind), [Direction.IMPORT, Direction.EXPORT]
        home = app.config["HOME_COUNTRY"]
        regulations, links = [], []
        for number in range(1, count + 1):
            start = date(2018, 1, 1) + timedelta(days=rng.randrange(3000))
            regulations.append(
                {
                    "id": 1_000_000 + number,
                    "slug": f"generated-{number}",
                    "title_en": f"Generated measure {number}",
                    "kind": rng.choice(kinds),
                    "direction": rng.choice(directions),
                    "country_iso3": home,
                    "agency_id": rng.choice(agency_ids),
                    "valid_from": start,
                    "valid_to": start + timedelta(days=rng.randrange(365, 4000))
                    if rng.random() < 0.3
                    else None,
                    "is_demo": True,
                }
            )
            draw = rng.random()
            if draw < 0.02:
                prefix = rng.choice(by_level[2])
            elif draw < 0.10:
                prefix = rng.choice(by_level[4])
            elif draw < 0.80:
                prefix = rng.choice(by_level[6])
            else:
                prefix = rng.choice(by_level[6]) + f"{rng.randrange(100):02d}"
            links.append({"regulation_id": 1_000_000 + number, "prefix": prefix, "excluded": False})
            if len(prefix) < 6 and rng.random() < 0.2:
                below = [c for c in by_level[6] if c.startswith(prefix)]
                links.append(
                    {
                        "regulation_id": 1_000_000 + number,
                        "prefix": rng.choice(below),
                        "excluded": True,
                    }
                )
        session.execute(insert(Regulation), regulations)
        session.execute(insert(RegulationHsLink), links)
        session.commit()
        return len(links)


def hs_rows(raw: sqlite3.Connection, code: str) -> None:
    """Fetch the HS rows the page shows from its snapshot, the way raw SQL would."""
    node = raw.execute(
        "SELECT n.id, n.code, n.section_id, n.description_en, n.description_fr FROM hs_nodes n "
        "JOIN nomenclatures v ON v.id = n.nomenclature_id WHERE v.code = 'HS2022' "
        "AND n.code = ?",
        (code,),
    ).fetchone()
    raw.execute(
        "SELECT n.code, n.description_en, n.description_fr FROM hs_nodes n JOIN nomenclatures v "
        "ON v.id = n.nomenclature_id WHERE v.code = 'HS2022' AND n.code IN (?, ?)",
        (code[:2], code[:4]),
    ).fetchall()
    raw.execute("SELECT numeral, title_en FROM hs_sections WHERE id = ?", (node[2],)).fetchone()
    raw.execute(
        "SELECT code, description_en FROM hs_nodes WHERE parent_id = ?", (node[0],)
    ).fetchall()
    raw.execute(
        "SELECT old_code, relationship FROM hs_correspondences WHERE new_code = ?", (code,)
    ).fetchall()


def main() -> None:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        app = seeded_portal(Path(tmp))
        links = generate_regulations(app, rng, GENERATED)
        raw = sqlite3.connect(Path(tmp) / "tradeportal.db")
        codes = [
            row[0]
            for row in raw.execute(
                "SELECT n.code FROM hs_nodes n JOIN nomenclatures v ON v.id = n.nomenclature_id "
                "WHERE v.code = 'HS2022' AND n.level = 6 ORDER BY n.code"
            )
        ]
        sample = rng.sample(codes, PAGES)
        client = app.test_client()

        # Record the statements each page runs (this pass also warms every cache).
        recorded: dict[str, list] = {}
        current: list = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
                current.append((statement, parameters))

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        for code in sample:
            current = []
            response = client.get(f"/hs/{code}?{QUERY}")
            assert response.status_code == 200, (code, response.status_code)
            recorded[code] = current
        event.remove(engine, "before_cursor_execute", record)
        statements = sum(len(v) for v in recorded.values()) / len(recorded)

        def render_page(code):
            response = client.get(f"/hs/{code}?{QUERY}")
            assert response.status_code == 200

        def raw_sql(code):
            hs_rows(raw, code)
            for statement, parameters in recorded[code]:
                raw.execute(statement, parameters).fetchall()

        with app.app_context():
            cache, pages = product_cache(), page_cache()
        for off in (cache, pages):  # every page collects and renders everything
            off.max_entries = 0
            off.clear()
        page = summary(timed(render_page, sample))
        baseline = summary(timed(raw_sql, sample))
        cache.max_entries = PAGES  # room for the whole sample, then one visit each to fill it
        for code in sample:
            render_page(code)
        repeat = summary(timed(render_page, sample))
        pages.max_entries = PAGES
        for code in sample:
            render_page(code)
        repeat_whole = summary(timed(render_page, sample))
        regulation_count = raw.execute("SELECT count(*) FROM regulations").fetchone()[0]
        raw.close()

    ratio_p50 = round(page["p50_us"] / baseline["p50_us"], 2)
    ratio_p95 = round(page["p95_us"] / baseline["p95_us"], 2)
    report = {
        "date": date.today().isoformat(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "regulations": regulation_count,
        "generated_regulations": GENERATED,
        "generated_links": links,
        "pages": PAGES,
        "query": QUERY,
        "statements_per_page": round(statements, 1),
        "page": page,
        "raw_sql": baseline,
        "ratios": {"p50": ratio_p50, "p95": ratio_p95},
        "page_repeat_visit": repeat,
        "repeat_visit_ratios": {
            "p50": round(repeat["p50_us"] / baseline["p50_us"], 2),
            "p95": round(repeat["p95_us"] / baseline["p95_us"], 2),
        },
        "page_repeat_anonymous_visit": repeat_whole,
        "repeat_anonymous_visit_ratios": {
            "p50": round(repeat_whole["p50_us"] / baseline["p50_us"], 2),
            "p95": round(repeat_whole["p95_us"] / baseline["p95_us"], 2),
        },
        "target": {"p95_ratio_max": TARGET_RATIO, "met": ratio_p95 <= TARGET_RATIO},
    }
    (report_dir() / "product_page.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"Product page benchmark — {PAGES:,} subheadings, {regulation_count:,} regulations "
        f"({links:,} generated HS links), SQLite {sqlite3.sqlite_version}"
    )
    print(f"{'measure':<34}{'p50 µs':>10}{'p95 µs':>10}")
    print(f"{'GET /hs/<code>?' + QUERY:<34}{page['p50_us']:>10}{page['p95_us']:>10}")
    print(f"{'  repeat visit, sections cached':<34}{repeat['p50_us']:>10}{repeat['p95_us']:>10}")
    print(
        f"{'  repeat anonymous visit, page':<34}{repeat_whole['p50_us']:>10}"
        f"{repeat_whole['p95_us']:>10}"
    )
    print(f"{'raw sqlite3, same rows':<34}{baseline['p50_us']:>10}{baseline['p95_us']:>10}")
    verdict = "met" if report["target"]["met"] else "MISSED"
    print(
        f"page / raw: p50 {ratio_p50}×, p95 {ratio_p95}× (target ≤ {TARGET_RATIO}× at p95: "
        f"{verdict}, cache off); {statements:.1f} SQL statements per page"
    )
    for label, name in (
        ("sections cached", "repeat_visit_ratios"),
        ("anonymous, page cached", "repeat_anonymous_visit_ratios"),
    ):
        ratios = report[name]
        print(f"repeat visit ({label}) / raw: p50 {ratios['p50']}×, p95 {ratios['p95']}×")


if __name__ == "__main__":
    main()
