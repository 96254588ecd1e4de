"""API fixtures: clients of the seeded app, with or without its search index."""

import json

import pytest

from tradeportal.cms.models import ChangeEvent
from tradeportal.cms.records import live_record
from tradeportal.cms.workflow import open_item, publish
from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.db import db

COFFEE_SPS = "coffee-import-sps"


@pytest.fixture
def api(app):
    return app.test_client()


@pytest.fixture
def indexed_api(indexed_app):
    return indexed_app.test_client()


def json_of(response, status: int = 200) -> dict:
    """Return the JSON body of a response, failing on any other status or media type."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Check the one error shape; return its ``error`` object."""
    body = json_of(response, status)
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code
    return error


def publish_title(app, slug: str, title: str) -> ChangeEvent:
    """Publish a new title for a live regulation through the editorial workflow."""
    regulations = CONTENT_TYPES["regulations"]
    with app.app_context():
        key = json.dumps([slug])
        item = open_item(db.session, regulations, key)
        item.draft = {**live_record(db.session, regulations, key), "title_en": title}
        event = publish(db.session, item, None)
        db.session.commit()
        db.session.refresh(event)
        db.session.expunge(event)
        return event
