"""Validating the tender list filters and tenders imported as content records."""

import re
from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from tradeportal.content.fields import Message, SemicolonList, Text, WebAddress, day_field
from tradeportal.countries.queries import country_exists
from tradeportal.errors import people_message
from tradeportal.hs.catalog import get_catalog
from tradeportal.hs.codes import InvalidHSCode, normalise_hs_code
from tradeportal.i18n import N_
from tradeportal.tenders.models import LANGUAGES, TenderStatus
from tradeportal.tenders.queries import TenderFilters, tender_countries
from tradeportal.tenders.releases import parse_ocds_datetime
from tradeportal.validity import EARLIEST_DATE, LATEST_DATE, InvalidDate, parse_as_of, today

MAX_PAGE = 10_000
ISO3 = re.compile(r"[A-Z]{3}")
LABELS = {
    "country": N_("Country"),
    "chapter": N_("HS chapter"),
    "status": N_("Status"),
    "deadline_from": N_("Deadline from"),
    "deadline_to": N_("Deadline to"),
    "language": N_("Language"),
    "q": N_("Search text"),
    "page": N_("Page"),
    "date": N_("As of"),
}


class InvalidTenderFilter(ValueError):
    """A filter that cannot be used; the message says which and why, without echoing it.

    ``str(error)`` is English; ``error.text`` is in the language of the page.
    """

    def __init__(self, messages):
        self.messages = messages
        super().__init__(_describe(messages))

    @property
    def text(self) -> str:
        return _describe(self.messages, translated=True)


class AsOfDate(fields.Field):
    """A YYYY-MM-DD date, read exactly as the site's "as of" dates are."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_as_of(value if isinstance(value, str) else "invalid")
        except InvalidDate as error:
            raise ValidationError(Message(error.template, **error.values)) from None


class CountryCode(fields.Field):
    """An ISO 3166 alpha-3 country code, in any letter case."""

    def _deserialize(self, value, attr, data, **kwargs):
        iso3 = value.upper() if isinstance(value, str) else ""
        if not ISO3.fullmatch(iso3):
            raise ValidationError(N_("Use a three-letter ISO country code, for example GBR."))
        if iso3 not in tender_countries() and not country_exists(iso3):
            raise ValidationError(N_("No country has that code; use an ISO code such as GBR."))
        return iso3


class HsChapter(fields.Field):
    """A two-digit HS chapter, written any way the site's code reader accepts."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            code = normalise_hs_code(value)
        except InvalidHSCode as error:
            if error.hint_template:
                raise ValidationError(
                    Message(
                        N_("%(problem)s %(hint)s"),
                        problem=Message(error.template, **error.values),
                        hint=Message(error.hint_template, **error.hint_values),
                    )
                ) from None
            raise ValidationError(Message(error.template, **error.values)) from None
        if code.level != 2:
            raise ValidationError(N_("Give an HS chapter: two digits, for example 09."))
        edition = get_catalog().trees.get("HS2022")
        node = edition.nodes.get(code.digits) if edition else None
        if node is None or node.level != 2:
            raise ValidationError(
                Message(N_("There is no HS chapter %(chapter)s."), chapter=code.digits)
            )
        return code.digits


def _bounded_query(text: str) -> None:
    limit = current_app.config["MAX_QUERY_LENGTH"]
    if len(text) > limit:
        raise ValidationError(
            Message(N_("The search text is too long (at most %(limit)s characters)."), limit=limit)
        )


def _page_in_range(page: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise ValidationError(Message(N_("Give a page from 1 to %(max)s."), max=MAX_PAGE))


class TenderSearchInput(Schema):
    """The filters of the tender list; empty parameters mean "any"."""

    class Meta:
        unknown = EXCLUDE

    country = CountryCode(load_default=None)
    chapter = HsChapter(load_default=None)
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(["open", "closed"], error=N_("Choose open or closed.")),
    )
    deadline_from = AsOfDate(load_default=None)
    deadline_to = AsOfDate(load_default=None)
    language = fields.String(
        load_default=None,
        validate=validate.OneOf(list(LANGUAGES), error=N_("Choose en (English) or fr (French).")),
    )
    q = fields.String(load_default=None, validate=_bounded_query)
    page = fields.Integer(
        load_default=1,
        strict=False,
        validate=_page_in_range,
        error_messages={"invalid": N_("The page is a whole number, for example 2.")},
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
            raise ValidationError(N_("The first deadline date is after the second."), "deadline_to")


def read_tender_filters(args: Mapping[str, str]) -> TenderFilters:
    """Validate the list filters; raise InvalidTenderFilter naming every bad one."""
    try:
        data = TenderSearchInput().load(dict(args))
    except ValidationError as error:
        raise InvalidTenderFilter(error.messages) from None
    day = data.pop("date")
    return TenderFilters(day=day or today(), explicit_day=day is not None, **data)


def _describe(messages, translated: bool = False) -> str:
    say = people_message if translated else str
    parts = []
    for name, problems in messages.items():
        texts = problems if isinstance(problems, list) else [problems]
        label, said = LABELS.get(name, N_("Filter")), " ".join(say(text) for text in texts)
        if translated:
            parts.append(gettext("%(label)s: %(problems)s", label=gettext(label), problems=said))
        else:
            parts.append(f"{label}: {said}")
    return " ".join(parts)


# --- tenders as content records: `flask content import|export tenders` -------------------

CLASSIFICATION_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,19}")
CLASSIFICATION_ID = re.compile(r"[^\s;|]{1,60}")
CPV_DIGITS = re.compile(r"[0-9][0-9-]*")
SOURCE_NAME = re.compile(r"[a-z0-9_-]{1,40}")
MAX_AMOUNT = 10**15  # Numeric(18, 2)


