"""Loading the 95 OCDS sample releases: counts, languages, CPV links, idempotence, bad files."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from tests.tenders.sample import raw_releases, sample_tenders
from tradeportal.datafiles import DataFileError
from tradeportal.db import db
from tradeportal.tenders.cpv import (
    MALFORMED_CPV,
    NO_CLASSIFICATION,
    UNKNOWN_DIVISION,
    WORKS_OR_SERVICES,
)
from tradeportal.tenders.models import Tender, TenderHsLink
from tradeportal.tenders.services import load_tenders


def data_dir(app) -> Path:
    return Path(app.config["DATA_DIR"])


def snapshot() -> tuple[list, list]:
    """Every tender and link row, to compare before and after a load."""
    tenders = db.session.execute(
        select(*(column for column in Tender.__table__.columns)).order_by(Tender.id)
    ).all()
    links = db.session.execute(
        select(*(column for column in TenderHsLink.__table__.columns)).order_by(TenderHsLink.id)
    ).all()
    return tenders, links


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def broken_data(app, tmp_path) -> Path:
    """A copy of the data folder whose tenders files a test may break."""
    target = tmp_path / "data"
    target.mkdir()
    for entry in data_dir(app).iterdir():
        if entry.name == "tenders":
            shutil.copytree(entry, target / "tenders")
        else:
            (target / entry.name).symlink_to(entry)
    app.config["DATA_DIR"] = str(target)
    return target


def test_all_95_releases_are_read_and_the_20_french_ones_recognised(app_context):
    report = load_tenders(db.session, data_dir(app_context))
    raw = raw_releases(data_dir(app_context))
    assert report.releases_read == len(raw) == 95
    assert report.releases_by_source == {
        "uganda": 10,
        "nigeria": 12,
        "uk_contracts_finder": 21,
        "canada_buyandsell": 42,
        "australia_nsw": 10,
    }
    assert report.releases_by_language == {"en": 75, "fr": 20}
    # The declared language and the text agree everywhere.
    assert report.language_mismatches == []
    french_ocids = {release["ocid"] for _, release in raw if release.get("language") == "fr"}
    stored_french = set(db.session.scalars(select(Tender.ocid).where(Tender.language == "fr")))
    assert stored_french == french_ocids and len(french_ocids) == 20
    assert all(ocid.startswith("ocds-a1234567-mt-") for ocid in stored_french)  # Montréal


def test_a_release_published_in_ocds_1_0_and_1_1_is_one_tender(app_context):
    report = load_tenders(db.session, data_dir(app_context))
    distinct = sample_tenders(data_dir(app_context))
    assert report.duplicates_merged == 95 - len(distinct) == 21
    assert count(Tender) == len(distinct) == 74
    wellbeing = db.session.scalar(select(Tender).where(Tender.title == "Wellbeing College"))
    # The 1.1 file names the real buyer, the 1.0 file the address of the release.
    assert wellbeing.buyer_name == "Bath and North East Somerset Council"
    assert wellbeing.source_url.startswith("https://www.contractsfinder.service.gov.uk/")
    assert len(wellbeing.sample_files) == 2


def test_countries_titles_and_values_follow_the_publishers(app_context):
    by_country = dict(
        db.session.execute(
            select(Tender.country_iso3, func.count()).group_by(Tender.country_iso3)
        ).all()
    )
    assert by_country == {"UGA": 10, "NGA": 12, "GBR": 11, "CAN": 31, "AUS": 10}
    canadian = db.session.scalars(select(Tender).where(Tender.country_iso3 == "CAN")).all()
    # No Canadian release has a tender title: each one is derived from its texts.
    assert all(tender.title_is_derived and tender.title for tender in canadian)
    harvesting = next(t for t in canadian if t.title == "Harvesting Equipment")
    assert (harvesting.value_amount, harvesting.value_currency) == (3_800_000, "CAD")
    assert harvesting.buyer_name == "Agriculture and Agri-Food Canada"
    montreal = {t.title: t for t in canadian if t.language == "fr"}
    # The first sentence of the item description; too long a sentence is shortened.
    tv = montreal[
        "Achat de télévision, écran électrique, installation de projecteur et quincaillerie"
        " pour 3 salles de réunion."
    ]
    assert tv.publisher == "Ville de Montréal" and tv.buyer_name == "Service de l'eau"
    assert tv.description.startswith(tv.title + " Hyg. du milieu")
    long_title = next(title for title in montreal if title.startswith("Évaluation"))
    assert long_title.endswith("…") and len(long_title) <= 160
    # NSW descriptions are HTML at the source and plain text here.
    nsw = db.session.scalars(select(Tender.description).where(Tender.country_iso3 == "AUS"))
    assert not any("<p>" in text or "&nbsp;" in text for text in nsw)
    uganda = db.session.scalars(select(Tender).where(Tender.country_iso3 == "UGA")).all()
    assert {tender.value_currency for tender in uganda} == {"UGX"}
    assert all(not tender.title_is_derived for tender in uganda)


def test_cpv_codes_link_three_tenders_and_every_unlinked_one_has_a_counted_reason(app_context):
    report = load_tenders(db.session, data_dir(app_context))
    assert report.unlinked == {
        NO_CLASSIFICATION: 30,
        "classified with GSIN, not CPV": 11,
        "classified with UNSPSC, not CPV": 10,
        WORKS_OR_SERVICES: 11,
        MALFORMED_CPV: 6,
        UNKNOWN_DIVISION: 3,
    }
    linked = set(db.session.scalars(select(TenderHsLink.tender_id).distinct()))
    assert len(linked) == 74 - sum(report.unlinked.values()) == 3
    assert count(TenderHsLink) == 12
    unlinked_in_db = Counter(
        db.session.scalars(
            select(Tender.unlinked_reason).where(Tender.unlinked_reason.is_not(None))
        )
    )
    assert unlinked_in_db == report.unlinked
    assert any(reason.startswith("tender(s) left without an HS link") for reason in report.skipped)


def test_a_malformed_cpv_id_is_reported_and_not_fatal(app_context):
    report = load_tenders(db.session, data_dir(app_context))
    malformed = [
        code for _ocid, code, problem in report.classification_problems if problem == MALFORMED_CPV
    ]
    assert "441055482" in malformed and len(malformed) == 6
    line = next(reason for reason in report.skipped if reason.startswith("malformed CPV"))
    assert "441055482" in line and report.skipped[line] == 6
    road = db.session.scalar(
        select(Tender).where(
            Tender.title == "construction of farm access road at illah-ebu irrigation project"
        )
    )
    assert road.unlinked_reason == MALFORMED_CPV
    assert road.classifications == [{"scheme": "CPV", "id": "441055482", "problem": MALFORMED_CPV}]
    assert road.hs_links == []


def test_loading_twice_changes_nothing(app):
    with app.app_context():
        before = snapshot()
        report = load_tenders(db.session, data_dir(app))
        db.session.commit()
        assert report.changed == 0
        assert report.counts["tenders"]["unchanged"] == 74
        assert report.counts["tender HS links"]["unchanged"] == 12
        assert snapshot() == before
    result = run_cli(app, "seed")
    assert "tenders: unchanged since the last load, skipped." in result.output


def test_invalid_json_is_refused_with_its_line_and_nothing_changes(app, broken_data):
    path = broken_data / "tenders" / "nigeria_releases.json"
    text = path.read_text()
    path.write_text(text.replace('"ocid":', '"ocid"', 1))
    with app.app_context():
        before = snapshot()
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "tenders not loaded, nothing changed" in result.output
    line = text[: text.index('"ocid":')].count("\n") + 1
    assert f"nigeria_releases.json: 1 bad line(s): line {line} JSON:" in result.output
    with app.app_context():
        assert snapshot() == before


def test_a_release_without_ocid_is_refused_by_position_and_nothing_changes(app, broken_data):
    path = broken_data / "tenders" / "uk_contracts_finder_releases.json"
    entries = json.loads(path.read_text())
    del entries[2]["release"]["ocid"]
    entries[4]["release"]["date"] = "last tuesday"
    path.write_text(json.dumps(entries))
    with app.app_context():
        before = snapshot()
        with pytest.raises(DataFileError) as caught:
            load_tenders(db.session, broken_data)
        db.session.rollback()
        message = str(caught.value)
        assert message.startswith("uk_contracts_finder_releases.json: 2 bad release(s)")
        assert "release #3 ocid: is missing" in message
        assert "release #5 date: is not an ISO 8601 date" in message
        assert snapshot() == before


def test_a_mapping_row_naming_no_hs_code_is_refused(app, broken_data):
    path = broken_data / "tenders" / "cpv_hs_map.csv"
    with path.open("a") as handle:
        handle.write('99,7700,"not a chapter"\n1,01,"too short"\n')
    with app.app_context(), pytest.raises(DataFileError) as caught:
        load_tenders(db.session, broken_data)
    assert "7700 is not an HS 2022 code" in str(caught.value)
    assert "cpv_prefix: must be 2 to 8 digits" in str(caught.value)
