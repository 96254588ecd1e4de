"""Public pages of trade agreements and of UK preference schemes with their rules of origin."""

import re

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
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
from tradeportal.i18n import number

bp = Blueprint("agreements", __name__)

AGREEMENTS_PER_PAGE = 50
RULE_SETS_PER_PAGE = 50
MAX_PAGE = 10_000
SCHEME_CODE = re.compile(r"[a-z0-9-]{1,40}")


# The WTO's words, shown in the language of the page (the value stays the WTO's).
STATUS_LABELS = {
    "In Force": _l("In force"),
    "Inactive": _l("Inactive"),
    "In force for at least one Party": _l("In force for at least one party"),
    "Early announcement-Under negotiation": _l("Early announcement: under negotiation"),
    "Early announcement-Signed": _l("Early announcement: signed"),
}
COVERAGE_LABELS = {
    "Goods": _l("Goods"),
    "Services": _l("Services"),
    "Goods & Services": _l("Goods and services"),
}
OPERATOR_LABELS = {"or": _l("or"), "and": _l("and")}


COMPOSITION_LABELS = {
    "Bilateral": _l("Bilateral"),
    "Plurilateral": _l("Plurilateral"),
    "All Parties are RTAs": _l("All Parties are RTAs"),
    "One Party is an RTA": _l("One Party is an RTA"),
}
REGION_LABELS = {
    "Africa": _l("Africa"),
    "Caribbean": _l("Caribbean"),
    "Central America": _l("Central America"),
    "Commonwealth of Independent States (CIS), including certain associate and former member "
    "States": _l(
        "Commonwealth of Independent States (CIS), including certain associate and former "
        "member States"
    ),
    "East Asia": _l("East Asia"),
    "Europe": _l("Europe"),
    "Middle East": _l("Middle East"),
    "North America": _l("North America"),
    "Oceania": _l("Oceania"),
    "South America": _l("South America"),
    "West Asia": _l("West Asia"),
}


def _type_names() -> dict[str, tuple[str, str]]:
    """The WTO's agreement types: abbreviation and name, in the language of the page."""
    return {
        "CU": (_("CU"), _("customs union")),
        "FTA": (_("FTA"), _("free trade agreement")),
        "EIA": (_("EIA"), _("economic integration agreement")),
        "PSA": (_("PSA"), _("partial scope agreement")),
    }


def _type_parts(agreement_type: str) -> list[tuple[str, str]]:
    names = _type_names()
    parts = [part.strip() for part in agreement_type.split("&")]
    return [names.get(part, (part, part)) for part in parts]


@bp.app_template_filter("wto_type")
def type_label(agreement_type: str | None) -> str:
    """A WTO agreement type ("FTA & EIA") as abbreviations of the page's language."""
    if not agreement_type:
        return ""
    return " & ".join(short for short, _name in _type_parts(agreement_type))


@bp.app_template_filter("wto_type_abbr")
def type_abbreviations(agreement_type: str | None) -> Markup:
    """The same, each abbreviation with its name: <abbr title="free trade agreement">."""
    if not agreement_type:
        return Markup("")
    return Markup(" &amp; ").join(
        Markup('<abbr title="{}">{}</abbr>').format(name, short)
        for short, name in _type_parts(agreement_type)
    )


def _list_separator() -> str:
    """The WTO separates list items with "; " (French typography: " ; ")."""
    return _("; ")


@bp.app_template_filter("wto_composition")
def composition_label(composition: str | None) -> str:
    """A WTO composition ("Bilateral; One Party is an RTA") in the language of the page."""
    parts = [part.strip() for part in (composition or "").split(";") if part.strip()]
    return _list_separator().join(str(COMPOSITION_LABELS.get(part, part)) for part in parts)


@bp.app_template_filter("wto_region")
def region_label(region: str | None) -> str:
    """WTO regions ("Africa; Europe") in the language of the page."""
    parts = [part.strip() for part in (region or "").split(";") if part.strip()]
    return _list_separator().join(str(REGION_LABELS.get(part, part)) for part in parts)


@bp.app_template_filter("wto_status")
def status_label(status: str | None) -> str:
    """A WTO status ("In Force") in the language of the page."""
    return str(STATUS_LABELS.get(status, status or ""))


@bp.app_template_filter("wto_coverage")
def coverage_label(coverage: str | None) -> str:
    return str(COVERAGE_LABELS.get(coverage, coverage or ""))


@bp.app_template_filter("rule_operator")
def operator_label(operator: str | None) -> str:
    """The word joining two rules of origin ("or", "and") in the language of the page."""
    return str(OPERATOR_LABELS.get((operator or "").lower(), operator or ""))


class BadParameter(ValueError):
    """A query parameter the page cannot use."""


def read_page() -> int:
    """Read the ``page`` parameter: a whole number from 1."""
    raw = request.args.get("page", "1").strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise BadParameter(
            _("The page must be a whole number between 1 and %(max)s.", max=number(MAX_PAGE))
        )
    return int(raw)


def read_filters() -> AgreementFilters:
    """Read the list filters; each must name something that exists."""
    country = request.args.get("country", "").strip().upper() or None
    if country is not None and not country_exists(country):
        raise BadParameter(_("The country must be a three-letter ISO code, such as MUS or GBR."))
    status = request.args.get("status", "").strip() or None
    if status is not None and status not in agreement_statuses():
        raise BadParameter(_("Choose a status from the list."))
    agreement_type = request.args.get("type", "").strip() or None
    if agreement_type is not None and agreement_type not in agreement_types():
        raise BadParameter(_("Choose an agreement type from the list."))
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
        return render_error(
            404,
            ngettext(
                "There is only %(count)s page of agreements.",
                "There are only %(count)s pages of agreements.",
                pages,
                count=number(pages),
            ),
        )
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
    agreement = get_agreement(agreement_id)
    if agreement is None:
        return render_error(404, _("There is no agreement with that number."))
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
        return render_error(400, _("A scheme is named by a short code such as esa or japan."))
    found = get_scheme(code)
    if found is None:
        return render_error(404, _("There is no preference scheme with that code."))
    try:
        page = read_page()
    except BadParameter as error:
        return render_error(400, str(error))
    rule_sets, total = scheme_rule_sets(found, page, RULE_SETS_PER_PAGE)
    pages = page_count(total, RULE_SETS_PER_PAGE)
    if page > pages:
        return render_error(
            404,
            ngettext(
                "This scheme has only %(count)s page of rules.",
                "This scheme has only %(count)s pages of rules.",
                pages,
                count=number(pages),
            ),
        )
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
