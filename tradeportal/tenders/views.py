"""Public tender pages: the filtered list and one tender."""

import re
from datetime import date
from pathlib import Path

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from tradeportal.countries.queries import countries_by_iso3
from tradeportal.datafiles import read_csv
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.hs.catalog import get_catalog
from tradeportal.i18n import chosen_language, localized, money, number
from tradeportal.tenders.cpv import (
    MALFORMED_CPV,
    NO_CLASSIFICATION,
    UNKNOWN_DIVISION,
    WORKS_OR_SERVICES,
)
from tradeportal.tenders.models import Tender, TenderStatus
from tradeportal.tenders.queries import COUNTRY_NAMES, get_tender, search_tenders, tender_countries
from tradeportal.tenders.schemas import InvalidTenderFilter, read_tender_filters
from tradeportal.tenders.services import CPV_MAP_FILE, FOLDER_PUBLISHERS, SOURCES
from tradeportal.validity import InvalidDate, parse_as_of

bp = Blueprint("tenders", __name__)

VALUE_BASES = {
    "tender": _l("estimated value of the tender"),
    "budget": _l("planned budget"),
    "award": _l("value awarded"),
    "contract": _l("value of the contract"),
}
# The languages a tender can be in, named in the language of the page.
LANGUAGE_NAMES = {"en": _l("English"), "fr": _l("French")}
# The OCDS tender status codelist, as people read it.
STATUS_LABELS = {
    TenderStatus.PLANNING: _l("planning"),
    TenderStatus.PLANNED: _l("planned"),
    TenderStatus.ACTIVE: _l("active"),
    TenderStatus.CANCELLED: _l("cancelled"),
    TenderStatus.UNSUCCESSFUL: _l("unsuccessful"),
    TenderStatus.COMPLETE: _l("complete"),
    TenderStatus.WITHDRAWN: _l("withdrawn"),
}
# Why a classification gives no HS link (stored in English, as the API returns it).
PROBLEMS = (NO_CLASSIFICATION, MALFORMED_CPV, UNKNOWN_DIVISION, WORKS_OR_SERVICES)
NOT_CPV_PROBLEM = re.compile(r"classified with (?P<scheme>.+), not CPV")


@bp.app_template_filter("tender_money")
def format_money(amount: float | None, currency: str | None) -> str:
    """Format an amount with its currency for the page's language: "£464,500.00"."""
    if amount is None:
        return _("not stated")
    if not currency:
        return number(amount, 0 if float(amount).is_integer() else 2)
    return money(amount, currency)


@bp.app_template_filter("licence_note")
def licence_note(note: str | None) -> Markup:
    """A stored licence note in the language of the page when the catalog knows it.

    The portal's own notes (``SOURCES``) are in the catalog; a note typed in another way
    stays English, marked as such.
    """
    if not note:
        return Markup("")
    said = _(note)  # no values: never read as a format string
    if said != note or chosen_language() == "en":
        return Markup.escape(said)
    return Markup('<span lang="en">{}</span>').format(note)


@bp.app_template_filter("tender_status")
def status_label(status: TenderStatus | None) -> str:
    return str(STATUS_LABELS.get(status, status.value if status else ""))


def problem_text(problem: str | None) -> str | None:
    """Why a classification gives no HS link, in the language of the page."""
    if not problem:
        return problem
    if problem in PROBLEMS:
        return _(problem)
    found = NOT_CPV_PROBLEM.fullmatch(problem)
    if found:
        return _("classified with %(scheme)s, not CPV", scheme=found["scheme"])
    return problem


def country_names(codes) -> dict[str, str]:
    """Name the tender countries in the language of the page (English when unknown)."""
    if chosen_language() == "en":
        return {iso3: COUNTRY_NAMES.get(iso3, iso3) for iso3 in codes}
    found = countries_by_iso3(list(codes))
    return {
        iso3: str(localized(found[iso3], "name"))
        if iso3 in found
        else COUNTRY_NAMES.get(iso3, iso3)
        for iso3 in codes
    }


@bp.get("/tenders")
def index():
    """List the tenders matching the filters, a page at a time, with counts."""
    try:
        filters = read_tender_filters(request.args.to_dict(flat=True))
    except InvalidTenderFilter as error:
        return render_error(
            400, _("That tender search cannot be run. %(problems)s", problems=error.text)
        )
    results = search_tenders(filters)
    names = country_names(sorted({*tender_countries(), *COUNTRY_NAMES}))
    countries = [(iso3, names[iso3]) for iso3 in tender_countries()]
    return render_template(
        "tenders/index.html",
        filters=filters,
        results=results,
        countries=countries,
        country_names=names,
        languages=LANGUAGE_NAMES,
    )


@bp.get("/tenders/<int:tender_id>")
def detail(tender_id: int):
    """Show one tender: buyer, value, deadline, classifications and their HS links."""
    try:
        day = parse_as_of(request.args.get("date"))
    except InvalidDate as error:
        return render_error(400, str(error))
    tender = get_tender(tender_id)
    if tender is None:
        return render_error(404, _("There is no tender with that number."))
    return render_template(
        "tenders/detail.html",
        tender=tender,
        day=day,
        is_open=tender.is_open_on(day),
        classifications=_classification_rows(tender, day),
        country_name=country_names([tender.country_iso3])[tender.country_iso3],
        language_name=LANGUAGE_NAMES[tender.language],
        value_basis=VALUE_BASES.get(tender.value_basis or ""),
    )


@bp.get("/tenders/about")
def about():
    """Say where the sample tenders come from, their licences, and the CPV -> HS table."""
    counts = dict(
        db.session.execute(select(Tender.publisher, func.count()).group_by(Tender.publisher)).all()
    )
    publishers = [
        (source, counts.get(source.publisher, 0))
        for source in (*SOURCES.values(), *FOLDER_PUBLISHERS.values())
    ]
    return render_template(
        "tenders/about.html",
        publishers=publishers,
        country_names=country_names(sorted({source.iso3 for source, _count in publishers})),
        mapping=_mapping_rows(Path(current_app.config["DATA_DIR"]) / CPV_MAP_FILE),
    )


def _mapping_rows(path: Path) -> list[dict] | None:
    """Group the CPV -> HS table by CPV prefix, as shipped in data/ (None if missing)."""
    grouped: dict[str, dict] = {}
    try:
        for _line, row in read_csv(path):
            entry = grouped.setdefault(
                row["cpv_prefix"], {"cpv": row["cpv_prefix"], "note": row["note"], "hs": []}
            )
            if row["hs_prefix"]:
                entry["hs"].append(row["hs_prefix"])
    except (OSError, KeyError):
        return None
    return sorted(grouped.values(), key=lambda entry: entry["cpv"])


def _classification_rows(tender: Tender, day: date) -> list[dict]:
    """Pair each classification with the HS links it gave, or the reason it gave none."""
    edition = get_catalog().edition_on(day) or get_catalog().trees.get("HS2022")
    links_by_code: dict[str, list] = {}
    for link in tender.hs_links:
        node = edition.nodes.get(link.prefix) if edition else None
        links_by_code.setdefault(link.cpv_code, []).append((link, node))
    return [
        {
            "scheme": item["scheme"],
            "id": item["id"],
            "problem": problem_text(item["problem"]),
            "links": links_by_code.get(item["id"], []) if item["scheme"] == "CPV" else [],
        }
        for item in tender.classifications
    ]
