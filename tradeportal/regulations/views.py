"""Public pages of regulations, procedures and agencies."""

import re

from flask import Blueprint, current_app, render_template, request
from flask_babel import ngettext

from tradeportal.countries.queries import countries_by_iso3
from tradeportal.errors import render_error
from tradeportal.hs.catalog import get_catalog
from tradeportal.i18n import N_, localized
from tradeportal.regulations.display import rule_lines
from tradeportal.regulations.models import Direction, RegulationKind
from tradeportal.regulations.queries import (
    RegulationFilters,
    get_agency,
    get_procedure,
    get_regulation,
    list_agencies,
    list_procedures,
    list_regulations,
    procedures_of_agency,
    procedures_of_regulation,
)
from tradeportal.regulations.schemas import SLUG
from tradeportal.validity import InvalidDate, parse_as_of, today

bp = Blueprint("regulations", __name__)
bp.add_app_template_global(rule_lines)  # the product page's rules, ready to place

CHAPTER = re.compile(r"[0-9]{1,2}")
MAX_PAGE = 10_000


class BadFilter(ValueError):
    """A filter value of the regulations list that cannot be used.

    ``template`` is English with ``%(name)s`` placeholders (marked with ``N_``);
    ``render_error(400, error)`` shows it in the language of the page.
    """

    def __init__(self, template: str, **values):
        self.template, self.values = template, values
        super().__init__(template % values if values else template)


UNKNOWN_CHOICE = {
    "kind": N_("Unknown kind of rule; choose one of: %(known)s."),
    "direction": N_("Unknown direction; choose one of: %(known)s."),
}


def _choice(raw: str | None, enum_cls, name: str):
    if not raw:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        known = ", ".join(member.value for member in enum_cls)
        raise BadFilter(UNKNOWN_CHOICE[name], known=known) from None


def read_filters(args) -> RegulationFilters:
    """Read the list filters from the query string; raise BadFilter or InvalidDate."""
    day = parse_as_of(args.get("date"))
    chapter = (args.get("chapter") or "").strip() or None
    if chapter is not None:
        if not CHAPTER.fullmatch(chapter) or not 1 <= int(chapter) <= 97:
            raise BadFilter(N_("A chapter is two digits, from 01 to 97, for example 09."))
        chapter = chapter.zfill(2)
    agency = None
    if args.get("agency"):
        slug = args["agency"]
        agency = get_agency(slug) if SLUG.fullmatch(slug) else None
        if agency is None:
            raise BadFilter(N_("There is no agency with that identifier."))
    return RegulationFilters(
        day=day,
        country_iso3=current_app.config["HOME_COUNTRY"],
        chapter=chapter,
        kind=_choice(args.get("kind"), RegulationKind, "kind"),
        direction=_choice(args.get("direction"), Direction, "direction"),
        agency=agency,
    )


def read_page(raw: str | None) -> int:
    if not raw:
        return 1
    # isascii: "²".isdigit() is true but int("²") fails.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise BadFilter(N_("The page is a number from 1 to %(last)s."), last=f"{MAX_PAGE:,}")
    return int(raw)


def _chapters(day):
    edition = get_catalog().edition_on(day)
    return edition.children(None, day) if edition else []


def _day_or_today():
    """Read the optional as-of date of a detail page (raises InvalidDate)."""
    return parse_as_of(request.args.get("date"))


@bp.get("/regulations")
def index():
    """List the regulations in force on a day, filtered by chapter, kind, direction, agency."""
    try:
        filters = read_filters(request.args)
        page_number = read_page(request.args.get("page"))
    except (BadFilter, InvalidDate) as error:
        return render_error(400, error)
    page = list_regulations(filters, page_number)
    if page_number > page.pages:
        return render_error(
            400,
            ngettext(
                "There is only %(num)s page of results.",
                "There are only %(num)s pages of results.",
                page.pages,
            ),
        )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "regulations/index.html",
        filters=filters,
        page=page,
        args=args,
        chapters=_chapters(filters.day),
        kinds=list(RegulationKind),
        directions=list(Direction),
        procedures=list_procedures(filters.day, filters.country_iso3),
    )


@bp.get("/regulations/<slug>")
def regulation_detail(slug: str):
    """Show one regulation with its documents, HS links, partners and procedures."""
    regulation = get_regulation(slug) if SLUG.fullmatch(slug) else None
    if regulation is None:
        return render_error(404, N_("There is no regulation at this address."))
    try:
        day = _day_or_today()
    except InvalidDate as error:
        return render_error(400, error)
    countries = countries_by_iso3(regulation.partner_codes)
    return render_template(
        "regulations/regulation.html",
        regulation=regulation,
        day=day,
        partners=[
            (code, str(localized(countries[code], "name")) if code in countries else code)
            for code in regulation.partner_codes
        ],
        procedures=procedures_of_regulation(regulation),
    )


@bp.get("/procedures/<slug>")
def procedure_detail(slug: str):
    """Show one procedure as a timeline of its steps."""
    procedure = get_procedure(slug) if SLUG.fullmatch(slug) else None
    if procedure is None:
        return render_error(404, N_("There is no procedure at this address."))
    try:
        day = _day_or_today()
    except InvalidDate as error:
        return render_error(400, error)
    return render_template("regulations/procedure.html", procedure=procedure, day=day)


@bp.get("/agencies")
def agencies():
    """List the agencies."""
    return render_template("regulations/agencies.html", agencies=list_agencies())


@bp.get("/agencies/<slug>")
def agency_detail(slug: str):
    """Show one agency with its contacts, rules and procedures in force."""
    agency = get_agency(slug) if SLUG.fullmatch(slug) else None
    if agency is None:
        return render_error(404, N_("There is no agency at this address."))
    day = today()
    filters = RegulationFilters(
        day=day, country_iso3=current_app.config["HOME_COUNTRY"], agency=agency
    )
    return render_template(
        "regulations/agency.html",
        agency=agency,
        regulations=list_regulations(filters),
        procedures=procedures_of_agency(agency, day),
    )
