"""Country pages in French: names, regions, numbers and dates."""

import re

from tests.countries.helpers import text_of


def normal_spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_the_list_is_in_french_and_sorted_by_french_name(client):
    response = client.get("/countries?lang=fr")
    text = text_of(response)
    assert "Pays et territoires" in text
    assert "249 pays affichés sur 249" in text
    assert "Afrique (60)" in text and "Afrique subsaharienne" in text
    # French names first, in French order: "Égypte" among the E's, before "Équateur"…
    assert text.index("Égypte") < text.index("Espagne") < text.index("Zimbabwe")
    one = text_of(client.get("/countries?q=gbr&region=Europe&lang=fr"))
    assert "1 pays affiché sur 249" in one and "Royaume-Uni" in one


def test_the_mauritius_page_is_in_french(client):
    response = client.get("/countries/MUS?lang=fr")
    page = response.get_data(as_text=True)
    text = normal_spaces(text_of(response))
    assert '<span class="code big">MUS</span> Maurice</h1>' in page
    assert 'lang="en"><span class="lang-tag" aria-hidden="true">EN</span> Mauritius' in page
    assert "Petit État insulaire en développement." in text
    assert "Accès au marché de l'UE" in text
    # (tradeportal.i18n.percent decides the space before % in French)
    assert re.search(r"9 666 en franchise de droits \(98,7 ?%\)", text)
    past = text_of(client.get("/countries/MUS?date=2019-06-01&lang=fr"))
    assert "Affiché à la date du 1 juin 2019" in past
    assert "Accords commerciaux en vigueur le 1 juin 2019" in past
    assert "EU market access" not in text
    # The French profile comes first on a French page.
    assert page.index('id="profile-economy-fr"') < page.index('id="profile-economy-en"')


def test_errors_are_in_french(client):
    response = client.get("/countries/XXX?lang=fr")
    assert response.status_code == 404
    assert "Aucun pays ne porte ce code ISO dans ce portail." in text_of(response)
