"""The WSGI app bench/load.py serves with gunicorn: the portal plus a bench-only floor route.

The portal is created exactly as wsgi.py creates it (configured by the ``TRADEPORTAL_*``
environment variables the bench sets), then gets one extra route, ``/_bench/floor``, a
plain Flask view returning "ok". It runs through the same workers, WSGI stack and global
hooks (security headers, language, error handlers) as every page, but queries nothing and
renders nothing: the framework's floor. The product itself never has this route.
"""

from tradeportal import create_app

app = create_app()


@app.get("/_bench/floor")
def bench_floor():
    return "ok"
