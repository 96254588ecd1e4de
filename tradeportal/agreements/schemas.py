"""Input schemas of agreements, preference schemes and rule sets of origin (content files).

The same record can be written as JSON or as one CSV row; empty CSV cells and JSON nulls
mean "not given".

* ``agreements``: ``parties`` are a JSON array or one CSV cell of entries separated by
  ``;``. An entry is an ISO 3166 alpha-3 code or a country group code (``EU``), optionally
  followed by ``|`` and the party's name as published, and its own first and last day as
  a party: ``MUS``, ``EU | European Union``, ``DEU | Germany | 1958-01-01``, or, for a
  party matched to no country, `` | Netherlands Antilles``. In JSON an entry may also be
  an object with ``code``, ``name``, ``joined_on``, ``left_on``. Parties are replaced as
  a whole on update.
* ``origin-schemes``: ``countries`` lists the codes the scheme covers as the UK tariff
  writes them (ISO alpha-2, ``EU``, ``XS`` for Serbia) or as ISO alpha-3 codes,
  separated by ``;`` in CSV; ``proofs`` (``summary | url``) and ``links`` (``text | url``)
  are entries separated by ``;``, or JSON objects.
* ``origin-rules``: a rule set covers the 10-digit tariff codes ``code_min`` to
  ``code_max`` (both included, ``code_min <= code_max``). Its ``rules`` are a JSON array
  of objects ``{"text", "rule_class", "operator"}``, or one CSV cell of rules separated by
  ``|``, each written ``[operator ][[classes] ]text``:
  ``Manufacture from materials of any heading | or [MAXNOM] Manufacture in which the
  value of all the materials used does not exceed 50 %``. ``operator`` (``or``/``and``)
  joins a rule to the one before it and is only read when the classes follow it in
  brackets (write ``[]`` for none); rule texts may contain ``;`` but not ``|``.
"""

import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from tradeportal.agreements.services import STATUSES
from tradeportal.content.fields import (
    CompactRecords,
    IsoDate,
    SemicolonList,
    Text,
    WebAddress,
)
from tradeportal.i18n import N_
from tradeportal.validity import LATEST_DATE

# Agreements go back to the 1940s (the WTO list starts in 1948).
EARLIEST_AGREEMENT_DATE = date(1900, 1, 1)
IN_FORCE_STATUSES = ("In Force", "In force for at least one Party", "Inactive")
PARTY_PARTS = ("code", "name", "joined_on", "left_on")
PROOF_PARTS = ("summary", "url")
LINK_PARTS = ("text", "url")
SEPARATORS = (";", "|")
PARTY_CODE = r"^[A-Z][A-Z0-9-]{1,19}$"  # ISO3 or a group code
AREA_CODE = r"^[A-Z][A-Z0-9-]{1,9}$"  # a scheme's country code, as the UK tariff writes it
SCHEME_CODE = r"^[a-z0-9-]{2,40}$"
OPERATORS = ("or", "and")
MAX_ITEMS = 500  # parties of an agreement, countries of a scheme
MAX_RULES = 50
# A rule written compactly: "[operator ][[classes] ]text" (see the module docstring).
COMPACT_RULE = re.compile(r"(?:(or|and)\s+)?\[([^\[\]|]*)\]\s*(.*)", re.DOTALL)


def day(latest: date = LATEST_DATE, **kwargs) -> IsoDate:
    """A YYYY-MM-DD date from 1900 to ``latest``; optional ones default to None."""
    if not kwargs.get("required"):
        kwargs.setdefault("allow_none", True)
    return IsoDate(earliest=EARLIEST_AGREEMENT_DATE, latest=latest, **kwargs)


def code_field(pattern: str, example: str, **kwargs) -> fields.String:
    return fields.String(
        validate=validate.Regexp(pattern, error=f"Not a valid code, e.g. {example}."), **kwargs
    )


