"""Output schemas of the nomenclature: codes, editions, sections, the tree."""

from marshmallow import Schema, fields
from marshmallow.utils import get_value

from tradeportal.hs.codes import LEVEL_NAMES, format_code
from tradeportal.hs.models import NomenclatureKind


class HsNodeSchema(Schema):
    """One code of a nomenclature (chapter to national line) as in force on its dates."""

    code = fields.String(required=True, metadata={"description": "Digits only, e.g. 090121."})
    display = fields.Method(
        "_display", required=True, metadata={"type": "string", "example": "0901.21"}
    )
    level = fields.Integer(required=True, metadata={"enum": sorted(LEVEL_NAMES)})
    level_name = fields.Method(
        "_level_name",
        required=True,
        metadata={"type": "string", "enum": sorted(set(LEVEL_NAMES.values()))},
    )
    nomenclature = fields.String(required=True, metadata={"example": "HS2022"})
    parent = fields.String(required=True, allow_none=True)
    section = fields.String(required=True, allow_none=True, metadata={"example": "II"})
    description_en = fields.String(required=True)
    description_fr = fields.String(required=True, allow_none=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True, allow_none=True)

    # Nodes come as the catalog's objects or as dicts with the same keys.
    def _display(self, node) -> str:
        return format_code(get_value(node, "code"))

    def _level_name(self, node) -> str:
        return LEVEL_NAMES[get_value(node, "level")]


class NomenclatureSchema(Schema):
    """An edition of the HS, or a national nomenclature built on one."""

    code = fields.String(required=True, metadata={"example": "HS2022"})
    title = fields.String(required=True)
    kind = fields.Enum(NomenclatureKind, by_value=True, required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True, allow_none=True)
    country_iso3 = fields.String(required=True, allow_none=True)
    base_code = fields.String(required=True, allow_none=True)


class HsSectionSchema(Schema):
    numeral = fields.String(required=True, metadata={"example": "II"})
    position = fields.Integer(required=True)
    title_en = fields.String(required=True)
    title_fr = fields.String(required=True, allow_none=True)
    chapters = fields.List(fields.Nested(HsNodeSchema), required=True)


class HsTreeSchema(Schema):
    """The top of an edition's tree: its sections and their chapters."""

    as_of = fields.Date(required=True)
    edition = fields.Nested(NomenclatureSchema, required=True)
    sections = fields.List(fields.Nested(HsSectionSchema), required=True)


class HsChildSchema(HsNodeSchema):
    descendants = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": 'Descendants in force, per level: {"6": 5, "8": 12}.'},
    )


class CorrespondenceSchema(Schema):
    """A code of another HS edition this one corresponds to (UNSD tables)."""

    nomenclature = fields.String(required=True)
    code = fields.String(required=True)
    relationship = fields.String(required=True, metadata={"enum": ["1:1", "1:n", "n:1", "n:n"]})
    node = fields.Nested(HsNodeSchema, required=True, allow_none=True)


class HsNodeDetailSchema(Schema):
    """One code with its place in the tree and its correspondences."""

    as_of = fields.Date(required=True)
    node = fields.Nested(HsNodeSchema, required=True)
    edition = fields.Nested(NomenclatureSchema, required=True)
    ancestors = fields.List(fields.Nested(HsNodeSchema), required=True)
    children = fields.List(fields.Nested(HsChildSchema), required=True)
    older = fields.List(fields.Nested(CorrespondenceSchema), required=True)
    newer = fields.List(fields.Nested(CorrespondenceSchema), required=True)
