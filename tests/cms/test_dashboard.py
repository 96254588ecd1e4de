"""The editorial dashboard: my drafts, awaiting my review, scheduled, recently published,
content to verify and searches that found nothing; and the list it links for verification.
"""

import re
from datetime import timedelta

import pytest

from tests.cms.conftest import form_of, post_step
from tests.cms.test_workflow import NEW_REGULATION, create_draft, item_id_of
from tradeportal.auth.models import Role
from tradeportal.db import utcnow
from tradeportal.validity import today


def section(client, name: str) -> str | None:
    """Return the dashboard section labelled ``name``, or None when it is not shown."""
    page = client.get("/manage/")
    assert page.status_code == 200
    found = re.search(rf'<section aria-labelledby="{name}">(.*?)</section>', page.text, re.S)
    return found.group(1) if found else None


def draft(client, slug: str, title: str) -> int:
    return item_id_of(create_draft(client, slug=slug, title_en=title))


def approve(publisher, item_id: int, **form):
    page = form_of(publisher, f"/manage/items/{item_id}/review")
    response = publisher.post(f"/manage/items/{item_id}/approve", data=page | form)
    assert response.status_code == 302, response.text


def test_drafts_and_reviews_land_on_the_right_dashboards(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    publisher, other = as_role(Role.PUBLISHER), as_role(Role.PUBLISHER, "other-publisher")
    draft(editor, "coffee-draft-only", "Coffee draft only")
    sent = draft(editor, "coffee-sent-for-review", "Coffee sent for review")
    post_step(editor, sent, "submit")
    own = draft(publisher, "coffee-by-a-publisher", "Coffee by a publisher")
    post_step(publisher, own, "submit")

    mine = section(editor, "my-drafts")
    assert "Coffee draft only" in mine and "Coffee sent for review" in mine
    assert "In review" in mine and "Draft" in mine
    assert "Coffee by a publisher" not in mine
    assert section(editor, "awaiting") is None  # editors do not review

    # The two-person rule: a publisher's own draft awaits the other publisher, not them.
    awaiting = section(publisher, "awaiting")
    assert "Coffee sent for review" in awaiting
    assert "Coffee by a publisher" not in awaiting and "Coffee draft only" not in awaiting
    assert "Coffee by a publisher" in section(publisher, "my-drafts")
    awaiting_other = section(other, "awaiting")
    assert "Coffee sent for review" in awaiting_other and "Coffee by a publisher" in awaiting_other

    cms_app.config["TWO_PERSON_RULE"] = False
    assert "Coffee by a publisher" in section(publisher, "awaiting")


def test_scheduled_and_recently_published_items_are_listed(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    later_id = draft(editor, "coffee-later", "Coffee rule for later")
    now_id = draft(editor, "coffee-now", "Coffee rule for now")
    for item_id in (later_id, now_id):
        post_step(editor, item_id, "submit")
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    approve(publisher, later_id, publish_at=later)
    approve(publisher, now_id)

    scheduled = section(editor, "scheduled")
    assert "Coffee rule for later" in scheduled and "Coffee rule for now" not in scheduled
    # When, for reading in the portal's time zone, with the exact moment for machines.
    moment = r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:00\+00:00">[^<]+</time>'
    assert re.search(moment, scheduled)
    recent = section(editor, "recent")
    assert "Coffee rule for now" in recent and "Coffee rule for later" not in recent
    assert "New" in recent and "Publisher" in recent  # the kind of change and who published
    assert "Coffee rule for now" not in section(editor, "my-drafts")


def test_stale_content_links_to_the_records_to_verify(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    with cms_app.app_context():
        day = today()
    verified = NEW_REGULATION | {"last_verified_on": day.isoformat()}
    item_id = item_id_of(create_draft(editor, **verified))
    post_step(editor, item_id, "submit")
    approve(publisher, item_id)

    stale = section(editor, "stale")
    link = re.search(r'href="(/manage/content/regulations/\?verified_before=([0-9-]{10}))"', stale)
    assert link, stale
    assert link.group(2) < day.isoformat()
    to_verify = editor.get(link.group(1))
    assert to_verify.status_code == 200
    assert "Only records never verified" in to_verify.text
    assert re.search(r"/manage/content/regulations/open\?key=", to_verify.text)
    assert NEW_REGULATION["slug"] not in to_verify.text  # verified today
    # Filtered by its slug: listed among every record, not among those to verify.
    slug = NEW_REGULATION["slug"]
    assert slug in editor.get(f"/manage/content/regulations/?q={slug}").text
    narrowed = editor.get(f"{link.group(1)}&q={slug}")
    assert "No record matches" in narrowed.text and "among those to verify" in narrowed.text
    # The filter box keeps the verification filter.
    assert 'name="verified_before"' in to_verify.text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/manage/content/regulations/?verified_before=2026-13-01", "YYYY-MM-DD"),
        ("/manage/content/regulations/?verified_before=soon", "YYYY-MM-DD"),
        ("/manage/content/countries/?verified_before=2026-01-01", "no verification date"),
    ],
)
def test_a_bad_verification_filter_is_a_clear_400(cms_app, as_role, path, message):
    response = as_role(Role.EDITOR).get(path)
    assert response.status_code == 400
    assert message in response.text


def test_searches_that_found_nothing_are_shown_with_a_way_to_fix_them(cms_app, as_role):
    public = cms_app.test_client()
    for _ in range(2):
        assert public.get("/search?q=qwxzv+kumquat+vortex").status_code == 200
    zero = section(as_role(Role.EDITOR), "zero")
    row = re.search(
        r"<td>qwxzv kumquat vortex</td><td>[a-z]+</td><td class=\"num\">(\d+)</td>", zero
    )
    assert row, zero
    assert row.group(1) == "2"
    assert "/manage/content/search-references/" in zero
