"""Queuing email: one outbox row per dedupe key, written in the caller's transaction.

Callers (alert fan-out, account confirmation, password reset) queue in the same unit of
work as the change that causes the email and commit it themselves; the sender
(``sender.py``) delivers after the commit. Nothing is lost if the sender is down, and an
event fanned out twice queues each email once.
"""

import hashlib
import re
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradeportal.db import utcnow
from tradeportal.mail.models import MailStatus, MailSuppression, OutboundEmail

MAX_DEDUPE_KEY_LENGTH = 200
MAX_SUBJECT_LENGTH = 998
# Headers the sender writes itself from the row; callers may not override them.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-language",
    }
)
HEADER_NAME = re.compile(r"[!-9;-~]{1,76}")  # RFC 5322 field name: printable, no colon
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,6})?")  # BCP 47, as Content-Language
ADDRESS = re.compile(r"[^@\s<>,;\"()\[\]\\]{1,64}@[^@\s<>,;\"()\[\]\\]{1,189}")


def message_id_for(dedupe_key: str, domain: str) -> str:
    """Return the Message-ID every delivery of the email with ``dedupe_key`` carries."""
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def normalise_address(address: str) -> str:
    """Return ``address`` trimmed and lower-cased; ValueError when it is not one address."""
    cleaned = address.strip().lower()
    if not ADDRESS.fullmatch(cleaned):
        raise ValueError(f"{address!r} is not a single email address")
    return cleaned


def is_suppressed(session: Session, address: str) -> bool:
    """Tell whether mail to ``address`` is stopped after repeated hard bounces."""
    try:
        cleaned = normalise_address(address)
    except ValueError:
        return False
    statement = select(MailSuppression.id).where(
        MailSuppression.address == cleaned, MailSuppression.suppressed_at.is_not(None)
    )
    return session.scalar(statement) is not None


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    dedupe_key: str,
    kind: str,
    language: str = "en",
    headers: dict[str, str] | None = None,
) -> OutboundEmail | None:
    """Add one email to the outbox (flush, never commit); None when ``dedupe_key`` is
    already queued (at-least-once upstream, exactly one row per key) or the address is
    suppressed. ``kind``: "alert", "digest", "confirm", "password_reset", ...
    ``headers``: extra headers such as List-Unsubscribe / List-Unsubscribe-Post.

    Raises ValueError for a malformed address, key, kind or header: those are bugs of
    the caller, not conditions to retry.
    """
    address = normalise_address(to)
    _check_key(dedupe_key)
    if not kind or len(kind) > 40:
        raise ValueError("kind must be a short word such as 'alert'")
    if not LANGUAGE.fullmatch(language):
        raise ValueError(f"language must be a code such as 'en' or 'fr', not {language!r}")
    extra_headers = _checked_headers(headers or {})
    if is_suppressed(session, address):
        return None
    if _key_exists(session, dedupe_key):
        return None
    email = OutboundEmail(
        dedupe_key=dedupe_key,
        message_id=message_id_for(dedupe_key, current_app.config["MAIL_MESSAGE_ID_DOMAIN"]),
        kind=kind,
        to_address=address,
        subject=_one_line(subject)[:MAX_SUBJECT_LENGTH],
        body_text=text,
        body_html=html,
        headers=extra_headers,
        language=language,
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    try:
        # A savepoint: another transaction may queue the same key between our look-up
        # and this insert; losing that race must not undo the caller's own work.
        with session.begin_nested():
            session.add(email)
    except IntegrityError:
        if _key_exists(session, dedupe_key):
            return None
        raise
    return email


def _key_exists(session: Session, dedupe_key: str) -> bool:
    statement = select(OutboundEmail.id).where(OutboundEmail.dedupe_key == dedupe_key)
    return session.scalar(statement) is not None


def _check_key(dedupe_key: str) -> None:
    if not dedupe_key or len(dedupe_key) > MAX_DEDUPE_KEY_LENGTH:
        raise ValueError(f"dedupe_key must have 1 to {MAX_DEDUPE_KEY_LENGTH} characters")


def _one_line(text: str) -> str:
    # A title pasted with a line break would otherwise end the Subject header early.
    return " ".join(text.split())


def _checked_headers(headers: dict[str, str]) -> dict[str, str]:
    checked = {}
    for name, value in headers.items():
        if not HEADER_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a valid header name")
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"the {name} header is written by the sender, not the caller")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise ValueError(f"the {name} header must be one line of text")
        checked[name] = value
    return checked


def oldest_queued_age(session: Session, now: datetime | None = None) -> timedelta | None:
    """Return how long the oldest queued email has waited, or None when none waits."""
    oldest = session.scalar(
        select(OutboundEmail.created_at)
        .where(OutboundEmail.status == MailStatus.QUEUED)
        .order_by(OutboundEmail.created_at)
        .limit(1)
    )
    if oldest is None:
        return None
    return max((now or utcnow()) - oldest, timedelta(0))
