"""Output schemas of agencies, regulations and procedures, and their product sections."""

from marshmallow import Schema, fields

from tradeportal.api.schemas.common import DatedSchema, optional_text
from tradeportal.regulations.models import AgencyKind, Direction, RegulationKind


def _prefixes(owner, excluded: bool) -> list[str]:
    return [link.prefix for link in owner.hs_links if link.excluded is excluded]


class HsLinkedMixin(Schema):
    hs_prefixes = fields.Method(
        "_included",
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "Applies to these HS prefixes and all below them.",
        },
    )
    hs_exclusions = fields.Method(
        "_excluded",
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "Except below these.",
        },
    )

    def _included(self, owner) -> list[str]:
        return _prefixes(owner, False)

    def _excluded(self, owner) -> list[str]:
        return _prefixes(owner, True)


class AgencyBriefSchema(Schema):
    slug = fields.String(required=True)
    name_en = fields.String(required=True)
    name_fr = optional_text()
    kind = fields.Enum(AgencyKind, by_value=True, required=True)


class AgencySchema(DatedSchema, AgencyBriefSchema):
    email = optional_text()
    phone = optional_text()
    address = optional_text()
    website = optional_text()


class DocumentSchema(Schema):
    position = fields.Integer(required=True)
    name = fields.String(required=True)
    form_number = optional_text()
    url = optional_text()
    issuing_agency = fields.Nested(AgencyBriefSchema, required=True, allow_none=True)


class RegulationSummarySchema(DatedSchema):
    """A regulation without its HS links (the product view says which link applies)."""

    slug = fields.String(required=True)
    title_en = fields.String(required=True)
    title_fr = optional_text()
    summary = optional_text()
    kind = fields.Enum(RegulationKind, by_value=True, required=True)
    direction = fields.Enum(Direction, by_value=True, required=True)
    country_iso3 = fields.String(required=True)
    partners = fields.List(
        fields.String(),
        attribute="partner_codes",
        required=True,
        metadata={"description": "The only partner countries it applies to; empty: all."},
    )
    legal_basis = optional_text()
    legal_basis_url = optional_text()
    agency = fields.Nested(AgencyBriefSchema, required=True)
    documents = fields.List(fields.Nested(DocumentSchema), required=True)
    fees = optional_text()
    processing_time = optional_text()


class RegulationSchema(HsLinkedMixin, RegulationSummarySchema):
    pass


class ProcedureStepSchema(Schema):
    position = fields.Integer(required=True)
    agency = fields.Nested(AgencyBriefSchema, required=True, allow_none=True)
    action = fields.String(required=True)
    documents = optional_text()
    fee = optional_text()
    expected_time = optional_text()


class ProcedureSummarySchema(DatedSchema):
    slug = fields.String(required=True)
    title_en = fields.String(required=True)
    title_fr = optional_text()
    summary = optional_text()
    direction = fields.Enum(Direction, by_value=True, required=True)
    country_iso3 = fields.String(required=True)
    steps = fields.List(fields.Nested(ProcedureStepSchema), required=True)
    regulations = fields.Pluck(RegulationSummarySchema, "slug", many=True, required=True)


class ProcedureSchema(HsLinkedMixin, ProcedureSummarySchema):
    pass


# --- product view sections -----------------------------------------------------------------


class RegulationItemSchema(Schema):
    regulation = fields.Nested(RegulationSummarySchema, required=True)
    via = fields.String(required=True, metadata={"description": "The prefix it applies through."})
    partner_names = fields.List(fields.String(), required=True)


class DirectionGroupSchema(Schema):
    direction = fields.Enum(Direction, by_value=True, required=True)
    partner = optional_text(metadata={"description": "The partner asked for this direction, ISO3."})
    partner_name = optional_text()
    items = fields.List(fields.Nested(RegulationItemSchema), required=True)


class RegulationsSectionSchema(Schema):
    """What the home country requires for this product, by direction of trade."""

    country_name = fields.String(required=True)
    groups = fields.List(fields.Nested(DirectionGroupSchema), required=True)


class ProcedureItemSchema(Schema):
    procedure = fields.Nested(ProcedureSummarySchema, required=True)
    via = fields.String(required=True)
