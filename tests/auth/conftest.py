"""Fixtures of the account tests: an unseeded app with cheap argon2, users, signed-in clients.

CSRF protection stays on: helpers read the token from a form, as a browser would.
"""

import re

import pytest
from sqlalchemy import select

from tradeportal.auth.models import AuditEvent, Role, User
from tradeportal.auth.services import create_user
from tradeportal.db import db

# argon2id at time_cost=1 and 8 MiB: a few milliseconds instead of ~145 ms per hash.
CHEAP_HASHING = {
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_KIB": 8192,
    "PASSWORD_HASH_PARALLELISM": 1,
}
PASSWORD = "correct horse battery staple"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(empty_app, request):
    """The migrated (unseeded) app, hashing cheaply unless the test's config says otherwise."""
    marker = request.node.get_closest_marker("config")
    given = marker.kwargs if marker else {}
    empty_app.config.update({k: v for k, v in CHEAP_HASHING.items() if k not in given})
    return empty_app


def csrf_token_from(response) -> str:
    """Return the CSRF token of the first form on a page."""
    found = TOKEN_FIELD.search(response.get_data(as_text=True))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def fresh_token(client, path: str = "/login") -> str:
    """Fetch a page with a form and return its CSRF token for this client's session."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_token_from(response)


def add_user(
    app,
    email: str,
    role: Role = Role.EDITOR,
    *,
    password: str = PASSWORD,
    name: str | None = None,
    active: bool = True,
) -> int:
    """Create an account directly through the service and return its id."""
    with app.app_context():
        user = create_user(
            db.session,
            None,
            email=email,
            display_name=name or email.split("@")[0].title(),
            role=role,
            password=password,
        )
        user.is_active = active
        db.session.commit()
        return user.id


def user_row(app, email: str) -> User:
    """Read an account afresh (detached), to look at what the database holds."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def sign_in(client, email: str, password: str = PASSWORD, *, remember=False, next_path=None):
    """Post the sign-in form as a browser would and return the response."""
    token = fresh_token(client)
    form = {"csrf_token": token, "email": email, "password": password}
    if remember:
        form["remember"] = "y"
    if next_path is not None:
        form["next"] = next_path
    return client.post("/login", data=form)


def post_form(client, path: str, data: dict | None = None, *, token_from: str):
    """Post ``data`` to ``path`` with a CSRF token read from the page ``token_from``."""
    return client.post(path, data={"csrf_token": fresh_token(client, token_from), **(data or {})})


def audit_actions(app) -> list[tuple]:
    """Return (action, actor_id, target_type, target_id, detail) of every audit event."""
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.actor_id, e.target_type, e.target_id, e.detail) for e in events]


@pytest.fixture
def signed_in(app):
    """Return a function making a client signed in with a new account of a given role."""
    count = {"n": 0}

    def make(role: Role, email: str | None = None):
        count["n"] += 1
        email = email or f"{role.value}{count['n']}@example.org"
        add_user(app, email, role)
        client = app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make
