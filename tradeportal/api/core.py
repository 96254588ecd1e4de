"""The API's shared machinery: one error shape, query parameters, pagination, envelopes.

Every route is declared with :func:`documented`, which validates its query parameters with
a marshmallow schema, dumps its answer with the documented response schema, and records
both for the OpenAPI document (``spec.py``). A route without it has no spec, and a test
fails.
"""

import functools
import math
from dataclasses import dataclass, field
from typing import ClassVar

from flask import Response, jsonify, request, url_for
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

MAX_PAGE = 10_000
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100

# The stable `code` of each status; `message` is for people, `details` for programs.
ERROR_CODES = {
    400: "invalid_parameter",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """A refusal with a status, a stable code, a message and optional field details."""

    def __init__(self, status: int, message: str, *, code: str | None = None, details=None):
        super().__init__(message)
        self.status = status
        self.code = code or ERROR_CODES.get(status, "error")
        self.message = message
        self.details = details or {}


def error_body(status: int, code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"status": status, "code": code, "message": message, "details": details or {}}}


def error_response(error: ApiError) -> Response:
    response = jsonify(error_body(error.status, error.code, error.message, error.details))
    response.status_code = error.status
    return response


def unprocessable(name: str, message: str, *, code: str = "unprocessable") -> ApiError:
    """A well-formed parameter that names nothing the portal holds (status 422)."""
    return ApiError(422, f"{name}: {message}", code=code, details={name: [message]})


def not_found(message: str, **details) -> ApiError:
    return ApiError(404, message, details=details)


class ErrorFieldsSchema(Schema):
    status = fields.Integer(required=True, metadata={"description": "The HTTP status."})
    code = fields.String(
        required=True,
        metadata={"description": "Stable machine-readable code, e.g. not_found."},
    )
    message = fields.String(required=True, metadata={"description": "For people."})
    details = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "Per parameter, what was wrong; other facts for some codes."},
    )


class ErrorSchema(Schema):
    """Every error of the API, whatever its status."""

    error = fields.Nested(ErrorFieldsSchema, required=True)


# --- query parameters --------------------------------------------------------------------


class QuerySchema(Schema):
    """Query parameters: unknown ones are refused, empty ones mean "not given"."""

    class Meta:
        unknown = RAISE

    error_messages: ClassVar[dict] = {
        "unknown": "Unknown parameter; the documentation lists the known ones."
    }

    @pre_load
    def drop_empty(self, data, **kwargs):
        return {key: value.strip() for key, value in data.items() if value.strip()}


def whole_number(minimum: int, maximum: int, default: int, description: str) -> fields.Integer:
    return fields.Integer(
        load_default=default,
        validate=validate.Range(
            minimum, maximum, error=f"Give a number from {minimum} to {maximum:,}."
        ),
        error_messages={"invalid": "Give a whole number, e.g. 2."},
        metadata={"description": description},
    )


class PageQuery(QuerySchema):
    page = whole_number(1, MAX_PAGE, 1, "The page of results, from 1.")
    per_page = whole_number(1, MAX_PER_PAGE, DEFAULT_PER_PAGE, "Results per page.")


def load_query(schema: Schema) -> dict:
    """Validate the query string; refuse it whole (400) with a message per parameter."""
    try:
        return schema.load(request.args.to_dict(flat=True))
    except ValidationError as error:
        names = ", ".join(sorted(error.messages))
        raise ApiError(
            400, f"These parameters cannot be used: {names}.", details=error.messages
        ) from None


# --- pagination and envelopes ------------------------------------------------------------


@dataclass
class Paged:
    """One page of a list, with what the links and the meta need."""

    items: list
    total: int
    page: int
    per_page: int
    max_pages: int | None = None  # deeper pages are not served (search ranks only so far)

    @property
    def pages(self) -> int:
        pages = max(1, math.ceil(self.total / self.per_page))
        return min(pages, self.max_pages) if self.max_pages else pages


def paged(items: list, total: int, args: dict, max_pages: int | None = None) -> Paged:
    """Wrap one page; a page past the last is refused (422), except page 1 of nothing."""
    result = Paged(list(items), total, args["page"], args["per_page"], max_pages)
    if result.page > result.pages:
        raise ApiError(
            422,
            f"There are only {result.pages:,} page(s) of results.",
            code="page_out_of_range",
            details={"page": [f"Give a page from 1 to {result.pages:,}."]},
        )
    return result


