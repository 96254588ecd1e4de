"""Signed links: confirm a subscription, sign in to the preference centre, unsubscribe.

Each kind has its own salt, so a link of one kind never works as another. Links carry the
subscriber's fingerprint (a digest of its manage token), so a link made for a deleted
subscriber cannot act on a new one that got the same id.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tradeportal.alerts.models import Subscriber

CONFIRM_SALT = "tradeportal.alerts.confirm"
SIGN_IN_SALT = "tradeportal.alerts.sign-in"
UNSUBSCRIBE_SALT = "tradeportal.alerts.unsubscribe"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InvalidLink(ValueError):
    """A link that was not made by this portal (or was altered): nothing is done."""


class ExpiredLink(ValueError):
    """A genuine link that is too old: nothing is done."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _read(salt: str, token: str, max_age: int) -> Any:
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ExpiredLink(token) from None
    except BadSignature:
        raise InvalidLink(token) from None


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
    payload = _read(CONFIRM_SALT, token, int(current_app.config["ALERTS_CONFIRM_MAX_AGE"]))
    try:
        return FollowRequest(
            email=str(payload["e"]),
            language=str(payload["l"]),
            follows=tuple((str(k), str(v), str(m)) for k, v, m in payload["f"]),
            frequency=str(payload["q"]),
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidLink(token) from None


def _is_list_of(payload: Any, types: tuple[type, ...]) -> bool:
    return (
        isinstance(payload, list)
        and len(payload) == len(types)
        and all(isinstance(value, kind) for value, kind in zip(payload, types, strict=True))
    )


def _read_list(salt: str, token: str, max_age: int, types: tuple[type, ...]) -> list:
    """Return the payload of a link made from a list of values of the given types."""
    payload = _read(salt, token, max_age)
    if not _is_list_of(payload, types):
        raise InvalidLink(token)
    return payload


def sign_in_stamp(subscriber: Subscriber) -> int:
    """Return the microsecond of the subscriber's last sign-in (0 before the first).

    A sign-in link carries the stamp of when it was made and works only while it is
    unchanged: using any link spends every link made before, exactly, however quickly
    the next one is asked for (the token's own time has whole seconds only).
    """
    if subscriber.last_sign_in_at is None:
        return 0
    return (subscriber.last_sign_in_at - _EPOCH) // timedelta(microseconds=1)


def sign_in_token(subscriber: Subscriber) -> str:
    payload = [subscriber.id, subscriber.fingerprint, sign_in_stamp(subscriber)]
    return _serializer(SIGN_IN_SALT).dumps(payload)


def read_sign_in_token(token: str) -> tuple[int, str, int]:
    """Return (subscriber id, fingerprint, sign-in stamp) of a sign-in link."""
    max_age = int(current_app.config["ALERTS_SIGN_IN_MAX_AGE"])
    payload = _read(SIGN_IN_SALT, token, max_age)
    if _is_list_of(payload, (int, str)):
        # Made before links carried a stamp (December 2026): genuine, but no longer usable.
        raise ExpiredLink(token)
    if not _is_list_of(payload, (int, str, int)):
        raise InvalidLink(token)
    subscriber_id, fingerprint, stamp = payload
    return subscriber_id, fingerprint, stamp


def unsubscribe_token(subscriber: Subscriber) -> str:
    return _serializer(UNSUBSCRIBE_SALT).dumps([subscriber.id, subscriber.fingerprint])


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Return (subscriber id, fingerprint) of an unsubscribe link."""
    max_age = int(current_app.config["ALERTS_UNSUBSCRIBE_MAX_AGE"])
    subscriber_id, fingerprint = _read_list(UNSUBSCRIBE_SALT, token, max_age, (int, str))
    return subscriber_id, fingerprint
