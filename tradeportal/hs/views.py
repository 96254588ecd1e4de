"""Public nomenclature pages: browse the tree and look up one code."""

import unicodedata

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from tradeportal.content_cache import (
    kept_per_generation,
    product_cache,
    request_generation,
    shared_page,
)
from tradeportal.countries.queries import country_exists, country_names
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
from tradeportal.i18n import N_, chosen_language, current_locale
from tradeportal.product import ProductContext, collect_sections
from tradeportal.templating import carried_args
from tradeportal.validity import InvalidDate, parse_as_of, today

bp = Blueprint("hs", __name__)


class UnknownCountry(ValueError):
    """A market or origin parameter that names no known country (English; pages translate)."""

    def __init__(self, template: str):
        self.template, self.values = template, {}
        super().__init__(template)


UNKNOWN_COUNTRY = {
    "market": N_("The market must be a country's three-letter ISO code, such as GBR or FRA."),
    "origin": N_("The origin must be a country's three-letter ISO code, such as GBR or FRA."),
}


@bp.get("/hs")
def index():
    """Show the sections and chapters of the HS edition in force, with counts."""
    try:
        day = parse_as_of(request.args.get("date"))
        edition = find_edition(get_catalog(), day, request.args.get("version"))
    except (InvalidDate, UnknownNomenclature) as error:
        return render_error(400, error)
    return render_template("hs/index.html", edition=edition, day=day_within(edition, day))


@bp.get("/hs/<raw>")
@shared_page
def detail(raw: str):
    """Show one code with its place in the tree, or say where it went."""
    try:
        day = parse_as_of(request.args.get("date"))
        market = read_country(request.args.get("market"), "market")
        origin = read_country(request.args.get("origin"), "origin")
        found = lookup_code(raw, day, request.args.get("version"))
    except InvalidHSCode as error:
        return render_template("hs/invalid.html", error=error), 400
    except (InvalidDate, UnknownNomenclature, UnknownCountry) as error:
        return render_error(400, error)

    day = found.day
    if found.outcome is Outcome.FOUND:
        if raw != found.code.digits:
            return redirect(url_for("hs.detail", raw=found.code.digits, **carried_args()), 301)
        return _render_node(found, day, market, origin)
    if found.outcome is Outcome.SAME_AS:
        # A 302: the home country may publish a national line under this code later.
        return redirect(url_for("hs.detail", raw=found.target, **carried_args()), 302)
    if found.outcome is Outcome.MOVED:
        return redirect(url_for("hs.detail", raw=found.target, **carried_args()), 301)
    if found.outcome is Outcome.SPLIT:
        return render_template("hs/split.html", found=found, day=day)
    return render_template("hs/missing.html", found=found, day=day), 404


def read_country(raw: str | None, role: str) -> str | None:
    """Read a market or origin parameter: an ISO alpha-3 code the portal knows, or nothing."""
    if not raw:
        return None
    iso3 = raw.strip().upper()
    if not (len(iso3) == 3 and iso3.isascii() and iso3.isalpha() and country_exists(iso3)):
        raise UnknownCountry(UNKNOWN_COUNTRY[role])
    return iso3


def _sort_key(name: str) -> str:
    """Alphabetical order for people: "Égypte" next to "Équateur", not after "Zimbabwe"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def country_choices() -> list[tuple[str, str]]:
    """Return (ISO alpha-3, name) of every country, by name, for the pickers.

    Names are in the language shown (English when a French name is missing); French names
    sort without regard to accents. Kept until the content generation moves.
    """
    language = chosen_language()

    def choices() -> list[tuple[str, str]]:
        names = country_names()
        key = (lambda choice: _sort_key(choice[1])) if language == "fr" else (lambda c: c[1])
        return sorted(names.items(), key=key)

    return kept_per_generation(("country_choices", language), choices)


def product_context(node, day, market: str | None, origin: str | None) -> ProductContext:
    """What the product page and its printable sheet are about."""
    return ProductContext(
        node=node,
        ancestors=tuple(get_catalog().ancestors(node)),
        day=day,
        home_country=current_app.config["HOME_COUNTRY"],
        market=market,
        origin=origin,
    )


def product_sections_html(product: ProductContext) -> Markup:
    """The rendered sections of the product page, from this process's cache when fresh.

    The key holds everything the sections depend on: the content generation (read before
    any content, see content_cache.py), the node, the day shown and today (links say
    "today" differently), market, origin and language.
    """
    cache = product_cache()
    generation = request_generation()
    key = (
        generation,
        product.node.id,
        product.day,
        today(),
        product.market,
        product.origin,
        str(current_locale()),
    )
    html = cache.get(key) if generation is not None else None
    if html is None:
        # Output of an autoescaping template: safe to embed as it is.
        html = Markup(  # noqa: S704
            render_template(
                "hs/_product_sections.html",
                node=product.node,
                product=product,
                product_sections=collect_sections(product),
            )
        )
        if generation is not None:
            cache.put(key, html)
    return html


def _render_node(found, day, market: str | None, origin: str | None):
    catalog = get_catalog()
    node, tree = found.node, found.edition
    base = catalog.trees[tree.base_code] if tree.base_code else tree
    children = tree.children(node.code, day)
    if node.level == 6:
        national = catalog.national_for(current_app.config["HOME_COUNTRY"], tree, day)
        if national is not None:
            children += national.children(node.code, day)
    counts = {child.code: base.descendant_counts(child.code, day) for child in children}
    ancestors = catalog.ancestors(node)
    product = product_context(node, day, market, origin)
    return render_template(
        "hs/detail.html",
        node=node,
        edition=tree,
        base=base,
        day=day,
        ancestors=ancestors,
        section=base.section(node.section),
        product=product,
        product_sections_html=product_sections_html(product),
        countries=country_choices(),
        children=children,
        counts=counts,
        older=corresponding(node, newer=False),
        newer=corresponding(node, newer=True),
    )
