"""Register the regulations area: content types, product page sections, demo content.

Imported once by the app factory; the module-level calls register everything.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from tradeportal.content.registry import ContentType, register_content_type
from tradeportal.content.transfer import ImportFileError, import_records, read_records
from tradeportal.countries.queries import country_names
from tradeportal.datafiles import DataFileError, LoadReport, Progress
from tradeportal.product import ProductContext, ProductSection, register_product_section
from tradeportal.regulations.briefs import RegulationBrief
from tradeportal.regulations.models import Agency, Direction, Procedure, Regulation
from tradeportal.regulations.queries import applicable_procedures, applicable_regulations
from tradeportal.regulations.schemas import AgencyInput, ProcedureInput, RegulationInput
from tradeportal.regulations.services import (
    export_agencies,
    export_procedures,
    export_regulations,
    save_agency,
    save_procedure,
    save_regulation,
)

AGENCIES = register_content_type(
    ContentType(
        name="agencies",
        model=Agency,
        input_schema=AgencyInput,
        natural_key=("slug",),
        save=save_agency,
        export=export_agencies,
        description="Agencies that regulate trade or answer traders' questions.",
    )
)
REGULATIONS = register_content_type(
    ContentType(
        name="regulations",
        model=Regulation,
        input_schema=RegulationInput,
        natural_key=("slug",),
        save=save_regulation,
        export=export_regulations,
        description="Import, export and transit rules linked to HS prefixes (needs agencies).",
    )
)
PROCEDURES = register_content_type(
    ContentType(
        name="procedures",
        model=Procedure,
        input_schema=ProcedureInput,
        natural_key=("slug",),
        save=save_procedure,
        export=export_procedures,
        description="Step-by-step procedures linked to HS prefixes (needs regulations).",
    )
)


# --- product page sections ------------------------------------------------------------


@dataclass
class RegulationItem:
    regulation: RegulationBrief
    via: str  # the prefix it applies through; the page's own code when linked directly
    partner_names: list[str]  # the only partners it applies to; empty: every partner


@dataclass
class DirectionGroup:
    direction: Direction
    partner: str | None  # the partner the visitor chose for this direction, ISO3
    partner_name: str | None
    items: list[RegulationItem] = field(default_factory=list)


def _partner_for(product: ProductContext, direction: Direction) -> str | None:
    """Imports come from the goods' origin; exports go to the market.

    The home country is nobody's partner: goods of home origin do not narrow the imports.
    """
    partner = {Direction.IMPORT: product.origin, Direction.EXPORT: product.market}.get(direction)
    return None if partner == product.home_country else partner


@dataclass
class RegulationsSection:
    country_name: str  # the home country's name, in the language of the page
    groups: list[DirectionGroup]


def collect_regulations(product: ProductContext) -> RegulationsSection | None:
    """Group what applies to the product in the home country by direction of trade."""
    found = applicable_regulations(product.code, product.day, product.home_country)
    names = country_names()

    def name(iso3: str) -> str:
        return names.get(iso3, iso3)

    groups = []
    for direction in Direction:
        partner = _partner_for(product, direction)
        items = [
            RegulationItem(regulation, via, sorted(name(code) for code in regulation.partner_codes))
            for regulation, via in found
            if regulation.direction is direction and regulation.applies_to_partner(partner)
        ]
        if items:
            groups.append(
                DirectionGroup(direction, partner, name(partner) if partner else None, items)
            )
    return RegulationsSection(name(product.home_country), groups) if groups else None


def collect_procedures(product: ProductContext) -> list[tuple[Procedure, str]] | None:
    """List the home country's procedures for the product, steps in order."""
    return applicable_procedures(product.code, product.day, product.home_country) or None


register_product_section(
    ProductSection(
        key="regulations",
        title=_l("Rules for trading this product"),
        order=10,
        template="regulations/_product_regulations.html",
        collect=collect_regulations,
    )
)
register_product_section(
    ProductSection(
        key="procedures",
        title=_l("Procedures"),
        order=20,
        template="regulations/_product_procedures.html",
        collect=collect_procedures,
    )
)


# --- the illustrative content, loaded by `flask seed` through the import path ----------

DEMO_FILES = {
    AGENCIES: "regulations/agencies.json",
    REGULATIONS: "regulations/regulations.json",
    PROCEDURES: "regulations/procedures.json",
}
EXPORTERS = {
    AGENCIES: export_agencies,
    REGULATIONS: export_regulations,
    PROCEDURES: export_procedures,
}
_NUMBER = re.compile(r"[0-9]+")


def _line_number(where: str) -> int:
    found = _NUMBER.search(where)
    return int(found.group()) if found else 0


def demo_content_size(data_dir: Path) -> int:
    """Count the records of the demo files, for the progress bar."""
    total = 0
    for content_type, relative in DEMO_FILES.items():
        try:
            total += len(read_records(data_dir / relative, content_type.name)[1])
        except ImportFileError:
            continue  # the load itself reports the broken file
    return total


def load_demo_content(session: Session, data_dir: Path, progress: Progress) -> LoadReport:
    """Import the demo agencies, regulations and procedures; raise DataFileError on any problem.

    The files go through ``flask content import``'s own reader and validation, so they
    are in exactly the format editors import. Nothing is committed here.
    """
    report = LoadReport()
    for content_type, relative in DEMO_FILES.items():
        path = data_dir / relative
        try:
            _, records = read_records(path, content_type.name)
        except ImportFileError as error:
            raise DataFileError(path, [(0, "file", str(error))]) from None
        slugs = [raw.get("slug") for _, raw in records if isinstance(raw, dict)]
        export = EXPORTERS[content_type]
        before = {record["slug"]: record for record in export(session, slugs)}
        result = import_records(session, content_type, records)
        if not result.ok:
            raise DataFileError(
                path,
                [(_line_number(where), name, why) for where, name, why in result.problems],
            )
        session.flush()
        after = {record["slug"]: record for record in export(session, slugs)}
        inserted = len(after.keys() - before.keys())
        updated = sum(1 for slug in before if after.get(slug) != before[slug])
        report.counts[content_type.name] = {
            "inserted": inserted,
            "updated": updated,
            "unchanged": len(after) - inserted - updated,
        }
        progress(len(records))
    return report
