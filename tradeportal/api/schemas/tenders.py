"""Output schemas of tenders (OCDS releases) and the tenders section of the product view."""

from marshmallow import Schema, fields

from tradeportal.api.schemas.common import DatedSchema, optional_text
from tradeportal.tenders.models import TenderStatus


class ClassificationSchema(Schema):
    scheme = fields.String(required=True, metadata={"example": "CPV"})
    id = fields.String(required=True)
    problem = optional_text(metadata={"description": "Why it gives no HS link, if it gives none."})


class TenderHsLinkSchema(Schema):
    prefix = fields.String(required=True)
    excluded = fields.Boolean(required=True)
    cpv_code = fields.String(required=True)
    cpv_prefix = fields.String(required=True)


class TenderSchema(DatedSchema):
    """A procurement release: valid_from is its release day, valid_to its deadline."""

    id = fields.Integer(required=True)
    ocid = fields.String(required=True)
    release_id = fields.String(required=True)
    source = fields.String(required=True)
    publisher = fields.String(required=True)
    language = fields.String(required=True, metadata={"enum": ["en", "fr"]})
    country_iso3 = fields.String(required=True)
    buyer_name = optional_text()
    title = fields.String(required=True)
    title_is_derived = fields.Boolean(required=True)
    description = optional_text()
    status = fields.Enum(TenderStatus, by_value=True, required=True, allow_none=True)
    procurement_method = optional_text()
    main_category = optional_text()
    value_amount = fields.Float(required=True, allow_none=True)
    value_currency = optional_text()
    value_basis = optional_text()
    tender_period_start = fields.DateTime(required=True, allow_none=True)
    tender_period_end = fields.DateTime(required=True, allow_none=True)
    published_at = fields.DateTime(required=True)
    tag = fields.String(required=True)
    classifications = fields.List(fields.Nested(ClassificationSchema), required=True)
    hs_links = fields.List(fields.Nested(TenderHsLinkSchema), required=True)
    licence_note = fields.String(required=True)
    sample_urls = fields.List(fields.String(), required=True)


class TenderMatchSchema(Schema):
    tender = fields.Nested(TenderSchema, required=True)
    prefix = fields.String(required=True, metadata={"description": "The HS prefix of the link."})
    cpv_prefix = fields.String(required=True)
    within = fields.Boolean(
        required=True, metadata={"description": "Linked below the code rather than at or above it."}
    )


class TendersSectionSchema(Schema):
    """Tenders open for the code that day, else the chapter's latest closed ones."""

    open = fields.List(fields.Nested(TenderMatchSchema), required=True)
    closed = fields.List(fields.Nested(TenderMatchSchema), required=True)
    chapter = fields.String(required=True)
