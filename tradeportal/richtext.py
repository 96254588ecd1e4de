"""Markdown to safe HTML: markdown-it-py renders, then nh3 keeps only an allow-list.

Editors' Markdown is stored as typed (Input schemas refuse control characters and cap the
length) and sanitised here on every render, so a change of policy reaches old texts too.
Raw HTML in the source is shown as text, never interpreted. Images are not embedded: they
would let a text load third-party addresses in visitors' browsers (tracking pixels, the
CSP's ``img-src``), so an image is rendered as a link to it, labelled with its alt text.
"""

import functools

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "s",  # ~~strikethrough~~
        "a",
        "code",
        "pre",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "br",
    }
)
ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})
# ``rel`` is added by nh3 (LINK_REL), never taken from the input; ``class`` only as above.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {"th": ALIGN_CLASSES, "td": ALIGN_CLASSES}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Body headings sit under the page's own <h1>: "# Title" becomes h2, "#####" becomes h4.
SHALLOWEST_HEADING, DEEPEST_HEADING = 2, 4


def _relative_link(url: str) -> str | None:
    """Keep relative paths; drop "//host" and backslash forms that browsers read as hosts."""
    if url.startswith("//") or "\\" in url:
        return None
    return url


def _adjust_tokens(state: StateCore) -> None:
    """Clamp heading levels and turn table alignment styles into classes (CSP: no styles)."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(max(int(token.tag[1]), SHALLOWEST_HEADING), DEEPEST_HEADING)
            token.tag = f"h{level}"
        elif token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith("text-align:"):
                token.attrSet("class", f"align-{style.removeprefix('text-align:')}")


def _image_as_link(renderer, tokens, index, options, env) -> str:
    token = tokens[index]
    label = renderer.renderInlineAsText(token.children or [], options, env)
    source = str(token.attrGet("src") or "")
    return f'<a href="{escapeHtml(source)}">{escapeHtml(label or source)} (image)</a>'


@functools.cache
def _markdown() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.core.ruler.push("portal_adjust_tokens", _adjust_tokens)
    parser.add_render_rule("image", _image_as_link)
    return parser


@functools.cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        url_schemes=set(LINK_SCHEMES),
        url_relative=_relative_link,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """Render Markdown source as sanitised HTML, safe to insert into a page."""
    if not text or not text.strip():
        return Markup("")
    # nh3 is the guarantee: whatever markdown-it produces, only the allow-list survives.
    return Markup(_cleaner().clean(_markdown().render(text)))  # noqa: S704


def markdown_as_text(text: str | None) -> str:
    """Return the visible text of Markdown source (for search indexes and summaries)."""
    return render_markdown(text).striptags()
