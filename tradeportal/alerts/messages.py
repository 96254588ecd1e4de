"""The emails of the alerts area: text and HTML, in the subscriber's language.

The words live in the templates, as gettext messages like every page's; each email is
rendered under ``force_locale`` of its subscriber's language (the worker renders them
outside any request, in its application context), so dates and numbers follow it too.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from tradeportal.alerts.links import as_of_day, item_url
from tradeportal.alerts.models import AlertDelivery, DeliveryReason, Frequency, Subscriber
from tradeportal.alerts.tokens import (
    FollowRequest,
    confirm_token,
    sign_in_token,
    unsubscribe_token,
)
from tradeportal.cms.diff import diff_records
from tradeportal.cms.models import ChangeEvent, ChangeKind
from tradeportal.hs.codes import format_code
from tradeportal.i18n import locale_for
from tradeportal.public_links import public_url
from tradeportal.validity import today

# An email shows this many changed fields, each cut to this length: enough to judge, the
# link shows the rest.
MAX_FIELDS = 6
MAX_VALUE_LENGTH = 160

# How a content type and a changed field read in an email (lower case, inside a line).
CONTENT_TYPE_NAMES = {
    "regulations": _l("regulations"),
    "procedures": _l("procedures"),
    "agencies": _l("agencies"),
    "agreements": _l("trade agreements"),
    "origin-schemes": _l("preference schemes"),
    "origin-rules": _l("rules of origin"),
    "countries": _l("countries"),
    "country-profiles": _l("country profiles"),
    "tariff-schedules": _l("tariff schedules"),
    "tariff-schedule-markets": _l("tariff schedule markets"),
    "tariff-lines": _l("tariff lines"),
    "preferential-rates": _l("preferential rates"),
    "internal-taxes": _l("internal taxes"),
    "tenders": _l("tenders"),
    "pages": _l("pages and news"),
    "search-references": _l("search references"),
}
FIELD_NAMES = {
    "title_en": _l("title (English)"),
    "title_fr": _l("title (French)"),
    "summary": _l("summary"),
    "valid_from": _l("in force from"),
    "valid_to": _l("last day in force"),
    "hs_prefixes": _l("HS codes concerned"),
    "hs_exclusions": _l("HS codes excluded"),
    "partners": _l("partners"),
    "country_iso3": _l("country"),
    "fees": _l("fees"),
    "documents": _l("documents"),
    "agency": _l("agency"),
    "processing_time": _l("processing time"),
    "legal_basis": _l("legal basis"),
}


def content_type_name(name: str) -> str:
    """Return a content type as an email names it, in the language being rendered."""
    found = CONTENT_TYPE_NAMES.get(name)
    return str(found) if found is not None else name.replace("-", " ")


def field_name(name: str) -> str:
    """Return a changed field as an email names it, in the language being rendered."""
    found = FIELD_NAMES.get(name)
    return str(found) if found is not None else name.replace("_", " ")


@dataclass(frozen=True)
class FieldLine:
    name: str
    before: str
    after: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class ChangeView:
    """One change as an email or a feed entry shows it."""

    event: ChangeEvent
    kind: str  # new, amended, withdrawn
    title: str
    content_type: str
    effective_on: date | None
    upcoming: bool
    as_of: date
    url: str
    is_demo: bool
    fields: list[FieldLine]
    more_fields: int
    matched: list[dict[str, Any]]  # from AlertDelivery.matched, with display forms
    reminder: bool = False

    @property
    def codes(self) -> list[str]:
        return [format_code(prefix) for prefix in self.event.hs_prefixes]


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def compact_changes(event: ChangeEvent) -> tuple[list[FieldLine], int]:
    """Return the first changed fields, shortened, and how many more there are."""
    changes = diff_records(event.before, event.after)
    lines = [
        FieldLine(
            change.name,
            _cut(change.before),
            _cut(change.after),
            [_cut(item) for item in change.added[:5]],
            [_cut(item) for item in change.removed[:5]],
        )
        for change in changes[:MAX_FIELDS]
    ]
    return lines, max(len(changes) - MAX_FIELDS, 0)


def _display(matched: dict[str, Any]) -> dict[str, Any]:
    shown = dict(matched)
    if matched["kind"] == "hs":
        shown["value_display"] = format_code(matched["value"])
        shown["applies_display"] = format_code(matched["applies_to"])
    else:
        shown["value_display"] = shown["applies_display"] = matched["value"]
    return shown


def change_view(
    event: ChangeEvent,
    matched: list[dict[str, Any]] | None = None,
    *,
    reminder: bool = False,
    day: date | None = None,
) -> ChangeView:
    """Gather what an email or a feed entry shows of a change, as seen on ``day``."""
    fields, more = compact_changes(event)
    record = event.after or event.before or {}
    upcoming = (
        event.kind is not ChangeKind.WITHDRAWN
        and event.effective_on is not None
        and event.effective_on > (day or today())
    )
    return ChangeView(
        event=event,
        kind=event.kind.value,
        title=event.label,
        content_type=event.content_type,
        effective_on=event.effective_on,
        upcoming=upcoming,
        as_of=as_of_day(event),
        url=item_url(event),
        is_demo=bool(record.get("is_demo")),
        fields=fields,
        more_fields=more,
        matched=[_display(found) for found in matched or []],
        reminder=reminder,
    )


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def _render(name: str, language: str, **context) -> Email:
    """Render an email's subject, text and HTML in ``language`` ("en" or "fr").

    Flask-Babel keeps the forced locale in the application context: the web request and
    the worker (``flask worker`` runs in one) both have it.
    """
    context |= {"language": language, "email_name": name}
    with force_locale(locale_for(language)):
        return Email(
            subject=" ".join(render_template("alerts/email/subject.txt", **context).split()),
            text=render_template(f"alerts/email/{name}.txt", **context),
            html=render_template(f"alerts/email/{name}.html", **context),
        )


def unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """Return the RFC 2369 / RFC 8058 headers that let mail clients unsubscribe in one click.

    Only the https link: the portal reads no mailbox, and a mailto: nobody processes
    would tell people they left while the alerts kept coming. RFC 8058 needs the https
    URI alone; mail clients that only know mailto: still have the link in every email.
    """
    https = public_url("alerts.unsubscribe", token=unsubscribe_token(subscriber))
    return {
        "List-Unsubscribe": f"<{https}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _footer(subscriber: Subscriber) -> dict[str, str]:
    return {
        "unsubscribe_url": public_url("alerts.unsubscribe", token=unsubscribe_token(subscriber)),
        "preferences_url": public_url("alerts.sign_in"),
    }


# Stands for the subscriber's own unsubscribe link in an email rendered once for many
# subscribers; letters and dashes only, so escaping leaves it as it is.
UNSUBSCRIBE_PLACEHOLDER = "UNSUBSCRIBE-LINK-OF-THE-SUBSCRIBER"


def alert_email(
    language: str,
    event: ChangeEvent,
    matched: list[dict[str, Any]],
    reason: DeliveryReason,
    day: date,
) -> Email:
    """Render the email of one change (or of one reminder), shared by every subscriber with
    the same language and explanation; :func:`personalised` adds each one's own link."""
    reminder = reason is DeliveryReason.REMINDER
    view = change_view(event, matched, reminder=reminder, day=day)
    days = (view.effective_on - day).days if view.effective_on else None
    return _render(
        "reminder" if reminder else "alert",
        language,
        change=view,
        days=days,
        unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER,
        preferences_url=public_url("alerts.sign_in"),
    )


