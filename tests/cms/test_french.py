"""The editor screens in French: labels, states, dates, validation and workflow messages."""

import re

from babel.dates import format_date

from tests.cms.conftest import form_of, post_step
from tests.cms.test_workflow import create_draft, item_id_of
from tradeportal.auth.models import Role
from tradeportal.validity import today


def in_french(client, path: str = "/manage/"):
    """Open a page with ?lang=fr: the browser then remembers French."""
    response = client.get(f"{path}?lang=fr")
    assert response.status_code == 200, response.text
    return response


def test_the_dashboard_speaks_french_and_english_stays_the_default(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    english = editor.get("/manage/")
    assert "Editor dashboard" in english.text and "Tableau de bord" not in english.text

    item_id = item_id_of(create_draft(editor))
    post_step(editor, item_id, "submit")
    page = in_french(editor).text
    assert '<html lang="fr">' in page
    assert "Tableau de bord de la rédaction" in page
    assert "Mes brouillons (1)" in page
    assert "En relecture" in page  # the state of the draft, translated
    assert "Réglementations" in page  # the content type, as editors name it
    assert "Editor dashboard" not in page and "In review" not in page


def test_the_edit_form_speaks_french_with_human_field_names(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    form = in_french(editor, "/manage/content/regulations/new").text
    assert "Nouvel enregistrement : Réglementations" in form
    assert re.search(r'<label for="field-title_en">Titre \(anglais\)', form)
    assert re.search(r'<label for="field-valid_from">En vigueur à partir du <span', form)
    assert "(obligatoire)" in form and "Enregistrer le brouillon" in form
    # Machine values stay as they are: the field names posted, the ISO date typed.
    assert 'name="valid_from"' in form and 'placeholder="AAAA-MM-JJ"' in form
    assert "Un code SH par ligne, par exemple 0901" in form
    assert "Save draft" not in form and ">title_en<" not in form


def test_a_validation_error_is_shown_in_french(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    in_french(editor, "/manage/content/regulations/new")
    refused = create_draft(editor, valid_from="2026-02-30", title_en="   ")
    assert refused.status_code == 422
    text = refused.text
    assert "Le brouillon n'a pas été enregistré" in text
    assert re.search(r'id="error-valid_from"[^>]*>2026-02-30 n&#39;est pas une date', text)
    assert re.search(r'id="error-title_en"[^>]*>Ce champ est obligatoire\.', text)
    # The summary names the field as editors read it, in French.
    assert re.search(r'<a href="#field-valid_from">En vigueur à partir du</a> : 2026-02-30', text)
    assert "is not a real date" not in text and "Missing data" not in text


def test_a_record_that_exists_is_refused_in_french(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    item_id_of(create_draft(editor))
    in_french(editor, "/manage/content/regulations/new")
    again = create_draft(editor)
    assert again.status_code == 422
    assert "Un enregistrement avec ce Nom dans l&#39;adresse (slug) existe déjà." in again.text


def test_workflow_steps_flash_and_refuse_in_french(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = item_id_of(create_draft(editor))
    in_french(editor, f"/manage/items/{item_id}")
    sent = post_step(editor, item_id, "submit")
    assert sent.status_code == 302
    item_page = editor.get(sent.headers["Location"]).text
    assert "Envoyé en relecture. Un éditeur l&#39;approuvera ou le renverra." in item_page
    assert "En attente de relecture par un éditeur." in item_page

    in_french(publisher, f"/manage/items/{item_id}/review")
    refused = post_step(publisher, item_id, "return", note="")
    assert refused.status_code == 409
    assert "Indiquez ce que l&#39;auteur doit modifier." in refused.text


def test_history_and_review_read_in_french_with_french_dates(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    item_id = item_id_of(create_draft(editor))
    history = in_french(editor, f"/manage/items/{item_id}/history").text
    with cms_app.app_context():
        day = format_date(today(), "medium", locale="fr")
    assert day in history  # "2 déc. 2026", in the portal's time zone
    assert '<span class="badge">Enregistré</span>' in history
    assert "Créé" in history  # the note the workflow wrote, translated when shown
    review = editor.get(f"/manage/items/{item_id}/review").text
    assert "Ce qui change" in review and "Codes SH :" in review
    assert re.search(r"0901 \([^)]*\) → \d+ sous-positions?, \d+ lignes? nationales?", review)
    assert "Abonnés alertés :" in review
    # As readers will see it: the date in French, the kind of rule by its name.
    after = review.split('id="rendered-after"')[1]
    assert "1 janvier 2026" in after and ">sps<" not in after


def test_access_refusals_are_in_french(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    in_french(editor)
    refused = editor.get("/manage/users")
    assert refused.status_code == 403
    assert "Cette page nécessite le rôle" in refused.text

    anonymous = cms_app.test_client()
    anonymous.get("/?lang=fr")
    sent_away = anonymous.get("/manage/", follow_redirects=True)
    assert "Connectez-vous pour ouvrir cette page." in sent_away.text


def test_the_content_list_shows_french_labels_and_descriptions(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    types = in_french(editor, "/manage/content/").text
    assert "Choisissez ce que vous voulez modifier." in types
    assert ">Lignes tarifaires</a>" in types
    assert "Règles d&#39;importation, d&#39;exportation et de transit" in types
    form = form_of(editor, "/manage/content/regulations/")
    assert form["csrf_token"]


def test_a_message_quoting_a_percent_sign_does_not_break_the_french_form(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    in_french(editor, "/manage/content/regulations/new")
    refused = create_draft(editor, hs_prefixes="50%", slug="coffee-50%")
    assert refused.status_code == 422
    assert 'id="error-hs_prefixes"' in refused.text and "50%" in refused.text
