"""The agreements area's content types and product page sections (agreements, rules of origin)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tradeportal.agreements.content_records import (
    export_agreements,
    export_rule_sets,
    export_schemes,
    save_agreement,
    save_rule_set,
    save_scheme,
)
from tradeportal.agreements.models import OriginRuleSet, PreferenceScheme, TradeAgreement
from tradeportal.agreements.queries import (
    agreements_between,
    code_range,
    origin_rules_for,
    schemes_for,
)
from tradeportal.agreements.schemas import (
    AgreementInput,
    OriginRuleSetInput,
    PreferenceSchemeInput,
)
from tradeportal.content.registry import ContentType, register_content_type
from tradeportal.countries.models import Country
from tradeportal.countries.queries import countries_by_iso3
from tradeportal.hs.codes import format_code
from tradeportal.product import ProductContext, ProductSection, register_product_section


@dataclass
class AgreementsSection:
    origin: Country
    market: Country
    agreements: list[TradeAgreement]
    schemes: list[PreferenceScheme]


@dataclass
class ApplicableRuleSet:
    rule_set: OriginRuleSet
    label: str  # the range as codes: "0901", "0903–0909"
    covers_whole_code: bool  # False when the rule set is only part of the code asked


@dataclass
class RulesSection:
    schemes: list[PreferenceScheme]
    rule_sets: list[ApplicableRuleSet]


def range_label(code_min: str, code_max: str) -> str:
    """Write a 10-digit range the short way: 0901000000-0901999999 -> "0901"."""
    length = len(code_min)
    while length > 2 and code_min[length - 1] == "0" and code_max[length - 1] == "9":
        length -= 1
    # Keep whole digit pairs beyond the heading so the codes read as HS levels.
    if length > 4 and length % 2:
        length += 1
    low, high = code_min[:length], code_max[:length]
    return format_code(low) if low == high else f"{format_code(low)}–{format_code(high)}"


def collect_agreements(product: ProductContext) -> AgreementsSection | None:
    """List the agreements between origin and market in force that day, and the UK schemes."""
    if not (product.origin and product.market) or product.origin == product.market:
        return None
    countries = countries_by_iso3([product.origin, product.market])
    return AgreementsSection(
        origin=countries[product.origin],
        market=countries[product.market],
        agreements=agreements_between(product.origin, product.market, product.day),
        schemes=schemes_for(product.origin, product.market, product.day),
    )


def collect_rules_of_origin(product: ProductContext) -> RulesSection | None:
    """List the product-specific rules of the schemes that apply, with the range they cover."""
    if not (product.origin and product.market):
        return None
    schemes = schemes_for(product.origin, product.market, product.day)
    rule_sets = origin_rules_for(product.code, [s.code for s in schemes], product.day)
    if not rule_sets:
        return None
    low, high = code_range(product.code)
    return RulesSection(
        schemes=schemes,
        rule_sets=[
            ApplicableRuleSet(
                rule_set,
                range_label(rule_set.code_min, rule_set.code_max),
                rule_set.code_min <= low and rule_set.code_max >= high,
            )
            for rule_set in rule_sets
        ],
    )


register_product_section(
    ProductSection(
        key="agreements",
        title=_l("Trade agreements and preferences"),
        order=40,
        template="agreements/_product_agreements.html",
        collect=collect_agreements,
    )
)
register_product_section(
    ProductSection(
        key="rules_of_origin",
        title=_l("Rules of origin"),
        order=50,
        template="agreements/_product_rules.html",
        collect=collect_rules_of_origin,
    )
)
register_content_type(
    ContentType(
        name="agreements",
        model=TradeAgreement,
        input_schema=AgreementInput,
        natural_key=("name", "valid_from"),
        save=save_agreement,
        export=export_agreements,
        description="Trade agreements and their parties (countries or country groups)",
    )
)
register_content_type(
    ContentType(
        name="origin-schemes",
        model=PreferenceScheme,
        input_schema=PreferenceSchemeInput,
        natural_key=("code",),
        save=save_scheme,
        export=export_schemes,
        description="Preference schemes with rules of origin, and the countries they cover",
    )
)
register_content_type(
    ContentType(
        name="origin-rules",
        model=OriginRuleSet,
        input_schema=OriginRuleSetInput,
        natural_key=("scheme", "code_min", "code_max", "subdivision"),
        save=save_rule_set,
        export=export_rule_sets,
        description="Product-specific rules of origin of a scheme (needs origin-schemes)",
    )
)
