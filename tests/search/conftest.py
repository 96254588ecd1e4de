"""Search fixtures: the real corpus indexed once per session, copied into each test.

Building the index of the seeded database takes ~15–25 s, so it is done once into a
template folder (like the seeded database in tests/conftest.py); a test that needs it
gets its own copy of both the database and the index.
"""

import html
import re
import shutil
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import copy_database, dispose, drop_database, make_app
from tradeportal.db import db
from tradeportal.regulations.models import (
    Agency,
    Direction,
    Regulation,
    RegulationHsLink,
    RegulationKind,
)
from tradeportal.search.extension import search_store
from tradeportal.search.models import SearchQueueItem


@pytest.fixture
def indexed_client(indexed_app):
    return indexed_app.test_client()


@pytest.fixture(scope="module")
def shared_client(indexed_template, tmp_path_factory):
    """One copy of the indexed corpus for a module's tests that change no content.

    (Their searches still add to the query log of that copy.)
    """
    instance = tmp_path_factory.mktemp("shared")
    copy_database(indexed_template, instance)
    shutil.copytree(indexed_template / "index", instance / "index")
    app = make_app(instance)
    yield app.test_client()
    with app.app_context():
        search_store().close()
    dispose(app)
    drop_database(instance)


def cli(app, *args: str):
    """Run a ``flask`` command and return its result, whatever its exit code."""
    return app.test_cli_runner().invoke(args=list(args))


def queue_rows(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(SearchQueueItem.source, SearchQueueItem.entity_id, SearchQueueItem.op).order_by(
                SearchQueueItem.id
            )
        ).all()
        return [(source, entity, op.value) for source, entity, op in rows]


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())


def add_regulation(
    session, slug: str, title: str, valid_from: date, valid_to=None, prefixes=("0901",)
):
    """Add a regulation through the ORM (as an editor's form would) and commit it."""
    agency = session.scalar(select(Agency).order_by(Agency.id).limit(1))
    regulation = Regulation(
        slug=slug,
        title_en=title,
        summary=f"Summary of {title}.",
        kind=RegulationKind.SPS,
        direction=Direction.IMPORT,
        country_iso3="MUS",
        agency_id=agency.id,
        valid_from=valid_from,
        valid_to=valid_to,
        hs_links=[RegulationHsLink(prefix=prefix) for prefix in prefixes],
    )
    session.add(regulation)
    session.commit()
    return regulation
