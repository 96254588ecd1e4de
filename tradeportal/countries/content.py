"""The countries area's content types (countries, country profiles) and product page section."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tradeportal.content.registry import ContentType, register_content_type
from tradeportal.countries.content_records import export_countries, save_country
from tradeportal.countries.models import Country, CountryProfileSection
from tradeportal.countries.queries import countries_by_iso3
from tradeportal.countries.schemas import CountryInput, CountryProfileSectionInput
from tradeportal.countries.services import export_profile_sections, save_profile_section
from tradeportal.product import ProductContext, ProductSection, register_product_section


@dataclass
class CountryLink:
    role: str  # "Destination market", "Origin of the goods", "Home country" (translated when shown)
    country: Country


def collect_country_links(product: ProductContext) -> list[CountryLink] | None:
    """Link to the profiles of the market, the origin and the home country (once each)."""
    roles = [
        (_l("Destination market"), product.market),
        (_l("Origin of the goods"), product.origin),
        (_l("Home country"), product.home_country),
    ]
    countries = countries_by_iso3(iso3 for _role, iso3 in roles if iso3)
    links, seen = [], set()
    for role, iso3 in roles:
        if iso3 in countries and iso3 not in seen:
            seen.add(iso3)
            links.append(CountryLink(role, countries[iso3]))
    return links or None


register_content_type(
    ContentType(
        name="countries",
        model=Country,
        input_schema=CountryInput,
        natural_key=("iso3",),
        save=save_country,
        export=export_countries,
        description="Countries and territories of ISO 3166-1 (codes, names, region, currency)",
    )
)
register_content_type(
    ContentType(
        name="country-profiles",
        model=CountryProfileSection,
        input_schema=CountryProfileSectionInput,
        natural_key=("country", "kind", "language"),
        save=save_profile_section,
        export=export_profile_sections,
        description="Country profile sections (economy, trade facts, market access, contacts)",
    )
)
register_product_section(
    ProductSection(
        key="countries",
        title=_l("Country profiles"),
        order=90,
        template="countries/_product_countries.html",
        collect=collect_country_links,
    )
)
