"""The tenders content type and the tenders section of the product page."""

from dataclasses import replace

from flask_babel import lazy_gettext as _l

from tradeportal.content.registry import ContentType, register_content_type
from tradeportal.product import ProductContext, ProductSection, register_product_section
from tradeportal.tenders.content_records import export_tenders, save_tender
from tradeportal.tenders.models import Tender
from tradeportal.tenders.queries import closed_tenders_for_chapter, tenders_for
from tradeportal.tenders.schemas import TenderInput

RECENT_CLOSED = 5


def collect_tenders(product: ProductContext) -> dict:
    """Return the tenders open for this code on the day, else the chapter's latest closed ones.

    The samples date from 2011–2018, so on most days nothing is open: the most recent
    closed tenders of the chapter show what buyers have asked for.
    """
    chapter = product.code[:2]
    open_now = tenders_for(product.code, product.day, open_only=True)
    closed = [] if open_now else closed_tenders_for_chapter(chapter, product.day, RECENT_CLOSED)
    # Chapter-wide matches: say "applies via" only for links at or above this code.
    closed = [replace(match, within=not product.code.startswith(match.prefix)) for match in closed]
    # Even with nothing linked the section stays: "no tender" is an answer, and the link
    # to the tenders list is the way to look further.
    return {"open": open_now, "closed": closed, "chapter": chapter}


register_product_section(
    ProductSection(
        key="tenders",
        title=_l("Tenders and opportunities"),
        order=70,
        template="tenders/_product_section.html",
        collect=collect_tenders,
    )
)
register_content_type(
    ContentType(
        name="tenders",
        model=Tender,
        input_schema=TenderInput,
        natural_key=("ocid", "release_id"),
        save=save_tender,
        export=export_tenders,
        description="Procurement releases (OCDS), linked to HS prefixes through their CPV codes",
    )
)