class OneLine(Text):
    """Trimmed text on one line, e.g. an identifier."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None and any(character in text for character in "\r\n\t"):
            raise ValidationError(N_("Must be on one line."))
        return text


class OcdsDateTime(fields.Field):
    """An ISO 8601 date-time as OCDS writes it; a time without offset is UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment, _day = parse_ocds_datetime(value)
        except (TypeError, ValueError, AttributeError):
            raise ValidationError(
                N_("Not a valid date-time: write it ISO 8601, e.g. 2026-01-31T12:00:00Z.")
            ) from None
        if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
            raise ValidationError(f"Must lie between {EARLIEST_DATE} and {LATEST_DATE}.")
        return moment


class Classification(fields.Field):
    """An item classification written "scheme:id", e.g. CPV:15861000."""

    def _deserialize(self, value, attr, data, **kwargs):
        scheme, colon, code = value.strip().partition(":") if isinstance(value, str) else ("",) * 3
        if not (colon and CLASSIFICATION_SCHEME.fullmatch(scheme)):
            raise ValidationError(f"{value!r} is not scheme:id, e.g. CPV:15861000.")
        if not CLASSIFICATION_ID.fullmatch(code):
            raise ValidationError(
                f"{value!r}: the id is 1 to 60 characters without blanks, ';' or '|'."
            )
        if scheme.upper() == "CPV" and not CPV_DIGITS.fullmatch(code):
            raise ValidationError(f"{value!r}: a CPV id is digits, e.g. CPV:15861000-1.")
        return scheme, code


class TenderInput(Schema):
    """A tender (one OCDS release, flattened); ``(ocid, release_id)`` identifies it.

    Fields follow OCDS: ``ocid`` and ``release_id`` (release ``id``), ``published_at``
    (release ``date``), ``tag``, ``buyer_name`` (``buyer.name``), ``title``,
    ``description``, ``status``, ``procurement_method`` and ``main_category``
    (``mainProcurementCategory``) of the tender, its ``tenderPeriod`` as
    ``tender_period_start``/``tender_period_end`` (ISO 8601 date-times), the value as
    ``value_amount``/``value_currency`` with ``value_basis`` (tender, budget, award or
    contract: where the amount comes from). ``classifications`` are the items'
    classifications written ``scheme:id`` (``CPV:15861000``), a JSON array or one CSV
    cell separated by ``;``; CPV ids are linked to HS prefixes through the loader's CPV ->
    HS table, other schemes are kept without a link. ``valid_from`` defaults to the day
    of publication and ``valid_to`` to the deadline day (as written, before conversion to
    UTC); a release published after its deadline (an award) keeps both as given.
    ``sample_files`` lists the sample-data files a release was read from.
    """

    ocid = OneLine(200, required=True)
    release_id = OneLine(200, required=True)
    source = OneLine(40, load_default="import")
    publisher = OneLine(200, required=True)
    language = fields.String(
        load_default="en",
        validate=validate.OneOf(list(LANGUAGES), error=N_("Use en (English) or fr (French).")),
    )
    country_iso3 = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Z]{3}$", error=N_("Use an ISO 3166 alpha-3 code, e.g. GBR.")
        ),
    )
    buyer_name = OneLine(300)
    title = OneLine(300, required=True)
    title_is_derived = fields.Boolean(load_default=False)
    description = Text(20_000)
    status = fields.Enum(TenderStatus, by_value=True, load_default=None, allow_none=True)
    procurement_method = OneLine(40)
    main_category = OneLine(40)
    value_amount = fields.Float(
        load_default=None,
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=MAX_AMOUNT, min_inclusive=False),
    )
    value_currency = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error=N_("Use an ISO 4217 code, e.g. MUR.")),
    )
    value_basis = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(["tender", "budget", "award", "contract"]),
    )
    tender_period_start = OcdsDateTime(load_default=None, allow_none=True)
    tender_period_end = OcdsDateTime(load_default=None, allow_none=True)
    published_at = OcdsDateTime(required=True)
    tag = OneLine(100, required=True)
    classifications = SemicolonList(Classification(), validate=validate.Length(max=200))
    licence_note = OneLine(300, load_default=N_("Not stated."))
    sample_files = SemicolonList(OneLine(300, forbid=(";",)), validate=validate.Length(max=20))
    valid_from = day_field()
    valid_to = day_field()
    source_url = WebAddress()
    issued_by = OneLine(200)
    last_verified_on = day_field()
    last_verified_by = OneLine(120)
    is_demo = fields.Boolean(load_default=False)

    @validates("source")
    def source_is_a_name(self, value: str, data_key: str) -> None:
        if not SOURCE_NAME.fullmatch(value):
            raise ValidationError(N_("Use lower-case letters, digits, '_' and '-', e.g. import."))

    @validates_schema
    def value_and_period_agree(self, data, **kwargs):
        if (data.get("value_amount") is None) != (data.get("value_currency") is None):
            raise ValidationError(N_("Give an amount and its currency together."), "value_currency")
        start, end = data.get("tender_period_start"), data.get("tender_period_end")
        if start and end and end < start:
            raise ValidationError(
                N_("The tender period ends before it starts."), "tender_period_end"
            )

    @post_load(pass_original=True)
    def fill_days(self, data, original, **kwargs):
        """Default the validity to the days of publication and deadline, as written."""
        if data.get("value_amount") is not None:
            data["value_amount"] = round(data["value_amount"], 2)
        if data.get("valid_from") is None:
            data["valid_from"] = parse_ocds_datetime(original["published_at"])[1]
        if data.get("valid_to") is None and data.get("tender_period_end") is not None:
            data["valid_to"] = parse_ocds_datetime(original["tender_period_end"])[1]
        return data