def slice_page(everything: list, args: dict) -> Paged:
    """Page a list that is read whole (short lists: agencies, countries, schedules)."""
    start = (args["page"] - 1) * args["per_page"]
    return paged(everything[start : start + args["per_page"]], len(everything), args)


def repage(fetch, size: int, args: dict) -> Paged:
    """Page by ``per_page`` a query that pages by a fixed ``size``.

    ``fetch(n)`` returns (items of page n, total) at the area's own page size; the window
    asked for spans at most ``per_page / size + 1`` of those pages.
    """
    start = (args["page"] - 1) * args["per_page"]
    end = start + args["per_page"]
    first, items, total = start // size + 1, [], 0
    for number in range(first, math.ceil(end / size) + 1):
        chunk, total = fetch(number)
        items.extend(chunk)
        if len(chunk) < size:
            break
    offset = start - (first - 1) * size
    return paged(items[offset : offset + args["per_page"]], total, args)


class PageMetaSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class PageLinksSchema(Schema):
    self_ = fields.String(required=True, data_key="self", attribute="self")
    first = fields.String(required=True)
    last = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)
    prev = fields.String(required=True, allow_none=True)


def page_links(result: Paged) -> dict:
    def at(number: int) -> str:
        args = {**request.args.to_dict(flat=True), "page": number}
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    return {
        "self": at(result.page),
        "first": at(1),
        "last": at(result.pages),
        "next": at(result.page + 1) if result.page < result.pages else None,
        "prev": at(result.page - 1) if result.page > 1 else None,
    }


def page_body(result: Paged, **extra) -> dict:
    """The body of a list answer: items, counts and links to the other pages."""
    meta = {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
    }
    return {"data": result.items, "meta": meta, "links": page_links(result), **extra}


_ENVELOPES: dict[str, type[Schema]] = {}


def list_of(item: type[Schema], **extra) -> type[Schema]:
    """The schema of a paged list of ``item``, named after it (RegulationList)."""
    name = item.__name__.removesuffix("Schema") + "ListSchema"
    if name not in _ENVELOPES:
        _ENVELOPES[name] = Schema.from_dict(
            {
                "data": fields.List(fields.Nested(item), required=True),
                "meta": fields.Nested(PageMetaSchema, required=True),
                "links": fields.Nested(PageLinksSchema, required=True),
                **extra,
            },
            name=name,
        )
    return _ENVELOPES[name]


def one(item: type[Schema]) -> type[Schema]:
    """The schema of an answer holding one ``item`` under ``data``."""
    name = item.__name__.removesuffix("Schema") + "ResponseSchema"
    if name not in _ENVELOPES:
        _ENVELOPES[name] = Schema.from_dict({"data": fields.Nested(item, required=True)}, name=name)
    return _ENVELOPES[name]


def all_of(item: type[Schema]) -> type[Schema]:
    """The schema of a short list given whole, without pages."""
    name = item.__name__.removesuffix("Schema") + "AllSchema"
    if name not in _ENVELOPES:
        _ENVELOPES[name] = Schema.from_dict(
            {"data": fields.List(fields.Nested(item), required=True)}, name=name
        )
    return _ENVELOPES[name]


# --- documented routes -------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """What the OpenAPI document says of a route."""

    summary: str
    tag: str
    response: type[Schema] | None  # None: not JSON (``media_type`` says what)
    media_type: str = "application/json"
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    errors: tuple[int, ...] = ()  # besides 400 (with parameters), 429 and 500
    path: dict[str, str] = field(default_factory=dict)  # path parameter -> description
    examples: dict[str, object] = field(default_factory=dict)  # path parameter -> example
    redirects: tuple[int, ...] = ()
    cached: bool = True  # answers carry an ETag and honour If-None-Match
    index: bool = False  # answers also depend on the search index


def documented(**options):
    """Declare a route's parameters and answer; the view returns what the schema dumps."""
    doc = Doc(**options)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            # A route without parameters still refuses unknown ones: a typo never passes.
            args = load_query((doc.query or QuerySchema)())
            if doc.query is not None:
                kwargs["args"] = args
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            return jsonify(doc.response().dump(result))

        wrapper.api_doc = doc
        return wrapper

    return decorate
