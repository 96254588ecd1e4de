"""Benchmark: fanning out one change on chapter 09 to 100,000 subscriptions.

    fan-out     ``fan_out_event`` + commit: the feed terms and one pending delivery per
                reached subscriber, recorded by one INSERT … SELECT over the indexed match
    baseline    one SQL query selecting the ids of the subscribers the change reaches,
                through the sqlite3 module, in the same run
    queuing     ``queue_immediate`` batches + commits until none is left: the explanation,
                the rendered text and HTML (shared per language and explanation), the
                subscriber's own unsubscribe link and one outbox row each

50,000 confirmed subscribers follow two things each: 70 % HS codes (chapters, headings,
subheadings of HS 2022), 20 % countries, 10 % content types; 60 % immediate, 30 % daily,
10 % weekly; English or French. The change names chapter 09, GBR and MUS, a regulation.
Prints p50/p95 of both and the ratio of the medians, writes instance/bench/alerts.json.
Target (issue 6): fan-out ≤ 2 × the baseline query. The delivery-rate half of the issue's
benchmark (outbox → aiosmtpd vs raw smtplib) belongs to the mail area.
"""

import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, report_dir, seeded_portal  # noqa: E402
from tradeportal.alerts.fanout import fan_out_event, queue_immediate  # noqa: E402
from tradeportal.alerts.groups import GROUPS  # noqa: E402
from tradeportal.alerts.matching import Reach, active_subscriber, reach_condition  # noqa: E402
from tradeportal.alerts.models import (  # noqa: E402
    AlertChange,
    AlertDelivery,
    AlertEventTerm,
    AlertFanout,
    Subscriber,
    Subscription,
)
from tradeportal.cms.models import (  # noqa: E402
    ChangeEvent,
    ChangeKind,
    CmsItem,
    CmsRevision,
    LiveState,
    RevisionKind,
)
from tradeportal.countries.models import Country  # noqa: E402
from tradeportal.db import db  # noqa: E402
from tradeportal.hs.models import HsNode, Nomenclature  # noqa: E402
from tradeportal.mail.models import OutboundEmail  # noqa: E402

SUBSCRIBERS = 50_000
PER_SUBSCRIBER = 2
RUNS = 21
TARGET_RATIO = 2.0
CHANGE = {"hs_prefixes": ["09"], "countries": ["GBR", "MUS"], "content_type": "regulations"}


def generate_subscriptions(app, rng: random.Random) -> dict:
    """Insert the subscribers and their subscriptions in bulk; return the mix."""
    with app.app_context():
        session = db.session
        hs2022 = session.scalar(select(Nomenclature.id).where(Nomenclature.code == "HS2022"))
        codes = list(
            session.scalars(
                select(HsNode.code).where(HsNode.nomenclature_id == hs2022, HsNode.level <= 6)
            )
        )
        countries = list(session.scalars(select(Country.iso3)))
        types = sorted(GROUPS)  # what subscribers follow: the groups
        created = datetime(2026, 1, 1, tzinfo=UTC)
        session.execute(
            insert(Subscriber),
            [
                {
                    "id": number,
                    "email": f"s{number}@example.org",
                    "language": rng.choice(["en", "en", "fr"]),
                    "created_at": created,
                    "confirmed_at": created,
                    "manage_token": f"token-{number}",
                }
                for number in range(1, SUBSCRIBERS + 1)
            ],
        )
        rows, mix = [], {"hs": 0, "country": 0, "content_type": 0}
        for number in range(1, SUBSCRIBERS + 1):
            followed = set()
            while len(followed) < PER_SUBSCRIBER:
                draw = rng.random()
                if draw < 0.7:
                    followed.add(("hs", rng.choice(codes)))
                elif draw < 0.9:
                    followed.add(("country", rng.choice(countries)))
                else:
                    followed.add(("content_type", rng.choice(types)))
            for kind, value in followed:
                mix[kind] += 1
                rows.append(
                    {
                        "subscriber_id": number,
                        "kind": kind,
                        "value": value,
                        "market": "",
                        "frequency": rng.choices(["immediate", "daily", "weekly"], [6, 3, 1])[0],
                        "created_at": created,
                    }
                )
        session.execute(insert(Subscription), rows)
        session.commit()
        return mix


def make_event(app) -> int:
    """Write one published change on chapter 09 (a regulation for GBR, from MUS)."""
    with app.app_context():
        session = db.session
        item = CmsItem(
            content_type="regulations",
            record_key='["bench-coffee"]',
            label="Bench: a rule for every product of chapter 09",
            live_state=LiveState.PUBLISHED,
        )
        session.add(item)
        session.flush()
        after = {"slug": "bench-coffee", "title_en": item.label, "hs_prefixes": ["09"]}
        revision = CmsRevision(item=item, number=1, kind=RevisionKind.PUBLISHED, payload=after)
        session.add(revision)
        session.flush()
        event = ChangeEvent(
            item_id=item.id,
            revision_id=revision.id,
            content_type=CHANGE["content_type"],
            kind=ChangeKind.NEW,
            label=item.label,
            hs_prefixes=CHANGE["hs_prefixes"],
            countries=CHANGE["countries"],
            changed_fields=list(after),
            before=None,
            after=after,
            effective_on=date(2026, 1, 1),
            published_at=datetime.now(UTC),
        )
        session.add(event)
        session.commit()
        return event.id


