"""The /search page on the real corpus: ranking, codes, facets, pages, dates, bad input."""

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.search.conftest import add_regulation, text_of
from tradeportal.db import db
from tradeportal.hs.models import HsNode, Nomenclature, NomenclatureKind
from tradeportal.search.extension import search_store
from tradeportal.search.results import SearchParams, run_search


def hit_targets(response) -> list[str]:
    """The pages the result links lead to, in order (through /search/go or direct)."""
    targets = []
    for href in re.findall(r'<p class="hit-title"><a href="([^"]+)"', response.text):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        targets.append(parse_qs(parts.query)["to"][0] if parts.path == "/search/go" else href)
    return targets


def test_words_rank_the_right_hs_code_first(shared_client):
    response = shared_client.get("/search", query_string={"q": "roasted coffee"})
    assert response.status_code == 200
    assert hit_targets(response)[0] == "/hs/090121"
    # The matched words are marked, and everything else is escaped text.
    assert "<mark>Coffee</mark>; <mark>roasted</mark>" in response.text


def test_a_french_query_finds_the_french_fields(shared_client):
    response = shared_client.get("/search", query_string={"q": "café torréfié"})
    assert "/hs/0901" in hit_targets(response)[:3]
    assert "<mark>torréfié</mark>" in response.text


def test_a_typo_gets_did_you_mean_and_close_spellings(shared_client):
    response = shared_client.get("/search", query_string={"q": "cofee"})
    text = text_of(response)
    assert re.search(r"Did you mean coffee ?\?", text)
    assert any(target.startswith("/hs/0901") for target in hit_targets(response)[:3])


def test_other_content_is_found_next_to_codes(shared_client):
    response = shared_client.get("/search", query_string={"q": "veterinary permit"})
    targets = hit_targets(response)
    assert targets[0].startswith("/regulations/")
    assert "Illustrative" in text_of(response)  # demo regulations say so


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("0901.21", "/hs/090121"),
        ("HS 6109", "/hs/6109"),
        ("8471.30.00", "/hs/847130"),  # a padded national form of a subheading
        ("0305.10", "/hs/030910"),  # an HS 2017 code that moved in HS 2022
    ],
)
def test_a_code_goes_to_its_node(shared_client, query, target):
    response = shared_client.get("/search", query_string={"q": query})
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_a_code_keeps_the_date_asked_for(shared_client):
    response = shared_client.get("/search", query_string={"q": "0901.21", "date": "2019-05-01"})
    assert response.headers["Location"] == "/hs/090121?date=2019-05-01"


def test_a_national_line_goes_to_its_node(indexed_app):
    with indexed_app.app_context():
        session = db.session
        hs2022 = session.query(Nomenclature).filter_by(code="HS2022").one()
        parent = session.query(HsNode).filter_by(nomenclature_id=hs2022.id, code="090121").one()
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
        session.add(
            HsNode(
                nomenclature_id=national.id,
                code="09012110",
                level=8,
                parent_id=parent.id,
                description_en="In beans, for the hotel trade",
                valid_from=date(2022, 1, 1),
            )
        )
        session.commit()
    client = indexed_app.test_client()
    response = client.get("/search", query_string={"q": "0901.21.10"})
    assert response.headers["Location"] == "/hs/09012110"
    # The line was indexed by the queue, with its ancestors as context.
    found = client.get("/search", query_string={"q": "hotel trade coffee"})
    assert hit_targets(found)[0] == "/hs/09012110"
    assert "National tariff line" in text_of(found)


def test_a_split_code_lists_its_successors(shared_client):
    response = shared_client.get("/search", query_string={"q": "0802.90"})
    assert response.status_code == 200
    text = text_of(response)
    assert "0802.90 was split in the Harmonized System 2022" in text
    assert all(code in text for code in ("0802.91", "0802.92", "0802.99"))


def test_a_malformed_code_says_why_and_lists_codes_starting_so(shared_client):
    response = shared_client.get("/search", query_string={"q": "090"})
    assert response.status_code == 400
    assert "this one has 3" in text_of(response)
    assert hit_targets(response)[0] == "/hs/0901"


def test_a_missing_code_names_the_nearest(shared_client):
    response = shared_client.get("/search", query_string={"q": "0901.99"})
    assert response.status_code == 200
    text = text_of(response)
    assert "There is no code 0901.99" in text
    assert "0901 Coffee" in text


def test_facets_count_and_filter(shared_client):
    response = shared_client.get("/search", query_string={"q": "coffee"})
    text = text_of(response)
    counts = re.search(r"Type HS codes (\d+) Regulations (\d+)", text)
    assert counts, text[:500]
    link = re.search(r'href="(/search\?[^"]*type=regulation[^"]*)"', response.text).group(1)
    filtered = shared_client.get(link.replace("&amp;", "&"))
    targets = hit_targets(filtered)
    assert len(targets) == int(counts.group(2))
    assert all(target.startswith("/regulations/") for target in targets)
    # Content linked to a chapter is in that chapter too.
    chapter = shared_client.get("/search", query_string={"q": "coffee", "chapter": "21"})
    codes = [target for target in hit_targets(chapter) if target.startswith("/hs/")]
    assert codes and all(target.startswith("/hs/21") for target in codes)


