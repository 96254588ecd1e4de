"""Absolute addresses for emails and feeds, made from ``PUBLIC_URL``.

Emails are built by the worker, outside any request, and a request's Host header is chosen
by the client (a reset link built from it could point anywhere): links in mail never use it.
"""

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """Return the absolute address of an endpoint as the public reaches the portal."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def public_host() -> str:
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
