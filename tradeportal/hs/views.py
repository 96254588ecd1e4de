"""Public nomenclature pages: browse the tree and look up one code."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from tradeportal.errors import render_error
from tradeportal.hs.catalog import get_catalog
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.queries import (
    Outcome,
    UnknownNomenclature,
    corresponding,
    day_within,
    find_edition,
    lookup_code,
)
from tradeportal.templating import carried_args
from tradeportal.validity import InvalidDate, parse_as_of

bp = Blueprint("hs", __name__)


@bp.get("/hs")
def index():
    """Show the sections and chapters of the HS edition in force, with counts."""
    try:
        day = parse_as_of(request.args.get("date"))
        edition = find_edition(get_catalog(), day, request.args.get("version"))
    except (InvalidDate, UnknownNomenclature) as error:
        return render_error(400, str(error))
    return render_template("hs/index.html", edition=edition, day=day_within(edition, day))


@bp.get("/hs/<raw>")
def detail(raw: str):
    """Show one code with its place in the tree, or say where it went."""
    try:
        day = parse_as_of(request.args.get("date"))
        found = lookup_code(raw, day, request.args.get("version"))
    except InvalidHSCode as error:
        return render_template("hs/invalid.html", error=error), 400
    except (InvalidDate, UnknownNomenclature) as error:
        return render_error(400, str(error))

    day = found.day
    if found.outcome is Outcome.FOUND:
        if raw != found.code.digits:
            return redirect(url_for("hs.detail", raw=found.code.digits, **carried_args()), 301)
        return _render_node(found, day)
    if found.outcome is Outcome.SAME_AS:
        # A 302: the home country may publish a national line under this code later.
        return redirect(url_for("hs.detail", raw=found.target, **carried_args()), 302)
    if found.outcome is Outcome.MOVED:
        return redirect(url_for("hs.detail", raw=found.target, **carried_args()), 301)
    if found.outcome is Outcome.SPLIT:
        return render_template("hs/split.html", found=found, day=day)
    return render_template("hs/missing.html", found=found, day=day), 404


def _render_node(found, day):
    catalog = get_catalog()
    node, tree = found.node, found.edition
    base = catalog.trees[tree.base_code] if tree.base_code else tree
    children = tree.children(node.code, day)
    if node.level == 6:
        national = catalog.national_for(current_app.config["HOME_COUNTRY"], tree, day)
        if national is not None:
            children += national.children(node.code, day)
    counts = {child.code: base.descendant_counts(child.code, day) for child in children}
    return render_template(
        "hs/detail.html",
        node=node,
        edition=tree,
        base=base,
        day=day,
        ancestors=catalog.ancestors(node),
        section=base.section(node.section),
        children=children,
        counts=counts,
        older=corresponding(node, newer=False),
        newer=corresponding(node, newer=True),
    )
