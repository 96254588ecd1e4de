"""The editorial workflow end to end, through the editor screens as a browser posts them."""

import re

import pytest
from sqlalchemy import select

from tests.cms.conftest import form_of, post_step
from tests.search.conftest import text_of
from tradeportal.auth.models import AuditEvent, Role
from tradeportal.cms.models import (
    ChangeEvent,
    ChangeKind,
    CmsItem,
    CmsRevision,
    DraftState,
    LiveState,
    RevisionKind,
)
from tradeportal.db import db
from tradeportal.regulations.models import Regulation

NEW_REGULATION = {
    "slug": "green-coffee-phytosanitary-check",
    "title_en": "Phytosanitary check of green coffee beans",
    "kind": "sps",
    "direction": "import",
    "country_iso3": "MUS",
    "hs_prefixes": "0901",
    "agency": "mra-customs",
    "valid_from": "2026-01-01",
    "summary": "Every consignment of coffee is inspected for the coffee berry borer.",
}


def create_draft(client, **changes):
    form = form_of(client, "/manage/content/regulations/new")
    return client.post("/manage/content/regulations/new", data=form | NEW_REGULATION | changes)


def item_id_of(response) -> int:
    found = re.search(r"/manage/items/(\d+)$", response.headers["Location"])
    assert found, response.headers.get("Location")
    return int(found.group(1))


def get_item(app, item_id: int) -> CmsItem:
    with app.app_context():
        item = db.session.get(CmsItem, item_id)
        db.session.expunge(item)
        return item


def revisions_of(app, item_id: int) -> list[tuple[int, RevisionKind]]:
    with app.app_context():
        rows = db.session.scalars(
            select(CmsRevision).where(CmsRevision.item_id == item_id).order_by(CmsRevision.number)
        )
        return [(revision.number, revision.kind) for revision in rows]


def regulation_titled(app, slug: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Regulation.title_en).where(Regulation.slug == slug))


def test_editor_drafts_publisher_publishes_and_the_site_shows_it(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    created = create_draft(editor)
    assert created.status_code == 302
    item_id = item_id_of(created)
    # A draft is not live: neither in the tables nor on the product page.
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) is None
    public = cms_app.test_client()
    assert "Phytosanitary check of green coffee" not in public.get("/hs/090121").text

    assert post_step(editor, item_id, "submit").status_code == 302
    review = publisher.get(f"/manage/items/{item_id}/review")
    assert review.status_code == 200
    # The impact names the linked heading and what it reaches.
    assert re.search(r"0901 \(Coffee[^)]*\) → 5 subheadings, 0 national lines", review.text)
    assert "Phytosanitary check of green coffee beans" in review.text

    form = form_of(publisher, f"/manage/items/{item_id}/review")
    approved = publisher.post(f"/manage/items/{item_id}/approve", data=form)
    assert approved.status_code == 302

    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) == NEW_REGULATION["title_en"]
    product = public.get("/hs/090121")
    assert "Phytosanitary check of green coffee beans" in product.text
    found = public.get("/search?q=phytosanitary+green+coffee+berry+borer")
    assert found.status_code == 200
    assert "Phytosanitary check of green coffee beans" in text_of(found)

    item = get_item(cms_app, item_id)
    assert item.live_state is LiveState.PUBLISHED and item.draft is None
    with cms_app.app_context():
        event = db.session.scalar(select(ChangeEvent).where(ChangeEvent.item_id == item_id))
        assert event.kind is ChangeKind.NEW
        assert event.hs_prefixes == ["0901"]
        assert "MUS" in event.countries
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"content.submitted", "content.published"} <= set(actions)


