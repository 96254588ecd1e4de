"""Register the tariffs area: its content types and the product page section.

Content types, for ``flask content import|export`` (import them in this order, as each
names records of the ones before): tariff-schedules, tariff-schedule-markets,
tariff-lines, preferential-rates; internal-taxes stand alone.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from tradeportal.content.registry import ContentType, register_content_type
from tradeportal.countries.queries import country_names
from tradeportal.hs.codes import format_code
from tradeportal.i18n import number
from tradeportal.product import ProductContext, ProductSection, register_product_section
from tradeportal.tariffs.models import (
    InternalTax,
    PreferentialRate,
    TariffLine,
    TariffSchedule,
    TariffScheduleMarket,
)
from tradeportal.tariffs.queries import (
    Applicable,
    LineMatch,
    LinesAnswer,
    edition_of,
    internal_taxes_of,
    preferences_for,
    tariff_lines_for,
)
from tradeportal.tariffs.rate_display import describe_duty, describe_rate
from tradeportal.tariffs.rates import RateKind
from tradeportal.tariffs.records import (
    export_internal_taxes,
    export_preferential_rates,
    export_schedule_markets,
    export_schedules,
    export_tariff_lines,
    save_internal_tax,
    save_preferential_rate,
    save_schedule,
    save_schedule_market,
    save_tariff_line,
)
from tradeportal.tariffs.schemas import (
    InternalTaxInput,
    PreferentialRateInput,
    TariffLineInput,
    TariffScheduleInput,
    TariffScheduleMarketInput,
)

TARIFF_SCHEDULES = register_content_type(
    ContentType(
        name="tariff-schedules",
        model=TariffSchedule,
        input_schema=TariffScheduleInput,
        natural_key=("code",),
        save=save_schedule,
        export=export_schedules,
        description="Markets' schedules of MFN import duties (needs the HS editions).",
    )
)
TARIFF_SCHEDULE_MARKETS = register_content_type(
    ContentType(
        name="tariff-schedule-markets",
        model=TariffScheduleMarket,
        input_schema=TariffScheduleMarketInput,
        natural_key=("schedule", "market", "valid_from"),
        save=save_schedule_market,
        export=export_schedule_markets,
        description="Markets that applied a schedule besides its reporter (needs schedules).",
    )
)
TARIFF_LINES = register_content_type(
    ContentType(
        name="tariff-lines",
        model=TariffLine,
        input_schema=TariffLineInput,
        natural_key=("schedule", "code"),
        save=save_tariff_line,
        export=export_tariff_lines,
        description="National tariff lines with their MFN rate as published (needs schedules).",
    )
)
PREFERENTIAL_RATES = register_content_type(
    ContentType(
        name="preferential-rates",
        model=PreferentialRate,
        input_schema=PreferentialRateInput,
        natural_key=("schedule", "scheme_code", "valid_from"),
        save=save_preferential_rate,
        export=export_preferential_rates,
        description="Rates a schedule grants to goods of some origins (needs schedules).",
    )
)
INTERNAL_TAXES = register_content_type(
    ContentType(
        name="internal-taxes",
        model=InternalTax,
        input_schema=InternalTaxInput,
        natural_key=("country_iso3", "name", "valid_from"),
        save=save_internal_tax,
        export=export_internal_taxes,
        description="VAT, excise and other taxes on goods whatever their origin.",
    )
)

FLAG_LABELS = {
    "trade_remedy": _l("Trade remedy applies"),
    "suspension": _l("Duty suspension applies"),
    "quota": _l("Tariff quota applies"),
    "eu_rate_retained": _l("EU rate kept until the trade remedy review ends"),
}


def rate_kind_text(kind: str, count: int) -> str:
    """Say how many lines of a schedule have one kind of rate: "1,234 ad valorem"."""
    said_count = number(count)
    said = {
        "free": ngettext("%(count)s free", "%(count)s free", count, count=said_count),
        "ad_valorem": ngettext(
            "%(count)s ad valorem", "%(count)s ad valorem", count, count=said_count
        ),
        "specific": ngettext("%(count)s specific", "%(count)s specific", count, count=said_count),
        "compound": ngettext("%(count)s compound", "%(count)s compound", count, count=said_count),
        "mixed": ngettext("%(count)s mixed", "%(count)s mixed", count, count=said_count),
        "seasonal": ngettext("%(count)s seasonal", "%(count)s seasonal", count, count=said_count),
        "entry_price": ngettext(
            "%(count)s entry price", "%(count)s entry price", count, count=said_count
        ),
        "unparsed": ngettext("%(count)s unparsed", "%(count)s unparsed", count, count=said_count),
    }
    return said.get(kind) or f"{said_count} {kind.replace('_', ' ')}"


@dataclass
class RateView:
    """A rate as published, in plain words (the page's language), and its season on the day."""

    text: str
    readable: str | None
    on_day: str | None = None  # for a seasonal rate, the season's duty on the day asked


@dataclass
class LineRow:
    line: TariffLine
    rate: RateView
    flags: list[str]
    via: str | None  # "applies via 0802.90"
    below: bool
    split_note: str | None


@dataclass
class ApplicableRow:
    """A tax or preference with how it reaches the product."""

    item: object
    rate: RateView
    via: str | None
    all_goods: bool
    parts: list[str]
    exceptions: list[str] = field(default_factory=list)
    eligible: bool = False
    origin_names: list[str] = field(default_factory=list)


@dataclass
class TariffsSection:
    home_country: str
    home_name: str
    home_taxes: list[ApplicableRow]
    market: str | None = None
    market_name: str | None = None
    origin: str | None = None
    origin_name: str | None = None
    schedules: list[TariffSchedule] = field(default_factory=list)
    lines: LinesAnswer | None = None
    line_rows: list[LineRow] = field(default_factory=list)
    eligible_preferences: list[ApplicableRow] = field(default_factory=list)
    other_preferences: list[ApplicableRow] = field(default_factory=list)
    market_taxes: list[ApplicableRow] = field(default_factory=list)


def rate_view(item, day: date | None = None) -> RateView:
    """Describe the rate of a line, tax or preference (and its season on ``day``)."""
    parsed = item.parsed_rate
    on_day = None
    if day is not None and parsed.kind is RateKind.SEASONAL:
        duty = parsed.duty_on(day)
        on_day = describe_duty(duty, localized=True) if duty else None
    return RateView(item.rate_text, describe_rate(parsed, localized=True), on_day)


def line_row(match: LineMatch, day) -> LineRow:
    line = match.line
    flags = [str(label) for name, label in FLAG_LABELS.items() if getattr(line, name)]
    split_note = None
    if match.split_into:
        split_note = _(
            "HS 2017 line %(code)s, split in HS 2022 between %(codes)s",
            code=format_code(line.code),
            codes=", ".join(format_code(code) for code in match.split_into),
        )
    return LineRow(
        line=line,
        rate=rate_view(line, day),
        flags=flags,
        via=format_code(match.via) if match.via else None,
        below=match.below,
        split_note=split_note,
    )


def applicable_row(found: Applicable, day, **extra) -> ApplicableRow:
    return ApplicableRow(
        item=found.item,
        rate=rate_view(found.item, day),
        via=format_code(found.via) if found.via else None,
        all_goods=found.all_goods,
        parts=[format_code(part) for part in found.parts],
        exceptions=[format_code(prefix) for prefix in found.exceptions],
        **extra,
    )


def collect_tariffs(product: ProductContext) -> TariffsSection:
    """Gather home taxes always, and the market's duties, preferences and taxes when asked."""
    code, day = product.code, product.day
    preferences = (
        preferences_for(code, product.market, product.origin, day) if product.market else None
    )
    names = country_names()
    taxes = internal_taxes_of(code, {product.home_country, product.market} - {None}, day)
    section = TariffsSection(
        home_country=product.home_country,
        home_name=names.get(product.home_country, product.home_country),
        home_taxes=[applicable_row(found, day) for found in taxes[product.home_country]],
    )
    if not product.market:
        return section
    section.market = product.market
    section.market_name = names.get(product.market, product.market)
    if product.origin:
        section.origin = product.origin
        section.origin_name = names.get(product.origin, product.origin)
    lines = tariff_lines_for(code, product.market, day, nomenclature=edition_of(product.node))
    section.lines = lines
    section.schedules = lines.schedules
    section.line_rows = [line_row(match, day) for match in lines.matches]
    for match in preferences.matches:
        row = applicable_row(
            match.applicable,
            day,
            eligible=match.eligible,
            origin_names=[names.get(o.origin, o.origin) for o in match.rate.origins],
        )
        (section.eligible_preferences if match.eligible else section.other_preferences).append(row)
    if product.market != product.home_country:
        section.market_taxes = [applicable_row(found, day) for found in taxes[product.market]]
    return section


register_product_section(
    ProductSection(
        key="tariffs",
        title=_l("Tariffs and taxes"),
        order=30,
        template="tariffs/_product_tariffs.html",
        collect=collect_tariffs,
    )
)
