"""Atom 1.0 feeds of published changes: per HS code, per country, per content type.

An entry carries what an email carries (the change, a compact before/after, the link to
the item as of its date); its id is a ``tag:`` URI of the change event, stable forever.
HS and country feeds read the terms the fan-out indexed, so they follow it within a
worker pass.
"""

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response, current_app, redirect, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import and_, or_, select

from tradeportal.alerts.groups import GROUPS, PAGES, group_label, legacy_groups
from tradeportal.alerts.matching import Match, explain, hs_value_conditions
from tradeportal.alerts.messages import change_view
from tradeportal.alerts.models import AlertEventTerm, Frequency, SubscriptionKind
from tradeportal.alerts.views import bp
from tradeportal.cms.models import ChangeEvent
from tradeportal.countries.queries import country_exists, is_iso3_shape
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.hs.codes import InvalidHSCode, format_code
from tradeportal.hs.prefixes import normalise_prefix
from tradeportal.i18n import locale_for
from tradeportal.public_links import public_host, public_url

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# XML 1.0 cannot carry these characters at all, escaped or not.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TAG_DATE = "2026"  # the year the portal's tag: URIs were minted; never change it


def _text(parent: ET.Element, name: str, text: str, **attributes) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)
    element.text = NOT_XML.sub("", text)
    return element


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def tag_uri(specific: str) -> str:
    return f"tag:{public_host()},{TAG_DATE}:{specific}"


def _newest(statement) -> list[ChangeEvent]:
    size = int(current_app.config["ALERTS_FEED_SIZE"])
    ordered = statement.order_by(ChangeEvent.published_at.desc(), ChangeEvent.id.desc())
    return list(db.session.scalars(ordered.limit(size)))


def build_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    page_url: str,
    events: list[ChangeEvent],
    followed: str | None = None,
) -> bytes:
    """Write an Atom feed of ``events``; ``followed`` (HS digits) says how each applies.

    Feeds are English (``xml:lang="en"``) whatever language the reader's browser asks for:
    a feed address is shared and cached, and feed readers send no language choice.
    """
    with force_locale(locale_for("en")):
        return _build_feed(feed_id, title, self_url, page_url, events, followed)


def _build_feed(feed_id, title, self_url, page_url, events, followed) -> bytes:
    # Plain names under a root declaring Atom as the default namespace (ElementTree's
    # default_namespace option refuses the unqualified attribute names Atom uses).
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: "en"})
    _text(feed, "id", tag_uri(feed_id))
    _text(feed, "title", title)
    newest = events[0].published_at if events else datetime(2026, 1, 1, tzinfo=UTC)
    _text(feed, "updated", _timestamp(newest))
    ET.SubElement(feed, "link", {"rel": "self", "href": self_url})
    ET.SubElement(feed, "link", {"rel": "alternate", "href": page_url})
    author = ET.SubElement(feed, "author")
    _text(author, "name", "Trade information portal")
    for event in events:
        matched = []
        if followed is not None:
            match = Match(0, 0, SubscriptionKind.HS, followed, "", Frequency.IMMEDIATE)
            matched = [explain(match, event.hs_prefixes)]
        view = change_view(event, matched)
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", tag_uri(f"change-event/{event.id}"))
        _text(entry, "title", render_template("alerts/feed_title.txt", change=view).strip())
        _text(entry, "updated", _timestamp(event.published_at))
        _text(entry, "published", _timestamp(event.published_at))
        ET.SubElement(entry, "link", {"rel": "alternate", "href": view.url})
        ET.SubElement(entry, "category", {"term": event.content_type})
        html = render_template("alerts/feed_entry.html", change=view, language="en")
        _text(entry, "content", html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _atom(body: bytes) -> Response:
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@bp.get("/hs/<raw>/changes.atom")
def hs_feed(raw: str):
    """Changes to content linked to an HS code, its ancestors or the codes below it."""
    try:
        code = normalise_prefix(raw)
    except InvalidHSCode as error:
        return render_error(400, error.message)
    # One indexed search per term: the code and its ancestors, then the codes below it.
    matching = select(AlertEventTerm.event_id).where(
        or_(
            *(
                and_(AlertEventTerm.kind == SubscriptionKind.HS, values)
                for values in hs_value_conditions(AlertEventTerm.value, [code])
            )
        )
    )
    events = _newest(select(ChangeEvent).where(ChangeEvent.id.in_(matching)))
    body = build_feed(
        feed_id=f"alerts/hs/{code}",
        title=f"Changes for HS {format_code(code)} — Trade information portal",
        self_url=public_url("alerts.hs_feed", raw=code),
        page_url=public_url("hs.detail", raw=code),
        events=events,
        followed=code,
    )
    return _atom(body)


@bp.get("/countries/<raw>/changes.atom")
def country_feed(raw: str):
    """Changes to content that names a country (as the market, the origin or a partner)."""
    iso3 = raw.strip().upper()
    if not is_iso3_shape(iso3) or not country_exists(iso3):
        return render_error(404, "There is no country with this code.")
    naming = select(AlertEventTerm.event_id).where(
        AlertEventTerm.kind == SubscriptionKind.COUNTRY, AlertEventTerm.value == iso3
    )
    events = _newest(select(ChangeEvent).where(ChangeEvent.id.in_(naming)))
    body = build_feed(
        feed_id=f"alerts/country/{iso3}",
        title=f"Changes naming {iso3} — Trade information portal",
        self_url=public_url("alerts.country_feed", raw=iso3),
        page_url=public_url("countries.detail", raw=iso3),
        events=events,
    )
    return _atom(body)


def in_group(name: str):
    """SQL condition on ChangeEvent: the change belongs to the group ``name``."""
    group = GROUPS[name]
    if group.page_kind is not None:
        # News and events are both "pages": the record's kind tells them apart.
        return and_(
            ChangeEvent.content_type == PAGES,
            ChangeEvent.after["kind"].as_string() == group.page_kind,
        )
    return ChangeEvent.content_type.in_(group.content_types)


@bp.get("/alerts/feeds/<content_type>.atom")
def content_type_feed(content_type: str):
    """Changes to one kind of content as subscribers follow it (regulations, tariffs…).

    The feeds of the old raw content types ("tariff-lines") redirect to their group's.
    """
    if content_type not in GROUPS:
        groups = legacy_groups(content_type)
        if not groups:
            return render_error(404, "There is no such kind of content.")
        # "pages" held news and events: its readers most likely followed the news.
        return redirect(url_for("alerts.content_type_feed", content_type=groups[0]), 301)
    events = _newest(select(ChangeEvent).where(in_group(content_type)))
    body = build_feed(
        feed_id=f"alerts/content-type/{content_type}",
        title=f"Changes: {group_label(content_type, 'en')} — Trade information portal",
        self_url=public_url("alerts.content_type_feed", content_type=content_type),
        page_url=public_url("alerts.subscribe_form", type=content_type),
        events=events,
    )
    return _atom(body)
