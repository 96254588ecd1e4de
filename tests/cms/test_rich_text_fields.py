"""Every rich-text field saved through the CMS renders inert: the XSS corpus, one by one."""

import re

from tests.cms.conftest import form_of, post_step
from tests.cms.test_workflow import item_id_of
from tests.test_richtext import assert_no_executable_markup, xss_payloads
from tradeportal.auth.models import Role
from tradeportal.cms.records import form_fields
from tradeportal.content.registry import CONTENT_TYPES

RICH_TEXT = re.compile(r'<div class="rich-text">(.*?)</div>', re.DOTALL)
PAGE = {
    "slug": "xss-check",
    "kind": "page",
    "title_en": "Rich text check",
    "title_fr": "Vérification du texte enrichi",
    "valid_from": "2026-01-01",
    "body_en": "Safe start.",
    "body_fr": "Début sûr.",
}


def rich_fragments(html: str) -> list[str]:
    fragments = RICH_TEXT.findall(html)
    assert fragments, "the page shows no rich text"
    return fragments


def test_the_rich_text_fields_are_the_ones_checked_here(cms_app):
    markdown_fields = {
        (name, field.name)
        for name, content_type in CONTENT_TYPES.items()
        for field in form_fields(content_type)
        if field.markdown
    }
    assert markdown_fields == {("pages", "body_en"), ("pages", "body_fr")}


def test_every_payload_through_every_rich_text_field_renders_inert(cms_app, as_role):
    editor, publisher = as_role(Role.EDITOR), as_role(Role.PUBLISHER)
    form = form_of(editor, "/manage/content/pages/new")
    item_id = item_id_of(editor.post("/manage/content/pages/new", data=form | PAGE))
    payloads = xss_payloads()
    assert len(payloads) >= 40
    accepted = []
    for payload in payloads:
        form = form_of(editor, f"/manage/items/{item_id}/edit")
        saved = editor.post(
            f"/manage/items/{item_id}/edit",
            data=form | PAGE | {"body_en": payload, "body_fr": payload},
        )
        if saved.status_code in (400, 422):  # refused: a NUL (400), control characters
            continue
        assert saved.status_code == 302, payload
        preview = editor.get(f"/manage/items/{item_id}/preview").text
        for fragment in rich_fragments(preview):
            assert_no_executable_markup(fragment)
        accepted.append(payload)
    # The corpus reached the renderer, not the validator.
    assert len(accepted) >= len(payloads) * 0.9

    # All those accepted at once, published, on the public page in both languages.
    form = form_of(editor, f"/manage/items/{item_id}/edit")
    everything = "\n\n".join(accepted)
    saved = editor.post(
        f"/manage/items/{item_id}/edit",
        data=form | PAGE | {"body_en": everything, "body_fr": everything},
    )
    assert saved.status_code == 302
    post_step(editor, item_id, "submit")
    form = form_of(publisher, f"/manage/items/{item_id}/review")
    assert publisher.post(f"/manage/items/{item_id}/approve", data=form).status_code == 302
    public = cms_app.test_client()
    for language in ("en", "fr"):
        page = public.get(f"/pages/xss-check?lang={language}")
        assert page.status_code == 200
        for fragment in rich_fragments(page.text):
            assert_no_executable_markup(fragment)
