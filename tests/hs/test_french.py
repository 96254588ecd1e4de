"""The nomenclature pages in French: labels, descriptions, counts, errors and countries."""

import re

from tests.hs.test_views import text_of

FR = {"lang": "fr"}


def test_the_product_page_reads_in_french(client):
    response = client.get("/hs/090121", query_string=FR)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(response)
    assert '<html lang="fr">' in page
    assert "Système harmonisé 2022 · Sous-position · Section II" in text
    # The French description leads; the English one follows, tagged.
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "torréfié" in heading and "roasted" not in heading
    assert re.search(r'<p class="desc-fr lead" lang="en">.*Coffee; roasted', page)
    for label in (
        "Origine des marchandises",
        "Marché de destination",
        "Afficher ce qui s'applique",
        "Place dans la nomenclature",
        "Autres éditions du SH",
    ):
        assert label in text, label
    assert "Origin of the goods" not in text and "Where it sits" not in text
    # Country pickers use French names, in French alphabetical order.
    assert ">Allemagne</option>" in page and ">Germany</option>" not in page
    names = re.findall(r'<option value="[A-Z]{3}">([^<]+)</option>', page)
    assert names.index("Égypte") < names.index("Espagne") < names.index("Zimbabwe")


def test_counts_and_dates_on_the_index_are_french(client):
    text = text_of(client.get("/hs?date=2026-12-02&lang=fr"))
    assert re.search(r"21 sections, 96 chapitres, 1\s228 positions et 5\s612 sous-positions", text)
    assert "en vigueur le 2 décembre 2026" in text
    assert "Chapitre Désignation Contient" in text
    assert "Édition affichée : Système harmonisé 2022" in text


def test_children_are_counted_with_french_plurals(client):
    text = text_of(client.get("/hs/0901", query_string=FR))
    assert "5 sous-positions sous 0901" in text


def test_a_malformed_code_is_explained_in_french_and_in_english_elsewhere(client):
    response = client.get("/hs/123", query_string=FR)
    assert response.status_code == 400
    text = text_of(response)
    assert "Ce n'est pas un code SH valide" in text
    assert "Les codes SH comptent 2, 4, 6, 8 ou 10 chiffres ; celui-ci en compte 3." in text
    assert "Vouliez-vous dire 0123 ?" in text
    english = text_of(client.get("/hs/123?lang=en"))
    assert "HS codes have 2, 4, 6, 8 or 10 digits; this one has 3." in english


def test_a_missing_code_and_a_bad_date_say_so_in_french(client):
    response = client.get("/hs/090199", query_string=FR)
    assert response.status_code == 404
    assert "Le code 0901.99 n'existe pas dans le Système harmonisé 2022" in text_of(response)
    bad = client.get("/hs/090121?date=2021-13-01&lang=fr")
    assert bad.status_code == 400
    assert "Cette date n'existe pas. Les dates s'écrivent AAAA-MM-JJ" in text_of(bad)
    bad = client.get("/hs/090121?market=XXX&lang=fr")
    assert "Le marché doit être le code ISO à trois lettres d'un pays" in text_of(bad)


def test_a_description_missing_in_french_is_labelled(client, app):
    from sqlalchemy import update

    from tradeportal.db import db
    from tradeportal.hs import catalog
    from tradeportal.hs.models import HsNode

    with app.app_context():
        db.session.execute(
            update(HsNode).where(HsNode.code == "090121").values(description_fr=None)
        )
        db.session.commit()
    app.extensions.pop(catalog._EXTENSION_KEY, None)  # rebuild the snapshot
    page = client.get("/hs/0901", query_string=FR).get_data(as_text=True)
    assert re.search(
        r'<span class="desc-en" lang="en">Coffee; roasted, not decaffeinated</span> '
        r'<span class="lang-label">\(en anglais seulement\)</span>',
        page,
    )
