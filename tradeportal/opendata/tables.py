"""What a dump holds: one table per content type, grouped by dataset.

Content types are written exactly as ``flask content export`` writes them, so every
file (but the nomenclature's) can be imported back with ``flask content import``. The
nomenclature comes from the in-process catalog, every edition and national nomenclature.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.hs.catalog import get_catalog
from tradeportal.i18n import N_


@dataclass(frozen=True)
class Table:
    name: str  # the file name without extension: "tariff-lines"
    dataset: str  # what it belongs to: "tariffs"
    description: str
    rows: Callable[[Session], Iterable[dict]]


def _hs_nodes(_session: Session) -> Iterable[dict]:
    catalog = get_catalog()
    for code in sorted(catalog.trees):
        for node in sorted(catalog.trees[code].nodes.values(), key=lambda node: node.code):
            yield {
                "nomenclature": node.nomenclature,
                "code": node.code,
                "level": node.level,
                "parent": node.parent,
                "section": node.section,
                "description_en": node.description_en,
                "description_fr": node.description_fr,
                "valid_from": node.valid_from,
                "valid_to": node.valid_to,
            }


def _hs_sections(_session: Session) -> Iterable[dict]:
    catalog = get_catalog()
    for code in sorted(catalog.trees):
        for section in catalog.trees[code].sections:
            yield {
                "nomenclature": code,
                "numeral": section.numeral,
                "position": section.position,
                "title_en": section.title_en,
                "title_fr": section.title_fr,
                "chapters": list(section.chapters),
            }


def _hs_correspondences(_session: Session) -> Iterable[dict]:
    successors = get_catalog().successors
    for (old_nomenclature, old_code), links in sorted(successors.items()):
        for link in links:
            yield {
                "old_nomenclature": old_nomenclature,
                "old_code": old_code,
                "new_nomenclature": link.nomenclature,
                "new_code": link.code,
                "relationship": link.relationship,
            }


def _content(type_name: str) -> Callable[[Session], Iterable[dict]]:
    def rows(session: Session) -> Iterable[dict]:
        content_type = CONTENT_TYPES[type_name]
        records = list(content_type.export(session))
        # By natural key, so two dumps of the same content are the same bytes.
        records.sort(
            key=lambda r: json.dumps([r.get(k) for k in content_type.natural_key], default=str)
        )
        return records

    return rows


TABLES = (
    Table("hs-nodes", "nomenclature", N_("Every code of every nomenclature held"), _hs_nodes),
    Table("hs-sections", "nomenclature", N_("HS sections and their chapters"), _hs_sections),
    Table("hs-correspondences", "nomenclature", N_("HS 2017 ↔ 2022 (UNSD)"), _hs_correspondences),
    Table("agencies", "regulations", N_("Agencies"), _content("agencies")),
    Table(
        "regulations",
        "regulations",
        N_("Regulations linked to HS prefixes"),
        _content("regulations"),
    ),
    Table("procedures", "procedures", N_("Procedures and their steps"), _content("procedures")),
    Table("tariff-schedules", "tariffs", N_("Tariff schedules"), _content("tariff-schedules")),
    Table(
        "tariff-schedule-markets",
        "tariffs",
        N_("Markets applying a schedule besides its reporter"),
        _content("tariff-schedule-markets"),
    ),
    Table(
        "tariff-lines", "tariffs", N_("National tariff lines, MFN rates"), _content("tariff-lines")
    ),
    Table(
        "preferential-rates", "tariffs", N_("Preferential rates"), _content("preferential-rates")
    ),
    Table(
        "internal-taxes", "tariffs", N_("VAT, excise and other taxes"), _content("internal-taxes")
    ),
    Table("agreements", "agreements", N_("Regional trade agreements"), _content("agreements")),
    Table("origin-schemes", "agreements", N_("UK preference schemes"), _content("origin-schemes")),
    Table(
        "origin-rules",
        "agreements",
        N_("Product-specific rules of origin"),
        _content("origin-rules"),
    ),
    Table("countries", "countries", N_("Countries and territories"), _content("countries")),
    Table("country-profiles", "countries", N_("Country profiles"), _content("country-profiles")),
    Table("tenders", "tenders", N_("Tenders (OCDS releases)"), _content("tenders")),
)
