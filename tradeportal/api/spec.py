"""The OpenAPI 3 document of /api/v1, built with apispec from the routes' declarations.

Each route's ``Doc`` (see ``core.documented``) gives its parameters, answer and errors;
the path parameters come from the URL rule itself. A route without a ``Doc`` is left out,
and ``tests/api/test_spec.py`` fails on it.
"""

import hashlib
import json
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, current_app, jsonify, render_template
from marshmallow import INCLUDE, Schema, fields, validate

from tradeportal.api import bp
from tradeportal.api.core import ErrorSchema, QuerySchema, documented
from tradeportal.db import MAX_ROW_ID
from tradeportal.errors import MESSAGES

_KEY = "tradeportal.api.spec"
_RULE_PART = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
ERROR_DESCRIPTIONS = {
    400: "A parameter is malformed or unknown; `details` names each with what is wrong.",
    404: "There is nothing at this address.",
    415: "The body is not JSON.",
    422: "The parameters are well-formed but name nothing the portal holds "
    "(an unknown country, a page past the last, …).",
    429: "Too many requests from this address; wait for Retry-After seconds.",
    500: "Something went wrong on the portal's side.",
    503: "Search is not available right now.",
}
REDIRECTS = {
    301: "The code is written another way, or an older code with one successor.",
    302: "A national code padded with zeros: its subheading.",
}
INFO_DESCRIPTION = (
    "Read-only trade information of the portal: the HS nomenclature, the product view "
    "(everything that applies to a product from a market and an origin on a day), "
    "regulations, procedures, tariffs, agreements, rules of origin, countries, tenders, "
    "search, and the changes editors publish.\n\n"
    "Every answer is JSON; every error has the same shape (`Error`). Lists are paged with "
    "`page` and `per_page` (at most 100) and give `links` to the other pages. Answers carry "
    "a weak `ETag` that changes when published content changes: send it back in "
    "`If-None-Match` to get 304. CORS is open to every origin; no cookie or key is needed. "
    "Requests are rate limited per client address."
)


class OpenApiDocumentSchema(Schema):
    class Meta:
        unknown = INCLUDE

    openapi = fields.String(required=True)
    info = fields.Dict(required=True)
    paths = fields.Dict(required=True)


class RedirectSchema(Schema):
    location = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "The code's own digits."})


def _path_and_parameters(rule, doc) -> tuple[str, list[dict]]:
    parameters = []

    def convert(match: re.Match) -> str:
        name, converter = match["name"], match["converter"] or "default"
        if converter == "int":
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        parameter = {
            "in": "path",
            "name": name,
            "required": True,
            "description": doc.path.get(name, ""),
            "schema": schema,
        }
        if name in doc.examples:
            parameter["example"] = doc.examples[name]
        parameters.append(parameter)
        return "{" + name + "}"

    return _RULE_PART.sub(convert, rule.rule), parameters


def _error(status: int) -> dict:
    return {
        "description": ERROR_DESCRIPTIONS.get(status, MESSAGES.get(status, "Error.")),
        "content": {"application/json": {"schema": "Error"}},
    }


def _operation(rule, doc) -> tuple[str, dict]:
    path, parameters = _path_and_parameters(rule, doc)
    if doc.query is not None:
        parameters.append({"in": "query", "schema": doc.query})
    if doc.cached:
        parameters.append(
            {
                "in": "header",
                "name": "If-None-Match",
                "required": False,
                "description": "The ETag of an answer you hold: 304 if it is still current.",
                "schema": {"type": "string"},
            }
        )
    content = {"schema": doc.response} if doc.response else {"schema": {"type": "string"}}
    ok = {"description": "OK", "content": {doc.media_type: content}}
    if doc.cached:
        ok["headers"] = {"ETag": {"schema": {"type": "string"}}}
    responses = {"200": ok}
    if doc.cached:
        responses["304"] = {"description": "Not modified: the ETag sent is still current."}
    for status in doc.redirects:
        responses[str(status)] = {
            "description": REDIRECTS[status],
            "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": RedirectSchema}},
        }
    for status in sorted({400, 429, 500, *doc.errors}):
        responses[str(status)] = _error(status)
    operation = {
        "operationId": rule.endpoint.removeprefix("api."),
        "summary": doc.summary,
        "tags": [doc.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if doc.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": doc.body}},
        }
    return path, operation


def build_spec(app) -> dict:
    """Build the OpenAPI document from the app's /api/v1 routes."""
    spec = APISpec(
        title="Trade information portal API",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": INFO_DESCRIPTION},
    )
    spec.components.schema("Error", schema=ErrorSchema)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        doc = getattr(app.view_functions.get(rule.endpoint), "api_doc", None)
        if not rule.endpoint.startswith("api.") or doc is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path, operation = _operation(rule, doc)
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _built() -> tuple[dict, str]:
    cached = current_app.extensions.get(_KEY)
    if cached is None:
        document = build_spec(current_app)
        text = json.dumps(document, sort_keys=True)
        cached = (document, hashlib.sha256(text.encode()).hexdigest())
        current_app.extensions[_KEY] = cached
    return cached


def openapi_document() -> dict:
    return _built()[0]


def spec_token() -> str:
    """Return a digest of the document: ETags change when the API itself changes."""
    return _built()[1]


@bp.get("/openapi.json")
@documented(
    summary="This API's OpenAPI 3.1 document.",
    tag="About",
    response=OpenApiDocumentSchema,
)
def openapi() -> Response:
    return jsonify(openapi_document())


class DocsQuery(QuerySchema):
    # The page's language switch links here with ?lang= like on every page of the portal.
    lang = fields.String(
        validate=validate.OneOf(["en", "fr"]),
        metadata={"description": "Language of the page: en (default) or fr."},
    )


@bp.get("/docs")
@documented(
    summary="This API's documentation as a web page: every path, parameter and schema.",
    tag="About",
    query=DocsQuery,
    response=None,
    media_type="text/html",
)
def docs(args) -> str:
    response = current_app.make_response(
        render_template("api/docs.html", spec=openapi_document(), reference=_schema_name)
    )
    return response


def _schema_name(schema: dict | None) -> str | None:
    """Return the component name a schema object refers to, if it is a reference."""
    if not schema:
        return None
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None
