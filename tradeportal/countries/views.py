"""Public country pages: the list with filters, and one country's profile."""

import re
import unicodedata

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tradeportal.agreements.queries import agreements_of, schemes_of
from tradeportal.countries.charts import agreements_timeline, eu_access_segments
from tradeportal.countries.models import (
    Country,
    CountryProfileSection,
    EuAccessProfile,
    region_label,
)
from tradeportal.countries.queries import get_country, groups_of
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.i18n import N_, chosen_language, localized
from tradeportal.validity import InvalidDate, parse_as_of

bp = Blueprint("countries", __name__)

THREE_LETTERS = re.compile(r"[A-Za-z]{3}")


def _fold(text: str) -> str:
    return text.casefold()


def _sort_key(text: str) -> str:
    """Sort names as people read them: "Égypte" with the E's, not after "Zimbabwe"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@bp.get("/countries")
def index():
    """List countries, filtered by region and by a piece of their name or code."""
    countries = list(db.session.scalars(select(Country).order_by(Country.name_en)))
    regions: dict[str, int] = {}
    for country in countries:
        regions[country.region or "No region"] = regions.get(country.region or "No region", 0) + 1
    region = request.args.get("region", "").strip()
    if region and region not in regions:
        return render_error(400, N_("Choose a region from the list."))
    text = request.args.get("q", "").strip()
    max_length = current_app.config["MAX_QUERY_LENGTH"]
    if len(text) > max_length:
        return render_error(
            400, _("Type at most %(count)s characters to filter by name.", count=max_length)
        )
    shown = [
        country
        for country in countries
        if (not region or (country.region or "No region") == region)
        and (not text or _matches(country, _fold(text)))
    ]
    if chosen_language() != "en":
        shown.sort(key=lambda country: _sort_key(str(localized(country, "name"))))
    return render_template(
        "countries/index.html",
        countries=shown,
        total=len(countries),
        regions=sorted(regions.items()),
        region=region,
        text=text,
        region_label=region_label,
    )


def _matches(country: Country, folded: str) -> bool:
    names = (country.iso3, country.iso2, country.name_en, country.name_fr, country.cldr_name)
    return any(folded in _fold(name) for name in names if name)


@bp.get("/countries/<raw>")
def detail(raw: str):
    """Show one country: names, flags, profile, EU access facts, agreements and UK schemes."""
    if not THREE_LETTERS.fullmatch(raw):
        return render_error(400, N_("A country is named by its three-letter ISO code, e.g. MUS."))
    if raw != raw.upper():
        return redirect(url_for("countries.detail", raw=raw.upper(), **_date_arg()), 301)
    try:
        day = parse_as_of(request.args.get("date"))
    except InvalidDate as error:
        return render_error(400, error)
    country = get_country(raw)
    if country is None:
        return render_error(404, N_("There is no country with that ISO code in this portal."))
    sections = db.session.scalars(
        select(CountryProfileSection)
        .where(
            CountryProfileSection.country_iso3 == country.iso3, CountryProfileSection.valid_on(day)
        )
        .order_by(CountryProfileSection.language, CountryProfileSection.position)
    ).all()
    eu_access = db.session.scalar(
        select(EuAccessProfile).where(
            EuAccessProfile.country_iso3 == country.iso3, EuAccessProfile.valid_on(day)
        )
    )
    return render_template(
        "countries/detail.html",
        country=country,
        day=day,
        sections_en=[s for s in sections if s.language == "en"],
        sections_fr=[s for s in sections if s.language == "fr"],
        eu_access=eu_access,
        arrangements=_arrangements(eu_access),
        agreements=agreements_of(country.iso3, day),
        schemes=schemes_of(country.iso3, day),
        groups=sorted(groups_of(country.iso3, day)),
        agreements_chart=agreements_timeline(country.iso3, day),
        eu_access_chart=eu_access_segments(eu_access) if eu_access else [],
    )


def _date_arg() -> dict[str, str]:
    return {"date": request.args["date"]} if request.args.get("date") else {}


def _arrangements(profile: EuAccessProfile | None) -> list[tuple[str, str | None]]:
    """Split "Name (123); Other (4)" into [(name, codes)]."""
    if profile is None or not profile.arrangements:
        return []
    parts = []
    for item in profile.arrangements.split("; "):
        match = re.fullmatch(r"(.*) \((\d+)\)", item.strip())
        parts.append((match[1], match[2]) if match else (item.strip(), None))
    return parts