def personalised(email: Email, subscriber: Subscriber) -> Email:
    """Put the subscriber's own unsubscribe link into an email rendered for many."""
    url = public_url("alerts.unsubscribe", token=unsubscribe_token(subscriber))
    return Email(
        email.subject,
        email.text.replace(UNSUBSCRIBE_PLACEHOLDER, url),
        email.html.replace(UNSUBSCRIBE_PLACEHOLDER, url),
    )


def digest_email(
    subscriber: Subscriber,
    frequency: Frequency,
    period: str,
    deliveries: list[AlertDelivery],
    day: date,
) -> Email:
    """Render a subscriber's digest of one day or week, sent on ``day``."""
    views = [
        change_view(
            delivery.event,
            delivery.matched,
            reminder=delivery.reason is DeliveryReason.REMINDER,
            day=day,
        )
        for delivery in deliveries
    ]
    return _render(
        "digest",
        subscriber.language.value,
        changes=views,
        frequency=frequency.value,
        period=period,
        period_day=_period_day(frequency, period),
        **_footer(subscriber),
    )


def _period_day(frequency: Frequency, period: str) -> date | None:
    """Return the day of a daily digest's period ("2026-11-23"), to show it for reading."""
    if frequency is not Frequency.DAILY:
        return None
    try:
        return date.fromisoformat(period)
    except ValueError:
        return None


def confirm_email(request: FollowRequest, follows: list[dict[str, str]]) -> Email:
    """Render the double opt-in email: what was asked for, and the link that confirms it."""
    url = public_url("alerts.confirm", token=confirm_token(request))
    hours = int(current_app.config["ALERTS_CONFIRM_MAX_AGE"]) // 3600
    return _render("confirm", request.language, confirm_url=url, follows=follows, hours=hours)


def sign_in_email(subscriber: Subscriber) -> Email:
    """Render the email carrying a one-time link to the preference centre."""
    url = public_url("alerts.signed_in", token=sign_in_token(subscriber))
    minutes = int(current_app.config["ALERTS_SIGN_IN_MAX_AGE"]) // 60
    return _render(
        "sign_in",
        subscriber.language.value,
        sign_in_url=url,
        minutes=minutes,
        **_footer(subscriber),
    )
