"""/api/v1 regulations, procedures and agencies of the home country."""

from flask import current_app
from marshmallow import fields, validate

from tradeportal.api import bp
from tradeportal.api.core import (
    PageQuery,
    documented,
    list_of,
    not_found,
    one,
    page_body,
    repage,
    slice_page,
    unprocessable,
)
from tradeportal.api.params import DatedPageQuery
from tradeportal.api.schemas.regulations import AgencySchema, ProcedureSchema, RegulationSchema
from tradeportal.regulations.models import Direction, RegulationKind
from tradeportal.regulations.queries import (
    PAGE_SIZE,
    RegulationFilters,
    get_agency,
    get_procedure,
    get_regulation,
    list_agencies,
    list_procedures,
    list_regulations,
)
from tradeportal.regulations.schemas import SLUG
from tradeportal.validity import today

TAG = "Regulations and procedures"
SLUG_PATH = {"slug": "The identifier, e.g. coffee-import-permit."}


class RegulationQuery(DatedPageQuery):
    chapter = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^(0[1-9]|[1-8][0-9]|9[0-7])$", error="Give a chapter from 01 to 97."
        ),
        metadata={
            "description": "Only regulations linked within this HS chapter.",
            "example": "09",
        },
    )
    kind = fields.Enum(RegulationKind, by_value=True, load_default=None)
    direction = fields.Enum(Direction, by_value=True, load_default=None)
    agency = fields.String(
        load_default=None,
        validate=validate.Regexp(
            f"^{SLUG.pattern}$", error="An agency is named by its slug, e.g. mra-customs."
        ),
        metadata={"description": "Only the regulations this agency runs (its slug)."},
    )


@bp.get("/regulations")
@documented(
    summary="List the home country's regulations in force on a day, with filters.",
    tag=TAG,
    query=RegulationQuery,
    response=list_of(RegulationSchema),
    errors=(422,),
)
def regulations(args):
    agency = None
    if args["agency"]:
        agency = get_agency(args["agency"])
        if agency is None:
            raise unprocessable("agency", "There is no agency with that identifier.")
    filters = RegulationFilters(
        day=args["date"] or today(),
        country_iso3=current_app.config["HOME_COUNTRY"],
        chapter=args["chapter"],
        kind=args["kind"],
        direction=args["direction"],
        agency=agency,
    )

    def fetch(number: int):
        page = list_regulations(filters, number)
        return page.items, page.total

    return page_body(repage(fetch, PAGE_SIZE, args))


def _by_slug(find, slug: str, what: str):
    found = find(slug) if SLUG.fullmatch(slug) else None
    if found is None:
        raise not_found(f"There is no {what} {slug!r}.")
    return found


@bp.get("/regulations/<slug>")
@documented(
    summary="One regulation with its documents, partners and HS links.",
    tag=TAG,
    response=one(RegulationSchema),
    errors=(404,),
    path=SLUG_PATH,
    examples={"slug": "coffee-import-sps"},
)
def regulation(slug: str):
    return {"data": _by_slug(get_regulation, slug, "regulation")}


@bp.get("/procedures")
@documented(
    summary="List the home country's procedures in force on a day.",
    tag=TAG,
    query=DatedPageQuery,
    response=list_of(ProcedureSchema),
    errors=(422,),
)
def procedures(args):
    found = list_procedures(args["date"] or today(), current_app.config["HOME_COUNTRY"])
    return page_body(slice_page(found, args))


@bp.get("/procedures/<slug>")
@documented(
    summary="One procedure with its steps in order.",
    tag=TAG,
    response=one(ProcedureSchema),
    errors=(404,),
    path=SLUG_PATH,
    examples={"slug": "import-fresh-fruit-vegetables"},
)
def procedure(slug: str):
    return {"data": _by_slug(get_procedure, slug, "procedure")}


@bp.get("/agencies")
@documented(
    summary="List the agencies that regulate trade or answer traders' questions.",
    tag=TAG,
    query=PageQuery,
    response=list_of(AgencySchema),
    errors=(422,),
)
def agencies(args):
    return page_body(slice_page(list_agencies(), args))


@bp.get("/agencies/<slug>")
@documented(
    summary="One agency with its contacts.",
    tag=TAG,
    response=one(AgencySchema),
    errors=(404,),
    path=SLUG_PATH,
    examples={"slug": "nppo"},
)
def agency(slug: str):
    return {"data": _by_slug(get_agency, slug, "agency")}
