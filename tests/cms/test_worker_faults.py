"""The worker killed inside a scheduled publication, and two workers publishing at once.

A publication, its change event and its search queue row are one transaction: a worker
killed (SIGKILL) before its commit leaves the draft scheduled, and the next pass
publishes it exactly once, indexes it and alerts its subscribers.
"""

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.alerts.conftest import subscribe_directly
from tests.cms.conftest import form_of, post_step
from tests.cms.test_workflow import (
    NEW_REGULATION,
    create_draft,
    get_item,
    item_id_of,
    regulation_titled,
)
from tests.conftest import run_cli
from tradeportal.alerts.models import SubscriptionKind
from tradeportal.auth.models import Role
from tradeportal.cms.models import ChangeEvent, CmsItem, DraftState
from tradeportal.cms.workflow import publish_due
from tradeportal.db import db, utcnow
from tradeportal.mail.models import OutboundEmail


def schedule_due(cms_app, editor, publisher, **changes) -> int:
    """An approved draft scheduled for two days ahead, then moved to a minute ago."""
    item_id = item_id_of(create_draft(editor, **changes))
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = publisher.post(f"/manage/items/{item_id}/approve", data=form | {"publish_at": later})
    assert response.status_code == 302
    with cms_app.app_context():
        db.session.get(CmsItem, item_id).publish_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    return item_id


def events_of(cms_app, item_id: int) -> int:
    with cms_app.app_context():
        return db.session.scalar(
            select(func.count(ChangeEvent.id)).where(ChangeEvent.item_id == item_id)
        )


def worker_killed_inside_publish(cms_app) -> subprocess.Popen:
    """A real worker pass whose publication is flushed, then killed before the commit."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from tradeportal import create_app
        from tradeportal.cms import workflow
        from tradeportal.db import db
        from tradeportal.worker import run_pass

        real_publish = workflow.publish

        def publish_then_die(session, *args, **kwargs):
            event = real_publish(session, *args, **kwargs)
            session.flush()  # the live record, change event and queue row are written
            print("flushed", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

        workflow.publish = publish_then_die
        app = create_app({{
            "INSTANCE_PATH": {cms_app.instance_path!r},
            "DATABASE_URL": {cms_app.config["DATABASE_URL"]!r},
            "SECRET_KEY": "test-secret-key",
        }})
        with app.app_context():
            run_pass()
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )


def test_a_worker_killed_inside_a_publication_loses_nothing(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    subscribe_directly(cms_app, "grower@example.org", (SubscriptionKind.HS, "0901"))
    item_id = schedule_due(cms_app, editor, publisher)

    with worker_killed_inside_publish(cms_app) as child:
        assert child.stdout.readline().strip() == "flushed"
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    # Nothing of the half-done publication is left: still scheduled, not live, no event.
    assert get_item(cms_app, item_id).draft_state is DraftState.SCHEDULED
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) is None
    assert events_of(cms_app, item_id) == 0

    result = run_cli(cms_app, "worker", "--once")
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) == NEW_REGULATION["title_en"]
    assert get_item(cms_app, item_id).draft_state is None
    assert events_of(cms_app, item_id) == 1, result.output
    # The same pass indexed it and queued the subscriber's alert.
    found = cms_app.test_client().get("/search?q=coffee+berry+borer")
    assert NEW_REGULATION["slug"] in found.text
    with cms_app.app_context():
        alerts = db.session.scalars(
            select(OutboundEmail.to_address).where(OutboundEmail.dedupe_key.like("alert:%"))
        ).all()
    assert alerts == ["grower@example.org"]
    # A second pass finds nothing more to do.
    run_cli(cms_app, "worker", "--once")
    assert events_of(cms_app, item_id) == 1


def test_two_workers_publishing_at_once_publish_each_item_once(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    first = schedule_due(cms_app, editor, publisher)
    second = schedule_due(
        cms_app, editor, publisher, slug="roasted-coffee-labelling", title_en="Coffee labels"
    )
    with cms_app.app_context():
        # Worker A has published both (flushed, not committed) when worker B's pass runs.
        published = publish_due(db.session)
        assert len(published) == 2
        other = Session(bind=db.engine)
        try:
            if db.engine.dialect.name == "postgresql":
                # B skips the rows A holds (FOR UPDATE SKIP LOCKED) and publishes nothing;
                # were it to wait for them instead, the lock timeout fails the test.
                other.connection().exec_driver_sql("SET lock_timeout = '5s'")
                assert publish_due(other) == []
            else:
                # SQLite has one writer: B's pass fails on the lock and writes nothing.
                other.connection().exec_driver_sql("PRAGMA busy_timeout = 100")
                with pytest.raises(OperationalError, match="locked"):
                    publish_due(other)
            other.rollback()
            db.session.commit()
            # B's next pass sees them published.
            assert publish_due(other) == []
            other.commit()
        finally:
            other.close()
    assert events_of(cms_app, first) == events_of(cms_app, second) == 1
    assert regulation_titled(cms_app, "roasted-coffee-labelling") == "Coffee labels"
