"""Query parameters shared by several routes: dates, editions, countries, HS codes."""

import re

from marshmallow import ValidationError, fields

from tradeportal.api.core import PageQuery, QuerySchema
from tradeportal.validity import InvalidDate, parse_as_of

ISO3 = re.compile(r"[A-Za-z]{3}")
EDITION = re.compile(r"[A-Z0-9_-]{1,20}")


class AsOf(fields.Field):
    """An "as of" date, read exactly as the pages read it."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_as_of(value)
        except InvalidDate as error:
            raise ValidationError(str(error)) from None


def as_of(description: str = "The day the answer is valid on (default: today).") -> AsOf:
    return AsOf(
        load_default=None,
        metadata={"type": "string", "format": "date", "description": description},
    )


class Iso3(fields.String):
    """Three letters, upper-cased; whether the country exists is the route's question."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not ISO3.fullmatch(text):
            raise ValidationError("Give a country's three-letter ISO code, such as GBR.")
        return text.upper()


def iso3(description: str) -> Iso3:
    return Iso3(
        load_default=None,
        metadata={"pattern": "^[A-Za-z]{3}$", "example": "GBR", "description": description},
    )


class EditionName(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not EDITION.fullmatch(text):
            raise ValidationError("Name a nomenclature by its code, e.g. HS2017.")
        return text


def edition() -> EditionName:
    return EditionName(
        load_default=None,
        metadata={
            "example": "HS2017",
            "description": "A nomenclature held (see /api/v1/nomenclatures); default: "
            "the HS edition in force on the date.",
        },
    )


class DatedQuery(QuerySchema):
    date = as_of()


class DatedPageQuery(PageQuery):
    date = as_of()
