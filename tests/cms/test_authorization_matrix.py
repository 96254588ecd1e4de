"""The authorization matrix of issue 5: every /manage route × every role × GET and POST.

One table names the least role of every route under /manage, whichever area it belongs
to; the walk finds the routes in the URL map, so a route added later fails the first test
until someone decides who may open it. Each role then sends GET and POST to every route,
with a valid CSRF token so that only the access check decides: below the route's role the
answer is a sign-in redirect (anonymous) or 403 and nothing in the database changes; at or
above it the route answers without 403 or 500; a method the route does not have is 405.
"""

import pytest
from sqlalchemy import func, select

from tests.attachments.conftest import attachment_id_from, upload
from tests.attachments.documents import pdf_bytes
from tests.auth.test_access import manage_routes
from tests.cms.conftest import form_of
from tests.cms.test_workflow import create_draft, item_id_of
from tradeportal.attachments.models import Attachment
from tradeportal.auth.models import AuditEvent, Role, User
from tradeportal.cms.models import ChangeEvent, CmsItem, CmsRevision
from tradeportal.db import db

E, P, A = Role.EDITOR, Role.PUBLISHER, Role.ADMIN
MINIMUM_ROLE = {
    "manage.dashboard": E,
    "manage.users": A,
    "manage.user_new": A,
    "manage.user_detail": A,
    "manage.user_role": A,
    "manage.user_disable": A,
    "manage.user_enable": A,
    "manage.audit": A,
    "manage.audit_csv": A,
    "cms.content_types": E,
    "cms.records": E,
    "cms.open_record": E,
    "cms.new_record": E,
    "cms.item": E,
    "cms.edit": E,
    "cms.preview": E,
    "cms.review": E,
    "cms.submit": E,
    "cms.discard": E,
    "cms.history": E,
    "cms.revision_diff": E,
    "cms.restore": E,
    "cms.hs_picker": E,
    "cms.approve": P,
    "cms.return_draft": P,
    "cms.unschedule": P,
    "cms.withdraw": P,
    "attachments.index": E,
    "attachments.detail": E,
    "attachments.upload": E,
    "attachments.withdraw": P,
    "attachments.restore": P,
    "mail_admin.index": A,
    "mail_admin.retry": A,
    "mail_admin.unsuppress": A,
}
ROLES = [None, Role.VIEWER, Role.EDITOR, Role.PUBLISHER, Role.ADMIN]  # None: anonymous
METHODS = ("GET", "POST")


def routes(app) -> dict[tuple[str, str], set[str]]:
    """Return {(endpoint, url): methods} of every /manage rule, addressing real records."""
    found: dict[tuple[str, str], set[str]] = {}
    for endpoint, method, url in manage_routes(app):
        url = url.replace("/content/sample/", "/content/regulations/")
        if endpoint == "cms.revision_diff":
            url += "?a=1&b=1"
        found.setdefault((endpoint, url), set()).add(method)
    return found


def database_state(app) -> tuple:
    """What a refused request must leave exactly as it was."""
    with app.app_context():
        session = db.session
        return (
            session.execute(select(CmsItem.id, CmsItem.version).order_by(CmsItem.id)).all(),
            session.scalar(select(func.count(CmsRevision.id))),
            session.scalar(select(func.count(ChangeEvent.id))),
            session.scalar(select(func.count(AuditEvent.id))),
            session.execute(select(User.id, User.role, User.is_active).order_by(User.id)).all(),
            session.execute(select(Attachment.id, Attachment.withdrawn_at)).all(),
        )


@pytest.fixture
def walk_app(cms_app, as_role):
    """Accounts of every role (the admin is account 1), item 1 and attachment 1."""
    as_role(Role.ADMIN)
    publisher, editor = as_role(Role.PUBLISHER), as_role(Role.EDITOR)
    as_role(Role.VIEWER)
    assert item_id_of(create_draft(editor)) == 1
    assert attachment_id_from(upload(editor, pdf_bytes(), "form.pdf")) == 1
    assert publisher is not None
    return cms_app


def test_every_manage_route_has_a_minimum_role(cms_app):
    assert {endpoint for endpoint, _ in routes(cms_app)} == set(MINIMUM_ROLE)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
def test_each_role_gets_exactly_the_manage_routes_of_its_rank(walk_app, as_role, role):
    client = as_role(role) if role else walk_app.test_client()
    token = form_of(client, "/account" if role else "/login")["csrf_token"]
    checked = 0
    for (endpoint, url), methods in sorted(routes(walk_app).items()):
        allowed = role is not None and role.includes(MINIMUM_ROLE[endpoint])
        for method in METHODS:
            refused = not allowed or method not in methods
            before = database_state(walk_app) if refused else None
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            where = (endpoint, method, url, response.status_code)
            location = response.headers.get("Location", "")
            if method not in methods:
                assert response.status_code == 405, where
            elif role is None:
                assert response.status_code == 302 and location.startswith("/login"), where
            elif not allowed:
                assert response.status_code == 403, where
                assert "needs the" in response.text, where
            else:
                assert response.status_code not in (403, 405) and response.status_code < 500, where
                assert not location.startswith("/login"), where
            if before is not None:
                assert database_state(walk_app) == before, where
            checked += 1
    assert checked == 2 * len(routes(walk_app))


def test_the_matrix_reaches_every_route_at_its_own_rank(walk_app, as_role):
    # Each page answers 200 to the least role it names, so the "allowed" cells above
    # are real pages, not 404s for missing records.
    for (endpoint, url), methods in sorted(routes(walk_app).items()):
        if "GET" not in methods or endpoint == "cms.open_record":  # needs a record's key
            continue
        response = as_role(MINIMUM_ROLE[endpoint]).get(url)
        assert response.status_code == 200, (endpoint, url, response.status_code)


def test_every_manage_post_without_a_csrf_token_is_refused_and_changes_nothing(walk_app, as_role):
    admin = as_role(Role.ADMIN)  # the highest role: only the missing token can refuse
    posts = [key for key, methods in sorted(routes(walk_app).items()) if "POST" in methods]
    assert len(posts) >= 15
    before = database_state(walk_app)
    for endpoint, url in posts:
        # A form as a forged page would send it: every field but the token.
        response = admin.post(url, data={"version": "1", "note": "x", "reason": "x"})
        assert response.status_code == 400, (endpoint, response.status_code)
        assert "did not come from this site" in response.text, endpoint
    assert database_state(walk_app) == before
