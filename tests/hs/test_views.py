"""Nomenclature pages as a visitor sees them: existing, missing, malformed and HS 2017 codes."""

import csv
import html
import re
from datetime import date

import pytest

from tradeportal.hs.catalog import get_catalog


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    body = re.sub(
        r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def long_day(client, value: str) -> str:
    """A day as the English pages write it for people (the ``|day`` filter)."""
    from datetime import date

    from tradeportal.i18n import day

    with client.application.test_request_context("/?lang=en"):
        return day(date.fromisoformat(value))


def test_home_offers_search_and_the_21_sections(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="q"' in page
    assert len(re.findall(r'href="/hs#section-[IVX]+"', page)) == 21
    text = text_of(response)
    assert "Chapters 01–05" in text
    assert "Chapter 15 " in text  # section III holds one chapter


def test_browse_lists_every_chapter_with_counts(client, app):
    response = client.get("/hs")
    assert response.status_code == 200
    page = text_of(response)
    assert "21 sections, 96 chapters, 1,228 headings and 5,612 subheadings" in page
    assert len(re.findall(r'href="/hs/\d\d"', response.get_data(as_text=True))) == 96
    # Counted from the source file, independently of the loader.
    with open(app.config["DATA_DIR"] + "/hs/hs2022.csv", encoding="utf-8") as source:
        codes = [row["hscode"] for row in csv.DictReader(source)]
    headings = sum(1 for code in codes if len(code) == 4 and code.startswith("09"))
    subheadings = sum(1 for code in codes if len(code) == 6 and code.startswith("09"))
    assert (
        f"09 Coffee, tea, mate and spices Café, thé, maté et épices {headings} headings, "
        f"{subheadings} subheadings" in page
    )


def test_a_subheading_page_shows_both_languages_ancestors_and_correspondence(client):
    response = client.get("/hs/090121")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(response)
    assert "Coffee; roasted, not decaffeinated" in text
    assert 'lang="fr"' in page and "torréfié" in text
    # Breadcrumb and ancestors link up the tree.
    assert 'href="/hs/09"' in page and 'href="/hs/0901"' in page
    # The same code existed in HS 2017, with the same scope.
    assert re.search(r"previous edition.*0901\.21 HS2017", text)


def test_a_heading_lists_its_subheadings(client, app):
    response = client.get("/hs/0901")
    assert response.status_code == 200
    with app.app_context():
        expected = [
            node.code
            for node in get_catalog().edition_on(date.today()).children("0901", date.today())
        ]
    page = response.get_data(as_text=True)
    for code in expected:
        assert f'href="/hs/{code}"' in page
    assert "5 subheadings under 0901" in text_of(response)


@pytest.mark.parametrize("typed", ["0901.21", "0901 21", "HS 0901.21", "hs090121"])
def test_other_spellings_redirect_permanently_to_the_canonical_address(client, typed):
    response = client.get(f"/hs/{typed}")
    assert response.status_code == 301
    assert response.headers["Location"] == "/hs/090121"


def test_a_zero_padded_national_code_points_to_its_subheading(client):
    response = client.get("/hs/0901210000")
    assert response.status_code == 302
    assert response.headers["Location"] == "/hs/090121"


def test_a_missing_code_names_its_nearest_existing_ancestor(client):
    response = client.get("/hs/090199")
    assert response.status_code == 404
    text = text_of(response)
    assert "There is no code 0901.99" in text
    assert "0901 Coffee, whether or not roasted" in text
    assert 'href="/hs/0901"' in response.get_data(as_text=True)


def test_a_missing_chapter_says_so(client):
    response = client.get("/hs/77")
    assert response.status_code == 404
    assert "Browse all chapters" in text_of(response)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("abc", "letters are not allowed"),
        ("090", "this one has 3"),
        ("09012110000", "at most 10 digits"),
        ("<script>alert(1)<", "letters are not allowed"),
        ("0901_21", "only digits"),
    ],
)
def test_a_malformed_code_gets_a_400_that_explains_and_never_echoes_markup(client, raw, says):
    response = client.get(f"/hs/{raw}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert says in page
    assert "<script>alert" not in page
    assert "0901.21" in page  # examples of what works


def test_a_lost_leading_zero_is_suggested(client):
    response = client.get("/hs/90121")
    assert response.status_code == 400
    assert "Did you mean 0901.21?" in text_of(response)


def test_a_renumbered_hs2017_code_redirects_to_its_successor(client):
    # 0305.10 (fish flours fit for human consumption) became 0309.10 in HS 2022.
    response = client.get("/hs/030510")
    assert response.status_code == 301
    assert response.headers["Location"] == "/hs/030910"
    successor = client.get("/hs/030910")
    assert re.search(r"previous edition.*0305\.10 HS2017", text_of(successor))


def test_a_split_hs2017_code_lists_its_successors(client):
    # 0802.90 (other nuts) was split into 0802.91, 0802.92 and 0802.99.
    response = client.get("/hs/080290")
    assert response.status_code == 200
    text = text_of(response)
    assert "0802.90 was split" in text
    page = response.get_data(as_text=True)
    for code in ("080291", "080292", "080299"):
        assert f'href="/hs/{code}"' in page


def test_an_hs2017_code_without_a_published_successor_is_a_404_with_the_nearest(client):
    # The UNSD table has no row for 3002.19.
    response = client.get("/hs/300219")
    assert response.status_code == 404
    text = text_of(response)
    assert "existed in the HS2017" in text
    assert 'href="/hs/3002"' in response.get_data(as_text=True)


def test_a_past_date_shows_the_hs2017_edition(client):
    response = client.get("/hs/080290?date=2020-06-30")
    assert response.status_code == 200
    text = text_of(response)
    assert "Harmonized System 2017 · Subheading" in text
    assert f"Shown as of {long_day(client, '2020-06-30')}" in text
    # From the old code, the page points forward to its three successors.
    assert re.search(r"next edition.*0802\.91.*0802\.92.*0802\.99", text)


def test_the_chosen_date_is_carried_down_the_tree(client):
    page = client.get("/hs/0802?date=2020-06-30").get_data(as_text=True)
    assert 'href="/hs/080290?date=2020-06-30"' in page


@pytest.mark.parametrize(
    "query",
    ["date=2020-02-30", "date=yesterday", "date=1800-01-01", "version=HS1988", "date=" + "9" * 500],
)
def test_a_bad_date_or_version_is_a_400(client, query):
    response = client.get(f"/hs/0901?{query}")
    assert response.status_code == 400
    assert "9" * 50 not in response.get_data(as_text=True)


def test_an_edition_asked_by_name_is_shown_inside_its_validity(client):
    response = client.get("/hs/080290?version=HS2017")
    assert response.status_code == 200
    assert f"Shown as of {long_day(client, '2021-12-31')}" in text_of(response)


def test_search_box_jumps_to_a_code(client):
    response = client.get("/search?q=0901.21")
    assert response.status_code == 302
    assert response.headers["Location"] == "/hs/090121"


def test_search_box_refuses_a_malformed_code(client):
    response = client.get("/search?q=090")
    assert response.status_code == 400
    assert "this one has 3" in text_of(response)


@pytest.mark.parametrize("words", ["roasted coffee", "café torréfié", "CAFE TORREFIE"])
def test_search_box_finds_codes_by_words_in_either_language(client, words):
    response = client.get("/search", query_string={"q": words})
    assert response.status_code == 200
    assert 'href="/hs/090121"' in response.get_data(as_text=True)


def test_an_oversized_query_is_cut_and_the_page_says_so(client, app):
    limit = app.config["MAX_QUERY_LENGTH"]
    response = client.get("/search", query_string={"q": "coffee " * 100})
    assert response.status_code == 200
    assert f"cut to its first {limit} characters" in text_of(response)


def test_data_sources_page_shows_the_load(client):
    response = client.get("/about/data")
    assert response.status_code == 200
    assert re.search(r"hs \d{4}-\d\d-\d\d \d\d:\d\d", text_of(response))
