"""Routes of the printable product sheet, on the ``hs`` blueprint: a page and its CSV."""

from flask import Response, make_response, redirect, render_template, request, url_for

from tradeportal.countries.queries import countries_by_iso3
from tradeportal.errors import render_error
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.queries import Outcome, UnknownNomenclature, lookup_code
from tradeportal.hs.sheet import grouped, sheet_csv, sheet_rows
from tradeportal.hs.views import (
    UnknownCountry,
    bp,
    country_choices,
    product_context,
    read_country,
)
from tradeportal.product import ProductContext, collect_sections
from tradeportal.templating import carried_args
from tradeportal.validity import InvalidDate, parse_as_of


def _product_or_response(raw: str, endpoint: str) -> ProductContext | Response:
    """Return the product asked for, or the response to send instead (error, redirect)."""
    try:
        day = parse_as_of(request.args.get("date"))
        market = read_country(request.args.get("market"), "market")
        origin = read_country(request.args.get("origin"), "origin")
        found = lookup_code(raw, day, request.args.get("version"))
    except InvalidHSCode as error:
        return make_response(render_template("hs/invalid.html", error=error), 400)
    except (InvalidDate, UnknownNomenclature, UnknownCountry) as error:
        return make_response(render_error(400, error))
    if found.outcome is Outcome.FOUND:
        if raw != found.code.digits:
            return redirect(url_for(endpoint, raw=found.code.digits, **carried_args()), 301)
        return product_context(found.node, found.day, market, origin)
    if found.outcome in (Outcome.SAME_AS, Outcome.MOVED):
        return redirect(url_for(endpoint, raw=found.target, **carried_args()), 302)
    # A split or vanished code has no single set of requirements: its page explains why.
    return redirect(url_for("hs.detail", raw=raw, **carried_args()), 302)


@bp.get("/hs/<raw>/sheet")
def sheet(raw: str):
    """The checklist for code × origin × market × date, laid out to print."""
    product = _product_or_response(raw, "hs.sheet")
    if not isinstance(product, ProductContext):
        return product
    wanted = {product.home_country, product.origin, product.market} - {None}
    return render_template(
        "hs/sheet.html",
        product=product,
        node=product.node,
        groups=grouped(sheet_rows(product, collect_sections(product))),
        names=countries_by_iso3(wanted),
        countries=country_choices(),
    )


@bp.get("/hs/<raw>/sheet.csv")
def sheet_download(raw: str):
    """The same checklist as CSV, named after the code, origin, market and date."""
    product = _product_or_response(raw, "hs.sheet_download")
    if not isinstance(product, ProductContext):
        return product
    parts = (product.code, product.origin, product.market, product.day.isoformat())
    name = "-".join(part for part in parts if part)
    return Response(
        sheet_csv(product, sheet_rows(product, collect_sections(product))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="checklist-{name}.csv"'},
    )
