"""Public pages of trade agreements and of UK preference schemes with their rules of origin."""

import re

from flask import Blueprint, render_template, request
from sqlalchemy import select

from tradeportal.agreements.models import PreferenceScheme
from tradeportal.agreements.queries import (
    AgreementFilters,
    agreement_statuses,
    agreement_types,
    get_agreement,
    get_scheme,
    list_agreements,
    scheme_rule_sets,
)
from tradeportal.countries.queries import countries_by_iso3, country_exists, get_country
from tradeportal.db import db
from tradeportal.errors import render_error

bp = Blueprint("agreements", __name__)

AGREEMENTS_PER_PAGE = 50
RULE_SETS_PER_PAGE = 50
MAX_PAGE = 10_000
MAX_ID = 2**31 - 1  # larger ids cannot exist, and would overflow the database driver
SCHEME_CODE = re.compile(r"[a-z0-9-]{1,40}")


class BadParameter(ValueError):
    """A query parameter the page cannot use."""


def read_page() -> int:
    """Read the ``page`` parameter: a whole number from 1."""
    raw = request.args.get("page", "1").strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise BadParameter(f"The page must be a whole number between 1 and {MAX_PAGE:,}.")
    return int(raw)


def read_filters() -> AgreementFilters:
    """Read the list filters; each must name something that exists."""
    country = request.args.get("country", "").strip().upper() or None
    if country is not None and not country_exists(country):
        raise BadParameter("The country must be a three-letter ISO code, such as MUS or GBR.")
    status = request.args.get("status", "").strip() or None
    if status is not None and status not in agreement_statuses():
        raise BadParameter("Choose a status from the list.")
    agreement_type = request.args.get("type", "").strip() or None
    if agreement_type is not None and agreement_type not in agreement_types():
        raise BadParameter("Choose an agreement type from the list.")
    return AgreementFilters(country, status, agreement_type)


def filter_params(filters: AgreementFilters) -> dict[str, str]:
    """Return the filters as query parameters, for links to other pages of the list."""
    params = {
        "country": filters.country,
        "status": filters.status,
        "type": filters.agreement_type,
    }
    return {name: value for name, value in params.items() if value}


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


@bp.get("/agreements")
def index():
    """List the WTO regional trade agreements, filtered by country, status and type."""
    try:
        filters, page = read_filters(), read_page()
    except BadParameter as error:
        return render_error(400, str(error))
    agreements, total = list_agreements(filters, page, AGREEMENTS_PER_PAGE)
    pages = page_count(total, AGREEMENTS_PER_PAGE)
    if page > pages:
        return render_error(404, f"There are only {pages:,} page(s) of agreements.")
    return render_template(
        "agreements/index.html",
        agreements=agreements,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        params=filter_params(filters),
        country=get_country(filters.country) if filters.country else None,
        statuses=agreement_statuses(),
        types=agreement_types(),
    )


@bp.get("/agreements/<int:agreement_id>")
def detail(agreement_id: int):
    """Show one agreement: dates, status and parties (countries and groups)."""
    agreement = get_agreement(agreement_id) if agreement_id <= MAX_ID else None
    if agreement is None:
        return render_error(404, "There is no agreement with that number.")
    countries = countries_by_iso3(p.country_iso3 for p in agreement.parties if p.country_iso3)
    return render_template("agreements/detail.html", agreement=agreement, countries=countries)


@bp.get("/origin/schemes")
def schemes():
    """List the UK preference schemes."""
    rows = db.session.scalars(select(PreferenceScheme).order_by(PreferenceScheme.title)).all()
    return render_template("agreements/schemes.html", schemes=rows)


@bp.get("/origin/schemes/<code>")
def scheme(code: str):
    """Show a UK preference scheme with its countries and its rule sets, page by page."""
    if not SCHEME_CODE.fullmatch(code):
        return render_error(400, "A scheme is named by a short code such as esa or japan.")
    found = get_scheme(code)
    if found is None:
        return render_error(404, "There is no preference scheme with that code.")
    try:
        page = read_page()
    except BadParameter as error:
        return render_error(400, str(error))
    rule_sets, total = scheme_rule_sets(found, page, RULE_SETS_PER_PAGE)
    pages = page_count(total, RULE_SETS_PER_PAGE)
    if page > pages:
        return render_error(404, f"This scheme has only {pages:,} page(s) of rules.")
    countries = countries_by_iso3(c.country_iso3 for c in found.countries if c.country_iso3)
    return render_template(
        "agreements/scheme.html",
        scheme=found,
        countries=countries,
        rule_sets=rule_sets,
        total=total,
        page=page,
        pages=pages,
    )
