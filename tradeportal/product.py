"""The "everything for this product" page is assembled from sections that areas register.

Each content area registers one or more :class:`ProductSection`; the HS detail page calls
each section's ``collect`` with the same :class:`ProductContext` and renders its partial
template. A section returns ``None`` when it has nothing to say for this product.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tradeportal.hs.catalog import Node


@dataclass(frozen=True)
class ProductContext:
    """What the visitor asked: a code, a day, and optionally a market and an origin."""

    node: Node  # the HS node (chapter to national line) the page is about
    ancestors: tuple[Node, ...]  # chapter first, excluding ``node``
    day: date
    home_country: str  # ISO alpha-3 of the portal's country, e.g. "MUS"
    market: str | None  # ISO alpha-3 of the destination market, validated
    origin: str | None  # ISO alpha-3 of the goods' origin, validated

    @property
    def code(self) -> str:
        return self.node.code


@dataclass(frozen=True)
class ProductSection:
    key: str  # also the HTML id of the section: "regulations"
    title: str
    order: int  # lower first
    template: str  # partial rendered with ``section`` (what collect returned) and ``product``
    collect: Callable[[ProductContext], Any]


PRODUCT_SECTIONS: list[ProductSection] = []


def register_product_section(section: ProductSection) -> ProductSection:
    """Add a section to the product page (idempotent by key)."""
    PRODUCT_SECTIONS[:] = [s for s in PRODUCT_SECTIONS if s.key != section.key]
    PRODUCT_SECTIONS.append(section)
    PRODUCT_SECTIONS.sort(key=lambda s: s.order)
    return section


def collect_sections(context: ProductContext) -> list[tuple[ProductSection, Any]]:
    """Run every section for this product; keep those with something to show."""
    results = []
    for section in PRODUCT_SECTIONS:
        data = section.collect(context)
        if data:
            results.append((section, data))
    return results
