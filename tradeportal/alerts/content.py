"""The alerts area's hooks into other areas: the product-page section, the CMS audience,
the outbox's suppressions."""

from flask_babel import lazy_gettext as _l

from tradeportal.alerts.matching import count_audience
from tradeportal.alerts.services import pause_bounced_subscriber
from tradeportal.cms.impact import register_audience_counter
from tradeportal.mail.services import on_address_suppressed
from tradeportal.product import ProductContext, ProductSection, register_product_section


def collect_alerts(product: ProductContext) -> dict:
    """Offer alerts for this code (and the chosen market): always something to say."""
    return {"code": product.code, "market": product.market}


register_product_section(
    ProductSection(
        key="alerts",
        title=_l("Email alerts and feed"),
        order=95,
        template="alerts/_product_alerts.html",
        collect=collect_alerts,
    )
)
register_audience_counter(count_audience)
# A subscriber's alerts pause with the suppression of its address, in the same transaction.
on_address_suppressed(pause_bounced_subscriber)
