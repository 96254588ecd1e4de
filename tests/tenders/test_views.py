"""The tender list and detail pages: filters against the data files, bad filters, one tender."""

import html
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.tenders.sample import chapters_of, is_open, sample_tenders
from tradeportal.db import db
from tradeportal.tenders.models import Tender

AS_OF = date(2017, 9, 1)  # some samples open, others closed, others not yet published


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def total_of(response) -> int:
    assert response.status_code == 200, text_of(response)
    return int(re.search(r"(\d+) tenders? (match|, published)", text_of(response)).group(1))


@pytest.fixture
def samples(app) -> list[dict]:
    return sample_tenders(Path(app.config["DATA_DIR"]))


def expected_counts(samples: list[dict], app) -> dict[str, tuple[str, int]]:
    """Each filter with the number of tenders it should leave, counted from the files."""
    published = [t for t in samples if t["published"] <= AS_OF]
    data_dir = Path(app.config["DATA_DIR"])
    return {
        "country=GBR": sum(t["country"] == "GBR" for t in published),
        "country=nga": sum(t["country"] == "NGA" for t in published),
        "chapter=85": sum("85" in chapters_of(t, data_dir) for t in published),
        "chapter=27": sum("27" in chapters_of(t, data_dir) for t in published),
        "status=open": sum(is_open(t, AS_OF) for t in published),
        "status=closed": sum(not is_open(t, AS_OF) for t in published),
        "deadline_from=2015-01-01": sum(
            t["deadline"] is not None and t["deadline"] >= date(2015, 1, 1) for t in published
        ),
        "deadline_to=2014-12-31": sum(
            t["deadline"] is not None and t["deadline"] <= date(2014, 12, 31) for t in published
        ),
        "language=fr": sum(t["language"] == "fr" for t in published),
        "q=hydro": sum("hydro" in t["text"] for t in published),
        "q=small+HYDRO": sum("small" in t["text"] and "hydro" in t["text"] for t in published),
    }


def test_every_filter_narrows_the_list_as_the_data_files_say(client, app, samples):
    everything = total_of(client.get(f"/tenders?date={AS_OF}"))
    assert everything == sum(t["published"] <= AS_OF for t in samples)
    for query, expected in expected_counts(samples, app).items():
        found = total_of(client.get(f"/tenders?date={AS_OF}&{query}"))
        assert found == expected, query
        assert 0 < found < everything, query


def test_filters_combine(client, app, samples):
    expected = sum(
        t["country"] == "GBR" and is_open(t, AS_OF) and t["published"] <= AS_OF for t in samples
    )
    assert total_of(client.get(f"/tenders?date={AS_OF}&country=GBR&status=open")) == expected
    assert total_of(client.get("/tenders?country=GBR&language=fr")) == 0


def test_without_a_date_the_list_is_as_of_today(client, samples):
    today = date.today()
    assert total_of(client.get("/tenders")) == len(samples) == 74
    open_today = sum(is_open(t, today) for t in samples)
    assert total_of(client.get("/tenders?status=open")) == open_today


