"""Issue 5, "done when": the whole editorial path through the screens, as people use it.

An editor drafts a regulation linked to 0901; a publisher reviews the diff, the impact
(codes reached, subscribers to alert, the rendering before and after) and publishes it; it
shows on /hs/090121 and in search; an amendment goes the same way; the history shows both
published versions and compares them.
"""

import re

from tests.alerts.conftest import subscribe_directly
from tests.cms.conftest import form_of, post_step
from tests.cms.test_workflow import NEW_REGULATION, create_draft, item_id_of
from tests.search.conftest import text_of
from tradeportal.alerts.models import SubscriptionKind
from tradeportal.auth.models import Role

FIRST_TITLE = NEW_REGULATION["title_en"]
AMENDED_TITLE = "Phytosanitary inspection of green and roasted coffee"


def rendered(review_text: str, side: str) -> str:
    """Return the "before" or "after" rendering of a review page."""
    found = re.search(
        rf'<section aria-labelledby="rendered-{side}">(.*?)</section>', review_text, re.S
    )
    assert found, f"the review page has no rendering {side}"
    return found.group(1)


def review_and_publish(publisher, item_id: int) -> str:
    review = publisher.get(f"/manage/items/{item_id}/review")
    assert review.status_code == 200
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    assert publisher.post(f"/manage/items/{item_id}/approve", data=form).status_code == 302
    return review.text


def test_an_editor_drafts_a_publisher_reviews_and_publishes_and_history_has_both(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    subscribe_directly(cms_app, "coffee-trader@example.org", (SubscriptionKind.HS, "0901"))
    subscribe_directly(cms_app, "tea-trader@example.org", (SubscriptionKind.HS, "0902"))
    public = cms_app.test_client()

    # The editor drafts it, linked to the coffee heading; nothing is public yet.
    item_id = item_id_of(create_draft(editor))
    assert FIRST_TITLE not in public.get("/hs/090121").text
    assert post_step(editor, item_id, "submit").status_code == 302

    # The publisher reviews the diff and the impact, then publishes.
    review = review_and_publish(publisher, item_id)
    assert re.search(
        r'<th scope="row">HS codes</th>\s*<td[^>]*>.*?</td>\s*<td[^>]*>'
        r'<ins class="added">0901</ins>',
        review,
        re.S,
    )
    assert re.search(r"0901 \(Coffee[^)]*\) → 5 subheadings, 0 national lines", review)
    assert re.search(r"Subscribers alerted:</strong>\s*1</li>", review)  # not the tea trader
    assert "Nothing is shown to readers yet" in rendered(review, "before")
    assert FIRST_TITLE in rendered(review, "after")

    # It shows on the product page of a subheading below 0901, and in search.
    product = public.get("/hs/090121")
    assert FIRST_TITLE in product.text and "0901" in product.text
    found = public.get("/search?q=phytosanitary+green+coffee+berry+borer")
    assert FIRST_TITLE in text_of(found)

    # An amendment: the published version stays live until the new one is published.
    form = form_of(editor, f"/manage/items/{item_id}/edit")
    saved = editor.post(
        f"/manage/items/{item_id}/edit", data=form | NEW_REGULATION | {"title_en": AMENDED_TITLE}
    )
    assert saved.status_code == 302
    assert FIRST_TITLE in public.get("/hs/090121").text
    post_step(editor, item_id, "submit")
    review = review_and_publish(publisher, item_id)
    assert f'<del class="removed">{FIRST_TITLE}</del>' in review
    assert f'<ins class="added">{AMENDED_TITLE}</ins>' in review
    assert FIRST_TITLE in rendered(review, "before") and AMENDED_TITLE not in rendered(
        review, "before"
    )
    assert AMENDED_TITLE in rendered(review, "after")
    product = public.get("/hs/090121").text
    assert AMENDED_TITLE in product and FIRST_TITLE not in product

    # The history shows both published versions, and compares them field by field.
    history = editor.get(f"/manage/items/{item_id}/history").text
    published = [
        int(number)
        for number, kind in re.findall(
            r"<td>(\d+)</td>\s*<td><span class=\"badge\">(\w+)</span>", history
        )
        if kind == "Published"
    ]
    assert len(published) == 2, history
    older, newer = sorted(published)
    diff = editor.get(f"/manage/items/{item_id}/diff?a={older}&b={newer}")
    assert diff.status_code == 200
    assert f'<del class="removed">{FIRST_TITLE}</del>' in diff.text
    assert f'<ins class="added">{AMENDED_TITLE}</ins>' in diff.text