def baseline_query(app) -> str:
    """Return the SQL of "which subscribers does this change reach", with its values."""
    with app.app_context():
        reach = Reach(
            CHANGE["content_type"],
            tuple(CHANGE["hs_prefixes"]),
            tuple(CHANGE["countries"]),
            AlertChange.NEW,
            datetime.now(UTC),
        )
        statement = (
            select(Subscription.subscriber_id)
            .distinct()
            .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
            .where(
                reach_condition(reach.content_type, reach.prefixes, reach.countries),
                Subscription.on_new.is_(True),
                active_subscriber(),
            )
        )
        return str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))


def undo_fan_out(app, event_id: int) -> None:
    with app.app_context():
        session = db.session
        for model in (AlertDelivery, AlertEventTerm, AlertFanout):
            session.execute(delete(model).where(model.event_id == event_id))
        session.commit()


def main() -> None:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        app = seeded_portal(Path(tmp))
        mix = generate_subscriptions(app, rng)
        event_id = make_event(app)
        raw = sqlite3.connect(Path(tmp) / "tradeportal.db")
        raw.execute("ANALYZE")
        sql = baseline_query(app)
        plan = [row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}")]

        # Alternated run by run, so a busy machine slows both alike; the first run of each
        # warms the caches and is dropped.
        baseline_ms, fan_out_ms, reached, recorded = [], [], 0, 0
        for _ in range(RUNS + 1):
            start = time.perf_counter()
            reached = len(raw.execute(sql).fetchall())
            baseline_ms.append((time.perf_counter() - start) * 1000)
            undo_fan_out(app, event_id)
            with app.app_context():
                event = db.session.get(ChangeEvent, event_id)
                start = time.perf_counter()
                recorded = fan_out_event(db.session, event, datetime.now(UTC))
                db.session.commit()
                fan_out_ms.append((time.perf_counter() - start) * 1000)
        assert recorded == reached, (recorded, reached)

        with app.app_context():
            immediate = db.session.scalar(
                select(text("count(*)"))
                .select_from(AlertDelivery)
                .where(AlertDelivery.frequency == "immediate")
            )
            start = time.perf_counter()
            queued = 0
            while batch := queue_immediate(db.session, datetime.now(UTC) + timedelta(seconds=1)):
                db.session.commit()
                queued += batch.queued
            queue_seconds = time.perf_counter() - start
            outbox = db.session.scalar(select(text("count(*)")).select_from(OutboundEmail))
        raw.close()

    baseline = statistics.median(baseline_ms[1:])
    fan_out = statistics.median(fan_out_ms[1:])
    ratio = round(fan_out / baseline, 2)
    p95 = {
        "baseline": percentile(baseline_ms[1:], 0.95),
        "fan_out": percentile(fan_out_ms[1:], 0.95),
    }
    report = {
        "date": date.today().isoformat(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "subscribers": SUBSCRIBERS,
        "subscriptions": SUBSCRIBERS * PER_SUBSCRIBER,
        "mix": mix,
        "change": CHANGE,
        "reached_subscribers": reached,
        "baseline_query_plan": plan,
        "baseline_ms_median": round(baseline, 2),
        "fan_out_ms_median": round(fan_out, 2),
        "baseline_ms_p95": round(p95["baseline"], 2),
        "fan_out_ms_p95": round(p95["fan_out"], 2),
        "ratio": ratio,
        "target": {"ratio_max": TARGET_RATIO, "met": ratio <= TARGET_RATIO},
        "queuing": {
            "immediate_deliveries": immediate,
            "emails_queued": queued,
            "outbox_rows": outbox,
            "seconds": round(queue_seconds, 2),
            "emails_per_second": round(queued / queue_seconds, 1) if queue_seconds else None,
        },
    }
    (report_dir() / "alerts.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"Alerts fan-out benchmark — {SUBSCRIBERS * PER_SUBSCRIBER:,} subscriptions of "
        f"{SUBSCRIBERS:,} subscribers, one change on chapter 09 + GBR + MUS reaching "
        f"{reached:,} subscribers, SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"  baseline query (ids of the reached subscribers): p50 {baseline:6.1f} ms, "
        f"p95 {p95['baseline']:6.1f} ms"
    )
    print(
        f"  fan-out (deliveries recorded, committed):        p50 {fan_out:6.1f} ms, "
        f"p95 {p95['fan_out']:6.1f} ms"
    )
    verdict = "met" if report["target"]["met"] else "MISSED"
    print(f"  fan-out / baseline (p50): {ratio}× (target ≤ {TARGET_RATIO}×: {verdict})")
    print(
        f"  queuing {queued:,} immediate emails: {queue_seconds:.1f} s "
        f"({report['queuing']['emails_per_second']} emails/s)"
    )


if __name__ == "__main__":
    main()
