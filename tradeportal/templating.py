"""Template filters and globals shared by every page."""

from flask import Flask, request

from tradeportal.hs.codes import LEVEL_NAMES, format_code
from tradeportal.validity import today

# Only these query parameters are carried from page to page (never arbitrary input).
CARRIED_PARAMETERS = ("date", "version", "market", "origin")


def carried_args() -> dict[str, str]:
    """Return the view parameters to keep on links and redirects."""
    return {key: request.args[key] for key in CARRIED_PARAMETERS if request.args.get(key)}


def register(app: Flask) -> None:
    app.add_template_filter(format_code, "code")
    app.add_template_global(carried_args)
    app.add_template_global(LEVEL_NAMES, "level_names")

    @app.context_processor
    def dates():
        return {"today": today()}

    @app.template_filter("plural")
    def plural(count: int, singular: str, plural_form: str | None = None) -> str:
        return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"
