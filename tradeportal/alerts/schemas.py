"""Input schemas of the sign-up, sign-in and preference forms.

What someone follows is read here once, the same way for a sign-up, a preference-centre
addition and a watchlist: HS codes through the nomenclature, countries through the
countries table, content types as the groups subscribers follow (``groups.py``).
"""

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validates_schema

from tradeportal.alerts.groups import GROUPS
from tradeportal.alerts.models import AlertChange, Frequency, Language, SubscriptionKind
from tradeportal.alerts.watchlist import classify_code
from tradeportal.auth.schemas import EmailAddress, FormSchema
from tradeportal.countries.queries import country_exists, is_iso3_shape
from tradeportal.i18n import N_
from tradeportal.validity import today


class HsToFollow(fields.String):
    """An HS code of the edition in force, as digits; empty is None."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        entry = classify_code(text, today())
        if entry.status == "active":
            return entry.code
        if entry.successors:
            names = ", ".join(node.display for node in entry.successors)
            raise ValidationError(
                _("%(reason)s Follow %(codes)s instead.", reason=entry.reason, codes=names)
            )
        raise ValidationError(entry.reason or _("This is not an HS code."))


class CountryToFollow(fields.String):
    """An ISO alpha-3 code of a country the portal knows, upper-cased; empty is None."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not text:
            return None
        if not is_iso3_shape(text) or not country_exists(text):
            raise ValidationError(_("Choose a country by its three-letter ISO code, e.g. GBR."))
        return text


class ContentTypeToFollow(fields.String):
    """The name of a group of content ("regulations", "tariffs", "news"…); empty is None."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        if text not in GROUPS:
            raise ValidationError(
                _("Choose one of the kinds of content listed: %(names)s.", names=", ".join(GROUPS))
            )
        return text


CHOOSE_FREQUENCY = N_("Choose how often from the list.")
CHOOSE_LANGUAGE = N_("Choose English or French.")
CHOOSE_CHANGES = N_("Choose the kinds of change from the list.")


def _optional(field_class):
    return field_class(load_default=None, allow_none=True)


class FollowInput(FormSchema):
    """Something to follow: an HS code (optionally in one market), a country, a content type."""

    hs = _optional(HsToFollow)
    market = _optional(CountryToFollow)
    country = _optional(CountryToFollow)
    content_type = _optional(ContentTypeToFollow)
    frequency = fields.Enum(
        Frequency,
        by_value=True,
        load_default=Frequency.IMMEDIATE,
        error_messages={"unknown": CHOOSE_FREQUENCY},
    )

    @validates_schema
    def check_something_followed(self, data, **kwargs):
        if data.get("market") and not data.get("hs"):
            raise ValidationError(_("A market narrows an HS code: give the code too."), "market")
        if not (data.get("hs") or data.get("country") or data.get("content_type")):
            raise ValidationError(
                _(
                    "Choose at least one thing to follow: an HS code, a country or a kind "
                    "of content."
                )
            )


def follows_of(data: dict) -> list[tuple[str, str, str]]:
    """Return the (kind, value, market) subscriptions a loaded FollowInput asks for."""
    follows = []
    if data.get("hs"):
        follows.append((SubscriptionKind.HS.value, data["hs"], data.get("market") or ""))
    if data.get("country"):
        follows.append((SubscriptionKind.COUNTRY.value, data["country"], ""))
    if data.get("content_type"):
        follows.append((SubscriptionKind.CONTENT_TYPE.value, data["content_type"], ""))
    return follows


class SubscribeInput(FollowInput):
    """The public sign-up form."""

    email = EmailAddress(required=True)
    # Empty: the language the page was read in (views.subscribe).
    language = fields.Enum(
        Language,
        by_value=True,
        load_default=None,
        allow_none=True,
        error_messages={"unknown": CHOOSE_LANGUAGE},
    )


class AddSubscriptionInput(FollowInput):
    """The preference centre's "follow something" form, with the kinds of change."""

    changes = fields.List(
        fields.Enum(AlertChange, by_value=True, error_messages={"unknown": CHOOSE_CHANGES}),
        load_default=lambda: list(AlertChange),
    )

    @validates_schema
    def check_changes(self, data, **kwargs):
        if not data.get("changes"):
            raise ValidationError(_("Tick at least one kind of change."), "changes")


class SettingsInput(FormSchema):
    language = fields.Enum(
        Language,
        by_value=True,
        required=True,
        error_messages={"unknown": CHOOSE_LANGUAGE, "required": CHOOSE_LANGUAGE},
    )
    # Empty keeps each subscription's own frequency.
    frequency = fields.Enum(
        Frequency,
        by_value=True,
        load_default=None,
        allow_none=True,
        error_messages={"unknown": CHOOSE_FREQUENCY},
    )


class SignInInput(FormSchema):
    email = EmailAddress(required=True)
