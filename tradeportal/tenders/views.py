"""Public tender pages: the filtered list and one tender."""

from datetime import date
from pathlib import Path

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import func, select

from tradeportal.datafiles import read_csv
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.hs.catalog import get_catalog
from tradeportal.tenders.models import LANGUAGES, Tender
from tradeportal.tenders.queries import COUNTRY_NAMES, get_tender, search_tenders, tender_countries
from tradeportal.tenders.schemas import InvalidTenderFilter, read_tender_filters
from tradeportal.tenders.services import CPV_MAP_FILE, FOLDER_PUBLISHERS, SOURCES
from tradeportal.validity import InvalidDate, parse_as_of

bp = Blueprint("tenders", __name__)

VALUE_BASES = {
    "tender": "estimated value of the tender",
    "budget": "planned budget",
    "award": "value awarded",
    "contract": "value of the contract",
}


@bp.app_template_filter("tender_money")
def format_money(amount: float | None, currency: str | None) -> str:
    """Format an amount with its currency code: "GBP 464,500" or "CAD 8,923.94"."""
    if amount is None:
        return "not stated"
    digits = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{currency} {digits}" if currency else digits


@bp.get("/tenders")
def index():
    """List the tenders matching the filters, a page at a time, with counts."""
    try:
        filters = read_tender_filters(request.args.to_dict(flat=True))
    except InvalidTenderFilter as error:
        return render_error(400, f"That tender search cannot be run. {error}")
    results = search_tenders(filters)
    countries = [(iso3, COUNTRY_NAMES.get(iso3, iso3)) for iso3 in tender_countries()]
    return render_template(
        "tenders/index.html",
        filters=filters,
        results=results,
        countries=countries,
        country_names=COUNTRY_NAMES,
        languages=LANGUAGES,
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
        return render_error(404, "There is no tender with that number.")
    return render_template(
        "tenders/detail.html",
        tender=tender,
        day=day,
        is_open=tender.is_open_on(day),
        classifications=_classification_rows(tender, day),
        country_name=COUNTRY_NAMES.get(tender.country_iso3, tender.country_iso3),
        language_name=LANGUAGES[tender.language],
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
        country_names=COUNTRY_NAMES,
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
            "problem": item["problem"],
            "links": links_by_code.get(item["id"], []) if item["scheme"] == "CPV" else [],
        }
        for item in tender.classifications
    ]
