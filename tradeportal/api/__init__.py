"""The public read-only JSON API at /api/v1, described by OpenAPI 3 at /api/v1/openapi.json.

Routes live in one module per area and reuse the areas' queries and the product page's
sections; ``core.documented`` declares each route's parameters and answer once, for the
validation, the dump and the spec alike. No cookies, sessions or CSRF tokens: the API
answers anyone (CORS ``*``), within a rate limit per client address.
"""

from flask import Blueprint, Flask, current_app

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Requests per client address, across the whole API (flask-limiter syntax).
DEFAULT_RATE_LIMIT = "300 per minute"
_configured = False  # the blueprint is set up once per process, registered on every app


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def init_app(app: Flask) -> None:
    """Register the API blueprint with its limits, error shape, CORS and ETags."""
    from tradeportal.api import (  # noqa: F401  (the routes)
        agreements,
        calculate,
        changes,
        countries,
        hs,
        http,
        products,
        regulations,
        search,
        spec,
        tariffs,
        tenders,
    )
    from tradeportal.auth.extension import csrf, limiter

    global _configured
    app.config.setdefault("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    if not _configured:
        _configured = True
        http.register(app, bp)
        calculate.register(bp)
        # One budget for the whole API, not one per route.
        limiter.shared_limit(_rate_limit, scope="api", methods=["GET", "HEAD", "POST"])(bp)
        # Nothing here reads a session or a cookie, so there is no session to forge.
        csrf.exempt(bp)
    app.register_blueprint(bp)
