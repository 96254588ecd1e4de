"""Shared template helpers."""

from flask import url_for

from tradeportal.templating import UrlPattern, select_options


def test_select_options_escapes_values_and_labels():
    html = str(select_options([('x"><script>', "A & <b>")], None))
    assert "<script>" not in html and "<b>" not in html
    assert 'value="x&#34;&gt;&lt;script&gt;"' in html
    assert ">A &amp; &lt;b&gt;</option>" in html


def test_select_options_marks_only_the_selected_value():
    choices = [("FRA", "France"), ("GBR", "United Kingdom"), ("MUS", "Mauritius")]
    html = str(select_options(choices, "GBR"))
    assert html.count(" selected") == 1
    assert '<option value="GBR" selected>United Kingdom</option>' in html
    assert str(select_options(choices, None)).count("selected") == 0
    # The cache keeps labels per list: a renamed country shows its new name.
    renamed = [("FRA", "République française"), *choices[1:]]
    assert "République française" in str(select_options(renamed, None))


def test_url_pattern_builds_the_addresses_url_for_builds(app):
    slugs = ["fish-import-permit", 'a b/c"<x>', "é&?#", "__value__"]
    with app.test_request_context("/"):
        for args in ({}, {"date": "2026-01-01"}):
            pattern = UrlPattern("regulations.regulation_detail", "slug", **args)
            for slug in slugs:
                assert pattern(slug) == url_for("regulations.regulation_detail", slug=slug, **args)
