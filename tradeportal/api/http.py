"""What every API answer shares: CORS, ETags keyed on the content generation, errors.

The content generation changes whenever the public content can have changed: an editorial
publication (a change event), a reference data load (``flask seed``) or a nomenclature
revision. With "today" it keys every ETag, so a client's ``If-None-Match`` is answered
with 304 before the view runs.
"""

import hashlib
import json

from flask import Flask, Response, current_app, g, request
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from tradeportal.api.core import ERROR_CODES, ApiError, error_response
from tradeportal.cms.models import ChangeEvent
from tradeportal.db import db
from tradeportal.errors import MESSAGES, NulCharacter
from tradeportal.hs.models import Nomenclature
from tradeportal.search.backend import IndexUnavailable
from tradeportal.search.extension import search_store
from tradeportal.seed import DataLoad
from tradeportal.validity import today

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, If-None-Match",
    "Access-Control-Expose-Headers": (
        "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    ),
    "Access-Control-Max-Age": "86400",
}


def content_generation() -> str:
    """Return a token that moves whenever published content can have changed."""
    events = db.session.execute(
        select(func.max(ChangeEvent.id), func.max(ChangeEvent.published_at))
    ).one()
    loads = db.session.execute(
        select(DataLoad.dataset, DataLoad.checksum, DataLoad.loaded_at).order_by(DataLoad.dataset)
    ).all()
    revisions = db.session.execute(
        select(Nomenclature.code, Nomenclature.revision).order_by(Nomenclature.code)
    ).all()
    parts = [list(events), [list(row) for row in loads], [list(row) for row in revisions]]
    return json.dumps(parts, default=str)


def _index_generation() -> str:
    try:
        with search_store().searcher() as borrowed:
            return repr(borrowed.generation)
    except IndexUnavailable:
        return "no index"


def etag_for(doc) -> str:
    """Return the ETag of a documented route's answer to this request."""
    from tradeportal.api.spec import spec_token  # the spec imports the routes

    # The address too: a 304 must only ever confirm what this very URL answered.
    parts = [spec_token(), content_generation(), today().isoformat(), request.full_path]
    if doc.index:
        parts.append(_index_generation())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _documentation_of_endpoint():
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "api_doc", None)


def answer_from_cache():
    """Answer 304 when the client holds the current version (before the view runs)."""
    if request.method not in ("GET", "HEAD"):
        return None
    doc = _documentation_of_endpoint()
    if doc is None or not doc.cached:
        return None
    g.api_etag = etag_for(doc)
    if request.if_none_match.contains_weak(g.api_etag):
        response = Response(status=304)
        response.set_etag(g.api_etag, weak=True)
        return response
    return None


def finish(response: Response) -> Response:
    """Add CORS and the ETag; an API answer never sets a cookie."""
    response.headers.update(CORS_HEADERS)
    etag = g.pop("api_etag", None)
    if etag and response.status_code == 200:
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = "no-cache"
    return response


def http_error_response(error: HTTPException) -> Response:
    """Turn any HTTP error under /api into the one error shape (never an HTML page)."""
    status = error.code or 500
    details = {}
    if status == 405 and getattr(error, "valid_methods", None):
        details["allowed"] = sorted(error.valid_methods)
    if status == 429:
        details["limit"] = str(error.description)
    message = MESSAGES.get(status, error.description or "The request could not be completed.")
    if isinstance(error, NulCharacter):
        message = str(error.description)
    response = error_response(
        ApiError(status, message, code=ERROR_CODES.get(status, "error"), details=details)
    )
    if status == 405 and "allowed" in details:
        response.headers["Allow"] = ", ".join(details["allowed"])
    return finish(response)


def register(app: Flask, bp) -> None:
    bp.before_request(answer_from_cache)
    bp.after_request(finish)
    bp.register_error_handler(ApiError, lambda error: finish(error_response(error)))
    bp.register_error_handler(HTTPException, http_error_response)
