"""Conflicts, history and restore, withdrawal, scheduling, and editing records already live."""

import json
import re
from datetime import timedelta

from sqlalchemy import select

from tests.cms.conftest import form_of, form_values, post_step
from tests.cms.test_workflow import (
    NEW_REGULATION,
    create_draft,
    get_item,
    item_id_of,
    regulation_titled,
    revisions_of,
)
from tests.conftest import run_cli
from tradeportal.auth.models import Role
from tradeportal.cms.models import (
    ChangeEvent,
    ChangeKind,
    CmsItem,
    DraftState,
    LiveState,
    RevisionKind,
)
from tradeportal.db import db, utcnow
from tradeportal.regulations.models import Regulation
from tradeportal.validity import today


def publish_new(editor, publisher) -> int:
    item_id = item_id_of(create_draft(editor))
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    assert publisher.post(f"/manage/items/{item_id}/approve", data=form).status_code == 302
    return item_id


def test_the_later_of_two_saves_gets_a_conflict_page_and_loses_nothing(cms_app, as_role):
    first, second = as_role(Role.EDITOR), as_role(Role.EDITOR, "second-editor")
    item_id = item_id_of(create_draft(first))
    # Both open the edit form on the same version.
    form_first = form_of(first, f"/manage/items/{item_id}/edit")
    form_second = form_of(second, f"/manage/items/{item_id}/edit")
    first_title = NEW_REGULATION | {"title_en": "Title typed by the first editor"}
    second_title = NEW_REGULATION | {"title_en": "Title typed by the second editor"}
    assert (
        first.post(f"/manage/items/{item_id}/edit", data=form_first | first_title).status_code
        == 302
    )
    conflict = second.post(f"/manage/items/{item_id}/edit", data=form_second | second_title)
    assert conflict.status_code == 409
    # Both versions are on the page, and the draft keeps the first save.
    assert "Title typed by the first editor" in conflict.text
    assert "Title typed by the second editor" in conflict.text
    item = get_item(cms_app, item_id)
    assert item.draft["title_en"] == "Title typed by the first editor"
    kinds = [kind for _, kind in revisions_of(cms_app, item_id)]
    assert kinds[-1] is RevisionKind.CONFLICT
    with cms_app.app_context():
        kept = (
            db.session.scalars(select(CmsItem).where(CmsItem.id == item_id))
            .one()
            .revisions[-1]
            .payload
        )
    assert kept["title_en"] == "Title typed by the second editor"


