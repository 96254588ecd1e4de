"""/api/v1 trade agreements, UK preference schemes and their rules of origin."""

from marshmallow import fields
from sqlalchemy import select

from tradeportal.agreements.models import PreferenceScheme
from tradeportal.agreements.queries import (
    AgreementFilters,
    agreement_statuses,
    agreement_types,
    get_agreement,
    get_scheme,
    list_agreements,
    origin_rules_for,
    scheme_rule_sets,
)
from tradeportal.agreements.views import SCHEME_CODE
from tradeportal.api import bp
from tradeportal.api.core import (
    PageQuery,
    all_of,
    documented,
    list_of,
    not_found,
    one,
    page_body,
    paged,
    slice_page,
    unprocessable,
)
from tradeportal.api.params import as_of, iso3
from tradeportal.api.schemas.agreements import (
    OriginRuleSetSchema,
    PreferenceSchemeDetailSchema,
    PreferenceSchemeSchema,
    TradeAgreementDetailSchema,
    TradeAgreementSchema,
)
from tradeportal.content.fields import HsCodeText
from tradeportal.countries.queries import country_exists
from tradeportal.db import db
from tradeportal.validity import today

TAG = "Agreements and rules of origin"
SCHEME_PATH = {"code": "The scheme's code, e.g. esa or japan."}


class AgreementQuery(PageQuery):
    country = iso3("Only agreements this country is (or was) party to, directly or via a group.")
    status = fields.String(load_default=None, metadata={"description": "As listed by the WTO."})
    agreement_type = fields.String(data_key="type", load_default=None, metadata={"example": "FTA"})


@bp.get("/agreements")
@documented(
    summary="List the regional trade agreements (WTO RTA database), with filters.",
    tag=TAG,
    query=AgreementQuery,
    response=list_of(TradeAgreementSchema),
    errors=(422,),
)
def agreements(args):
    if args["country"] and not country_exists(args["country"]):
        raise unprocessable("country", "No country has that code.", code="unknown_country")
    if args["status"] and args["status"] not in agreement_statuses():
        raise unprocessable("status", "Choose one of: " + ", ".join(agreement_statuses()) + ".")
    if args["agreement_type"] and args["agreement_type"] not in agreement_types():
        raise unprocessable("type", "Choose one of: " + ", ".join(agreement_types()) + ".")
    filters = AgreementFilters(args["country"], args["status"], args["agreement_type"])
    found, total = list_agreements(filters, args["page"], args["per_page"])
    return page_body(paged(found, total, args))


@bp.get("/agreements/<int:agreement_id>")
@documented(
    summary="One agreement with its parties (countries and groups) and their dates.",
    tag=TAG,
    response=one(TradeAgreementDetailSchema),
    errors=(404,),
    path={"agreement_id": "The agreement's number."},
)
def agreement(agreement_id: int):
    found = get_agreement(agreement_id)
    if found is None:
        raise not_found(f"There is no agreement {agreement_id}.")
    return {"data": found}


@bp.get("/origin/schemes")
@documented(
    summary="List the UK preference schemes (agreements and unilateral schemes).",
    tag=TAG,
    response=all_of(PreferenceSchemeSchema),
)
def schemes():
    rows = db.session.scalars(select(PreferenceScheme).order_by(PreferenceScheme.title)).all()
    return {"data": rows}


def _scheme(code: str) -> PreferenceScheme:
    found = get_scheme(code) if SCHEME_CODE.fullmatch(code) else None
    if found is None:
        raise not_found(f"There is no preference scheme {code!r}.")
    return found


@bp.get("/origin/schemes/<code>")
@documented(
    summary="One preference scheme with the countries it covers.",
    tag=TAG,
    response=one(PreferenceSchemeDetailSchema),
    errors=(404,),
    path=SCHEME_PATH,
    examples={"code": "esa"},
)
def scheme(code: str):
    return {"data": _scheme(code)}


class RulesQuery(PageQuery):
    hs_code = HsCodeText(
        load_default=None,
        metadata={"example": "090121", "description": "Only the rule sets covering this code."},
    )
    date = as_of("With a code: the rule sets in force that day (default: today).")


@bp.get("/origin/schemes/<code>/rules")
@documented(
    summary="A scheme's product-specific rules of origin, by range of tariff codes.",
    tag=TAG,
    query=RulesQuery,
    response=list_of(OriginRuleSetSchema),
    errors=(404, 422),
    path=SCHEME_PATH,
    examples={"code": "esa"},
)
def rules(code: str, args):
    found = _scheme(code)
    if args["hs_code"]:
        day = args["date"] or today()
        covering = origin_rules_for(args["hs_code"], [found.code], day)
        return page_body(slice_page(covering, args))
    rule_sets, total = scheme_rule_sets(found, args["page"], args["per_page"])
    return page_body(paged(rule_sets, total, args))
