"""Saving and exporting agreements, preference schemes and rule sets as content records.

Used by ``flask content import|export``. Services flush, never commit. A save changes only
what differs from the stored record, so importing the same file twice changes nothing;
children (parties, scheme countries, rules) are replaced as a whole when they differ.
The child tables have no delete cascade, so children are deleted explicitly.
"""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from tradeportal.agreements.models import (
    AgreementParty,
    OriginRule,
    OriginRuleSet,
    PreferenceScheme,
    SchemeCountry,
    TradeAgreement,
)
from tradeportal.agreements.rules_of_origin import UK_AREAS_WITHOUT_ISO, match_area_code
from tradeportal.agreements.schemas import RuleCell
from tradeportal.content.records import CONTENT_FIELDS, assign_changed
from tradeportal.content.registry import ImportProblem
from tradeportal.countries.models import Country, CountryGroupMember

DATE_FIELDS = ("valid_from", "valid_to", "last_verified_on")
AGREEMENT_FIELDS = (
    "agreement_type",
    "coverage",
    "status",
    "notification",
    "signed_on",
    "entry_into_force_goods_on",
    "entry_into_force_services_on",
    "inactive_on",
    "composition",
    "region",
    "is_accession",
    "remarks",
)
AGREEMENT_DATES = (
    "signed_on",
    "entry_into_force_goods_on",
    "entry_into_force_services_on",
    "inactive_on",
)
SCHEME_FIELDS = (
    "title",
    "market_iso3",
    "is_unilateral",
    "ord_title",
    "ord_version",
    "ord_date",
    "footnote",
)
RULE_SET_FIELDS = ("heading", "chapter", "code_min", "code_max", "subdivision")


def _replace_children(session: Session, owner: Any, relation: str, model, column, rows) -> None:
    """Delete an owner's child rows and insert ``rows`` instead, then reload the collection."""
    session.execute(delete(model).where(column == owner.id))
    session.add_all(model(**row) for row in rows)
    session.flush()
    session.expire(owner, [relation])


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


def _provenance(item: Any) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in CONTENT_FIELDS}
    return values | {name: _iso(values[name]) for name in DATE_FIELDS}


def _compact(parts: list[str | None]) -> str:
    """Join the parts of a nested record with ' | ', leaving out trailing empty parts."""
    texts = [part or "" for part in parts]
    while texts and not texts[-1]:
        texts.pop()
    return " | ".join(texts)


def _group_names(session: Session) -> dict[str, str]:
    statement = select(CountryGroupMember.group_code, func.min(CountryGroupMember.group_name))
    return dict(session.execute(statement.group_by(CountryGroupMember.group_code)).all())


# --- agreements ------------------------------------------------------------------------


def _party_rows(session: Session, parties: list[dict]) -> list[dict[str, Any]]:
    """Match each party's code to a country or group; raise ImportProblem for unknown ones."""
    codes = {party["code"] for party in parties if party.get("code")}
    statement = select(Country.iso3, Country.name_en).where(Country.iso3.in_(codes))
    countries = dict(session.execute(statement).all())
    groups = _group_names(session) if codes - countries.keys() else {}
    rows, names = [], {}
    for position, party in enumerate(parties, 1):
        code, name = party.get("code"), party.get("name")
        if code in countries:
            iso3, group, default = code, None, countries[code]
        elif code in groups:
            iso3, group, default = None, code, groups[code]
        elif code:
            raise ImportProblem(
                f"parties.{position}.code",
                f"{code} is neither a known ISO3 country code nor a country group code.",
            )
        else:
            iso3 = group = default = None
        name = name or (default if len(default) <= 120 else code)
        if name in names:
            raise ImportProblem(
                f"parties.{position}.name", f"{name!r} is already party {names[name]}."
            )
        names[name] = position
        rows.append(
            {
                "position": position,
                "wto_name": name,
                "country_iso3": iso3,
                "group_code": group,
                "joined_on": party.get("joined_on"),
                "left_on": party.get("left_on"),
            }
        )
    return rows


