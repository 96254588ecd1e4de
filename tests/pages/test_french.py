"""News and events in French: interface, dates written out, messages, the remembered choice."""

from tests.pages.test_views import text_of


def test_news_dates_and_labels_are_french(client):
    response = client.get("/news/portal-now-uses-hs-2022?lang=fr")
    text = text_of(response)
    assert "Publié le 15 septembre 2026" in text
    assert 'class="badge demo"' in response.get_data(as_text=True)
    assert "Illustrative" not in text
    assert '<a href="/news?lang=fr">Actualités</a>' in response.get_data(as_text=True)


def test_an_event_says_when_in_french(client):
    text = text_of(client.get("/events/exporters-information-session-2027?date=2026-11-23&lang=fr"))
    assert "Quand du 10 mars 2027 au 11 mars 2027" in text
    assert "Événements en cours et à venir" in text_of(client.get("/events?lang=fr"))


def test_not_published_yet_is_explained_in_french(client):
    response = client.get("/news/portal-now-uses-hs-2022?date=2026-09-14&lang=fr")
    assert response.status_code == 404
    assert "Cette actualité n'est pas publiée le 14 septembre 2026" in text_of(response)


def test_the_browser_language_alone_gives_french_without_a_parameter_in_links(client):
    response = client.get("/news", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "lang=fr" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Aucune actualité" in text_of(response) or "actualité" in text_of(response)


def test_an_unknown_language_is_ignored(client):
    response = client.get("/news?lang=de")
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)
