"""``next`` after signing in leads only to paths of this site."""

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.auth.conftest import add_user, sign_in
from tradeportal.auth.access import local_path

HOSTILE = [
    "//evil.com",
    "//evil.com/manage",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "https://evil.com",
    "http://evil.com/manage/",
    "HTTPS://evil.com",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\n/evil.com",
    " /manage",
    "/manage ",
    "evil.com",
    "manage/users",
    "/..//evil.com",
    "/./manage",
    "/manage/%2e%2e//evil.com",
    "/\x00/evil.com",
    "/\u3002evil.com",
    "/" + "a" * 2001,
    "",
]
SAFE = [
    "/manage/",
    "/manage/users",
    "/manage/audit?action=login&user=3",
    "/hs/090121?market=GBR#tariffs",
    "/search?q=%2F%2Fevil.com",
    "/manage/users/1",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", SAFE)
def test_paths_of_this_site_are_kept(target):
    assert local_path(target) == target


def _browser_reading(location: str) -> str:
    # What a browser does before resolving: it drops tabs and newlines and reads "\" as "/".
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").replace("\\", "/")
    return urljoin("https://portal.example/manage/", cleaned.strip())


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_no_accepted_target_leaves_the_site(tail):
    for candidate in (tail, "/" + tail, "//" + tail):
        accepted = local_path(candidate)
        if accepted is not None:
            resolved = urlsplit(_browser_reading(accepted))
            assert (resolved.scheme, resolved.netloc) == ("https", "portal.example")


@pytest.mark.parametrize("target", HOSTILE[:14])
def test_sign_in_never_redirects_away(app, target):
    add_user(app, "ed@example.org")
    response = sign_in(app.test_client(), "ed@example.org", next_path=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"


def test_sign_in_follows_a_local_next(app):
    add_user(app, "ed@example.org")
    response = sign_in(app.test_client(), "ed@example.org", next_path="/account/password")
    assert response.headers["Location"] == "/account/password"


def test_a_hostile_next_in_the_address_is_not_put_in_the_form(app):
    page = app.test_client().get("/login?next=//evil.com")
    assert page.status_code == 200
    form = page.get_data(as_text=True).split('class="account-form"', 1)[1].split("</form>", 1)[0]
    assert "evil.com" not in form and 'name="next"' not in form
    # Only the language switch repeats the address as it was asked for (still /login).
    assert page.get_data(as_text=True).count("evil.com") == 1
    kept = app.test_client().get("/login?next=/manage/audit%3Fpage%3D2")
    assert 'name="next" value="/manage/audit?page=2"' in kept.get_data(as_text=True)


def test_an_anonymous_visit_to_manage_keeps_where_it_was_going(app):
    response = app.test_client().get("/manage/audit?action=login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/manage/audit?action%3Dlogin"
