"""Benchmark: the Whoosh search against SQLite FTS5 on the same documents and queries.

Corpus: the real portal (every document `flask search rebuild` indexes) plus 100,000
generated documents (titles of 4–9 and bodies of 20–40 words drawn from the real HS
vocabulary with its own word frequencies, each linked to a random HS 2022 code), all
built by the portal's own document code, so both engines get the same text.

    whoosh    the portal's search (tradeportal.search.results.run_search: every text field
              of both languages with field boosts, all words first then some, typo check,
              highlights) on the pooled searcher, in-force filter, top 10, no facets
    page      the same with facet counts, as /search does, for information
    fts5      SQLite FTS5 (porter + unicode61, accents removed), the same fields with the
              same weights in bm25(), `MATCH` with implicit AND, top 10 keys
    queries   term (200), AND of two words (100), phrase of two words (100), code prefix
              (100; Whoosh: a prefix on the code field, FTS5: a prefix query on codes)
    suggest   autocomplete (200 prefixes): the in-memory vocabulary vs an FTS5 prefix query
              on the same entries (HS codes in force and search references)

Also measures the rebuild of the real corpus and indexing docs/s of both engines.
Writes instance/bench/search.json. Targets (issue 4): at 100k documents, search p95 ≤ 2×
FTS5 and p50 ≤ 3× FTS5; autocomplete p95 no slower than FTS5; real rebuild ≤ 60 s.
"""

import json
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import report_dir, seeded_portal, summary, timed  # noqa: E402
from tradeportal.db import db  # noqa: E402
from tradeportal.search.codec import INDEX_CODEC  # noqa: E402
from tradeportal.search.documents import SOURCES, make_document  # noqa: E402
from tradeportal.search.extension import search_store  # noqa: E402
from tradeportal.search.indexing import rebuild  # noqa: E402
from tradeportal.search.results import SearchParams, run_search  # noqa: E402
from tradeportal.search.schema import TEXT_FIELDS  # noqa: E402
from tradeportal.search.suggest import build_vocabulary, suggest  # noqa: E402

GENERATED = 100_000
FTS_COLUMNS = ("key", *TEXT_FIELDS, "codes")
_WORD = re.compile(r"[a-z]{3,}")


def real_documents(app) -> list[dict]:
    with app.app_context():
        return [doc for source in SOURCES.values() for _, doc in source.load(db.session, None)]


def generate(rng: random.Random, documents: list[dict], count: int) -> list[dict]:
    """Make ``count`` documents from the real titles' words, at their real frequencies."""
    words = Counter(w for d in documents for w in _WORD.findall(d.get("title", "").lower()))
    vocabulary, weights = zip(*words.most_common(), strict=True)
    codes = [d["code"] for d in documents if d.get("type") == "hs" and d.get("code")]
    generated = []
    for number in range(count):
        title = " ".join(rng.choices(vocabulary, weights, k=rng.randint(4, 9)))
        body = " ".join(rng.choices(vocabulary, weights, k=rng.randint(20, 40)))
        code = rng.choice(codes)
        generated.append(
            make_document(
                source="bench",
                entity_id=str(number),
                key=f"bench:{number}",
                doc_type="regulation",
                title=title.capitalize(),
                link={"endpoint": "site.home", "values": {}},
                valid_from=date(2020, 1, 1),
                valid_to=None,
                weight=0.8,
                languages=["en"],
                codes=[code[:n] for n in (2, 4, 6) if n <= len(code)],
                chapters=[code[:2]],
                title_en=title,
                body_en=body,
            )
        )
    return generated


def index_whoosh(app, documents: list[dict]) -> float:
    """Add documents to the live index with the rebuild's settings; return docs/s."""
    with app.app_context():
        store = search_store()
        procs = app.config["SEARCH_REBUILD_PROCS"]
        started = time.perf_counter()
        with store.writer_lock():
            writer = store.open_index().writer(
                limitmb=128, procs=procs, multisegment=True, codec=INDEX_CODEC
            )
            for document in documents:
                writer.add_document(**document)
            writer.commit()
        return len(documents) / (time.perf_counter() - started)


