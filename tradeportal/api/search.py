"""/api/v1/search and /api/v1/suggest: the search page's engine, as data."""

from flask import current_app, url_for
from marshmallow import Schema, ValidationError, fields, validate, validates

from tradeportal.api import bp
from tradeportal.api.core import (
    MAX_PER_PAGE,
    ApiError,
    QuerySchema,
    documented,
    list_of,
    page_body,
    paged,
    whole_number,
)
from tradeportal.api.params import as_of
from tradeportal.hs.codes import format_code
from tradeportal.search.backend import IndexUnavailable
from tradeportal.search.codes import is_code_like, resolve_code
from tradeportal.search.extension import search_store, suggestion_cache
from tradeportal.search.query import normalise_query
from tradeportal.search.results import LANGUAGE_LABELS, TYPE_LABELS, SearchParams, run_search
from tradeportal.search.suggest import MAX_INPUT, suggest
from tradeportal.validity import today

TAG = "Search"
# Where each kind of result lives in the API: page endpoint -> (API endpoint, renamed values).
API_ENDPOINTS = {
    "hs.detail": ("api.node", {"raw": "code"}),
    "regulations.regulation_detail": ("api.regulation", {}),
    "regulations.procedure_detail": ("api.procedure", {}),
    "agreements.detail": ("api.agreement", {}),
    "agreements.scheme": ("api.scheme", {}),
    "countries.detail": ("api.country", {"raw": "iso3"}),
    "tenders.detail": ("api.tender", {}),
}
UNAVAILABLE = "Search is not available right now (no index has been built yet)."


def _bounded(limit_key: str | None = None, limit: int | None = None):
    def check(value: str) -> None:
        most = limit if limit is not None else current_app.config[limit_key]
        if len(value) > most:
            raise ValidationError(f"At most {most} characters.")

    return check


class SearchQuery(QuerySchema):
    q = fields.String(
        required=True,
        validate=_bounded("MAX_QUERY_LENGTH"),
        metadata={"description": 'Words, "a phrase", or an HS code.', "example": "roasted coffee"},
    )
    date = as_of()
    type = fields.String(load_default=None, validate=validate.OneOf(sorted(TYPE_LABELS)))
    chapter = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[0-9]{2}$", error="Give two digits, e.g. 09."),
    )
    country = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Z]{3}$", error="Three capitals, e.g. GBR."),
    )
    language = fields.String(load_default=None, validate=validate.OneOf(sorted(LANGUAGE_LABELS)))
    page = whole_number(1, 10_000, 1, "The page of results, from 1.")
    per_page = whole_number(1, MAX_PER_PAGE, 20, "Results per page.")
    facets = fields.Boolean(load_default=True, metadata={"description": "Count the facets."})

    @validates("page")
    def within_reach(self, value: int, data_key: str) -> None:
        most = current_app.config["SEARCH_MAX_PAGES"]
        if value > most:
            raise ValidationError(f"Results stop at page {most}; add words to narrow the search.")


class HitSchema(Schema):
    key = fields.String(required=True)
    type = fields.String(
        required=True, attribute="doc_type", metadata={"enum": sorted(TYPE_LABELS)}
    )
    title = fields.String(required=True)
    title_fr = fields.String(required=True, allow_none=True)
    snippet = fields.String(required=True, allow_none=True)
    code = fields.String(required=True, allow_none=True)
    display = fields.String(required=True, allow_none=True)
    edition = fields.String(required=True, allow_none=True)
    is_demo = fields.Boolean(required=True)
    matched_refs = fields.List(fields.String(), required=True)
    score = fields.Float(required=True)
    url = fields.String(required=True, metadata={"description": "The page on this site."})
    api_url = fields.String(required=True, allow_none=True)


class FacetValueSchema(Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True)
    selected = fields.Boolean(required=True)


class SearchAboutSchema(Schema):
    text = fields.String(required=True, metadata={"description": "The query as searched."})
    as_of = fields.Date(required=True)
    language = fields.String(required=True, metadata={"enum": ["en", "fr", "und"]})
    corrected = fields.String(
        required=True, allow_none=True, metadata={"description": "Did you mean."}
    )
    fuzzy = fields.Boolean(
        required=True, metadata={"description": "Close spellings were searched too."}
    )
    code = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The code a code-like query names."},
    )