class ProvenanceInput(Schema):
    """Validity and provenance fields; ``valid_to`` is the last day in force."""

    valid_from = day()
    valid_to = day()
    source_url = WebAddress()
    issued_by = Text(200)
    last_verified_on = day()
    last_verified_by = Text(120)
    is_demo = fields.Boolean(load_default=False)

    @validates_schema
    def check_validity_window(self, data, **kwargs):
        start, end = data.get("valid_from"), data.get("valid_to")
        if end and not start:
            raise ValidationError("A last day in force needs a valid_from.", "valid_to")
        if start and end and end < start:
            raise ValidationError(N_("The last day in force comes before valid_from."), "valid_to")


# --- agreements -----------------------------------------------------------------------


class PartyInput(Schema):
    """A party to an agreement: a country or group code, and/or its name as published.

    The WTO writes 9999-01-01 as the first day of a signatory that has not ratified yet.
    """

    code = code_field(PARTY_CODE, "MUS or EU", load_default=None, allow_none=True)
    name = Text(120, forbid=SEPARATORS)
    joined_on = day(latest=date.max)
    left_on = day(latest=date.max)

    @validates_schema
    def check_party(self, data, **kwargs):
        if not data.get("code") and not data.get("name"):
            raise ValidationError(N_("Give a country or group code, or the party's name."), "code")
        if data.get("joined_on") and data.get("left_on") and data["left_on"] < data["joined_on"]:
            raise ValidationError(N_("The last day as a party comes before joined_on."), "left_on")


class AgreementInput(ProvenanceInput):
    """A trade agreement: ``name`` and ``valid_from`` (its entry into force) identify it.

    The WTO lists a few names twice, e.g. "EU - Morocco" in force since 2000 and the new
    negotiation of the same name: the entry into force tells them apart, and agreements
    never in force (early announcements) have none.
    """

    name = Text(200, required=True)
    agreement_type = Text(20)
    coverage = Text(30)
    status = fields.String(required=True, validate=validate.OneOf(sorted(STATUSES)))
    notification = Text(80)
    signed_on = day()
    entry_into_force_goods_on = day()
    entry_into_force_services_on = day()
    inactive_on = day()
    composition = Text(60)
    region = Text(200)
    is_accession = fields.Boolean(load_default=False)
    remarks = Text(5000)
    parties = CompactRecords(PartyInput, PARTY_PARTS, validate=validate.Length(max=MAX_ITEMS))

    @validates_schema
    def check_status(self, data, **kwargs):
        status = data.get("status")
        if status in IN_FORCE_STATUSES and not data.get("valid_from"):
            raise ValidationError(f"An agreement {status!r} needs its valid_from.", "valid_from")
        if status and status.startswith("Early") and data.get("valid_from"):
            raise ValidationError(
                N_("An early announcement is not in force: leave valid_from empty."), "valid_from"
            )
        if status == "Inactive" and not data.get("valid_to"):
            raise ValidationError(
                N_("An inactive agreement needs its last day (valid_to)."), "valid_to"
            )

    @validates_schema
    def check_parties(self, data, **kwargs):
        codes = [party["code"] for party in data.get("parties", []) if party.get("code")]
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            raise ValidationError(f"{', '.join(twice)} named more than once.", "parties")


# --- preference schemes ---------------------------------------------------------------


class ProofInput(Schema):
    """A proof of origin a scheme accepts."""

    summary = Text(300, required=True, forbid=SEPARATORS)
    url = WebAddress(forbid=SEPARATORS)


class LinkInput(Schema):
    """A link to guidance about a scheme."""

    text = Text(300, required=True, forbid=SEPARATORS)
    url = WebAddress(forbid=SEPARATORS)


class PreferenceSchemeInput(ProvenanceInput):
    """A preference scheme of rules of origin: ``code`` identifies it."""

    code = code_field(SCHEME_CODE, "esa", required=True)
    title = Text(300, required=True)
    market_iso3 = code_field(r"^[A-Z]{3}$", "GBR", required=True)
    is_unilateral = fields.Boolean(load_default=False)
    proofs = CompactRecords(ProofInput, PROOF_PARTS, validate=validate.Length(max=50))
    links = CompactRecords(LinkInput, LINK_PARTS, validate=validate.Length(max=50))
    ord_title = Text(2000)
    ord_version = Text(20)
    ord_date = Text(40)
    footnote = Text(5000)
    countries = SemicolonList(
        code_field(AREA_CODE, "MU, EU or MUS"), validate=validate.Length(max=MAX_ITEMS)
    )
    valid_from = day(required=True)


