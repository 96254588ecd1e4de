"""CMS fixtures: the seeded app (with its search index) and signed-in editors of each role."""

from html.parser import HTMLParser

import pytest

from tests.auth.conftest import CHEAP_HASHING, add_user, csrf_token_from, sign_in
from tradeportal.auth.models import Role


@pytest.fixture
def cms_app(indexed_app):
    """The seeded and indexed app, hashing passwords cheaply."""
    indexed_app.config.update(CHEAP_HASHING)
    return indexed_app


@pytest.fixture
def as_role(cms_app):
    """Return a function giving a client signed in with a new account of a role."""
    clients = {}

    def make(role: Role, name: str | None = None):
        name = name or role.value
        if name not in clients:
            email = f"{name}@example.org"
            add_user(cms_app, email, role, name=name.title())
            client = cms_app.test_client()
            response = sign_in(client, email)
            assert response.status_code == 302, response.get_data(as_text=True)
            clients[name] = client
        return clients[name]

    return make


def form_of(client, path: str) -> dict[str, str]:
    """Read a page's CSRF token and item version, as a browser submitting its form would."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    fields = {"csrf_token": csrf_token_from(response)}
    text = response.get_data(as_text=True)
    marker = 'name="version" value="'
    if marker in text:
        start = text.index(marker) + len(marker)
        fields["version"] = text[start : text.index('"', start)]
    return fields


def post_step(client, item_id: int, step: str, **data):
    """Post a workflow step from the item page, with that page's token and version."""
    form = form_of(client, f"/manage/items/{item_id}")
    return client.post(f"/manage/items/{item_id}/{step}", data=form | data)


class _FormReader(HTMLParser):
    """Collect what a browser would submit from the first form with ``action``."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.values = action, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action") == self.action:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
            self.values.setdefault(self._select, None)
        elif (
            tag == "option"
            and self._select
            and (self.values[self._select] is None or "selected" in attrs)
        ):
            self.values[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_values(client, path: str, action: str | None = None) -> dict[str, str]:
    """Return the fields of the form posting to ``action`` (default: ``path``) as filled in."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    reader = _FormReader(action or path)
    reader.feed(response.get_data(as_text=True))
    assert reader.values, f"no form posting to {action or path}"
    return reader.values
