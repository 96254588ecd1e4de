"""Validating the tender list filters (query string today, the API tomorrow)."""

import re
from collections.abc import Mapping

from flask import current_app
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from tradeportal.countries.queries import country_exists
from tradeportal.hs.catalog import get_catalog
from tradeportal.hs.codes import InvalidHSCode, normalise_hs_code
from tradeportal.tenders.models import LANGUAGES
from tradeportal.tenders.queries import TenderFilters, tender_countries
from tradeportal.validity import InvalidDate, parse_as_of, today

MAX_PAGE = 10_000
ISO3 = re.compile(r"[A-Z]{3}")
LABELS = {
    "country": "Country",
    "chapter": "HS chapter",
    "status": "Status",
    "deadline_from": "Deadline from",
    "deadline_to": "Deadline to",
    "language": "Language",
    "q": "Search text",
    "page": "Page",
    "date": "As of",
}


class InvalidTenderFilter(ValueError):
    """A filter that cannot be used; the message says which and why, without echoing it."""


class AsOfDate(fields.Field):
    """A YYYY-MM-DD date, read exactly as the site's "as of" dates are."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_as_of(value if isinstance(value, str) else "invalid")
        except InvalidDate as error:
            raise ValidationError(str(error)) from None


class CountryCode(fields.Field):
    """An ISO 3166 alpha-3 country code, in any letter case."""

    def _deserialize(self, value, attr, data, **kwargs):
        iso3 = value.upper() if isinstance(value, str) else ""
        if not ISO3.fullmatch(iso3):
            raise ValidationError("Use a three-letter ISO country code, for example GBR.")
        if iso3 not in tender_countries() and not country_exists(iso3):
            raise ValidationError("No country has that code; use an ISO code such as GBR.")
        return iso3


class HsChapter(fields.Field):
    """A two-digit HS chapter, written any way the site's code reader accepts."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            code = normalise_hs_code(value)
        except InvalidHSCode as error:
            raise ValidationError(" ".join(filter(None, (error.message, error.hint)))) from None
        if code.level != 2:
            raise ValidationError("Give an HS chapter: two digits, for example 09.")
        edition = get_catalog().trees.get("HS2022")
        node = edition.nodes.get(code.digits) if edition else None
        if node is None or node.level != 2:
            raise ValidationError(f"There is no HS chapter {code.digits}.")
        return code.digits


def _bounded_query(text: str) -> None:
    limit = current_app.config["MAX_QUERY_LENGTH"]
    if len(text) > limit:
        raise ValidationError(f"The search text is too long (at most {limit} characters).")


class TenderSearchInput(Schema):
    """The filters of the tender list; empty parameters mean "any"."""

    class Meta:
        unknown = EXCLUDE

    country = CountryCode(load_default=None)
    chapter = HsChapter(load_default=None)
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(["open", "closed"], error="Choose open or closed."),
    )
    deadline_from = AsOfDate(load_default=None)
    deadline_to = AsOfDate(load_default=None)
    language = fields.String(
        load_default=None,
        validate=validate.OneOf(list(LANGUAGES), error="Choose en (English) or fr (French)."),
    )
    q = fields.String(load_default=None, validate=_bounded_query)
    page = fields.Integer(
        load_default=1,
        strict=False,
        validate=validate.Range(1, MAX_PAGE, error=f"Give a page from 1 to {MAX_PAGE:,}."),
        error_messages={"invalid": "The page is a whole number, for example 2."},
    )
    date = AsOfDate(load_default=None)

    @pre_load
    def drop_empty(self, data, **kwargs):
        """Treat empty parameters as absent and trim the others."""
        return {
            key: value.strip()
            for key, value in data.items()
            if isinstance(value, str) and value.strip()
        }

    @validates_schema
    def deadlines_in_order(self, data, **kwargs):
        start, end = data.get("deadline_from"), data.get("deadline_to")
        if start and end and start > end:
            raise ValidationError("The first deadline date is after the second.", "deadline_to")


def read_tender_filters(args: Mapping[str, str]) -> TenderFilters:
    """Validate the list filters; raise InvalidTenderFilter naming every bad one."""
    try:
        data = TenderSearchInput().load(dict(args))
    except ValidationError as error:
        raise InvalidTenderFilter(_describe(error.messages)) from None
    day = data.pop("date")
    return TenderFilters(day=day or today(), explicit_day=day is not None, **data)


def _describe(messages) -> str:
    parts = []
    for name, problems in messages.items():
        texts = problems if isinstance(problems, list) else [str(problems)]
        parts.append(f"{LABELS.get(name, 'Filter')}: {' '.join(map(str, texts))}")
    return " ".join(parts)