def index_fts5(connection: sqlite3.Connection, documents: list[dict]) -> float:
    columns = ", ".join(FTS_COLUMNS[1:])
    connection.execute(
        f"CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, {columns}, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    started = time.perf_counter()
    connection.executemany(
        f"INSERT INTO docs VALUES ({', '.join('?' for _ in FTS_COLUMNS)})",
        ([d.get(name, "") or "" for name in FTS_COLUMNS] for d in documents),
    )
    connection.commit()
    return len(documents) / (time.perf_counter() - started)


def query_sets(rng: random.Random, documents: list[dict]) -> dict[str, list[str]]:
    titles = [_WORD.findall(d["title"].lower()) for d in documents if d.get("title")]
    titles = [t for t in titles if len(t) >= 2]
    words = Counter(w for t in titles for w in t)
    common = [w for w, _ in words.most_common(300)]
    rare = [w for w, n in words.items() if n <= 3]
    codes = [d["code"] for d in documents if d.get("type") == "hs" and len(d["code"]) >= 4]
    pairs = [rng.choice(titles) for _ in range(200)]
    return {
        "term": rng.sample(common, 100) + rng.sample(rare, 100),
        "and": [" ".join(rng.sample(t, 2)) for t in pairs[:100]],
        "phrase": [
            '"' + " ".join(t[i : i + 2]) + '"'
            for t in pairs[100:]
            for i in [rng.randrange(len(t) - 1)]
        ],
        "code": [rng.choice(codes)[: rng.choice((4, 6))] for _ in range(100)],
        "suggest": [rng.choice(common + rare)[: rng.randint(3, 5)] for _ in range(200)],
    }


def fts5_match(text: str, kind: str) -> str:
    if kind == "code":
        return f"codes : {text}*"
    if kind == "phrase":
        return text
    return " ".join(f'"{word}"' for word in text.split())


def main() -> None:
    rng = random.Random(42)
    day = date.today()
    with tempfile.TemporaryDirectory() as tmp:
        app = seeded_portal(Path(tmp))
        with app.app_context():
            procs = app.config["SEARCH_REBUILD_PROCS"]
            rebuilt = rebuild(db.session, search_store(), procs=procs)
        real = real_documents(app)
        generated = generate(rng, real, GENERATED)
        whoosh_rate = index_whoosh(app, generated)
        connection = sqlite3.connect(Path(tmp) / "fts5.db")
        fts_rate = index_fts5(connection, real + generated)
        queries = query_sets(rng, real + generated)
        weights = ", ".join(["0", *(str(boost) for _, boost in TEXT_FIELDS.values()), "1"])
        fts_sql = f"SELECT key FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, {weights}) LIMIT 10"
        results: dict[str, dict] = {}
        with app.app_context():
            store = search_store()
            with store.searcher() as borrowed:
                vocabulary = build_vocabulary(borrowed, day)

            def whoosh(text, kind):
                # What the search does, top 10, without counting facets.
                params = SearchParams(text=text, day=day, page_size=10, facets=False)
                if kind == "code":
                    params = replace(params, text="", code_prefix=text)
                return [hit.key for hit in run_search(store, params).hits]

            for kind in ("term", "and", "phrase", "code"):
                inputs = queries[kind]
                results[kind] = {
                    "whoosh": summary(timed(lambda t, k=kind: whoosh(t, k), inputs, 20)),
                    "fts5": summary(
                        timed(
                            lambda t, k=kind: connection.execute(
                                fts_sql, (fts5_match(t, k),)
                            ).fetchall(),
                            inputs,
                            20,
                        )
                    ),
                }
            for kind in ("term", "and", "phrase"):
                results[kind]["page"] = summary(
                    timed(lambda t: run_search(store, SearchParams(text=t, day=day)),
                          queries[kind], 20)
                )  # fmt: skip
        connection.execute(
            "CREATE VIRTUAL TABLE entries USING fts5(label, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        connection.executemany(
            "INSERT INTO entries VALUES (?)", ((e.label,) for e in vocabulary.entries)
        )
        connection.commit()
        results["suggest"] = {
            "whoosh": summary(timed(lambda t: suggest(vocabulary, t), queries["suggest"], 20)),
            "fts5": summary(
                timed(
                    lambda t: connection.execute(
                        "SELECT label FROM entries WHERE entries MATCH ? LIMIT 10", (f'"{t}"*',)
                    ).fetchall(),
                    queries["suggest"],
                    20,
                )
            ),
        }
        connection.close()
    for measures in results.values():
        measures["ratio"] = {
            "p50": round(measures["whoosh"]["p50_us"] / measures["fts5"]["p50_us"], 2),
            "p95": round(measures["whoosh"]["p95_us"] / measures["fts5"]["p95_us"], 2),
        }
    searches = [results[kind]["ratio"] for kind in ("term", "and", "phrase", "code")]
    targets = {
        "search_p95_max_ratio": 2.0,
        "search_p50_max_ratio": 3.0,
        "search_met": all(r["p95"] <= 2.0 and r["p50"] <= 3.0 for r in searches),
        "suggest_met": results["suggest"]["ratio"]["p95"] <= 1.0,
        "rebuild_max_seconds": 60,
        "rebuild_met": rebuilt.seconds <= 60,
    }
    report = {
        "date": day.isoformat(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "documents": {"real": len(real), "generated": GENERATED},
        "rebuild_real": {
            "seconds": round(rebuilt.seconds, 1),
            "docs_per_second": round(rebuilt.docs_per_second),
            "procs": procs,
        },
        "indexing_docs_per_second": {"whoosh": round(whoosh_rate), "fts5": round(fts_rate)},
        "queries": results,
        "targets": targets,
    }
    (report_dir() / "search.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"Search benchmark — {len(real):,} real + {GENERATED:,} generated documents, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"rebuild of the real corpus: {rebuilt.seconds:.1f} s "
        f"({rebuilt.docs_per_second:,.0f} docs/s, {procs} process(es)); indexing docs/s: "
        f"Whoosh {whoosh_rate:,.0f}, FTS5 {fts_rate:,.0f}"
    )
    print(f"{'queries':<10}{'whoosh p50/p95 µs':>22}{'fts5 p50/p95 µs':>22}{'ratio':>14}")
    for kind, m in results.items():
        w, f, r = m["whoosh"], m["fts5"], m["ratio"]
        print(
            f"{kind:<10}{w['p50_us']:>11}/{w['p95_us']:<10}{f['p50_us']:>11}/{f['p95_us']:<10}"
            f"{r['p50']:>6}×/{r['p95']}×"
        )
        if "page" in m:
            print(f"{'  page':<10}{m['page']['p50_us']:>11}/{m['page']['p95_us']:<10}")
    print("targets:", {k: v for k, v in targets.items() if k.endswith("met")})


if __name__ == "__main__":
    main()