@pytest.mark.parametrize(
    "bad",
    [{"type": "nonsense"}, {"chapter": "9"}, {"country": "mus"}, {"language": "de"}],
)
def test_unknown_filters_are_refused_clearly(shared_client, bad):
    response = shared_client.get("/search", query_string={"q": "coffee", **bad})
    assert response.status_code == 400
    assert "filter" in text_of(response)


def test_pages_are_bounded(shared_client):
    first = shared_client.get("/search", query_string={"q": "coffee"})
    second = shared_client.get("/search", query_string={"q": "coffee", "page": "2"})
    assert second.status_code == 200
    assert set(hit_targets(first)).isdisjoint(hit_targets(second))
    beyond = shared_client.get("/search", query_string={"q": "coffee", "page": "40"})
    assert beyond.status_code == 302
    last = int(parse_qs(urlsplit(beyond.headers["Location"]).query)["page"][0])
    assert 1 < last < 40
    assert shared_client.get(beyond.headers["Location"]).status_code == 200
    for page in ("0", "-1", "abc", "51", "9" * 30):
        response = shared_client.get("/search", query_string={"q": "coffee", "page": page})
        assert response.status_code == 400, page


def test_the_as_of_date_filters_by_validity(indexed_app):
    with indexed_app.app_context():
        add_regulation(
            db.session,
            "zanzibar-clove-2020",
            "Temporary zanzibarite clove permit",
            valid_from=date(2020, 1, 1),
            valid_to=date(2020, 12, 31),
        )
    client = indexed_app.test_client()
    in_2020 = client.get("/search", query_string={"q": "zanzibarite", "date": "2020-06-01"})
    assert hit_targets(in_2020) == ["/regulations/zanzibar-clove-2020?date=2020-06-01"]
    today = client.get("/search", query_string={"q": "zanzibarite"})
    assert hit_targets(today) == []
    assert "Nothing matches" in text_of(today)
    bad = client.get("/search", query_string={"q": "coffee", "date": "2020-02-30"})
    assert bad.status_code == 400


def test_the_edition_in_force_on_the_date_is_searched(shared_client):
    response = shared_client.get("/search", query_string={"q": "coffee", "date": "2019-05-01"})
    assert "HS 2017" in text_of(response)
    assert "/hs/0901?version=HS2017&date=2019-05-01" in hit_targets(response)


@pytest.mark.parametrize(
    "raw",
    [
        "coffee " * 100,
        '"',
        '"roasted coffee',
        "(",
        "*",
        "coffee*",
        "AND OR NOT",
        "\x00",
        "cof\x00fee",
        "   ",
        "😀☕",
        "<script>alert(1)</script>",
        "title_en:coffee^99",
        "0901.21.00.00.00.00",
        "%s%s%n",
        "\\",
        "'; DROP TABLE search_query_log; --",
        "é" * 500,
    ],
)
def test_hostile_input_gets_a_clear_page(shared_client, raw):
    response = shared_client.get("/search", query_string={"q": raw})
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert "<h1>" in response.text
        assert "<script>alert" not in response.text


def test_user_text_is_escaped_everywhere(shared_client):
    response = shared_client.get("/search", query_string={"q": '<b>"coffee"</b>'})
    assert response.status_code == 200
    assert "<b>" not in response.text
    assert "&lt;b&gt;" in response.text


def test_a_title_with_markup_is_escaped_in_results(indexed_app):
    with indexed_app.app_context():
        add_regulation(
            db.session,
            "markup-test",
            "Quokkanite <script>alert(1)</script> permit",
            valid_from=date(2020, 1, 1),
        )
    response = indexed_app.test_client().get("/search", query_string={"q": "quokkanite"})
    assert "<mark>Quokkanite</mark> &lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>" not in response.text


def test_an_empty_search_gets_a_clear_page(shared_client):
    response = shared_client.get("/search?q=")
    assert response.status_code == 200
    assert "Type an HS code or words" in text_of(response)


def test_without_an_index_the_page_falls_back_to_the_description_scan(client):
    response = client.get("/search", query_string={"q": "roasted coffee"})
    assert response.status_code == 200
    assert "index is not available yet" in text_of(response)
    assert 'href="/hs/090121"' in response.text


def test_totals_are_exact_with_or_without_facets(shared_client):
    # Whoosh's top-N collector prunes and then undercounts; the count must not depend
    # on whether facets were asked for, and pruning must not change the top hits.
    with shared_client.application.app_context():
        store = search_store()
        with_facets = run_search(store, SearchParams(text="cotton", day=date.today()))
        plain = run_search(store, SearchParams(text="cotton", day=date.today(), facets=False))
    assert with_facets.total == plain.total > 100
    assert [hit.key for hit in with_facets.hits] == [hit.key for hit in plain.hits]


def test_filters_that_let_nothing_through_find_nothing(shared_client):
    # Whoosh reads an empty filter as "no filter": this once listed every coffee hit.
    response = shared_client.get("/search?q=coffee&type=tender&date=1990-01-01")
    assert response.status_code == 200
    assert hit_targets(response) == []
    assert hit_targets(shared_client.get("/search?q=coffee&type=regulation"))
