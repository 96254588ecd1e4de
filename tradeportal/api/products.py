"""/api/v1/products/<code>: everything that applies to a product, as the product page shows.

The sections come from the page's own registry (``tradeportal.product``): the same
``collect`` functions run with the same context, and each section's result is dumped
by the schema registered here for its key. A section the page gains without a schema
here fails a test, so the API cannot silently fall behind the page.
"""

from flask import current_app
from marshmallow import Schema, fields

from tradeportal.api import bp
from tradeportal.api.core import documented, one, unprocessable
from tradeportal.api.hs import CODE_PATH, EditionQuery, _Redirect, redirect_to, resolve
from tradeportal.api.params import iso3
from tradeportal.api.schemas.agreements import AgreementsSectionSchema, RulesSectionSchema
from tradeportal.api.schemas.countries import CountryLinkSchema
from tradeportal.api.schemas.hs import HsNodeSchema
from tradeportal.api.schemas.regulations import ProcedureItemSchema, RegulationsSectionSchema
from tradeportal.api.schemas.tariffs import TariffsSectionSchema
from tradeportal.api.schemas.tenders import TendersSectionSchema
from tradeportal.hs.catalog import get_catalog
from tradeportal.hs.views import UnknownCountry, read_country
from tradeportal.product import ProductContext, collect_sections

# Section key -> (schema, adapter from what ``collect`` returned to what the schema dumps).
SECTION_SCHEMAS = {
    "regulations": (fields.Nested(RegulationsSectionSchema), None),
    "procedures": (
        fields.List(fields.Nested(ProcedureItemSchema)),
        lambda found: [{"procedure": procedure, "via": via} for procedure, via in found],
    ),
    "tariffs": (fields.Nested(TariffsSectionSchema), None),
    "agreements": (fields.Nested(AgreementsSectionSchema), None),
    "rules_of_origin": (fields.Nested(RulesSectionSchema), None),
    "tenders": (fields.Nested(TendersSectionSchema), None),
    "countries": (fields.List(fields.Nested(CountryLinkSchema)), None),
}
# Page sections that are page furniture, not content (the alerts sign-up form).
NOT_IN_API = {"alerts"}


def _nullable(field: fields.Field) -> fields.Field:
    field.allow_none = True
    field.required = True
    return field


ProductSectionsSchema = Schema.from_dict(
    {key: _nullable(field) for key, (field, _adapter) in SECTION_SCHEMAS.items()},
    name="ProductSectionsSchema",
)


class ProductSchema(Schema):
    """The product page as data: null for a section that has nothing for this product."""

    as_of = fields.Date(required=True)
    home_country = fields.String(required=True)
    market = fields.String(required=True, allow_none=True)
    origin = fields.String(required=True, allow_none=True)
    node = fields.Nested(HsNodeSchema, required=True)
    ancestors = fields.List(fields.Nested(HsNodeSchema), required=True)
    sections = fields.Nested(ProductSectionsSchema, required=True)


class ProductQuery(EditionQuery):
    market = iso3("The destination market, ISO alpha-3; adds its tariff and agreements.")
    origin = iso3("Where the goods originate, ISO alpha-3; adds preferences and rules of origin.")


def _country(args: dict, role: str) -> str | None:
    try:
        return read_country(args[role], role)
    except UnknownCountry as error:
        raise unprocessable(role, str(error), code="unknown_country") from None


@bp.get("/products/<code>")
@documented(
    summary="Everything that applies to a product on a day, from a market and an origin.",
    tag="Products",
    query=ProductQuery,
    response=one(ProductSchema),
    errors=(404, 422),
    path=CODE_PATH,
    examples={"code": "090121"},
    redirects=(301, 302),
)
def product(code: str, args):
    market, origin = _country(args, "market"), _country(args, "origin")
    try:
        found = resolve(code, args)
    except _Redirect as moved:
        return redirect_to(moved)
    ancestors = get_catalog().ancestors(found.node)
    context = ProductContext(
        node=found.node,
        ancestors=tuple(ancestors),
        day=found.day,
        home_country=current_app.config["HOME_COUNTRY"],
        market=market,
        origin=origin,
    )
    sections = dict.fromkeys(SECTION_SCHEMAS)
    for section, data in collect_sections(context):
        if section.key in SECTION_SCHEMAS:
            adapter = SECTION_SCHEMAS[section.key][1]
            sections[section.key] = adapter(data) if adapter else data
    return {
        "data": {
            "as_of": found.day,
            "home_country": context.home_country,
            "market": market,
            "origin": origin,
            "node": found.node,
            "ancestors": ancestors,
            "sections": sections,
        }
    }
