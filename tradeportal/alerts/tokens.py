"""Signed links: confirm a subscription, sign in to the preference centre, unsubscribe.

Each kind has its own salt, so a link of one kind never works as another. Links carry the
subscriber's fingerprint (a digest of its manage token), so a link made for a deleted
subscriber cannot act on a new one that got the same id.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tradeportal.alerts.models import Subscriber

CONFIRM_SALT = "tradeportal.alerts.confirm"
SIGN_IN_SALT = "tradeportal.alerts.sign-in"
UNSUBSCRIBE_SALT = "tradeportal.alerts.unsubscribe"


class InvalidLink(ValueError):
    """A link that was not made by this portal (or was altered): nothing is done."""


class ExpiredLink(ValueError):
    """A genuine link that is too old: nothing is done."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _read(salt: str, token: str, max_age: int) -> tuple[Any, datetime]:
    try:
        payload, signed_at = _serializer(salt).loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired:
        raise ExpiredLink(token) from None
    except BadSignature:
        raise InvalidLink(token) from None
    return payload, signed_at.astimezone(UTC)


@dataclass(frozen=True)
class FollowRequest:
    """What someone asked to follow when signing up, carried in the confirmation link."""

    email: str
    language: str
    follows: tuple[tuple[str, str, str], ...]  # (kind, value, market)
    frequency: str


def confirm_token(request: FollowRequest) -> str:
    payload = {
        "e": request.email,
        "l": request.language,
        "f": [list(follow) for follow in request.follows],
        "q": request.frequency,
    }
    return _serializer(CONFIRM_SALT).dumps(payload)


def read_confirm_token(token: str) -> FollowRequest:
    """Return the sign-up a confirmation link carries; raise InvalidLink or ExpiredLink."""
    payload, _ = _read(CONFIRM_SALT, token, int(current_app.config["ALERTS_CONFIRM_MAX_AGE"]))
    try:
        return FollowRequest(
            email=str(payload["e"]),
            language=str(payload["l"]),
            follows=tuple((str(k), str(v), str(m)) for k, v, m in payload["f"]),
            frequency=str(payload["q"]),
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidLink(token) from None


def _subscriber_token(salt: str, subscriber: Subscriber) -> str:
    return _serializer(salt).dumps([subscriber.id, subscriber.fingerprint])


def _read_subscriber_token(salt: str, token: str, max_age: int) -> tuple[int, str, datetime]:
    payload, signed_at = _read(salt, token, max_age)
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    ):
        raise InvalidLink(token)
    return payload[0], payload[1], signed_at


def sign_in_token(subscriber: Subscriber) -> str:
    return _subscriber_token(SIGN_IN_SALT, subscriber)


def read_sign_in_token(token: str) -> tuple[int, str, datetime]:
    """Return (subscriber id, fingerprint, signing time) of a sign-in link."""
    max_age = int(current_app.config["ALERTS_SIGN_IN_MAX_AGE"])
    return _read_subscriber_token(SIGN_IN_SALT, token, max_age)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return _subscriber_token(UNSUBSCRIBE_SALT, subscriber)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Return (subscriber id, fingerprint) of an unsubscribe link."""
    max_age = int(current_app.config["ALERTS_UNSUBSCRIBE_MAX_AGE"])
    subscriber_id, fingerprint, _ = _read_subscriber_token(UNSUBSCRIBE_SALT, token, max_age)
    return subscriber_id, fingerprint
