"""tradeportal: a national single window for trade information."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from tradeportal import content_cache
from tradeportal.config import ROOT, DefaultConfig, validate_config
from tradeportal.db import MAX_ROW_ID, db
from tradeportal.logs import configure_logging


class BoundedInteger(IntegerConverter):
    """``<int:…>`` URL parts between 1 and the largest row id (``db.MAX_ROW_ID``)."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_ROW_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: dict | None = None) -> Flask:
    """Create and configure the trade portal application."""
    config = config or {}
    instance_path = (
        config.get("INSTANCE_PATH")
        or os.environ.get("TRADEPORTAL_INSTANCE_PATH")
        or str(ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("TRADEPORTAL")
    app.config.update(config)
    validate_config(app)
    configure_logging(app)  # JSON lines when LOG_FORMAT is "json"

    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx or a load balancer: take the client address, scheme and host from
        # the headers of exactly that many proxies (more would let clients forge them).
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    # Ids in addresses fit the database's integers: a larger one is a 404, not a crash.
    app.url_map.converters["int"] = BoundedInteger
    db.init_app(app)
    content_cache.init_app(app)  # after the engine: it watches its writes
    _register_blueprints(app)
    _register_web_hooks(app)
    _register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from tradeportal import api, health, views
    from tradeportal.agreements import content as agreements_content  # noqa: F401
    from tradeportal.agreements import views as agreements_views
    from tradeportal.alerts import content as alerts_content  # noqa: F401
    from tradeportal.alerts import views as alerts_views
    from tradeportal.attachments import manage as attachments_manage
    from tradeportal.attachments import views as attachments_views
    from tradeportal.auth import extension as auth_extension
    from tradeportal.calculator import views as calculator_views
    from tradeportal.cms import manage as cms_manage
    from tradeportal.cms import manage_history  # noqa: F401  (routes of the cms blueprint)
    from tradeportal.countries import content as countries_content  # noqa: F401
    from tradeportal.countries import views as countries_views
    from tradeportal.hs import sheet_views  # noqa: F401  (routes of the hs blueprint)
    from tradeportal.hs import views as hs_views
    from tradeportal.mail import manage as mail_manage
    from tradeportal.opendata import views as opendata_views
    from tradeportal.pages import content as pages_content  # noqa: F401
    from tradeportal.pages import views as pages_views
    from tradeportal.regulations import content as regulations_content  # noqa: F401
    from tradeportal.regulations import views as regulations_views
    from tradeportal.search import content as search_content  # noqa: F401
    from tradeportal.search import views as search_views
    from tradeportal.tariffs import content as tariffs_content  # noqa: F401
    from tradeportal.tariffs import views as tariffs_views
    from tradeportal.tenders import content as tenders_content  # noqa: F401
    from tradeportal.tenders import views as tenders_views

    app.register_blueprint(health.bp)  # /healthz, /readyz for load balancers
    app.register_blueprint(views.bp)
    app.register_blueprint(hs_views.bp)
    app.register_blueprint(search_views.bp)
    app.register_blueprint(tariffs_views.bp)
    app.register_blueprint(regulations_views.bp)
    app.register_blueprint(countries_views.bp)
    app.register_blueprint(agreements_views.bp)
    app.register_blueprint(tenders_views.bp)
    app.register_blueprint(calculator_views.bp)
    app.register_blueprint(pages_views.bp)
    app.register_blueprint(cms_manage.bp)
    app.register_blueprint(attachments_manage.bp)
    app.register_blueprint(attachments_views.bp)
    app.register_blueprint(mail_manage.bp)
    app.register_blueprint(alerts_views.bp)
    auth_extension.init_app(app)  # sign-in, CSRF, rate limits; the auth and manage blueprints
    api.init_app(app)  # after auth: it uses the limiter and CSRF exemption
    opendata_views.init_app(app)  # /data/ and `flask data dump`


def _register_web_hooks(app: Flask) -> None:
    from tradeportal import errors, i18n, security, templating
    from tradeportal.search import extension as search_extension

    i18n.init_app(app)
    errors.register(app)
    security.register(app)
    templating.register(app)
    search_extension.init_app(app)


def _register_cli(app: Flask) -> None:
    from tradeportal import cli

    cli.register(app)