SearchListSchema = list_of(
    HitSchema,
    query=fields.Nested(SearchAboutSchema, required=True),
    facets=fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)), required=True
    ),
)


def _plain(markup) -> str | None:
    # Highlights are <mark> around escaped text: the API gives the text alone.
    return markup.striptags() if markup is not None else None


def _api_url(hit) -> str | None:
    target = API_ENDPOINTS.get(hit.endpoint)
    if target is None:
        return None
    endpoint, renamed = target
    values = {renamed.get(name, name): value for name, value in hit.values.items()}
    return url_for(endpoint, **values)


def _hit(hit) -> dict:
    return {
        "key": hit.key,
        "doc_type": hit.doc_type,
        "title": _plain(hit.title),
        "title_fr": _plain(hit.title_fr),
        "snippet": _plain(hit.snippet),
        "code": hit.code,
        "display": format_code(hit.code) if hit.code else None,
        "edition": hit.edition,
        "is_demo": hit.is_demo,
        "matched_refs": hit.matched_refs,
        "score": hit.score,
        "url": url_for(hit.endpoint, **hit.values),
        "api_url": _api_url(hit),
    }


@bp.get("/search")
@documented(
    summary="Search codes and content, as the search page does: ranked hits and facets.",
    tag=TAG,
    query=SearchQuery,
    response=SearchListSchema,
    errors=(422, 503),
    index=True,
)
def search(args):
    config = current_app.config
    text, _cut = normalise_query(args["q"], config["MAX_QUERY_LENGTH"])
    day = args["date"] or today()
    filters = {
        name: args[name] for name in ("type", "chapter", "country", "language") if args[name]
    }
    params = dict(text=text, day=day, filters=filters, page=args["page"], facets=args["facets"])
    code = None
    if is_code_like(text):
        answer = resolve_code(text, day)
        if answer.error:
            message = " ".join(filter(None, (answer.error, answer.hint)))
            raise ApiError(400, message, details={"q": [message]})
        code = answer.target
        params.update(text="", code_prefix=answer.digits)
    try:
        results = run_search(
            search_store(),
            SearchParams(
                **params,
                page_size=args["per_page"],
                max_pages=config["SEARCH_MAX_PAGES"],
                few_hits=config["SEARCH_FEW_HITS"],
            ),
        )
    except IndexUnavailable:
        raise ApiError(503, UNAVAILABLE, code="search_unavailable") from None
    hits = [_hit(hit) for hit in results.hits]
    page = paged(hits, results.total, args, max_pages=config["SEARCH_MAX_PAGES"])
    facets = {name: [vars(value) for value in values] for name, values in results.facets.items()}
    about = {
        "text": text,
        "as_of": day,
        "language": results.language,
        "corrected": results.corrected,
        "fuzzy": results.fuzzy,
        "code": code,
    }
    return page_body(page, query=about, facets=facets)


class SuggestQuery(QuerySchema):
    q = fields.String(required=True, validate=_bounded(limit=MAX_INPUT))


class SuggestionSchema(Schema):
    label = fields.String(required=True)
    code = fields.String(required=True)
    url = fields.String(required=True)


SuggestionsSchema = Schema.from_dict(
    {
        "query": fields.String(required=True),
        "data": fields.List(fields.Nested(SuggestionSchema), required=True),
    },
    name="SuggestionsSchema",
)


@bp.get("/suggest")
@documented(
    summary="Autocomplete: up to ten HS descriptions, search references or codes.",
    tag=TAG,
    query=SuggestQuery,
    response=SuggestionsSchema,
    index=True,
)
def suggestions(args):
    text, _cut = normalise_query(args["q"], MAX_INPUT)
    found = []
    if len(text) >= 2:
        try:
            vocabulary = suggestion_cache().get(search_store(), today())
        except IndexUnavailable:
            vocabulary = None
        if vocabulary is not None:
            limit = current_app.config["SEARCH_SUGGEST_LIMIT"]
            found = [
                entry.as_json(url_for(entry.endpoint, **dict(entry.values)))
                for entry in suggest(vocabulary, text, limit)
            ]
    return {"query": text, "data": found}