def test_an_amendment_keeps_the_live_version_until_published_and_history_has_both(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = item_id_of(create_draft(editor))
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    publisher.post(f"/manage/items/{item_id}/approve", data=form)

    edit_form = form_of(editor, f"/manage/items/{item_id}/edit")
    amended = NEW_REGULATION | {"title_en": "Phytosanitary inspection of green coffee (amended)"}
    saved = editor.post(f"/manage/items/{item_id}/edit", data=edit_form | amended)
    assert saved.status_code == 302
    # The published version stays live while the new draft waits.
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) == NEW_REGULATION["title_en"]
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    review = publisher.get(f"/manage/items/{item_id}/review")
    assert "Phytosanitary check of green coffee beans" in review.text  # before
    assert "(amended)" in review.text  # after
    publisher.post(f"/manage/items/{item_id}/approve", data=form)
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]).endswith("(amended)")

    kinds = [kind for _, kind in revisions_of(cms_app, item_id)]
    assert kinds.count(RevisionKind.PUBLISHED) == 2
    published = [n for n, kind in revisions_of(cms_app, item_id) if kind is RevisionKind.PUBLISHED]
    diff = editor.get(f"/manage/items/{item_id}/diff?a={published[0]}&b={published[1]}")
    assert diff.status_code == 200
    assert "Phytosanitary check of green coffee beans" in diff.text
    assert "(amended)" in diff.text
    with cms_app.app_context():
        kinds = db.session.scalars(
            select(ChangeEvent.kind).where(ChangeEvent.item_id == item_id).order_by(ChangeEvent.id)
        ).all()
    assert kinds == [ChangeKind.NEW, ChangeKind.AMENDED]


def test_two_person_rule_refuses_self_approval(cms_app, as_role):
    publisher = as_role(Role.PUBLISHER)
    item_id = item_id_of(create_draft(publisher))
    post_step(publisher, item_id, "submit")
    refused = post_step(publisher, item_id, "approve")
    assert refused.status_code == 409
    assert "two-person rule" in refused.text
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) is None
    assert get_item(cms_app, item_id).draft_state is DraftState.IN_REVIEW


@pytest.mark.config(TWO_PERSON_RULE=False)
def test_without_the_two_person_rule_a_publisher_may_approve_their_own_draft(cms_app, as_role):
    publisher = as_role(Role.PUBLISHER)
    item_id = item_id_of(create_draft(publisher))
    post_step(publisher, item_id, "submit")
    assert post_step(publisher, item_id, "approve").status_code == 302
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) == NEW_REGULATION["title_en"]


def test_an_editor_cannot_approve(cms_app, as_role):
    editor, other = as_role(Role.EDITOR), as_role(Role.EDITOR, "second-editor")
    item_id = item_id_of(create_draft(editor))
    post_step(editor, item_id, "submit")
    assert post_step(other, item_id, "approve").status_code == 403
    assert regulation_titled(cms_app, NEW_REGULATION["slug"]) is None


def test_validation_messages_sit_next_to_the_fields_and_nothing_is_saved(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    response = create_draft(editor, hs_prefixes="09x1", valid_from="2026-02-30", agency="nope")
    assert response.status_code == 422
    assert re.search(r'id="error-hs_prefixes"[^>]*>[^<]*not an HS prefix', response.text)
    assert re.search(r'id="error-valid_from"[^>]*>[^<]*not a real date', response.text)
    with cms_app.app_context():
        assert db.session.scalar(select(CmsItem.id)) is None


def test_an_unknown_agency_is_reported_on_save_not_at_publication(cms_app, as_role):
    editor = as_role(Role.EDITOR)
    response = create_draft(editor, agency="no-such-agency")
    assert response.status_code == 422
    assert 'id="error-agency"' in response.text
    with cms_app.app_context():
        assert db.session.scalar(select(CmsItem.id)) is None


def test_a_returned_draft_goes_back_to_its_author_with_the_note(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = item_id_of(create_draft(editor))
    post_step(editor, item_id, "submit")
    response = post_step(publisher, item_id, "return", note="Cite the legal basis.")
    assert response.status_code == 302
    item = get_item(cms_app, item_id)
    assert item.draft_state is DraftState.DRAFT
    assert "Cite the legal basis." in editor.get(f"/manage/items/{item_id}").text
    # Back on its author's dashboard, among their drafts.
    dashboard = editor.get("/manage/").text
    assert NEW_REGULATION["title_en"] in dashboard.split('id="my-drafts"')[1].split("</section>")[0]


def test_a_draft_identical_to_the_live_version_is_not_sent_for_review(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    item_id = item_id_of(create_draft(editor))
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    publisher.post(f"/manage/items/{item_id}/approve", data=form)
    form = form_of(editor, f"/manage/items/{item_id}/edit")
    editor.post(f"/manage/items/{item_id}/edit", data=form | NEW_REGULATION)
    refused = post_step(editor, item_id, "submit")
    assert refused.status_code == 409
    assert "nothing to review" in refused.text
    assert get_item(cms_app, item_id).draft_state is DraftState.DRAFT