def _agreement_key(name: str, valid_from):
    in_force = (
        TradeAgreement.valid_from.is_(None)
        if valid_from is None
        else TradeAgreement.valid_from == valid_from
    )
    return select(TradeAgreement).where(TradeAgreement.name == name, in_force)


def save_agreement(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one agreement and its parties; return True when created."""
    wanted = _party_rows(session, record["parties"])
    agreement = session.scalar(
        _agreement_key(record["name"], record["valid_from"]).options(
            selectinload(TradeAgreement.parties)
        )
    )
    created = agreement is None
    if created:
        agreement = TradeAgreement(name=record["name"], parties=[])
        session.add(agreement)
    assign_changed(agreement, {name: record[name] for name in AGREEMENT_FIELDS + CONTENT_FIELDS})
    session.flush()
    columns = ("position", "wto_name", "country_iso3", "group_code", "joined_on", "left_on")
    stored = [tuple(getattr(party, name) for name in columns) for party in agreement.parties]
    if stored != [tuple(row[name] for name in columns) for row in wanted]:
        rows = [{"agreement_id": agreement.id, **row} for row in wanted]
        _replace_children(
            session, agreement, "parties", AgreementParty, AgreementParty.agreement_id, rows
        )
    return created


def export_agreements(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every agreement as the Input schema loads it back."""
    statement = (
        select(TradeAgreement)
        .options(selectinload(TradeAgreement.parties))
        .order_by(TradeAgreement.name, TradeAgreement.valid_from, TradeAgreement.id)
    )
    for agreement in session.scalars(statement):
        record = {"name": agreement.name}
        record |= {name: getattr(agreement, name) for name in AGREEMENT_FIELDS}
        record |= {name: _iso(record[name]) for name in AGREEMENT_DATES}
        record["parties"] = [
            _compact(
                [
                    party.country_iso3 or party.group_code,
                    party.wto_name,
                    _iso(party.joined_on),
                    _iso(party.left_on),
                ]
            )
            for party in agreement.parties
        ]
        yield record | _provenance(agreement)


# --- preference schemes ----------------------------------------------------------------


def _scheme_country_rows(session: Session, codes: list[str]) -> list[dict[str, Any]]:
    iso3_by_iso2 = dict(session.execute(select(Country.iso2, Country.iso3)).all())
    groups = set(_group_names(session))
    rows = []
    for number, code in enumerate(codes, 1):
        iso3, group = match_area_code(code, iso3_by_iso2, groups)
        if iso3 is None and group is None and code not in UK_AREAS_WITHOUT_ISO:
            raise ImportProblem(
                f"countries.{number}",
                f"{code} is not a known country (ISO alpha-2 or alpha-3) or group code.",
            )
        rows.append({"source_code": code, "country_iso3": iso3, "group_code": group})
    return sorted(rows, key=lambda row: row["source_code"])


def save_scheme(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one preference scheme and its countries; return True when created."""
    if session.scalar(select(Country.id).where(Country.iso3 == record["market_iso3"])) is None:
        raise ImportProblem("market_iso3", f"{record['market_iso3']} is not a known country.")
    wanted = _scheme_country_rows(session, record["countries"])
    scheme = session.scalar(
        select(PreferenceScheme)
        .where(PreferenceScheme.code == record["code"])
        .options(selectinload(PreferenceScheme.countries))
    )
    created = scheme is None
    if created:
        scheme = PreferenceScheme(code=record["code"], countries=[])
        session.add(scheme)
    values = {name: record[name] for name in SCHEME_FIELDS + CONTENT_FIELDS}
    values["proofs"] = [{"summary": p["summary"], "url": p["url"]} for p in record["proofs"]]
    values["links"] = [{"text": link["text"], "url": link["url"]} for link in record["links"]]
    assign_changed(scheme, values)
    session.flush()
    columns = ("source_code", "country_iso3", "group_code")
    stored = [tuple(getattr(country, name) for name in columns) for country in scheme.countries]
    if stored != [tuple(row[name] for name in columns) for row in wanted]:
        rows = [{"scheme_id": scheme.id, **row} for row in wanted]
        _replace_children(
            session, scheme, "countries", SchemeCountry, SchemeCountry.scheme_id, rows
        )
    return created


def export_schemes(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every preference scheme as the Input schema loads it back."""
    statement = (
        select(PreferenceScheme)
        .options(selectinload(PreferenceScheme.countries))
        .order_by(PreferenceScheme.code)
    )
    for scheme in session.scalars(statement):
        record = {"code": scheme.code}
        record |= {name: getattr(scheme, name) for name in SCHEME_FIELDS}
        record["proofs"] = [_compact([p.get("summary"), p.get("url")]) for p in scheme.proofs]
        record["links"] = [_compact([link.get("text"), link.get("url")]) for link in scheme.links]
        record["countries"] = [country.source_code for country in scheme.countries]
        yield record | _provenance(scheme)


# --- rule sets of origin -----------------------------------------------------------------


def save_rule_set(session: Session, record: dict[str, Any]) -> bool:
    """Create or update one rule set of origin and its rules; return True when created."""
    scheme = session.scalar(
        select(PreferenceScheme).where(PreferenceScheme.code == record["scheme"])
    )
    if scheme is None:
        raise ImportProblem(
            "scheme", f"no preference scheme {record['scheme']!r}; import origin-schemes first."
        )
    in_scheme = OriginRuleSet.scheme_id == scheme.id
    rule_set = session.scalar(
        select(OriginRuleSet)
        .where(
            in_scheme,
            OriginRuleSet.code_min == record["code_min"],
            OriginRuleSet.code_max == record["code_max"],
            OriginRuleSet.subdivision == record["subdivision"],
        )
        .options(selectinload(OriginRuleSet.rules))
        .order_by(OriginRuleSet.position)
        .limit(1)
    )
    created = rule_set is None
    if created:
        # New rule sets go after the scheme's others, so the published order is kept.
        last = session.scalar(select(func.max(OriginRuleSet.position)).where(in_scheme)) or 0
        rule_set = OriginRuleSet(scheme_id=scheme.id, position=last + 1, rules=[])
        session.add(rule_set)
    values = {name: record[name] for name in RULE_SET_FIELDS + CONTENT_FIELDS}
    if values["valid_from"] is None:
        values["valid_from"], values["valid_to"] = scheme.valid_from, scheme.valid_to
    assign_changed(rule_set, values)
    session.flush()
    wanted = [
        (position, rule["text"], rule["rule_class"], rule["operator"])
        for position, rule in enumerate(record["rules"], 1)
    ]
    stored = [(r.position, r.text, r.rule_class, r.operator) for r in rule_set.rules]
    if stored != wanted:
        rows = [
            dict(zip(("position", "text", "rule_class", "operator"), rule, strict=True))
            | {"rule_set_id": rule_set.id}
            for rule in wanted
        ]
        _replace_children(session, rule_set, "rules", OriginRule, OriginRule.rule_set_id, rows)
    return created


def export_rule_sets(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every rule set with its rules as the Input schema loads it back."""
    statement = (
        select(OriginRuleSet)
        .join(PreferenceScheme, PreferenceScheme.id == OriginRuleSet.scheme_id)
        .options(selectinload(OriginRuleSet.rules), selectinload(OriginRuleSet.scheme))
        .order_by(PreferenceScheme.code, OriginRuleSet.position)
    )
    for rule_set in session.scalars(statement):
        record = {"scheme": rule_set.scheme.code}
        record |= {name: getattr(rule_set, name) for name in RULE_SET_FIELDS}
        record["rules"] = RuleCell(
            {"text": rule.text, "rule_class": rule.rule_class, "operator": rule.operator}
            for rule in rule_set.rules
        )
        yield record | _provenance(rule_set)
