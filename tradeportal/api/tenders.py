"""/api/v1 tenders: procurement releases linked to HS codes through their CPV codes."""

from dataclasses import replace

from flask import current_app
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from tradeportal.api import bp
from tradeportal.api.core import (
    PageQuery,
    documented,
    list_of,
    not_found,
    one,
    page_body,
    repage,
    unprocessable,
)
from tradeportal.api.params import as_of, iso3
from tradeportal.api.schemas.tenders import TenderSchema
from tradeportal.countries.queries import country_exists
from tradeportal.tenders.models import LANGUAGES
from tradeportal.tenders.queries import (
    PER_PAGE,
    TenderFilters,
    get_tender,
    search_tenders,
    tender_countries,
)
from tradeportal.tenders.schemas import HsChapter
from tradeportal.validity import today

TAG = "Tenders"


class TenderQuery(PageQuery):
    country = iso3("Only tenders of buyers in this country.")
    chapter = HsChapter(
        load_default=None,
        metadata={
            "type": "string",
            "example": "09",
            "description": "Only tenders linked within this HS chapter.",
        },
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(["open", "closed"], error="Choose open or closed."),
        metadata={"description": "Open or closed on the date."},
    )
    deadline_from = as_of("Only tenders whose deadline is on or after this day.")
    deadline_to = as_of("Only tenders whose deadline is on or before this day.")
    language = fields.String(load_default=None, validate=validate.OneOf(list(LANGUAGES)))
    q = fields.String(
        load_default=None,
        metadata={"description": "Words in the title, description, buyer or ocid."},
    )
    date = as_of("What is open or closed is judged on this day (default: today).")

    @validates("q")
    def short_enough(self, value: str, data_key: str) -> None:
        limit = current_app.config["MAX_QUERY_LENGTH"]
        if value is not None and len(value) > limit:
            raise ValidationError(f"Type at most {limit} characters.")

    @validates_schema
    def deadlines_in_order(self, data, **kwargs):
        start, end = data.get("deadline_from"), data.get("deadline_to")
        if start and end and start > end:
            raise ValidationError("The first deadline date is after the second.", "deadline_to")


@bp.get("/tenders")
@documented(
    summary="List the tenders published by a day, newest first, with filters.",
    tag=TAG,
    query=TenderQuery,
    response=list_of(TenderSchema),
    errors=(422,),
)
def tenders(args):
    country = args["country"]
    if country and country not in tender_countries() and not country_exists(country):
        raise unprocessable("country", "No country has that code.", code="unknown_country")
    filters = TenderFilters(
        day=args["date"] or today(),
        explicit_day=args["date"] is not None,
        country=country,
        chapter=args["chapter"],
        status=args["status"],
        deadline_from=args["deadline_from"],
        deadline_to=args["deadline_to"],
        language=args["language"],
        q=args["q"],
    )

    def fetch(number: int):
        results = search_tenders(replace(filters, page=number))
        return results.items, results.total

    return page_body(repage(fetch, PER_PAGE, args))


@bp.get("/tenders/<int:tender_id>")
@documented(
    summary="One tender: buyer, value, deadline, classifications and their HS links.",
    tag=TAG,
    response=one(TenderSchema),
    errors=(404,),
    path={"tender_id": "The tender's number in this portal."},
)
def tender(tender_id: int):
    found = get_tender(tender_id)
    if found is None:
        raise not_found(f"There is no tender {tender_id}.")
    return {"data": found}
