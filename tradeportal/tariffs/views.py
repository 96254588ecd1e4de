"""Public tariff pages: the schedules held, and one schedule's lines by chapter."""

import click
from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from tradeportal.countries.queries import countries_by_iso3
from tradeportal.errors import render_error
from tradeportal.hs.catalog import get_catalog
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.prefixes import normalise_prefix
from tradeportal.i18n import N_, localized
from tradeportal.tariffs.content import rate_kind_text, rate_view
from tradeportal.tariffs.distribution import rate_distribution
from tradeportal.tariffs.queries import (
    all_schedules,
    chapter_counts,
    get_schedule,
    hs2022_mapping_counts,
    rate_kind_counts,
    schedule_lines,
    unparsed_forms,
)

bp = Blueprint("tariffs", __name__, cli_group="tariffs")

LINES_PER_PAGE = 50
MAX_PAGE_PARAMETER = 6  # digits: no schedule has a million pages


@bp.get("/tariffs")
def index():
    """List the tariff schedules held, with their markets, validity and rate statistics."""
    schedules = all_schedules()
    markets = {s.reporter for s in schedules} | {m.market for s in schedules for m in s.markets}
    names = {
        iso3: str(localized(country, "name"))
        for iso3, country in countries_by_iso3(markets).items()
    }
    return render_template(
        "tariffs/index.html",
        schedules=schedules,
        names=names,
        kinds={s.id: rate_kind_counts(s) for s in schedules},
        mapping={s.id: hs2022_mapping_counts(s) for s in schedules},
        kind_text=rate_kind_text,
    )


@bp.get("/tariffs/<code>")
def schedule(code: str):
    """Browse one schedule: its chapters, or the lines under a code prefix, page by page."""
    found = get_schedule(code)
    if found is None:
        return render_error(404, N_("There is no tariff schedule with that code."))
    raw_prefix = request.args.get("prefix", "").strip()
    prefix = None
    if raw_prefix:
        try:
            prefix = normalise_prefix(raw_prefix)
        except InvalidHSCode as error:
            message = [error.translated_message(), error.translated_hint()]
            return render_error(400, " ".join(filter(None, message)))
    raw_page = request.args.get("page", "1").strip()
    if not (raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= MAX_PAGE_PARAMETER):
        return render_error(400, N_("The page number must be a whole number, such as 2."))
    page = int(raw_page)
    if page < 1:
        return render_error(400, N_("Pages are numbered from 1."))
    edition = get_catalog().trees.get(found.nomenclature)
    context = {"schedule": found, "edition": edition, "prefix": prefix}
    if prefix is None:
        distribution, chapters = rate_distribution(found)
        return render_template(
            "tariffs/schedule.html",
            chapters=chapter_counts(found),
            distribution=distribution,
            by_chapter={chapter.chapter: chapter for chapter in chapters},
            **context,
        )
    lines, total = schedule_lines(found, prefix, (page - 1) * LINES_PER_PAGE, LINES_PER_PAGE)
    pages = max(1, -(-total // LINES_PER_PAGE))
    if page > pages:
        return render_error(
            404, _("There is no page %(page)s; this list has %(pages)s.", page=page, pages=pages)
        )
    return render_template(
        "tariffs/schedule.html",
        rows=[(line, rate_view(line)) for line in lines],
        total=total,
        page=page,
        pages=pages,
        heading=edition.nodes.get(prefix) if edition else None,
        **context,
    )


@bp.cli.command("report")
def report() -> None:
    """Say how many lines each schedule holds, how their rates parsed and map to HS 2022."""
    for found in all_schedules():
        kinds = rate_kind_counts(found)
        click.echo(f"{found.code}: {sum(kinds.values()):,} lines")
        click.echo("  rates: " + ", ".join(f"{n:,} {k}" for k, n in sorted(kinds.items())))
        mapping = hs2022_mapping_counts(found)
        click.echo(
            f"  HS 2022: {mapping['one']:,} to one subheading, {mapping['split']:,} split "
            f"between several, {mapping['unmapped']:,} without a successor"
        )
        for text, count in unparsed_forms(found):
            click.echo(f"  unparsed ×{count}: {text!r}")
