"""The search page, autocomplete, and the hop that records which result was followed."""

import logging
import re

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from tradeportal.countries.models import Country
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.hs.queries import find_by_words
from tradeportal.i18n import N_, chosen_language
from tradeportal.search import querylog
from tradeportal.search.backend import IndexUnavailable
from tradeportal.search.codes import is_code_like, resolve_code
from tradeportal.search.extension import search_store, suggestion_cache
from tradeportal.search.query import normalise_query
from tradeportal.search.results import (
    HIT_LABELS,
    LANGUAGE_LABELS,
    TYPE_LABELS,
    SearchParams,
    SearchResults,
    run_search,
)
from tradeportal.search.suggest import MAX_INPUT, suggest
from tradeportal.validity import InvalidDate, parse_as_of, today

logger = logging.getLogger(__name__)
bp = Blueprint("search", __name__)

_FILTERS = {
    "type": re.compile(r"[a-z_]{2,20}"),
    "chapter": re.compile(r"[0-9]{2}"),
    "country": re.compile(r"[A-Z]{3}"),
    "language": re.compile(r"en|fr"),
}
_PAGE = re.compile(r"[0-9]{1,4}")
# Values listed per facet; the rest are reachable by narrowing the search.
FACET_VALUES_SHOWN = 12


class BadParameter(ValueError):
    """A filter or page number that cannot be used (English; the page translates it)."""

    def __init__(self, template: str, **values):
        self.template, self.values = template, values
        super().__init__(template % values if values else template)


UNKNOWN_FILTER = {
    "type": N_("Unknown type filter; remove it and search again."),
    "chapter": N_("Unknown chapter filter; remove it and search again."),
    "country": N_("Unknown country filter; remove it and search again."),
    "language": N_("Unknown language filter; remove it and search again."),
}


def read_filters(args) -> dict[str, str]:
    filters = {}
    for name, shape in _FILTERS.items():
        value = args.get(name, "").strip()
        if not value:
            continue
        if not shape.fullmatch(value) or (name == "type" and value not in TYPE_LABELS):
            raise BadParameter(UNKNOWN_FILTER[name])
        filters[name] = value
    return filters


def read_page(raw: str | None, max_pages: int) -> int:
    if raw is None or raw == "":
        return 1
    if not _PAGE.fullmatch(raw.strip()) or int(raw) < 1:
        raise BadParameter(N_("Page numbers are whole numbers from 1."))
    if int(raw) > max_pages:
        raise BadParameter(
            N_("Results stop at page %(max)s; add words to narrow the search."), max=max_pages
        )
    return int(raw)


@bp.get("/search")
def search():
    """Search codes and content; a code-like query goes straight to its node."""
    config = current_app.config
    limit = config["MAX_QUERY_LENGTH"]
    text, truncated = normalise_query(request.args.get("q"), limit)
    try:
        day = parse_as_of(request.args.get("date"))
        filters = read_filters(request.args)
        page = read_page(request.args.get("page"), config["SEARCH_MAX_PAGES"])
    except (InvalidDate, BadParameter) as error:
        return render_error(400, error)
    dated = bool(request.args.get("date"))
    page_args = {"q": text, "date": day.isoformat() if dated else None, **filters}
    context = dict(
        query=text, truncated=truncated, limit=limit, day=day, dated=dated, filters=filters,
        page_args=page_args, type_labels=TYPE_LABELS, hit_labels=HIT_LABELS,
        language_labels=LANGUAGE_LABELS,
        country_names={}, facet_values_shown=FACET_VALUES_SHOWN,
        code=None, results=SearchResults(), fallback=None, token=None,
    )  # fmt: skip
    if not text:
        return render_template("search/results.html", **context)

    params = dict(text=text, day=day, filters=filters, page=page)
    if is_code_like(text):
        answer = resolve_code(text, day)
        if answer.target:
            dates = {"date": day.isoformat()} if dated else {}
            return redirect(url_for("hs.detail", raw=answer.target, **dates))
        context["code"] = answer
        params = dict(params, text="", code_prefix=answer.digits if len(answer.digits) > 1 else "")
    status = 400 if context["code"] and context["code"].error else 200
    if context["code"] and not params["code_prefix"]:
        return render_template("search/results.html", **context), status

    try:
        results = run_search(
            search_store(),
            SearchParams(
                **params,
                page_size=config["SEARCH_PAGE_SIZE"],
                max_pages=config["SEARCH_MAX_PAGES"],
                few_hits=config["SEARCH_FEW_HITS"],
            ),
        )
    except IndexUnavailable as error:
        logger.warning("search without an index: %s", error)
        context["fallback"] = find_by_words(text.split(), day) if not context["code"] else []
        return render_template("search/results.html", **context), status
    if results.pages and page > results.pages:
        return redirect(url_for("search.search", **dict(page_args, page=results.pages)))
    context.update(
        results=results,
        token=_follow_token(request.args.get("t"), page, results),
        country_names=_country_names(results),
    )
    page_args["t"] = context["token"]
    return render_template("search/results.html", **context), status


def _country_names(results: SearchResults) -> dict[str, str]:
    """Name the countries the facet lists (one query for the values shown), as the page reads."""
    codes = [facet.value for facet in results.facets.get("country", [])[:FACET_VALUES_SHOWN]]
    if not codes:
        return {}
    name = Country.name_fr if chosen_language() == "fr" else Country.name_en
    rows = db.session.execute(
        select(Country.iso3, name, Country.name_en).where(Country.iso3.in_(codes))
    )
    return {iso3: shown or english for iso3, shown, english in rows}


def _follow_token(given: str | None, page: int, results: SearchResults) -> str | None:
    """Count a new search (first page, no filter) and sign the token its links carry.

    Later pages and filter changes of the same search carry its token along.
    """
    if given:
        return given
    if page != 1 or request.args.get("type") or request.args.get("chapter"):
        return None
    if request.args.get("country") or request.args.get("language"):
        return None
    query = request.args.get("q", "")
    text, _ = normalise_query(query, current_app.config["MAX_QUERY_LENGTH"])
    try:
        log_id = querylog.record_search(db.session, text, results.language, results.total)
        db.session.commit()
    except SQLAlchemyError:
        # The log must never cost a visitor their results.
        db.session.rollback()
        logger.exception("could not record a search in the query log")
        return None
    return querylog.follow_token(log_id)


@bp.get("/search/go")
def follow():
    """Record that a search result was followed, then go to it (local paths only)."""
    target = request.args.get("to")
    if not querylog.is_local_path(target):
        return render_error(400, N_("That link does not lead to a page of this site."))
    try:
        if querylog.record_follow(db.session, request.args.get("t")):
            db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        logger.exception("could not record a followed search result")
    return redirect(target, 302)


@bp.get("/search/suggest")
def suggestions():
    """Autocomplete: up to ten HS descriptions, search references or codes, as JSON."""
    text, _ = normalise_query(request.args.get("q"), MAX_INPUT)
    payload = {"query": text, "suggestions": []}
    if len(text) < 2:
        return jsonify(payload)
    try:
        vocabulary = suggestion_cache().get(search_store(), today())
    except IndexUnavailable:
        return jsonify(payload)
    limit = current_app.config["SEARCH_SUGGEST_LIMIT"]
    payload["suggestions"] = [
        entry.as_json(url_for(entry.endpoint, **dict(entry.values)))
        for entry in suggest(vocabulary, text, limit)
    ]
    return jsonify(payload)
