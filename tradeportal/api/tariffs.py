"""/api/v1 tariff schedules and their national lines."""

from tradeportal.api import bp
from tradeportal.api.core import (
    PageQuery,
    documented,
    list_of,
    not_found,
    one,
    page_body,
    paged,
    slice_page,
)
from tradeportal.api.schemas.tariffs import (
    TariffLineSchema,
    TariffScheduleDetailSchema,
    TariffScheduleSchema,
)
from tradeportal.content.fields import HsCodeText
from tradeportal.tariffs.queries import all_schedules, chapter_counts, get_schedule, schedule_lines
from tradeportal.tariffs.schemas import SCHEDULE_CODE

TAG = "Tariffs"
SCHEDULE_PATH = {"code": "The schedule's code, e.g. UKGT-2021."}


class LinesQuery(PageQuery):
    prefix = HsCodeText(
        load_default=None,
        metadata={
            "example": "0901",
            "description": "Only the lines whose code starts with this HS code (any spelling).",
        },
    )


def _schedule(code: str):
    found = get_schedule(code) if SCHEDULE_CODE.fullmatch(code) else None
    if found is None:
        raise not_found(f"There is no tariff schedule {code!r}.")
    return found


@bp.get("/tariffs")
@documented(
    summary="List the tariff schedules held (markets' MFN duties), newest first.",
    tag=TAG,
    query=PageQuery,
    response=list_of(TariffScheduleSchema),
    errors=(422,),
)
def schedules(args):
    return page_body(slice_page(all_schedules(), args))


@bp.get("/tariffs/<code>")
@documented(
    summary="One schedule with its line counts per chapter.",
    tag=TAG,
    response=one(TariffScheduleDetailSchema),
    errors=(404,),
    path=SCHEDULE_PATH,
    examples={"code": "UKGT-2021"},
)
def schedule(code: str):
    found = _schedule(code)
    chapters = [{"chapter": chapter, "lines": n} for chapter, n in chapter_counts(found)]
    fields_ = {name: getattr(found, name) for name in TariffScheduleSchema().fields}
    return {"data": {**fields_, "chapters": chapters}}


@bp.get("/tariffs/<code>/lines")
@documented(
    summary="A schedule's national lines with their MFN rates, by code.",
    tag=TAG,
    query=LinesQuery,
    response=list_of(TariffLineSchema),
    errors=(404, 422),
    path=SCHEDULE_PATH,
    examples={"code": "UKGT-2021"},
)
def lines(code: str, args):
    found = _schedule(code)
    offset = (args["page"] - 1) * args["per_page"]
    rows, total = schedule_lines(found, args["prefix"] or "", offset, args["per_page"])
    return page_body(paged(rows, total, args))