def test_a_stale_workflow_step_is_refused(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    item_id = item_id_of(create_draft(editor))
    old_form = form_of(editor, f"/manage/items/{item_id}")
    post_step(editor, item_id, "submit")
    again = editor.post(f"/manage/items/{item_id}/discard", data=old_form)
    assert again.status_code == 409
    assert get_item(cms_app, item_id).draft_state is DraftState.IN_REVIEW


def test_an_old_revision_is_restored_as_a_new_draft(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = publish_new(editor, publisher)
    form = form_of(editor, f"/manage/items/{item_id}/edit")
    editor.post(
        f"/manage/items/{item_id}/edit", data=form | NEW_REGULATION | {"title_en": "Second title"}
    )
    first_saved = revisions_of(cms_app, item_id)[0][0]
    form = form_of(editor, f"/manage/items/{item_id}/history")
    restored = editor.post(f"/manage/items/{item_id}/revisions/{first_saved}/restore", data=form)
    assert restored.status_code == 302
    item = get_item(cms_app, item_id)
    assert item.draft["title_en"] == NEW_REGULATION["title_en"]
    assert item.draft_state is DraftState.DRAFT
    numbers = revisions_of(cms_app, item_id)
    assert numbers[-1][1] is RevisionKind.RESTORED
    # Restoring writes a new revision; the old one is untouched and still listed.
    history = editor.get(f"/manage/items/{item_id}/history").text
    assert f"Restored from revision {first_saved}" in history


def test_withdrawing_end_dates_the_record_and_keeps_it_for_earlier_dates(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = publish_new(editor, publisher)
    public = cms_app.test_client()
    assert NEW_REGULATION["title_en"] in public.get("/hs/090121").text
    assert post_step(publisher, item_id, "withdraw", reason="").status_code == 409
    response = post_step(publisher, item_id, "withdraw", reason="Repealed by decree 12/2026")
    assert response.status_code == 302
    with cms_app.app_context():
        yesterday = today() - timedelta(days=1)
        regulation = db.session.scalar(
            select(Regulation).where(Regulation.slug == NEW_REGULATION["slug"])
        )
        assert regulation is not None  # never deleted
        assert regulation.valid_to == yesterday
        event = db.session.scalars(
            select(ChangeEvent).where(ChangeEvent.item_id == item_id).order_by(ChangeEvent.id)
        ).all()[-1]
        assert event.kind is ChangeKind.WITHDRAWN
        assert event.effective_on == yesterday + timedelta(days=1)
    assert get_item(cms_app, item_id).live_state is LiveState.WITHDRAWN
    assert NEW_REGULATION["title_en"] not in public.get("/hs/090121").text
    earlier = public.get(f"/hs/090121?date={yesterday.isoformat()}").text
    assert NEW_REGULATION["title_en"] in earlier


def test_an_editor_cannot_withdraw(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = publish_new(editor, publisher)
    assert post_step(editor, item_id, "withdraw", reason="no").status_code == 403
    assert get_item(cms_app, item_id).live_state is LiveState.PUBLISHED


def test_a_scheduled_publication_waits_for_its_time_then_the_worker_publishes_it(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = item_id_of(create_draft(editor))
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = publisher.post(f"/manage/items/{item_id}/approve", data=form | {"publish_at": later})
    assert response.status_code == 302
    item = get_item(cms_app, item_id)
    assert item.draft_state is DraftState.SCHEDULED
    # Typed in Mauritius time (UTC+4): stored four hours earlier in UTC.
    assert item.publish_at.strftime("%Y-%m-%dT%H:%M") != later
    result = run_cli(cms_app, "cms", "publish-due")
    assert "0 scheduled publication(s)" in result.output
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) is None

    with cms_app.app_context():  # the time comes
        due = db.session.get(CmsItem, item_id)
        due.publish_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = run_cli(cms_app, "worker", "--once")
    assert result.exit_code == 0, result.output
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) == NEW_REGULATION["title_en"]
    item = get_item(cms_app, item_id)
    assert item.draft_state is None and item.live_state is LiveState.PUBLISHED
    # The worker's pass also drained the search queue.
    found = cms_app.test_client().get("/search?q=coffee+berry+borer")
    assert "green-coffee-phytosanitary-check" in found.text


def test_a_scheduled_publication_that_became_invalid_returns_to_draft(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = item_id_of(create_draft(editor, agency="amb"))
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    publisher.post(f"/manage/items/{item_id}/approve", data=form | {"publish_at": later})
    with cms_app.app_context():
        item = db.session.get(CmsItem, item_id)
        item.publish_at = utcnow() - timedelta(minutes=1)
        item.draft = item.draft | {"agency": "agency-deleted-meanwhile"}
        db.session.commit()
    run_cli(cms_app, "cms", "publish-due")
    item = get_item(cms_app, item_id)
    assert item.draft_state is DraftState.DRAFT
    assert "Scheduled publication failed" in item.review_note
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) is None


def test_a_live_record_opens_with_a_baseline_and_its_amendment_goes_through_review(
    cms_app, as_role
):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    listing = editor.get("/manage/content/regulations/?q=agoa")
    assert listing.status_code == 200
    link = re.search(r'href="(/manage/content/regulations/open\?key=[^"]+)"', listing.text)
    assert link, "the list links each record"
    opened = editor.get(link.group(1).replace("&amp;", "&"))
    assert opened.status_code == 302
    item_id = item_id_of(opened)
    assert [kind for _, kind in revisions_of(cms_app, item_id)] == [RevisionKind.BASELINE]
    # Opening it again finds the same item.
    assert item_id_of(editor.get(link.group(1).replace("&amp;", "&"))) == item_id

    values = form_values(editor, f"/manage/items/{item_id}/edit")
    assert values["slug"] == json.loads(get_item(cms_app, item_id).record_key)[0]
    title = "AGOA textile visa (amended in the CMS)"
    saved = editor.post(f"/manage/items/{item_id}/edit", data=values | {"title_en": title})
    assert saved.status_code == 302, saved.text
    post_step(editor, item_id, "submit")
    review = publisher.get(f"/manage/items/{item_id}/review").text
    # Only the title differs from the live version.
    assert review.count('<th scope="row">') == 1
    assert '<th scope="row">Title (English)</th>' in review
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    publisher.post(f"/manage/items/{item_id}/approve", data=form)
    assert regulation_titled(cms_app, values["slug"]) == title


def test_search_references_are_managed_as_content(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    form = form_of(editor, "/manage/content/search-references/new")
    reference = {
        "term": "flat white",
        "language": "en",
        "code": "0901.21",
        "valid_from": "2022-01-01",
    }
    created = editor.post("/manage/content/search-references/new", data=form | reference)
    assert created.status_code == 302, created.text
    item_id = item_id_of(created)
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    publisher.post(f"/manage/items/{item_id}/approve", data=form)
    suggest = cms_app.test_client().get("/search/suggest?q=flat+wh")
    assert "flat white" in suggest.text.lower()


def test_a_search_reference_to_an_unknown_code_is_refused(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    form = form_of(editor, "/manage/content/search-references/new")
    reference = {"term": "moon rock", "language": "en", "code": "9999", "valid_from": "2022-01-01"}
    refused = editor.post("/manage/content/search-references/new", data=form | reference)
    assert refused.status_code == 422
    assert re.search(r'id="error-code"[^>]*>[^<]*not a code of HS2022', refused.text)


def test_the_hs_picker_resolves_what_is_typed(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    answer = editor.get("/manage/hs-picker?fragment=1&prefixes=0901%0A9999%0Aabc")
    assert answer.status_code == 200
    assert re.search(r"0901 \(Coffee[^)]*\) → 5 subheadings", answer.text)
    assert "9999: No such code" in answer.text
    assert "abc:" in answer.text
    page = editor.get("/manage/hs-picker?prefixes=090121")
    assert "→ 1 subheading," in page.text
    assert "<html" in page.text and "<html" not in answer.text
