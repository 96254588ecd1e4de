"""/api/v1 countries and their profiles."""

from flask import current_app
from marshmallow import ValidationError, fields, validates
from sqlalchemy import select

from tradeportal.agreements.queries import agreements_of, schemes_of
from tradeportal.api import bp
from tradeportal.api.core import (
    PageQuery,
    documented,
    list_of,
    not_found,
    one,
    page_body,
    slice_page,
    unprocessable,
)
from tradeportal.api.params import DatedQuery
from tradeportal.api.schemas.agreements import PreferenceSchemeSchema, TradeAgreementSchema
from tradeportal.api.schemas.countries import CountrySchema, EuAccessSchema, ProfileSectionSchema
from tradeportal.countries.models import Country, CountryProfileSection, EuAccessProfile
from tradeportal.countries.queries import get_country, groups_of
from tradeportal.db import db
from tradeportal.validity import today

TAG = "Countries"
NO_REGION = "No region"


class CountryQuery(PageQuery):
    region = fields.String(load_default=None, metadata={"example": "Africa"})
    q = fields.String(
        load_default=None,
        metadata={"description": "A piece of the name (English or French) or of the ISO codes."},
    )

    @validates("q")
    def short_enough(self, value: str, data_key: str) -> None:
        limit = current_app.config["MAX_QUERY_LENGTH"]
        if value is not None and len(value) > limit:
            raise ValidationError(f"Type at most {limit} characters.")


def _matches(country: Country, folded: str) -> bool:
    names = (country.iso3, country.iso2, country.name_en, country.name_fr, country.cldr_name)
    return any(folded in name.casefold() for name in names if name)


@bp.get("/countries")
@documented(
    summary="List the countries and territories, by English name, with filters.",
    tag=TAG,
    query=CountryQuery,
    response=list_of(CountrySchema),
    errors=(422,),
)
def countries(args):
    everything = list(db.session.scalars(select(Country).order_by(Country.name_en)))
    region = args["region"]
    if region and region not in {country.region or NO_REGION for country in everything}:
        raise unprocessable("region", "No country is in that region.")
    folded = (args["q"] or "").casefold()
    shown = [
        country
        for country in everything
        if (not region or (country.region or NO_REGION) == region)
        and (not folded or _matches(country, folded))
    ]
    return page_body(slice_page(shown, args))


class CountryDetailSchema(CountrySchema):
    as_of = fields.Date(required=True)
    groups = fields.List(fields.String(), required=True, metadata={"example": ["ESA", "SADC"]})
    profile = fields.List(fields.Nested(ProfileSectionSchema), required=True)
    eu_access = fields.Nested(EuAccessSchema, required=True, allow_none=True)
    agreements = fields.List(fields.Nested(TradeAgreementSchema), required=True)
    schemes = fields.List(fields.Nested(PreferenceSchemeSchema), required=True)


@bp.get("/countries/<iso3>")
@documented(
    summary="One country: facts, profile sections, EU access, agreements and UK schemes.",
    tag=TAG,
    query=DatedQuery,
    response=one(CountryDetailSchema),
    errors=(404,),
    path={"iso3": "ISO 3166 alpha-3 code, e.g. MUS."},
    examples={"iso3": "MUS"},
)
def country(iso3: str, args):
    found = get_country(iso3.upper())
    if found is None:
        raise not_found(f"There is no country {iso3!r}; use an ISO alpha-3 code such as MUS.")
    day = args["date"] or today()
    profile = db.session.scalars(
        select(CountryProfileSection)
        .where(
            CountryProfileSection.country_iso3 == found.iso3, CountryProfileSection.valid_on(day)
        )
        .order_by(CountryProfileSection.language, CountryProfileSection.position)
    ).all()
    eu_access = db.session.scalar(
        select(EuAccessProfile).where(
            EuAccessProfile.country_iso3 == found.iso3, EuAccessProfile.valid_on(day)
        )
    )
    facts = {name: getattr(found, name) for name in CountrySchema._declared_fields}
    return {
        "data": {
            **facts,
            "as_of": day,
            "groups": sorted(groups_of(found.iso3, day)),
            "profile": profile,
            "eu_access": eu_access,
            "agreements": agreements_of(found.iso3, day),
            "schemes": schemes_of(found.iso3, day),
        }
    }
