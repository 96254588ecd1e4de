"""Schemathesis over /api/v1/openapi.json, in-process (WSGI), against the seeded app.

Positive and negative cases for every operation; the checks are the contract: no 5xx,
a documented status, media type and headers, and a body that matches its schema.
"""

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import copy_database, dispose, drop_database, make_app
from tradeportal.api.spec import build_spec
from tradeportal.search.extension import search_store

# Per operation; 28 operations × 30 cases (≈840 requests) run in about a minute.
MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def contract_app(indexed_template, tmp_path_factory):
    """One read-only app for every generated case (nothing the API does writes)."""
    instance = tmp_path_factory.mktemp("contract")
    copy_database(indexed_template, instance)
    shutil.copytree(indexed_template / "index", instance / "index")
    # The limit is tested on its own; here it would only turn generated cases into 429s.
    app = make_app(instance, API_RATE_LIMIT="100000 per minute")
    yield app
    with app.app_context():
        search_store().close()
    dispose(app)
    drop_database(instance)


def _spec_document() -> dict:
    """Build the spec at collection time: it depends on the routes only, not on data."""
    instance = Path(tempfile.mkdtemp(prefix="tradeportal-spec-"))
    try:
        app = make_app(instance)
        with app.app_context():
            return build_spec(app)
    finally:
        shutil.rmtree(instance)


schema = schemathesis.openapi.from_dict(
    _spec_document(),
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
            "seed": 20260131,
        }
    ),
)


@schema.parametrize()
def test_every_operation_keeps_its_contract(case, contract_app):
    case.call_and_validate(app=contract_app, checks=CHECKS)
