"""Helpers of the regulations tests: records built through the same path as imports."""

import pytest

from tradeportal.content.transfer import import_records
from tradeportal.db import db
from tradeportal.regulations.content import AGENCIES, PROCEDURES, REGULATIONS


def agency_record(slug="test-agency", **fields):
    return {
        "slug": slug,
        "name_en": f"Agency {slug}",
        "kind": "authority",
        "valid_from": "2000-01-01",
        **fields,
    }


def regulation_record(slug, prefixes, **fields):
    return {
        "slug": slug,
        "title_en": f"Rule {slug}",
        "kind": "sps",
        "direction": "import",
        "country_iso3": "MUS",
        "agency": "test-agency",
        "hs_prefixes": prefixes,
        "valid_from": "2020-01-01",
        **fields,
    }


def procedure_record(slug, prefixes, **fields):
    return {
        "slug": slug,
        "title_en": f"Procedure {slug}",
        "direction": "import",
        "country_iso3": "MUS",
        "hs_prefixes": prefixes,
        "steps": [{"agency": "test-agency", "action": "Apply"}, {"action": "Wait"}],
        "valid_from": "2020-01-01",
        **fields,
    }


def save_all(content_type, records) -> None:
    """Import records as `flask content import` would, failing the test on any problem."""
    report = import_records(
        db.session, content_type, [(f"item {i}", r) for i, r in enumerate(records, 1)]
    )
    assert report.ok, report.problems
    db.session.commit()


@pytest.fixture
def store(empty_app):
    """An app context on an empty database, with one agency and a way to add content."""
    with empty_app.app_context():
        save_all(AGENCIES, [agency_record()])

        class Store:
            app = empty_app

            @staticmethod
            def regulations(*records):
                save_all(REGULATIONS, records)

            @staticmethod
            def procedures(*records):
                save_all(PROCEDURES, records)

        yield Store
