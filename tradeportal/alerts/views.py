"""Public alert pages: sign up, confirm, sign in by email link, one-click unsubscribe.

The preference centre (``preferences.py``) and the Atom feeds (``feeds.py``) add their
routes to the same blueprint. Subscribers are not staff accounts: they sign in with an
emailed link into a session key of their own, never Flask-Login.
"""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from tradeportal.alerts.groups import group_choices, group_label, legacy_groups
from tradeportal.alerts.messages import content_type_name, field_name
from tradeportal.alerts.models import Frequency, Language, Subscriber
from tradeportal.alerts.schemas import SignInInput, SubscribeInput, follows_of
from tradeportal.alerts.services import (
    TooManySubscriptions,
    confirm_subscription,
    current_follows,
    describe_follow,
    request_sign_in,
    request_subscription,
    resume_after_bounces,
    subscriber_for_session,
    unsubscribe_all,
    use_sign_in_link,
)
from tradeportal.alerts.settings import apply_defaults
from tradeportal.alerts.tokens import (
    ExpiredLink,
    FollowRequest,
    InvalidLink,
    read_confirm_token,
    read_sign_in_token,
    read_unsubscribe_token,
)
from tradeportal.auth.access import no_store
from tradeportal.auth.extension import csrf, limiter
from tradeportal.auth.queries import normalise_email
from tradeportal.auth.views import form_messages
from tradeportal.countries.models import Country
from tradeportal.db import db, utcnow
from tradeportal.errors import render_error
from tradeportal.i18n import N_, chosen_language

bp = Blueprint("alerts", __name__)  # its CLI group is `flask alerts`
bp.record_once(lambda state: apply_defaults(state.app))
bp.after_request(no_store)  # pages for one subscriber, links with secrets in them
# The labels of content groups, types and fields, for the forms and the emails (rendered
# by the worker too), in the language being rendered.
bp.add_app_template_global(group_label, "content_group_label")
bp.add_app_template_global(content_type_name, "alert_type_name")
bp.add_app_template_global(field_name, "alert_field_name")

SESSION_KEY = "alerts_subscriber"
INVALID_LINK = N_("This link is not valid: it was not sent by this portal or it was altered.")
PREFILL_PARAMETERS = ("hs", "market", "country", "type")


