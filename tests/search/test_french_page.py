"""The search page in French (asked by the browser): labels, counts, code errors, titles."""

from tests.search.conftest import text_of

FRENCH = {"Accept-Language": "fr"}


def test_results_read_in_french(shared_client):
    response = shared_client.get("/search", query_string={"q": "café"}, headers=FRENCH)
    assert response.status_code == 200
    text = text_of(response)
    assert "Résultats pour « café »" in text
    assert "Type Codes SH" in text and "Chapitre SH" in text
    assert "résultats." in text
    assert "Results for" not in text
    # A French title leads, the English one follows, tagged.
    page = response.get_data(as_text=True)
    assert '<p class="desc-fr" lang="en">' in page


def test_a_malformed_code_is_explained_in_french(shared_client):
    response = shared_client.get("/search", query_string={"q": "123"}, headers=FRENCH)
    assert response.status_code == 400
    text = text_of(response)
    assert "celui-ci en compte 3" in text
    assert "Vouliez-vous dire 0123 ?" in text


def test_a_bad_filter_is_a_french_400(shared_client):
    response = shared_client.get(
        "/search", query_string={"q": "coffee", "type": "nonsense"}, headers=FRENCH
    )
    assert response.status_code == 400
    assert "Filtre de type inconnu ; retirez-le et relancez la recherche." in text_of(response)


def test_the_empty_search_page_and_its_dates_are_french(shared_client):
    response = shared_client.get(
        "/search", query_string={"q": "zzqqxxnothing", "date": "2026-12-02"}, headers=FRENCH
    )
    assert "Rien de ce qui est en vigueur le 2 décembre 2026 ne correspond" in text_of(response)
