"""Country pages: the filtered list and one country's profile."""

import re

import pytest

from tests.countries.helpers import text_of


def test_the_list_shows_every_country_with_region_counts(client):
    response = client.get("/countries")
    assert response.status_code == 200
    text = text_of(response)
    assert "249 countries shown of 249" in text
    assert "Africa (60)" in text
    assert len(re.findall(r'href="/countries/[A-Z]{3}"', response.get_data(as_text=True))) >= 249


def test_the_list_filters_by_region_and_by_name_in_either_language(client):
    africa = text_of(client.get("/countries?region=Africa"))
    assert "60 countries shown" in africa
    assert "Mauritius" in africa and "France" not in africa
    maur = text_of(client.get("/countries?q=maur"))
    assert "Mauritius" in maur and "Mauritania" in maur
    assert "2 countries shown" in maur
    french = text_of(client.get("/countries?q=Allemagne"))
    assert "Germany" in french
    by_code = text_of(client.get("/countries?q=gbr&region=Europe"))
    assert "1 country shown" in by_code


def test_bad_filters_get_a_400_without_echoing_markup(client):
    response = client.get("/countries?region=<script>x</script>")
    assert response.status_code == 400
    assert "<script>x" not in response.get_data(as_text=True)
    assert client.get("/countries?q=" + "a" * 500).status_code == 400
    markup = client.get("/countries?q=<b>bold</b>")
    assert markup.status_code == 200
    assert "<b>bold</b>" not in markup.get_data(as_text=True)
    assert "No country matches" in text_of(markup)


def test_the_mauritius_page_shows_names_flags_profile_facts_and_agreements(client):
    response = client.get("/countries/MUS")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(response)
    assert "Mauritius" in text and "Maurice" in text
    assert "SIDS" in text and "Port Louis" in text and "(MUR)" in text
    assert page.count('<span class="badge demo">Illustrative</span>') == 5
    assert "EU market access" in text
    assert "9,666 duty-free (98.7%)" in text
    assert "Open Government Licence v3.0" in text
    assert "United Kingdom - Eastern and Southern Africa States" in text
    assert "China - Mauritius" in text
    assert 'href="/origin/schemes/esa"' in page


def test_official_data_carries_no_illustrative_label(client):
    page = client.get("/countries/GBR").get_data(as_text=True)
    assert "Illustrative" not in page
    assert "UK / EU Trade and Co-operation Agreement" not in page  # a scheme *of* the UK


def test_a_past_day_shows_what_was_in_force_then(client):
    text = text_of(client.get("/countries/MUS?date=2019-06-01"))
    assert "EU - Eastern and Southern Africa States" in text
    assert "United Kingdom - Eastern and Southern Africa States" not in text
    assert "Illustrative" not in text  # the demo profile starts in 2026
    assert "No UK preference scheme covers Mauritius" in text


def test_lower_case_redirects_to_upper_case(client):
    response = client.get("/countries/mus?date=2024-01-01")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/countries/MUS?date=2024-01-01")


@pytest.mark.parametrize(
    ("raw", "status"),
    [("XXX", 404), ("MU", 400), ("MUSS", 400), ("M1S", 400), ("<b>x", 400), ("%3Cb%3E", 400)],
)
def test_unknown_or_malformed_codes_get_a_clear_error(client, raw, status):
    response = client.get(f"/countries/{raw}")
    assert response.status_code == status
    assert "<b>" not in response.get_data(as_text=True)


def test_a_bad_date_is_a_400(client):
    assert client.get("/countries/MUS?date=2024-02-30").status_code == 400
