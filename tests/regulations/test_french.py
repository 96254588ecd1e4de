"""Regulation, procedure and agency pages in French."""

import json

from tests.conftest import run_cli
from tests.regulations.conftest import regulation_record
from tests.regulations.test_views import section_text, text_of


def test_the_list_is_in_french_with_french_dates_and_labels(client):
    response = client.get("/regulations?date=2026-06-01&lang=fr")
    assert response.status_code == 200
    text = text_of(response)
    assert "Règles d'importation et d'exportation" in text
    assert "règles de MUS en vigueur le 1 juin 2026." in text
    assert "Mesure sanitaire et phytosanitaire" in text and "Exemple" in text
    assert "Conditions phytosanitaires" in text or "café" in text  # French titles
    assert "Phytosanitary import conditions for coffee beans" not in text
    assert "Import and export rules" not in text


def test_a_regulation_page_in_french(client):
    text = text_of(client.get("/regulations/alcohol-health-warning?date=2026-06-01&lang=fr"))
    assert "Avertissement sanitaire sur l'étiquette des boissons alcoolisées" in text
    assert "Pas en vigueur le 1 juin 2026 : entre en vigueur le 1 janvier 2027." in text
    assert "En vigueur depuis le 1 janvier 2027, sans date de fin." in text
    # The English title stays available, marked as English, under the French one.
    page = client.get("/regulations/alcohol-health-warning?lang=fr").get_data(as_text=True)
    assert 'lang="en"><span class="lang-tag" aria-hidden="true">EN</span> Health warning' in page
    partners = text_of(client.get("/regulations/eu-health-certificate-fishery?lang=fr"))
    assert "Uniquement pour les exportations à destination des pays suivants : Autriche" in partners


def test_an_english_only_title_is_labelled_on_french_pages(app, client, tmp_path):
    record = regulation_record("english-only", ["0901"], agency="nppo", title_en="Only English")
    path = tmp_path / "regulations.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    run_cli(app, "content", "import", str(path))
    page = client.get("/regulations/english-only?lang=fr").get_data(as_text=True)
    assert (
        '<span lang="en">Only English</span> <span class="lang-label">(en anglais seulement)'
        in page
    )
    assert "(in English only)" not in client.get("/regulations/english-only").get_data(as_text=True)


def test_the_product_section_and_errors_are_in_french(client):
    rules = section_text(
        client.get("/hs/090121?market=GBR&origin=MUS&date=2026-06-01&lang=fr"), "regulations"
    )
    assert rules.startswith("Règles applicables au commerce de ce produit Règles de Maurice")
    assert "Exportation — exportations à destination de : Royaume-Uni" in rules
    assert "Délai de traitement" in rules
    response = client.get("/regulations?chapter=98&lang=fr")
    assert response.status_code == 400
    assert "Un chapitre s'écrit avec deux chiffres" in text_of(response)
    procedure = text_of(client.get("/procedures/export-fish-to-eu?lang=fr"))
    assert "Étape 1" in procedure and "5 étapes" in procedure
