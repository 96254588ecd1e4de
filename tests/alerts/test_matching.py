"""Matching changes to subscriptions in SQL: prefixes both ways, markets, kinds, audiences."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from tradeportal.alerts.matching import (
    Match,
    Reach,
    count_audience,
    explain,
    matching_statement,
    matching_subscriptions,
    outermost,
    reached_subscribers,
)
from tradeportal.alerts.models import (
    AlertChange,
    Frequency,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from tradeportal.alerts.services import add_subscription
from tradeportal.db import db, utcnow

HS, COUNTRY, TYPE = SubscriptionKind.HS, SubscriptionKind.COUNTRY, SubscriptionKind.CONTENT_TYPE


def make_subscriber(email: str, *follows, changes=None, active=True) -> Subscriber:
    now = utcnow() - timedelta(minutes=5)
    subscriber = Subscriber(email=email, confirmed_at=now if active else None, created_at=now)
    db.session.add(subscriber)
    db.session.flush()
    for kind, value, *market in follows:
        subscription, _ = add_subscription(
            db.session, subscriber, kind, value, market=market[0] if market else "", changes=changes
        )
        subscription.created_at = now
    db.session.flush()
    return subscriber


def matched(prefixes=(), countries=(), content_type="regulations", change=AlertChange.NEW):
    """Return {email: [(kind, value)]} of the subscriptions a change reaches."""
    reach = Reach(content_type, tuple(prefixes), tuple(countries), change, utcnow())
    found = matching_subscriptions(db.session, reach)
    emails = dict(db.session.execute(select(Subscriber.id, Subscriber.email)).all())
    result: dict[str, list] = {}
    for match in found:
        result.setdefault(emails[match.subscriber_id], []).append((match.kind.value, match.value))
    return result


def test_an_hs_subscription_matches_codes_below_it_and_the_headings_above_it(empty_app):
    with empty_app.app_context():
        make_subscriber("heading@example.org", (HS, "0901"))
        make_subscriber("subheading@example.org", (HS, "090121"))
        make_subscriber("chapter@example.org", (HS, "09"))
        make_subscriber("tea@example.org", (HS, "0902"))
        make_subscriber("sugar@example.org", (HS, "17"))
        # A change on 0901.21 reaches those following it and everything above it.
        assert set(matched(["090121"])) == {
            "heading@example.org",
            "subheading@example.org",
            "chapter@example.org",
        }
        # A change on the whole heading 0901 reaches those following codes below it too.
        assert set(matched(["0901"])) == {
            "heading@example.org",
            "subheading@example.org",
            "chapter@example.org",
        }
        # A change on chapter 09 reaches every code in it, and nothing outside.
        assert set(matched(["09"])) == {
            "heading@example.org",
            "subheading@example.org",
            "chapter@example.org",
            "tea@example.org",
        }
        # 090 is no code, and "0901" is not "below" "090121": no false positives.
        assert set(matched(["0902", "1701"])) == {
            "chapter@example.org",
            "tea@example.org",
            "sugar@example.org",
        }
        assert matched([]) == {}


def test_markets_countries_content_types_and_kinds_of_change(empty_app):
    with empty_app.app_context():
        make_subscriber("coffee-uk@example.org", (HS, "0901", "GBR"))
        make_subscriber("uk@example.org", (COUNTRY, "GBR"))
        make_subscriber("tariffs@example.org", (TYPE, "tariffs"))
        make_subscriber("withdrawals@example.org", (HS, "09"), changes=[AlertChange.WITHDRAWN])
        make_subscriber("unconfirmed@example.org", (HS, "09"), active=False)
        stopped = make_subscriber("stopped@example.org", (HS, "09"))
        stopped.disabled_at = utcnow()
        db.session.flush()

        assert matched(["090121"], ["MUS", "GBR"]) == {
            "coffee-uk@example.org": [("hs", "0901")],
            "uk@example.org": [("country", "GBR")],
        }
        # The coffee subscription is for the UK market only.
        assert matched(["090121"], ["MUS", "FRA"]) == {}
        # Any tariff content type reaches those following the "tariffs" group.
        for content_type in ("tariff-lines", "internal-taxes", "tariff-schedule-markets"):
            assert matched([], [], content_type) == {
                "tariffs@example.org": [("content_type", "tariffs")]
            }
        assert set(matched(["0901"], [], change=AlertChange.WITHDRAWN)) == {
            "withdrawals@example.org"
        }
        # The CMS impact preview counts the same people, whatever the kind of change.
        change = {"content_type": "regulations", "hs_prefixes": ["090121"], "countries": ["GBR"]}
        assert count_audience(db.session, change) == 3


def test_a_subscription_made_after_the_publication_does_not_get_it(empty_app):
    with empty_app.app_context():
        subscriber = make_subscriber("late@example.org", (HS, "0901"))
        published_at = utcnow() - timedelta(hours=1)
        reach = Reach("regulations", ("090121",), (), AlertChange.NEW, published_at)
        found = matching_subscriptions(db.session, reach)
        assert found == []
        assert subscriber.subscriptions


def test_explanations_name_the_followed_code_and_what_the_change_touches():
    def match(value):
        return Match(1, 1, HS, value, "", Frequency.IMMEDIATE)

    assert explain(match("0901"), ["090121"])["how"] == "under"
    assert explain(match("0901"), ["090121"])["applies_to"] == "090121"
    assert explain(match("0901"), ["0901", "090121"])["applies_to"] == "090121"
    assert explain(match("090121"), ["090121"])["how"] == "same"
    assert explain(match("090121"), ["09"]) | {} == {
        "kind": "hs",
        "value": "090121",
        "market": "",
        "applies_to": "09",
        "how": "over",
    }
    # Linked to 0901 except 0901.21: the follower of 0901.21 is told it is the exception.
    assert explain(match("090121"), ["0901", "090121"], {"090121"})["how"] == "over"
    assert explain(match("09012100"), ["0902", "09012100"], {"09012100"})["how"] == "excluded"
    assert outermost(["090121", "0901", "0902", "09012100"]) == ["0901", "0902"]


def prefixes(max_count: int):
    """HS-shaped prefixes over few digits, so that they often overlap."""
    code = st.integers(1, 4).flatmap(lambda n: st.text("019", min_size=2 * n, max_size=2 * n))
    return st.lists(code, min_size=0, max_size=max_count, unique=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(followed=prefixes(12), changed=prefixes(4))
def test_sql_matching_agrees_with_the_plain_definition(empty_app, followed, changed):
    """P matches E exactly when one is a prefix of the other."""
    with empty_app.app_context():
        try:
            for number, prefix in enumerate(followed):
                make_subscriber(f"s{number}@example.org", (HS, prefix))
            expected = {
                f"s{number}@example.org"
                for number, prefix in enumerate(followed)
                if any(e.startswith(prefix) or prefix.startswith(e) for e in changed)
            }
            assert set(matched(changed)) == expected
            assert count_audience(
                db.session, {"content_type": "x", "hs_prefixes": changed, "countries": []}
            ) == len(expected)
        finally:
            db.session.rollback()
            assert db.session.scalar(select(Subscription.id)) is None


def test_every_part_of_the_matching_query_is_an_index_search(empty_app):
    """No loop and no scan: each OR term is one search of the (kind, value) index."""
    with empty_app.app_context():
        reach = Reach(
            "regulations", ("090121", "0902", "1701"), ("GBR", "MUS"), AlertChange.AMENDED, utcnow()
        )
        statements = [matching_statement(reach), reached_subscribers(reach)]
        compiled = [
            str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
            for statement in statements
        ]
        sqlite = db.is_sqlite
        if sqlite:
            plans = [
                [row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
                for sql in compiled
            ]
        else:
            # An empty table is cheapest to scan: forbid scans, so a plan that still scans
            # is one no index can serve.
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plans = [
                [row[0] for row in db.session.execute(text(f"EXPLAIN {sql}"))] for sql in compiled
            ]
    plan, grouped_plan = plans
    if not sqlite:
        for lines in plans:
            text_plan = "\n".join(lines)
            assert "Seq Scan on alert_subscriptions" not in text_plan, text_plan
            assert "ix_alert_subscriptions_kind_value" in text_plan, text_plan
        return
    assert [s for s in grouped_plan if "alert_subscriptions" in s] == [
        s for s in plan if "alert_subscriptions" in s
    ]
    on_subscriptions = [step for step in plan if "alert_subscriptions" in step]
    assert len(on_subscriptions) == 6, plan  # ancestors, 3 ranges, countries, content type
    for step in on_subscriptions:
        assert step.startswith("SEARCH alert_subscriptions USING INDEX"), plan
        assert "ix_alert_subscriptions_kind_value (kind=? AND value" in step, plan