def _sign_up_limit() -> str:
    return current_app.config["ALERTS_SIGN_UP_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["ALERTS_ADDRESS_RATE_LIMIT"]


def _submitted_address() -> str:
    return "alerts-address:" + normalise_email(request.form.get("email", ""))[:254]


def _email_sent(response) -> bool:
    # Only requests that (may) send an email count: fixing a form error is not flooding.
    return response.status_code == 200


def form_data(*lists: str) -> dict:
    """Return the posted form without empty fields; ``lists`` are multi-value fields."""
    data = {key: value for key, value in request.form.items() if value.strip()}
    for name in lists:
        data[name] = request.form.getlist(name)
    return data


def current_subscriber() -> Subscriber | None:
    """Return the subscriber signed in to the preference centre in this browser."""
    stored = session.get(SESSION_KEY)
    if not (isinstance(stored, list) and len(stored) == 2):
        return None
    subscriber_id, fingerprint = stored
    if not isinstance(subscriber_id, int) or not isinstance(fingerprint, str):
        return None
    subscriber = subscriber_for_session(db.session, subscriber_id, fingerprint)
    if subscriber is None:
        session.pop(SESSION_KEY, None)
    return subscriber


def sign_in_subscriber(subscriber: Subscriber) -> None:
    session[SESSION_KEY] = [subscriber.id, subscriber.fingerprint]


def sign_out_subscriber() -> None:
    session.pop(SESSION_KEY, None)


def prefill_args() -> dict[str, str]:
    """Return what a product or country page asked to follow (?hs=0901.21, ?country=GBR).

    ``type`` may be an old content-type name (``?type=tariff-lines``): its group is chosen.
    """
    found = {key: request.args[key][:40] for key in PREFILL_PARAMETERS if request.args.get(key)}
    if "type" in found:
        groups = legacy_groups(found.pop("type"))
        if groups:
            found["type"] = groups[0]
    return found


def prefill_values() -> dict[str, str | None]:
    """Return the follow form's values from the prefill parameters."""
    prefill = prefill_args()
    values = {"hs": prefill.get("hs"), "market": prefill.get("market")}
    return values | {"country": prefill.get("country"), "content_type": prefill.get("type")}


def country_choices() -> list[tuple[str, str]]:
    name = Country.name_fr if chosen_language() == "fr" else Country.name_en
    rows = db.session.execute(
        select(Country.iso3, Country.name_en, name).order_by(name, Country.name_en)
    )
    return [(iso3, f"{shown or english} ({iso3})") for iso3, english, shown in rows]


def form_choices() -> dict:
    return {
        "countries": country_choices(),
        "content_types": group_choices(),
        "languages": list(Language),
        "frequencies": list(Frequency),
    }


def link_error(error: Exception, expired_message: str):
    """Answer a bad link: 404 when forged or altered, 400 when only too old."""
    if isinstance(error, ExpiredLink):
        return render_error(400, expired_message)
    return render_error(404, _(INVALID_LINK))


# --- sign-up and double opt-in -----------------------------------------------------------


@bp.get("/alerts/subscribe")
def subscribe_form():
    """Show the sign-up form, prefilled from the page the visitor came from."""
    if current_subscriber() is not None:
        return redirect(url_for("alerts.preferences", **prefill_args()))
    return render_template(
        "alerts/subscribe.html", values=prefill_values(), errors={}, **form_choices()
    )


@bp.post("/alerts/subscribe")
@limiter.limit(_sign_up_limit, deduct_when=_email_sent)
@limiter.limit(_address_limit, key_func=_submitted_address, deduct_when=_email_sent)
def subscribe():
    """Send the confirmation email of a sign-up; nothing is stored before it is confirmed."""
    raw = form_data()
    try:
        data = SubscribeInput().load(raw)
    except ValidationError as error:
        return render_template(
            "alerts/subscribe.html", values=raw, errors=form_messages(error), **form_choices()
        ), 422
    # The language chosen on the form, else the one the page was read in.
    language = data["language"].value if data.get("language") else chosen_language()
    follow_request = FollowRequest(
        email=data["email"],
        language=language,
        follows=tuple(follows_of(data)),
        frequency=data["frequency"].value,
    )
    request_subscription(db.session, follow_request)
    db.session.commit()
    return render_template("alerts/check_email.html", email=data["email"], purpose="confirm")


@bp.get("/alerts/confirm/<token>")
def confirm(token: str):
    """Show what a confirmation link will subscribe to, with the button that confirms it."""
    try:
        follow_request = read_confirm_token(token)
    except (InvalidLink, ExpiredLink) as error:
        return link_error(error, _("This confirmation link has expired. Sign up again."))
    follows = [describe_follow(*follow) for follow in current_follows(follow_request.follows)]
    return render_template(
        "alerts/confirm.html", token=token, request_=follow_request, follows=follows
    )


@bp.post("/alerts/confirm/<token>")
def confirm_post(token: str):
    """Confirm the address, add what it asked to follow and open the preference centre."""
    try:
        follow_request = read_confirm_token(token)
    except (InvalidLink, ExpiredLink) as error:
        return link_error(error, _("This confirmation link has expired. Sign up again."))
    try:
        confirmation = confirm_subscription(db.session, follow_request, utcnow())
    except TooManySubscriptions as error:
        db.session.rollback()
        return render_error(
            422, _("%(problem)s Remove some in your preferences first.", problem=error)
        )
    db.session.commit()
    sign_in_subscriber(confirmation.subscriber)
    return redirect(url_for("alerts.preferences", confirmed=1))


# --- signing in by email link ------------------------------------------------------------


@bp.get("/alerts/sign-in")
def sign_in():
    """Ask for the address that receives alerts, to email it a sign-in link."""
    if current_subscriber() is not None:
        return redirect(url_for("alerts.preferences"))
    return render_template("alerts/sign_in.html", email="", errors={})


@bp.post("/alerts/sign-in")
@limiter.limit(_sign_up_limit, deduct_when=_email_sent)
@limiter.limit(_address_limit, key_func=_submitted_address, deduct_when=_email_sent)
def sign_in_post():
    """Email a sign-in link; the answer is the same whether the address is known or not."""
    try:
        data = SignInInput().load(form_data())
    except ValidationError as error:
        email = request.form.get("email", "")
        return render_template("alerts/sign_in.html", email=email, errors=form_messages(error)), 422
    request_sign_in(db.session, data["email"])
    db.session.commit()
    return render_template("alerts/check_email.html", email=data["email"], purpose="sign_in")


@bp.get("/alerts/sign-in/<token>")
def signed_in(token: str):
    """Show the button that opens the preference centre (mail scanners only GET links)."""
    try:
        read_sign_in_token(token)
    except (InvalidLink, ExpiredLink) as error:
        return link_error(error, _("This sign-in link has expired. Ask for a new one."))
    return render_template("alerts/open_preferences.html", token=token)


@bp.post("/alerts/sign-in/<token>")
def signed_in_post(token: str):
    """Open the preference centre with a sign-in link; each link works once.

    The link arrived, so alerts paused by bounces resume if the address is no longer
    suppressed.
    """
    try:
        subscriber = use_sign_in_link(db.session, token, utcnow())
    except (InvalidLink, ExpiredLink) as error:
        db.session.rollback()
        return link_error(error, _("This sign-in link has expired or was used. Ask for a new one."))
    resumed = resume_after_bounces(db.session, subscriber)
    db.session.commit()
    if resumed:
        flash(_("Mail reaches your address again: your alerts are back on."))
    session.pop(SESSION_KEY, None)
    sign_in_subscriber(subscriber)
    return redirect(url_for("alerts.preferences"))


@bp.post("/alerts/sign-out")
def sign_out():
    sign_out_subscriber()
    return redirect(url_for("alerts.sign_in"))


# --- one-click unsubscribe (RFC 8058) -----------------------------------------------------


def _subscriber_of_unsubscribe_link(token: str) -> Subscriber:
    subscriber_id, fingerprint = read_unsubscribe_token(token)
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.fingerprint != fingerprint:
        raise InvalidLink(token)
    return subscriber


@bp.get("/alerts/unsubscribe/<token>")
def unsubscribe(token: str):
    """Ask to confirm: a GET never unsubscribes (mail scanners follow links)."""
    try:
        subscriber = _subscriber_of_unsubscribe_link(token)
    except (InvalidLink, ExpiredLink) as error:
        return link_error(error, _("This unsubscribe link has expired. Sign in to stop alerts."))
    return render_template("alerts/unsubscribe.html", token=token, subscriber=subscriber)


@bp.post("/alerts/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: mail clients POST without a session or a form token
def unsubscribe_post(token: str):
    """Stop every alert to the address of the link, with no sign-in and no form token."""
    try:
        subscriber = _subscriber_of_unsubscribe_link(token)
    except (InvalidLink, ExpiredLink) as error:
        return link_error(error, _("This unsubscribe link has expired. Sign in to stop alerts."))
    unsubscribe_all(db.session, subscriber, utcnow())
    db.session.commit()
    sign_out_subscriber()
    return render_template("alerts/unsubscribed.html", email=subscriber.email)


from tradeportal.alerts import feeds, preferences  # noqa: E402, F401  (their routes on bp)
from tradeportal.alerts.cli import fan_out_command, status_command  # noqa: E402

bp.cli.add_command(fan_out_command)
bp.cli.add_command(status_command)
