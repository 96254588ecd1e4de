"""PageInput: every rule of a page, news item or event, as files and forms send them."""

from datetime import date

import pytest
from marshmallow import ValidationError

from tests.pages.conftest import page_record
from tradeportal.pages.models import PageKind
from tradeportal.pages.schemas import MAX_BODY, MAX_SUMMARY, PageInput


def load(record: dict) -> dict:
    return PageInput().load(record)


def errors_of(record: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        load(record)
    return caught.value.messages


def test_a_minimal_page_loads_with_defaults():
    loaded = load(page_record("about"))
    assert loaded["kind"] is PageKind.PAGE
    assert loaded["title_fr"] is None
    assert loaded["body_en"] is None
    assert loaded["is_demo"] is False
    assert loaded["published_on"] == date(2020, 1, 1)  # defaults to valid_from


def test_every_value_may_come_as_a_string_like_a_form_post():
    loaded = load(
        {
            "slug": "fair-2027",
            "kind": "event",
            "title_en": "  Trade fair  ",
            "valid_from": "2026-01-01",
            "published_on": "2026-02-01",
            "event_starts_on": "2027-03-01",
            "event_ends_on": "2027-03-03",
            "event_location": "Port Louis",
            "is_demo": "true",
            "body_en": "",
        }
    )
    assert loaded["title_en"] == "Trade fair"
    assert loaded["valid_to"] is None
    assert loaded["summary_en"] is None
    assert loaded["published_on"] == date(2026, 2, 1)
    assert loaded["event_ends_on"] == date(2027, 3, 3)
    assert loaded["is_demo"] is True
    assert loaded["body_en"] is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "blog", "Must be one of: page, news, event"),
        ("title_en", "   ", "Must not be empty"),
        ("title_en", "x" * 301, "at most 300 characters"),
        ("valid_from", "2026-02-30", "not a real date"),
        ("published_on", "20260101", "not a date written YYYY-MM-DD"),
        ("summary_en", "x" * (MAX_SUMMARY + 1), "at most 500 characters"),
        ("body_en", "x" * (MAX_BODY + 1), "at most 50,000 characters"),
        ("source_url", "javascript:alert(1)", "full http:// or https:// address"),
    ],
)
def test_bad_fields_are_refused_with_a_reason(field, value, message):
    errors = errors_of(page_record("a-page", **{field: value}))
    assert message in " ".join(errors[field])


@pytest.mark.parametrize("slug", ["Not A Slug", "a--b", "-a", "é", "a" * 81])
def test_a_slug_is_lower_case_letters_digits_and_single_hyphens(slug):
    assert "slug" in errors_of(page_record("x") | {"slug": slug})


def test_required_fields_are_named():
    errors = errors_of({})
    assert set(errors) == {"slug", "kind", "title_en", "valid_from"}


@pytest.mark.parametrize("field", ["title_en", "summary_en", "body_en", "body_fr"])
@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_are_refused(field, character):
    record = page_record("a-page", title_fr="Titre", **{field: f"Text {character} here"})
    errors = errors_of(record)
    assert f"U+{ord(character):04X} at character 6" in " ".join(errors[field])


def test_line_breaks_and_tabs_are_kept_in_texts_and_crlf_becomes_lf():
    loaded = load(
        page_record("a-page", summary_en="One\r\ntwo\rthree", body_en="# Title\r\n\r\n\tcode")
    )
    assert loaded["summary_en"] == "One\ntwo\nthree"
    assert loaded["body_en"] == "# Title\n\n\tcode"


def test_a_title_is_one_line():
    errors = errors_of(page_record("a-page", title_en="Two\nlines"))
    assert "U+000A" in " ".join(errors["title_en"])


def test_the_length_is_counted_after_line_breaks_are_normalised():
    body = "a\r\n" * (MAX_BODY // 2 - 1)  # over 50,000 characters as CRLF, under as LF
    assert len(body) > MAX_BODY
    assert (
        load(page_record("a-page", body_en=body))["body_en"] == body.replace("\r\n", "\n").strip()
    )


def test_markdown_with_html_is_stored_as_typed():
    source = "## Hi\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    assert load(page_record("a-page", body_en=source))["body_en"] == source


def test_an_event_needs_a_start():
    errors = errors_of(page_record("fair", kind="event", event_starts_on=None))
    assert errors["event_starts_on"] == ["An event needs the day it starts."]


def test_an_event_cannot_end_before_it_starts():
    record = page_record(
        "fair", kind="event", event_starts_on="2027-03-03", event_ends_on="2027-03-02"
    )
    assert errors_of(record)["event_ends_on"] == ["The event ends before it starts."]


def test_a_one_day_event_may_end_the_day_it_starts():
    record = page_record(
        "fair", kind="event", event_starts_on="2027-03-03", event_ends_on="2027-03-03"
    )
    assert load(record)["event_ends_on"] == date(2027, 3, 3)


@pytest.mark.parametrize("kind", ["page", "news"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_starts_on", "2027-01-01"),
        ("event_ends_on", "2027-01-02"),
        ("event_location", "Port Louis"),
    ],
)
def test_pages_and_news_carry_no_event_fields(kind, field, value):
    errors = errors_of(page_record("item", kind=kind, **{field: value}))
    assert errors[field] == [f"Only events have {field}; leave it empty for a {kind} item."]


def test_the_validity_window_is_ordered():
    errors = errors_of(page_record("a-page", valid_from="2026-01-02", valid_to="2026-01-01"))
    assert "before valid_from" in " ".join(errors["valid_to"])


@pytest.mark.parametrize("field", ["summary_fr", "body_fr"])
def test_french_texts_need_a_french_title(field):
    errors = errors_of(page_record("a-page", **{field: "Texte"}))
    assert errors["title_fr"] == ["Give the French title with the French texts."]


def test_only_the_bodies_are_marked_as_markdown_for_the_editor():
    marked = {name for name, field in PageInput().fields.items() if field.metadata.get("markdown")}
    assert marked == {"body_en", "body_fr"}
