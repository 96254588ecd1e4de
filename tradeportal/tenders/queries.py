"""Reading tenders: what concerns an HS code on a day, and the filtered list page."""

import functools
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, and_, bindparam, func, or_, select

from tradeportal.db import db
from tradeportal.hs.prefixes import below, below_parameters, prefixes_of, resolve_applicability
from tradeportal.tenders.models import Tender, TenderHsLink

PER_PAGE = 20
# The countries the sample publishers serve, for the filter form.
COUNTRY_NAMES = {
    "AUS": "Australia",
    "CAN": "Canada",
    "GBR": "United Kingdom",
    "NGA": "Nigeria",
    "UGA": "Uganda",
}


@dataclass(frozen=True)
class TenderMatch:
    """A tender that concerns an HS code, and through which link."""

    tender: Tender
    prefix: str  # the HS prefix of the link
    cpv_prefix: str  # the CPV prefix the mapping went through
    within: bool  # True when linked below the page's chapter rather than to it or above


@functools.cache
def _links_statement(chapter: bool) -> Select:
    """The links of a code and its ancestors, and below it when it is a chapter (built once)."""
    condition = TenderHsLink.prefix.in_(bindparam("prefixes", expanding=True))
    if chapter:
        condition = or_(
            condition, below(TenderHsLink.prefix, bindparam("code"), bindparam("code_end"))
        )
    return select(
        TenderHsLink.tender_id,
        TenderHsLink.prefix,
        TenderHsLink.excluded,
        TenderHsLink.cpv_prefix,
    ).where(condition)


@functools.cache
def _tenders_statement(open_only: bool) -> Select:
    day = bindparam("day")
    return select(Tender).where(
        Tender.id.in_(bindparam("ids", expanding=True)),
        Tender.open_on(day) if open_only else Tender.valid_from <= day,
    )


def tenders_for(code: str, day: date, *, open_only: bool) -> list[TenderMatch]:
    """Return the tenders linked to ``code`` (or its ancestors, or below a chapter).

    ``open_only`` keeps the tenders open on ``day``; otherwise every tender published by
    ``day`` is returned. Open ones come first (nearest deadline first), then the most
    recent deadlines.
    """
    chapter = len(code) == 2
    parameters = {"prefixes": prefixes_of(code), **(below_parameters(code) if chapter else {})}
    links = db.read(_links_statement(chapter), parameters).all()
    via = resolve_applicability(
        code, [(link.tender_id, link.prefix, link.excluded) for link in links]
    )
    cpv_of = {(link.tender_id, link.prefix): link.cpv_prefix for link in links}
    matched = {owner: (prefix, False) for owner, prefix in via.items()}
    excluded = {link.tender_id for link in links if link.excluded}
    for link in sorted(links, key=lambda link: link.prefix):
        if len(link.prefix) > len(code) and link.tender_id not in excluded:
            matched.setdefault(link.tender_id, (link.prefix, True))
    if not matched:
        return []
    tenders = db.session.scalars(
        _tenders_statement(open_only), {"ids": sorted(matched), "day": day}
    ).all()
    results = [
        TenderMatch(tender, prefix, cpv_of[(tender.id, prefix)], within)
        for tender in tenders
        for prefix, within in [matched[tender.id]]
    ]
    results.sort(key=lambda match: _recent_first(match.tender, day))
    return results


def _recent_first(tender: Tender, day: date) -> tuple:
    is_open = tender.is_open_on(day)
    deadline = tender.valid_to or date.max
    # Open: soonest deadline first; closed: latest deadline first, then latest published.
    ordinal = deadline.toordinal() if is_open else -deadline.toordinal()
    return (not is_open, ordinal, -tender.valid_from.toordinal(), tender.id)


def closed_tenders_for_chapter(chapter: str, day: date, limit: int = 5) -> list[TenderMatch]:
    """Return the most recent tenders of a chapter that were closed on ``day``."""
    matches = tenders_for(chapter, day, open_only=False)
    return [match for match in matches if not match.tender.is_open_on(day)][:limit]


