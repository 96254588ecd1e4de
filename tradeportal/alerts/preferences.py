"""The preference centre: what a subscriber follows, how often, in which language.

Every route needs a subscriber signed in by an emailed link (``views.current_subscriber``);
forms carry the site-wide CSRF token.
"""

from functools import wraps

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import ValidationError
from sqlalchemy import select

from tradeportal.alerts.models import SubscriptionKind
from tradeportal.alerts.schemas import AddSubscriptionInput, SettingsInput, follows_of
from tradeportal.alerts.services import (
    TooManySubscriptions,
    add_subscription,
    remove_subscription,
    unsubscribe_all,
    update_settings,
)
from tradeportal.alerts.views import (
    bp,
    current_subscriber,
    form_choices,
    form_data,
    prefill_values,
    sign_out_subscriber,
)
from tradeportal.alerts.watchlist import (
    MAX_BYTES,
    WatchlistTooLarge,
    classify_code,
    read_watchlist,
)
from tradeportal.auth.views import form_messages
from tradeportal.db import db, utcnow
from tradeportal.errors import render_error
from tradeportal.mail.models import MailSuppression
from tradeportal.validity import today


def subscriber_required(view):
    """Send visitors without a preference-centre session to the sign-in page."""

    @wraps(view)
    def guarded(*args, **kwargs):
        g.subscriber = current_subscriber()
        if g.subscriber is None:
            return redirect(url_for("alerts.sign_in"))
        return view(*args, **kwargs)

    return guarded


def bounce_record(subscriber) -> MailSuppression | None:
    """Return the outbox's bounce record of a subscriber whose alerts are paused by bounces."""
    if subscriber.bounced_at is None:
        return None
    return db.session.scalar(
        select(MailSuppression).where(MailSuppression.address == subscriber.email)
    )


def _page(values=None, errors=None, status=200, watchlist=None):
    subscriber = g.subscriber
    if values is None:
        values = prefill_values()
    return render_template(
        "alerts/preferences.html",
        subscriber=subscriber,
        subscriptions=sorted(
            subscriber.subscriptions, key=lambda s: (s.kind.value, s.value, s.market)
        ),
        values=values,
        errors=errors or {},
        watchlist=watchlist,
        followed_codes={s.value for s in subscriber.subscriptions if s.kind is SubscriptionKind.HS},
        confirmed=request.args.get("confirmed") == "1",
        bounces=bounce_record(subscriber),
        **form_choices(),
    ), status


@bp.get("/alerts/preferences")
@subscriber_required
def preferences():
    """List what the subscriber follows, with the forms to change it."""
    return _page()


@bp.post("/alerts/preferences/subscriptions")
@subscriber_required
def add():
    """Follow an HS code (optionally in one market), a country or a content type."""
    raw = form_data("changes")
    try:
        data = AddSubscriptionInput().load(raw)
    except ValidationError as error:
        return _page(values=raw, errors=form_messages(error), status=422)
    try:
        for kind, value, market in follows_of(data):
            add_subscription(
                db.session,
                g.subscriber,
                SubscriptionKind(kind),
                value,
                market=market,
                changes=data["changes"],
                frequency=data["frequency"],
            )
    except TooManySubscriptions as error:
        db.session.rollback()
        return _page(values=raw, errors={"_form": [str(error)]}, status=422)
    db.session.commit()
    flash(_("Saved: you will be told of the changes you chose."))
    return redirect(url_for("alerts.preferences"))


@bp.post("/alerts/preferences/subscriptions/<int:subscription_id>/remove")
@subscriber_required
def remove(subscription_id: int):
    """Stop following one thing."""
    if not remove_subscription(db.session, g.subscriber, subscription_id):
        return render_error(404, _("You do not follow this (any more)."))
    db.session.commit()
    flash(_("Removed."))
    return redirect(url_for("alerts.preferences"))


@bp.post("/alerts/preferences/settings")
@subscriber_required
def settings():
    """Change the language of the emails and, if chosen, every subscription's frequency."""
    try:
        data = SettingsInput().load(form_data())
    except ValidationError as error:
        return _page(errors=form_messages(error), status=422)
    update_settings(db.session, g.subscriber, data["language"], data["frequency"])
    db.session.commit()
    flash(_("Settings saved."))
    return redirect(url_for("alerts.preferences"))


@bp.post("/alerts/preferences/watchlist")
@subscriber_required
def watchlist():
    """Sort an uploaded or pasted list of codes into active, expired and invalid."""
    upload = request.files.get("file")
    text = request.form.get("codes", "")
    if upload is not None and upload.filename:
        content = upload.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            return _page(
                errors={"watchlist": [_("Upload at most %(num)s KB.", num=MAX_BYTES // 1024)]},
                status=422,
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _page(
                errors={"watchlist": [_("Upload a CSV or text file saved as UTF-8.")]}, status=422
            )
    if not text.strip():
        return _page(errors={"watchlist": [_("Paste codes or choose a file.")]}, status=422)
    try:
        found = read_watchlist(text, today())
    except WatchlistTooLarge as error:
        return _page(errors={"watchlist": [str(error)]}, status=422)
    return _page(watchlist=found)


@bp.post("/alerts/preferences/watchlist/follow")
@subscriber_required
def follow_watchlist():
    """Follow the codes ticked on the sorted watchlist (active codes and successors)."""
    codes = request.form.getlist("code")[:1000]
    day, problems, added = today(), [], 0
    try:
        for raw in codes:
            entry = classify_code(raw, day)
            if entry.status != "active":
                problems.append(_("%(code)s: %(reason)s", code=raw[:40], reason=entry.reason))
                continue
            _subscription, created = add_subscription(
                db.session, g.subscriber, SubscriptionKind.HS, entry.code, replace=False
            )
            added += created
    except TooManySubscriptions as error:
        db.session.rollback()
        return _page(errors={"_form": [str(error)]}, status=422)
    if problems:
        db.session.rollback()
        return _page(errors={"_form": [_("Nothing was added."), *problems]}, status=422)
    db.session.commit()
    flash(ngettext("Now following %(num)s more code.", "Now following %(num)s more codes.", added))
    return redirect(url_for("alerts.preferences"))


@bp.post("/alerts/preferences/unsubscribe")
@subscriber_required
def unsubscribe_everything():
    """Stop every alert and forget what this address followed."""
    email = g.subscriber.email
    unsubscribe_all(db.session, g.subscriber, utcnow())
    db.session.commit()
    sign_out_subscriber()
    return render_template("alerts/unsubscribed.html", email=email)
