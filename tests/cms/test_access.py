"""Authorization matrix of the CMS routes × roles, CSRF, and forged or hostile input."""

import pytest
from sqlalchemy import func, select

from tests.auth.test_access import manage_routes
from tests.cms.conftest import form_of
from tests.cms.test_workflow import NEW_REGULATION, create_draft, item_id_of
from tradeportal.auth.models import Role
from tradeportal.cms.models import CmsItem, CmsRevision
from tradeportal.db import db

# The least role of each CMS route; a new route fails the first test until it is listed.
MINIMUM_ROLE = {
    "cms.content_types": Role.EDITOR,
    "cms.records": Role.EDITOR,
    "cms.open_record": Role.EDITOR,
    "cms.new_record": Role.EDITOR,
    "cms.item": Role.EDITOR,
    "cms.edit": Role.EDITOR,
    "cms.preview": Role.EDITOR,
    "cms.review": Role.EDITOR,
    "cms.submit": Role.EDITOR,
    "cms.discard": Role.EDITOR,
    "cms.history": Role.EDITOR,
    "cms.revision_diff": Role.EDITOR,
    "cms.restore": Role.EDITOR,
    "cms.hs_picker": Role.EDITOR,
    "cms.approve": Role.PUBLISHER,
    "cms.return_draft": Role.PUBLISHER,
    "cms.unschedule": Role.PUBLISHER,
    "cms.withdraw": Role.PUBLISHER,
}


def cms_routes(app):
    """(endpoint, method, url) of every CMS route, with a real item and content type."""
    routes = []
    for endpoint, method, url in manage_routes(app):
        if endpoint.startswith("cms."):
            url = url.replace("/content/sample/", "/content/regulations/")
            routes.append((endpoint, method, url))
    return routes


def test_every_cms_route_has_a_minimum_role(cms_app):
    assert {endpoint for endpoint, _, _ in cms_routes(cms_app)} == set(MINIMUM_ROLE)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.PUBLISHER, Role.ADMIN])
def test_each_role_reaches_exactly_the_cms_routes_of_its_rank(cms_app, as_role, role):
    author = as_role(Role.EDITOR, "author")
    item_id = item_id_of(create_draft(author))
    assert item_id == 1  # the walk addresses item 1
    client = as_role(role)
    token = form_of(client, "/account")["csrf_token"]
    for endpoint, method, url in cms_routes(cms_app):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        if role.includes(MINIMUM_ROLE[endpoint]):
            assert response.status_code != 403, (endpoint, method)
            assert response.status_code < 500, (endpoint, method, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, method, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in_from_every_cms_route(cms_app):
    client = cms_app.test_client()
    token = form_of(client, "/login")["csrf_token"]
    for endpoint, method, url in cms_routes(cms_app):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/login"), endpoint


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    form = form_of(editor, "/manage/content/regulations/new")
    forged = editor.post("/manage/content/regulations/new", data=NEW_REGULATION)
    assert forged.status_code == 400
    item_id = item_id_of(editor.post("/manage/content/regulations/new", data=form | NEW_REGULATION))
    before = revision_count(cms_app)
    version = form_of(editor, f"/manage/items/{item_id}")["version"]
    for step in ("submit", "discard", "revisions/1/restore"):
        refused = editor.post(f"/manage/items/{item_id}/{step}", data={"version": version})
        assert refused.status_code == 400, step
    assert revision_count(cms_app) == before


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CmsRevision.id)))


@pytest.mark.parametrize(
    "path",
    [
        "/manage/content/no-such-type/",
        "/manage/content/no-such-type/new",
        "/manage/items/999999",
        "/manage/items/999999/review",
        "/manage/items/999999/history",
        "/manage/content/regulations/open?key=%5B%22nope%22%5D",
        "/manage/content/regulations/open?key=%ff%fe",
        "/manage/content/regulations/open?key=%5B%22a%00b%22%5D",
    ],
)
def test_unknown_things_are_404_pages(cms_app, as_role, path):
    response = as_role(Role.EDITOR).get(path)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    ["a=1&b=x", "a=&b=", "a=99&b=1", "a=-1&b=1", "a=99999999999999999999999&b=1"],
)
def test_bad_revision_numbers_get_a_clear_400(cms_app, as_role, query):
    editor = as_role(Role.EDITOR)
    item_id = item_id_of(create_draft(editor))
    response = editor.get(f"/manage/items/{item_id}/diff?{query}")
    assert response.status_code == 400
    assert "Choose two revisions" in response.text


def test_forged_item_versions_and_hostile_text_change_nothing(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    item_id = item_id_of(create_draft(editor))
    form = form_of(editor, f"/manage/items/{item_id}/edit")
    before = revision_count(cms_app)
    for version in ("", "x", "1e9", "99999999999999999999"):
        response = editor.post(
            f"/manage/items/{item_id}/edit", data=form | NEW_REGULATION | {"version": version}
        )
        assert response.status_code in (400, 409), version
    hostile = NEW_REGULATION | {"title_en": "x" * 100_000, "slug": "a/b"}
    response = editor.post(f"/manage/items/{item_id}/edit", data=form | hostile)
    assert response.status_code == 422
    # A NUL character is refused before any view runs (PostgreSQL could not store it).
    response = editor.post(f"/manage/items/{item_id}/edit", data=form | {"slug": "a\x00b"})
    assert response.status_code == 400
    with cms_app.app_context():
        assert db.session.get(CmsItem, item_id).draft["title_en"] == NEW_REGULATION["title_en"]
    # Conflicts keep what was typed as a revision; nothing else was written.
    assert revision_count(cms_app) - before <= 2
