"""Markdown rendering: ordinary Markdown works, and no payload yields executable markup.

``tests/xss_payloads.txt`` holds one payload per line; in it ``\\n``, ``\\t``, ``\\xNN``
and ``\\\\`` stand for a line break, a tab, the character NN (hex) and a backslash. Other
tests (the CMS's rich-text fields) reuse it through :func:`xss_payloads` and
:func:`assert_no_executable_markup`.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from tradeportal.richtext import ALLOWED_TAGS, markdown_as_text, render_markdown

PAYLOAD_FILE = Path(__file__).parent / "xss_payloads.txt"
_ESCAPE = re.compile(r"\\(n|t|\\|x[0-9a-fA-F]{2})")
SAFE_SCHEMES = {"http", "https", "mailto"}
# Attributes the sanitiser may leave: everything else (style, src, on*, ...) is refused.
SAFE_ATTRIBUTES = {"href", "title", "rel", "class", "start"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background"}
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
# Pieces the property test strings together: Markdown and HTML syntax, scheme fragments.
FRAGMENTS = [
    *"<>/\"'=&#;:()[]!`*_~|-\\ \n\tabjsvcript01onerrolad",
    *("javascript:", "<a href=", "<img ", "](", "&#x6A;", "<!--", "-->", "\x00"),
]


def _unescape(match: re.Match) -> str:
    code = match.group(1)
    if code.startswith("x"):
        return chr(int(code[1:], 16))
    return {"n": "\n", "t": "\t", "\\": "\\"}[code]


def xss_payloads() -> list[str]:
    """Return the payloads of tests/xss_payloads.txt with their escapes decoded."""
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
    return [_ESCAPE.sub(_unescape, line) for line in lines if line.strip()]


def link_scheme(value: str) -> str | None:
    """Return the scheme a browser would read from an address, or None when relative."""
    # Browsers drop whitespace and control characters before reading the scheme.
    squeezed = "".join(c for c in value if ord(c) > 0x20 and not 0x7F <= ord(c) <= 0x9F)
    found = SCHEME.match(squeezed.lower())
    return found.group(1) if found else None


class _MarkupAudit(HTMLParser):
    """Collect every tag, attribute and comment-like construct of a fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name not in SAFE_ATTRIBUTES:
                self.problems.append(f"attribute {name} on <{tag}>")
            # html.parser has already decoded character references, as a browser would.
            if name in URL_ATTRIBUTES and value is not None:
                scheme = link_scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name} with scheme {scheme!r}: {value!r}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}> is not allowed")

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data!r}")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def hrefs_of(html: str) -> list[str]:
    """Return the link addresses of an HTML fragment, decoded as a browser reads them."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def executable_markup(html: str) -> list[str]:
    """List what in an HTML fragment could run script or leave the allow-list."""
    audit = _MarkupAudit()
    audit.feed(html)
    audit.close()
    return audit.problems


def assert_no_executable_markup(html: str) -> None:
    """Fail when an HTML fragment holds markup outside the rich-text allow-list."""
    problems = executable_markup(html)
    assert not problems, f"{problems} in {html!r}"


# --- the checker itself must catch what it is meant to catch ---------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<p onclick="x()">a</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<a href="vbscript:x">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<img src="http://example.com/x.png">',
        '<p style="color:red">a</p>',
        "<!-- hidden -->",
    ],
)
def test_the_checker_catches_executable_markup(html):
    assert executable_markup(html)


def test_the_payload_file_is_large_and_decoded():
    payloads = xss_payloads()
    assert len(payloads) >= 40
    assert "[x][ref]\n\n[ref]: javascript:alert(1)" in payloads
    assert "[x](java\tscript:alert(1))" in payloads
    assert "[x](java\x00script:alert(1))" in payloads


# --- the renderer ------------------------------------------------------------------------


@pytest.mark.parametrize("payload", xss_payloads())
def test_no_payload_renders_executable_markup(payload):
    html = str(render_markdown(payload))
    assert_no_executable_markup(html)
    assert "<script" not in html.lower()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(FRAGMENTS),
        max_size=60,
    ).map("".join)
)
def test_arbitrary_markdown_never_renders_executable_markup(text):
    assert_no_executable_markup(str(render_markdown(text)))


def test_headings_lists_emphasis_and_quotes_render():
    html = str(
        render_markdown(
            "## Section\n\n### Sub\n\nSome **bold**, *italic*, ~~gone~~ and `code`.\n\n"
            "- one\n- two\n\n3. three\n4. four\n\n> quoted\n\n---\n\nline  \nbreak"
        )
    )
    assert "<h2>Section</h2>" in html
    assert "<h3>Sub</h3>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<s>gone</s>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>' in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<hr>" in html
    assert "line<br>" in html


def test_heading_levels_stay_under_the_page_title():
    html = str(render_markdown("# Top\n\n##### Deep\n\n###### Deeper"))
    assert "<h1>" not in html
    assert "<h2>Top</h2>" in html
    assert "<h4>Deep</h4>" in html
    assert "<h4>Deeper</h4>" in html


def test_links_keep_safe_addresses_and_get_rel():
    html = str(
        render_markdown(
            '[web](https://example.org/a?b=1&c=2 "The title") [mail](mailto:desk@example.org) '
            "[path](/hs/0901) [anchor](#part) [here](other-page) <https://example.org/auto>"
        )
    )
    rel = 'rel="noopener noreferrer nofollow"'
    assert f'<a href="https://example.org/a?b=1&amp;c=2" title="The title" {rel}>web</a>' in html
    assert f'<a href="mailto:desk@example.org" {rel}>mail</a>' in html
    assert f'<a href="/hs/0901" {rel}>path</a>' in html
    assert f'<a href="#part" {rel}>anchor</a>' in html
    assert f'<a href="other-page" {rel}>here</a>' in html
    assert f'<a href="https://example.org/auto" {rel}>https://example.org/auto</a>' in html


@pytest.mark.parametrize(
    "source",
    ["[x](//evil.example/path)", "[x](/\\evil.example)", "<//evil.example>"],
)
def test_addresses_that_browsers_read_as_other_hosts_are_dropped(source):
    hrefs = hrefs_of(str(render_markdown(source)))
    assert all(not href.startswith("//") and "\\" not in href for href in hrefs), hrefs


def test_tables_render_with_alignment_as_classes():
    html = str(render_markdown("| Code | Rate |\n|:--|--:|\n| 0901 | 15% |"))
    assert '<th class="align-left">Code</th>' in html
    assert '<td class="align-right">15%</td>' in html
    assert "<table>" in html
    assert "<thead>" in html
    assert "<tbody>" in html
    assert "style" not in html


def test_raw_html_is_shown_as_text():
    html = str(render_markdown('<b>bold</b> and <a href="https://example.org">link</a>'))
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>" not in html
    assert "<a " not in html


def test_images_become_links_to_them():
    html = str(render_markdown("![Port Louis harbour](https://example.org/harbour.jpg)"))
    assert "<img" not in html
    assert (
        '<a href="https://example.org/harbour.jpg" rel="noopener noreferrer nofollow">'
        "Port Louis harbour (image)</a>"
    ) in html


def test_code_blocks_keep_their_text_and_lose_their_class():
    html = str(render_markdown("```python\nprint('<b>')\n```"))
    assert html == "<pre><code>print('&lt;b&gt;')\n</code></pre>\n"


@pytest.mark.parametrize("empty", [None, "", "   \n"])
def test_empty_text_renders_nothing(empty):
    assert render_markdown(empty) == Markup("")


def test_the_result_is_markup_and_the_text_form_has_no_tags():
    assert isinstance(render_markdown("**a**"), Markup)
    assert markdown_as_text("## Title\n\nSome **bold** [link](/x).") == "Title Some bold link."


def test_the_jinja_filter_renders_sanitised_markdown(app_context):
    template = app_context.jinja_env.from_string("{{ text|markdown }}")
    html = template.render(text="**hi** [x](javascript:alert(1)) <script>x</script>")
    assert "<strong>hi</strong>" in html
    assert "&lt;script&gt;" in html
    assert_no_executable_markup(html)