@pytest.mark.parametrize(
    "query",
    [
        "country=GB",
        "country=XYZ",
        "country=<script>alert(1)</script>",
        "chapter=9",
        "chapter=77",
        "chapter=0901",
        "chapter=coffee",
        "status=pending",
        "status=<b>open</b>",
        "deadline_from=2020-02-30",
        "deadline_to=31/12/2020",
        "deadline_from=2021-01-01&deadline_to=2020-01-01",
        "language=de",
        "page=0",
        "page=two",
        "page=99999999999999999999",
        "date=1800-01-01",
        "q=" + "x" * 201,
    ],
)
def test_a_bad_filter_gets_a_clear_400_page_without_echoing_it(client, query):
    response = client.get(f"/tenders?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "That tender search cannot be run." in page
    assert "<script>alert" not in page and "<b>open" not in page


def test_search_text_is_shown_escaped(client):
    response = client.get("/tenders?q=%3Cb%3Ehydro")
    assert response.status_code == 200
    assert "<b>hydro" not in response.get_data(as_text=True)
    assert "&lt;b&gt;hydro" in response.get_data(as_text=True)


def test_pages_link_to_each_other_keeping_the_filters(client):
    first = client.get("/tenders?language=en").get_data(as_text=True)
    assert 'href="/tenders?language=en&amp;page=2"' in first
    last = client.get("/tenders?language=en&page=3")
    assert "Tenders 41–54 of 54" in text_of(last)
    beyond = client.get("/tenders?language=en&page=9")
    assert beyond.status_code == 200 and "past the last page (3)" in text_of(beyond)


def tender_id(title_start: str) -> int:
    return db.session.scalar(select(Tender.id).where(Tender.title.startswith(title_start)))


def test_a_tender_page_shows_buyer_value_deadline_links_and_source(client, app):
    with app.app_context():
        devon = tender_id("CP1093-14 Connecting Devon")
    response = client.get(f"/tenders/{devon}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Buyer Devon County Council" in text
    assert "£600,000.00" in text
    assert "Deadline 31 January 2015" in text
    assert "closed on" in text
    assert "linked to HS 8517 via CPV 32" in text
    assert "CPV 64000000 — no HS link: CPV works or services only, no HS equivalent" in text
    page = response.get_data(as_text=True)
    assert 'href="https://www.contractsfinder.service.gov.uk/Published/Notice/releases/' in page
    assert "https://github.com/open-contracting/sample-data/blob/546c06a8" in page
    assert "Sample data from public OCDS releases" in text and "not current tenders" in text


def test_a_french_tender_is_marked_french(client, app):
    with app.app_context():
        montreal = tender_id("Achat de télévision")
    response = client.get(f"/tenders/{montreal}")
    page = response.get_data(as_text=True)
    assert '<article class="tender" lang="fr">' in page
    text = text_of(response)
    assert "CA$10,786.27" in text and "value awarded" in text
    assert "Language French" in text
    assert "The release classifies none of its items" in text


def test_an_unknown_tender_is_a_404_and_a_bad_date_a_400(client, app):
    assert client.get("/tenders/999999").status_code == 404
    assert client.get("/tenders/abc").status_code == 404
    with app.app_context():
        devon = tender_id("CP1093-14 Connecting Devon")
    assert client.get(f"/tenders/{devon}?date=2015-02-31").status_code == 400
    on_deadline = client.get(f"/tenders/{devon}?date=2015-01-31")
    assert "closed on 31 January 2015" in text_of(on_deadline)  # unsuccessful: never open


def test_the_about_page_gives_sources_licences_and_the_whole_cpv_table(client, app):
    response = client.get("/tenders/about")
    assert response.status_code == 200
    text = text_of(response)
    assert "Ville de Montréal Canada 20" in text
    assert "Buyandsell.gc.ca - Achatsetventes.gc.ca Canada 11" in text
    assert "CC BY 3.0 AU" in text and "not current tenders" in text
    assert "It is approximate" in text
    page = response.get_data(as_text=True)
    with (Path(app.config["DATA_DIR"]) / "tenders" / "cpv_hs_map.csv").open() as handle:
        prefixes = {line.split(",")[0] for line in list(handle)[1:]}
    assert page.count('<td class="code">') == len(prefixes) == 72
    assert 'href="/hs/09"' in page
    assert "none (works or services)" in text


# --- in French -------------------------------------------------------------------------


def test_the_tender_list_in_french(client):
    response = client.get("/tenders?date=2015-01-01&lang=fr")
    assert response.status_code == 200
    text = text_of(response)
    assert "Appels d'offres et opportunités" in text
    assert "publiés au plus tard le 1 janvier 2015" in text or "le 1er janvier 2015" in text
    assert "il ne s'agit pas d'appels d'offres en cours" in text
    assert "Royaume-Uni" in text and "Ouganda" in text  # French country names
    assert "Tous les pays" in text and "Afficher les appels d'offres" in text
    assert "Tenders and opportunities" not in text


def test_a_tender_page_in_french_keeps_the_tender_in_its_language(client, app):
    with app.app_context():
        devon = tender_id("CP1093-14 Connecting Devon")
        montreal = tender_id("Achat de télévision")
    response = client.get(f"/tenders/{devon}?lang=fr")
    page, text = response.get_data(as_text=True), text_of(response)
    assert '<article class="tender" lang="en">' in page  # an English tender on a French page
    assert "Acheteur Devon County Council" in text
    assert "600 000,00 £GB" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Date limite 31 janvier 2015" in text
    assert "rattaché au SH 8517 par le CPV 32" in text
    assert "aucun rattachement au SH : travaux ou services CPV uniquement" in text
    french = client.get(f"/tenders/{montreal}?lang=fr").get_data(as_text=True)
    assert '<article class="tender">' in french  # French tender, French page: no marking
    assert "valeur attribuée" in french and "Français" in french


def test_a_bad_filter_is_explained_in_french(client):
    response = client.get("/tenders?chapter=99&lang=fr")
    assert response.status_code == 400
    text = text_of(response)
    assert "Cette recherche d'appels d'offres ne peut pas être effectuée." in text
    assert "Il n'existe pas de chapitre 99 dans le SH." in text


def test_a_bad_filter_stays_english_in_english(client):
    text = text_of(client.get("/tenders?chapter=99&page=0"))
    assert "HS chapter: There is no HS chapter 99." in text
    assert "Page: Give a page from 1 to 10,000." in text


def test_numbers_in_filter_errors_follow_the_language(client):
    text = text_of(client.get("/tenders?page=0&lang=fr")).replace("\u202f", " ")
    assert "Page : Indiquez une page de 1 à 10 000." in text.replace("\xa0", " ")


def test_the_licence_notes_are_said_in_french(client, app):
    about = text_of(client.get("/tenders/about?lang=fr"))
    assert "Licence inconnue : elle n'est indiquée ni dans le fichier" in about.replace("\xa0", " ")
    assert "Licence unknown" not in about
    with app.app_context():
        devon = tender_id("CP1093-14 Connecting Devon")
    page = client.get(f"/tenders/{devon}?lang=fr").get_data(as_text=True)
    assert "l&#39;Open Government Licence v3.0. Données d&#39;exemple" in page
    english = text_of(client.get(f"/tenders/{devon}?lang=en"))
    assert "normally published under the Open Government Licence v3.0" in english