def get_tender(tender_id: int) -> Tender | None:
    return db.session.get(Tender, tender_id)


def tender_countries() -> list[str]:
    """Return the ISO3 codes that have tenders."""
    return list(
        db.session.scalars(select(Tender.country_iso3).distinct().order_by(Tender.country_iso3))
    )


@dataclass(frozen=True)
class TenderFilters:
    """What the list page was asked for; ``day`` decides what is open or closed."""

    day: date
    country: str | None = None
    chapter: str | None = None
    status: str | None = None  # "open" or "closed"
    deadline_from: date | None = None
    deadline_to: date | None = None
    language: str | None = None
    q: str | None = None
    page: int = 1
    explicit_day: bool = False  # the visitor gave a date, keep it on links

    def query_args(self, **changes) -> dict[str, str]:
        """Return the filters as URL query arguments (for pagination and links)."""
        filters = replace(self, **changes)
        args = {
            "country": filters.country,
            "chapter": filters.chapter,
            "status": filters.status,
            "deadline_from": filters.deadline_from and filters.deadline_from.isoformat(),
            "deadline_to": filters.deadline_to and filters.deadline_to.isoformat(),
            "language": filters.language,
            "q": filters.q,
            "date": filters.day.isoformat() if filters.explicit_day else None,
            "page": str(filters.page) if filters.page > 1 else None,
        }
        return {key: value for key, value in args.items() if value}

    @property
    def is_filtered(self) -> bool:
        return bool(self.query_args(page=1, explicit_day=False))


@dataclass
class TenderResults:
    items: list[Tender]
    total: int
    page: int
    pages: int
    counts: dict[str, Counter] = field(default_factory=dict)  # facet -> value -> tenders

    @property
    def first(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def _conditions(filters: TenderFilters) -> list:
    day = filters.day
    conditions = [Tender.valid_from <= day]  # as of the day: published by then
    if filters.country:
        conditions.append(Tender.country_iso3 == filters.country)
    if filters.chapter:
        linked = select(TenderHsLink.tender_id).where(
            TenderHsLink.prefix.startswith(filters.chapter, autoescape=True),
            TenderHsLink.excluded.is_(False),
        )
        conditions.append(Tender.id.in_(linked))
    if filters.status == "open":
        conditions.append(Tender.open_on(day))
    elif filters.status == "closed":
        conditions.append(Tender.closed_on(day))
    if filters.deadline_from:
        conditions.append(Tender.valid_to >= filters.deadline_from)
    if filters.deadline_to:
        conditions.append(Tender.valid_to <= filters.deadline_to)
    if filters.language:
        conditions.append(Tender.language == filters.language)
    for word in (filters.q or "").split():
        needle = word.lower()
        conditions.append(
            or_(
                *(
                    func.lower(column).contains(needle, autoescape=True)
                    for column in (Tender.title, Tender.description, Tender.buyer_name, Tender.ocid)
                )
            )
        )
    return conditions


def search_tenders(filters: TenderFilters) -> TenderResults:
    """Return one page of the tenders matching the filters, newest first, with counts."""
    where = and_(*_conditions(filters))
    total = db.session.scalar(select(func.count()).select_from(Tender).where(where))
    pages = max(1, -(-total // PER_PAGE))
    items = db.session.scalars(
        select(Tender)
        .where(where)
        .order_by(Tender.published_at.desc(), Tender.id.desc())
        .offset((filters.page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    counts = {
        "country": _count_by(Tender.country_iso3, where),
        "language": _count_by(Tender.language, where),
        "status": Counter(
            open=_count(where, Tender.open_on(filters.day)),
            closed=_count(where, Tender.closed_on(filters.day)),
        ),
    }
    return TenderResults(list(items), total, filters.page, pages, counts)


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(Tender).where(*conditions))


def _count_by(column, where) -> Counter:
    statement = select(column, func.count()).where(where).group_by(column)
    return Counter(dict(db.session.execute(statement).all()))
