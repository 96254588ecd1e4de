"""The search box: a code jumps to its page, words list the matching codes."""

import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from tradeportal.hs.codes import InvalidHSCode, normalise_hs_code
from tradeportal.hs.queries import find_by_words
from tradeportal.validity import today

bp = Blueprint("search", __name__)

# Input made only of digits and separators (optionally "HS ...") is meant as a code.
_CODE_LIKE = re.compile(r"^\s*(?:hs|sh)?[\s:#]*[0-9][0-9.\s\-]*$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@bp.get("/search")
def search():
    """Jump to a code, or list the codes whose descriptions hold every word."""
    raw = request.args.get("q", "")
    limit = current_app.config["MAX_QUERY_LENGTH"]
    truncated = len(raw) > limit
    query = _CONTROL.sub(" ", raw[:limit]).strip()
    if not query:
        return render_template("search/results.html", query="", results=[], truncated=False)
    if _CODE_LIKE.match(query):
        try:
            code = normalise_hs_code(query)
        except InvalidHSCode as error:
            return render_template("hs/invalid.html", error=error, query=query), 400
        return redirect(url_for("hs.detail", raw=code.digits))
    results = find_by_words(query.split(), today())
    return render_template(
        "search/results.html", query=query, results=results, truncated=truncated, limit=limit
    )
