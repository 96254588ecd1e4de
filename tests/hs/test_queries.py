"""Resolving codes across editions, dates and national tariff lines."""

import gc
import weakref
from datetime import date

import pytest
from flask import g

from tradeportal.db import db
from tradeportal.hs.catalog import get_catalog, invalidate_catalog
from tradeportal.hs.models import HsNode, Nomenclature, NomenclatureKind
from tradeportal.hs.queries import Outcome, UnknownNomenclature, lookup_code

TODAY = date(2026, 11, 23)


@pytest.fixture
def national_lines(app_context):
    """A small Mauritian tariff nomenclature on HS 2022 with two lines under 0901.21."""
    session = db.session
    hs2022 = session.query(Nomenclature).filter_by(code="HS2022").one()
    subheading = session.query(HsNode).filter_by(nomenclature_id=hs2022.id, code="090121").one()
    national = Nomenclature(
        code="MUS2022",
        title="Mauritius tariff 2022",
        kind=NomenclatureKind.NATIONAL,
        base_id=hs2022.id,
        country_iso3="MUS",
        valid_from=date(2022, 1, 1),
        revision=1,
    )
    session.add(national)
    session.flush()
    for code, text, valid_to in [
        ("09012110", "In beans", None),
        ("09012190", "Other", date(2024, 6, 30)),
    ]:
        session.add(
            HsNode(
                nomenclature_id=national.id,
                code=code,
                level=8,
                parent_id=subheading.id,
                description_en=text,
                valid_from=date(2022, 1, 1),
                valid_to=valid_to,
            )
        )
    session.commit()
    return national


def test_a_national_line_is_found_with_its_hs_ancestors(national_lines):
    found = lookup_code("0901.21.10", TODAY)
    assert found.outcome is Outcome.FOUND
    assert found.edition.code == "MUS2022"
    ancestors = [node.code for node in get_catalog().ancestors(found.node)]
    assert ancestors == ["09", "0901", "090121"]


def test_a_national_line_outside_its_dates_is_missing_with_the_nearest(national_lines):
    assert lookup_code("09012190", date(2024, 1, 1)).outcome is Outcome.FOUND
    found = lookup_code("09012190", TODAY)
    assert found.outcome is Outcome.MISSING
    assert found.nearest.code == "090121"


def test_national_lines_are_listed_under_their_subheading(national_lines, app):
    page = app.test_client().get("/hs/090121").get_data(as_text=True)
    assert 'href="/hs/09012110"' in page
    assert 'href="/hs/09012190"' not in page  # ended in 2024


def _add_line(national, code: str) -> None:
    national.revision += 1
    db.session.add(
        HsNode(
            nomenclature_id=national.id,
            code=code,
            level=8,
            parent_id=db.session.query(HsNode).filter_by(code="090121").first().id,
            description_en="Ground",
            valid_from=date(2025, 1, 1),
        )
    )
    db.session.commit()


def test_a_change_made_in_this_process_is_seen_at_once(national_lines):
    assert lookup_code("09012150", TODAY).outcome is Outcome.MISSING
    _add_line(national_lines, "09012150")
    invalidate_catalog()
    assert lookup_code("09012150", TODAY).outcome is Outcome.FOUND


@pytest.mark.config(HS_CATALOG_MAX_AGE_SECONDS=0)
def test_a_change_made_by_another_process_is_seen_by_the_next_unit_of_work(national_lines):
    assert lookup_code("09012150", TODAY).outcome is Outcome.MISSING
    _add_line(national_lines, "09012150")
    # Same unit of work: one consistent snapshot throughout.
    assert lookup_code("09012150", TODAY).outcome is Outcome.MISSING
    g.pop("hs_catalog")  # the next request
    assert lookup_code("09012150", TODAY).outcome is Outcome.FOUND


def test_the_edition_follows_the_date(app_context):
    assert lookup_code("080290", date(2021, 12, 31)).edition.code == "HS2017"
    assert lookup_code("080290", date(2021, 12, 31)).outcome is Outcome.FOUND
    assert lookup_code("080290", date(2022, 1, 1)).outcome is Outcome.SPLIT


def test_before_any_edition_there_is_no_nomenclature(app_context):
    with pytest.raises(UnknownNomenclature):
        lookup_code("0901", date(2000, 1, 1))


def test_a_retired_heading_is_followed_through_its_subheadings(app_context):
    # Heading 1510 ("other olive oils") was restructured into 1510.10 and 1510.90;
    # the heading itself still exists, so it is simply found.
    assert lookup_code("1510", TODAY).outcome is Outcome.FOUND
    # Subheading 1510.00 no longer exists: it split in two.
    found = lookup_code("151000", TODAY)
    assert found.outcome is Outcome.SPLIT
    assert [node.code for node in found.successors] == ["151010", "151090"]


class _Cycle:
    def __init__(self):
        self.me = self


def test_the_snapshot_is_kept_out_of_garbage_collection_and_nothing_is_kept_forever(
    national_lines,
):
    """A full collection would walk the snapshot's objects in the middle of a request;
    frozen, it does not. Garbage waiting for a collection when the snapshot is built is
    not frozen with it, and a replaced snapshot is freed."""
    gc.unfreeze()
    gc.disable()  # only the collections the portal asks for
    try:
        garbage = _Cycle()
        garbage_ref = weakref.ref(garbage)
        del garbage  # a reference cycle: only a collection frees it
        snapshot = get_catalog()  # the fixture changed the nomenclatures: a new snapshot
    finally:
        gc.enable()
    assert garbage_ref() is None
    nodes = sum(len(tree.nodes) for tree in snapshot.trees.values())
    assert gc.get_freeze_count() > nodes  # its nodes and everything else alive then
    assert not any(obj is snapshot for obj in gc.get_objects())  # not walked by collections
    snapshot_ref = weakref.ref(snapshot)
    del snapshot
    _add_line(national_lines, "09012150")
    invalidate_catalog()
    assert lookup_code("09012150", TODAY).outcome is Outcome.FOUND  # from a new snapshot
    assert snapshot_ref() is None