# --- rule sets of origin ----------------------------------------------------------------


class RuleInput(Schema):
    """One rule of a rule set; ``operator`` joins it to the rule before."""

    text = Text(5000, required=True, forbid=("|",))
    rule_class = Text(200, forbid=("|", "[", "]"))
    operator = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(OPERATORS))


def parse_rule(entry: str) -> dict[str, str]:
    """Split a compact rule "[operator ][[classes] ]text" into RuleInput's fields."""
    found = COMPACT_RULE.fullmatch(entry.strip())
    if found is None:
        return {"text": entry}
    operator, classes, text = found.groups()
    parts = {"text": text, "rule_class": classes.strip(), "operator": operator}
    return {name: value for name, value in parts.items() if value}


def compact_rule(rule: dict) -> str:
    """Write a rule the way ``parse_rule`` reads it back."""
    text, classes, operator = rule["text"], rule.get("rule_class"), rule.get("operator")
    if not (classes or operator or COMPACT_RULE.fullmatch(text)):
        return text
    return f"{operator + ' ' if operator else ''}[{classes or ''}] {text}"


class RuleList(fields.Field):
    """Rules as a JSON array (objects or compact texts) or one CSV cell split by '|'."""

    def __init__(self, **kwargs):
        super().__init__(required=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [entry for entry in value.split("|") if entry.strip()]
        if not isinstance(value, list):
            raise ValidationError(N_("Must be a list, or one cell of rules separated by '|'."))
        if not value:
            raise ValidationError(N_("Give at least one rule."))
        if len(value) > MAX_RULES:
            raise ValidationError(f"Give at most {MAX_RULES} rules.")
        schema, rules, errors = RuleInput(), [], {}
        for number, item in enumerate(value, 1):
            if isinstance(item, str):
                item = parse_rule(item)
            if not isinstance(item, dict):
                errors[number] = [N_("Must be an object or a text.")]
                continue
            try:
                rules.append(schema.load(item))
            except ValidationError as error:
                errors[number] = error.messages
        if errors:
            raise ValidationError(errors)
        return rules


class RuleCell(tuple):
    """A rule set's rules on export: a JSON array of objects, one '|'-separated CSV cell.

    ``export_records`` writes a tuple to JSON as an array and hands it to the CSV writer,
    which writes ``str()`` of it (lists, unlike tuples, would be joined with ';', which
    rule texts contain).
    """

    __slots__ = ()

    def __str__(self) -> str:
        return " | ".join(compact_rule(rule) for rule in self)


class OriginRuleSetInput(ProvenanceInput):
    """Product-specific rules of a scheme for a range of 10-digit codes.

    The natural key is (``scheme``, ``code_min``, ``code_max``, ``subdivision``);
    ``chapter`` defaults to the first two digits of ``code_min``; without ``valid_from``
    the rule set takes the scheme's validity.
    """

    scheme = code_field(SCHEME_CODE, "esa", required=True)
    heading = Text(40, required=True)
    chapter = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 99))
    code_min = code_field(r"^[0-9]{10}$", "0901000000", required=True)
    code_max = code_field(r"^[0-9]{10}$", "0901999999", required=True)
    subdivision = Text(5000)
    rules = RuleList(metadata={"lines": True})  # edited one rule per line in the CMS

    @validates_schema
    def check_range(self, data, **kwargs):
        low, high = data.get("code_min"), data.get("code_max")
        if low and high and low > high:
            raise ValidationError(f"{high} is below code_min {low}.", "code_max")
        chapter = data.get("chapter")
        if low and chapter is not None and low[:2] != f"{chapter:02d}":
            raise ValidationError(f"Chapter {chapter} does not match code_min {low}.", "chapter")

    @post_load
    def fill_derived(self, record, **kwargs):
        """Complete the natural key: no subdivision is "", the chapter comes from the range."""
        record["subdivision"] = record["subdivision"] or ""
        if record["chapter"] is None:
            record["chapter"] = int(record["code_min"][:2])
        return record
