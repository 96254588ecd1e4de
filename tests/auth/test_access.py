"""Authorization matrix: every /manage route, found by walking the URL map, × each role.

A route added under /manage later is checked here without anyone editing this file.
"""

import re

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from tests.auth.conftest import add_user, fresh_token, sign_in
from tradeportal.auth.models import Role

# The least role each route of this package needs; other areas' routes get the generic check.
MINIMUM_ROLE = {
    "manage.dashboard": Role.EDITOR,
    "manage.users": Role.ADMIN,
    "manage.user_new": Role.ADMIN,
    "manage.user_detail": Role.ADMIN,
    "manage.user_role": Role.ADMIN,
    "manage.user_disable": Role.ADMIN,
    "manage.user_enable": Role.ADMIN,
    "manage.audit": Role.ADMIN,
    "manage.audit_csv": Role.ADMIN,
}
SIGNED_IN_ONLY = ["/account", "/account/password"]


def manage_routes(app) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, url) for every /manage rule and method."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not (rule.rule == "/manage" or rule.rule.startswith("/manage/")):
                continue
            values = {
                name: 1 if isinstance(converter, IntegerConverter) else "sample"
                for name, converter in rule._converters.items()
            }
            url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, url))
    return routes


def request_as(client, method: str, url: str, token_page: str):
    """Send ``method`` to ``url``; posts carry a valid CSRF token so only access decides."""
    if method == "GET":
        return client.get(url)
    token = fresh_token(client, token_page)
    return client.open(url, method=method, data={"csrf_token": token})


def test_the_walk_finds_the_routes_of_this_package(app):
    found = {endpoint for endpoint, _, _ in manage_routes(app)}
    assert set(MINIMUM_ROLE) <= found
    assert ("manage.user_role", "POST", "/manage/users/1/role") in manage_routes(app)


def test_every_manage_route_sends_the_anonymous_to_sign_in(app):
    client = app.test_client()
    for endpoint, method, url in manage_routes(app):
        response = request_as(client, method, url, "/login")
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/login"), (endpoint, method)


def test_every_manage_route_refuses_a_viewer(app, signed_in):
    viewer = signed_in(Role.VIEWER)
    for endpoint, method, url in manage_routes(app):
        response = request_as(viewer, method, url, "/account")
        assert response.status_code == 403, (endpoint, method, response.status_code)
        assert "needs the" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"


def test_every_manage_route_refuses_a_disabled_account_signed_in_before(app):
    add_user(app, "soon-gone@example.org", Role.ADMIN)
    add_user(app, "admin@example.org", Role.ADMIN)
    client = app.test_client()
    sign_in(client, "soon-gone@example.org")
    from tradeportal.auth.queries import find_user_by_email
    from tradeportal.auth.services import set_active
    from tradeportal.db import db

    with app.app_context():
        set_active(db.session, None, find_user_by_email(db.session, "soon-gone@example.org"), False)
        db.session.commit()
    for endpoint, method, url in manage_routes(app):
        response = request_as(client, method, url, "/login")
        assert response.status_code == 302, (endpoint, method, response.status_code)


@pytest.mark.parametrize("role", [Role.EDITOR, Role.PUBLISHER, Role.ADMIN])
def test_each_role_reaches_exactly_the_pages_of_its_rank(app, signed_in, role):
    client = signed_in(role)
    for endpoint, method, url in manage_routes(app):
        if endpoint not in MINIMUM_ROLE:
            continue
        response = request_as(client, method, url, "/account")
        if role.includes(MINIMUM_ROLE[endpoint]):
            assert response.status_code != 403, (endpoint, method)
            assert response.status_code < 500, (endpoint, method)
            if method == "GET":  # account 1 exists: it is the signed-in one
                assert response.status_code == 200, (endpoint, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, method, response.status_code)


def test_account_pages_need_a_signed_in_user(app):
    client = app.test_client()
    for path in SIGNED_IN_ONLY:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    token = fresh_token(client)
    response = client.post("/account/logout-everywhere", data={"csrf_token": token})
    assert response.status_code == 302
    assert re.match(r"^/login", response.headers["Location"])


def test_a_viewer_has_an_account_page_but_no_manage_link(app, signed_in):
    viewer = signed_in(Role.VIEWER)
    page = viewer.get("/account").get_data(as_text=True)
    assert "Sign out" in page
    assert 'href="/manage/"' not in page


def test_an_account_disabled_behind_the_portals_back_loses_its_session(app, signed_in):
    # Defence in depth: the loader checks is_active even when the token was not rotated.
    editor = signed_in(Role.EDITOR, "ed@example.org")
    from sqlalchemy import update

    from tradeportal.auth.models import User
    from tradeportal.db import db

    with app.app_context():
        db.session.execute(update(User).values(is_active=False))
        db.session.commit()
    assert editor.get("/manage/").status_code == 302
