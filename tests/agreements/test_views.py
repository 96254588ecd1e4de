"""Agreement and scheme pages: lists, filters, pagination, details and bad input."""

import pytest
from sqlalchemy import select

from tests.countries.helpers import text_of
from tradeportal.agreements.models import TradeAgreement
from tradeportal.db import db


def agreement_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalars(
            select(TradeAgreement.id).where(TradeAgreement.name == name)
        ).one()


def test_the_list_counts_and_pages(client):
    response = client.get("/agreements")
    assert response.status_code == 200
    text = text_of(response)
    assert "602 agreements" in text and "Page 1 of 13" in text
    assert 'href="/agreements?page=2"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("status=In+Force", "364 agreements"),
        ("type=CU", "29 agreements"),
        ("status=Inactive&type=CU", "agreements match"),
    ],
)
def test_filters_by_status_and_type(client, query, says):
    response = client.get(f"/agreements?{query}")
    assert response.status_code == 200
    assert says in text_of(response)


def test_the_country_filter_counts_groups_and_keeps_filters_on_page_links(client):
    mauritius = text_of(client.get("/agreements?country=mus"))
    assert "China - Mauritius" in mauritius and "First Convention of Lomé" in mauritius
    france = client.get("/agreements?country=FRA&status=In+Force")
    assert "EU - Eastern and Southern Africa States" in text_of(france)  # via the EU
    page = france.get_data(as_text=True)
    assert "page=2" in page and "country=FRA" in page and "status=In+Force" in page


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("country=XXX", 400),
        ("country=<script>alert(1)</script>", 400),
        ("status=Maybe", 400),
        ("type=<b>", 400),
        ("page=abc", 400),
        ("page=0", 400),
        ("page=99999999999", 400),
        ("page=14", 404),
    ],
)
def test_bad_filters_are_refused_without_echo(client, query, status):
    response = client.get(f"/agreements?{query}")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "<b>" not in page


def test_an_agreement_page_shows_dates_and_parties(client, app):
    response = client.get(
        f"/agreements/{agreement_id(app, 'EU - Eastern and Southern Africa States')}"
    )
    assert response.status_code == 200
    page, text = response.get_data(as_text=True), text_of(response)
    assert 'href="/countries/MUS"' in page
    assert "group EU" in text
    assert "Goods: 14 May 2012" in text
    assert "In force today" in text


def test_an_inactive_agreement_shows_its_last_day(client, app):
    with app.app_context():
        lome = db.session.scalars(
            select(TradeAgreement.id).where(TradeAgreement.name == "First Convention of Lomé")
        ).one()
    text = text_of(client.get(f"/agreements/{lome}"))
    assert "Inactive since 1 January 1981" in text
    assert "last day in force 31 December 1980" in text
    assert "Not in force today" in text


@pytest.mark.parametrize("raw", ["999999", "99999999999999999999999", "abc", "-1"])
def test_unknown_agreements_are_404(client, raw):
    assert client.get(f"/agreements/{raw}").status_code == 404


def test_the_scheme_list_and_a_scheme_with_its_rules(client):
    schemes = client.get("/origin/schemes")
    assert schemes.status_code == 200
    assert schemes.get_data(as_text=True).count('href="/origin/schemes/') == 44
    response = client.get("/origin/schemes/esa")
    assert response.status_code == 200
    text = text_of(response)
    assert "ESA-UK Economic Partnership Agreement (EPA)" in text
    assert "Mauritius" in text and "Seychelles" in text and "Zimbabwe" in text
    assert "726 rule sets" in text and "Page 1 of 15" in text
    assert "All the animals of chapter 1 used must be wholly obtained." in text
    assert "](/chapters" not in response.get_data(as_text=True)
    last = client.get("/origin/schemes/esa?page=15")
    assert last.status_code == 200 and "Previous" in text_of(last)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/origin/schemes/nope", 404),
        ("/origin/schemes/ESA", 400),
        ("/origin/schemes/%3Cb%3E", 400),
        ("/origin/schemes/esa?page=16", 404),
        ("/origin/schemes/esa?page=x", 400),
    ],
)
def test_bad_scheme_addresses(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert "<b>" not in response.get_data(as_text=True)


def test_a_scheme_without_loaded_rules_says_so(client):
    text = text_of(client.get("/origin/schemes/japan"))
    assert "does not hold this scheme's product-specific rules" in text


# --- in French -------------------------------------------------------------------------


def test_an_agreement_page_in_french(client, app):
    response = client.get(
        f"/agreements/{agreement_id(app, 'EU - Eastern and Southern Africa States')}?lang=fr"
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Marchandises : 14 mai 2012." in text
    assert "En vigueur aujourd'hui" in text and "Statut à l'OMC : En vigueur" in text
    assert "Parties" in text and "groupe EU" in text
    assert "Maurice" in text  # the country's French name
    assert "Entry into force" not in text


def test_the_agreement_list_in_french_keeps_the_wto_values(client):
    response = client.get("/agreements?status=In+Force&lang=fr")
    text, page = text_of(response), response.get_data(as_text=True)
    assert "364 accords correspondent" in text and "Page 1 sur 8" in text
    assert '<option value="In Force" selected>En vigueur</option>' in page
    assert "Accords commerciaux régionaux" in text


def test_a_scheme_in_french(client):
    text = text_of(client.get("/origin/schemes/esa?lang=fr"))
    assert "726 ensembles de règles" in text and "Règles spécifiques par produit" in text
    assert "Régimes préférentiels du Royaume-Uni" in text


def test_a_bad_filter_is_explained_in_french(client):
    response = client.get("/agreements?country=XXX&lang=fr")
    assert response.status_code == 400
    assert "Le pays doit être un code ISO à trois lettres" in text_of(response)


def test_wto_types_regions_and_composition_in_french(client, app):
    esa = agreement_id(app, "EU - Eastern and Southern Africa States")
    response = client.get(f"/agreements/{esa}?lang=fr")
    page, text = response.get_data(as_text=True), text_of(response)
    assert '<abbr title="accord de libre-échange">ALE</abbr>' in page
    assert "Plurilatéral ; une partie est un ACR" in text
    assert "Région Afrique ; Europe" in text
    listing = client.get("/agreements?type=FTA+%26+EIA&lang=fr").get_data(as_text=True)
    assert '<option value="FTA &amp; EIA" selected>ALE &amp; AIE</option>' in listing


def test_wto_values_stay_as_the_wto_writes_them_in_english(client, app):
    esa = agreement_id(app, "EU - Eastern and Southern Africa States")
    text = text_of(client.get(f"/agreements/{esa}"))
    assert "Plurilateral; One Party is an RTA" in text and "Region Africa; Europe" in text
    listing = client.get("/agreements?type=FTA+%26+EIA").get_data(as_text=True)
    assert '<option value="FTA &amp; EIA" selected>FTA &amp; EIA</option>' in listing
