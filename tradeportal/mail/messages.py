"""Turning an outbox row into the email that goes out: the same bytes at every attempt."""

import hashlib
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from tradeportal.mail.models import OutboundEmail

# RFC 2045 6.7: quoted-printable lines are at most 76 characters (Python writes 78).
BODY_POLICY = policy.default.clone(max_line_length=76)
# RFC 5322 2.1.1: a line is at most 998 characters, without its CRLF.
HEADER_POLICY = policy.default.clone(max_line_length=998)


def build_message(email: OutboundEmail, *, mail_from: str) -> EmailMessage:
    """Build the MIME message of ``email``: text, optionally HTML as its alternative.

    Date is when the email was queued and the MIME boundary derives from the
    Message-ID, so a message sent again after a crash is byte for byte the same one and
    receivers can drop the duplicate.
    """
    message = EmailMessage(policy=BODY_POLICY)
    message["From"] = mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id
    # RFC 3834: automatic mail, so vacation responders stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (email.headers or {}).items():
        if name.lower() == "auto-submitted":
            message.replace_header(name, value)
        else:
            message[name] = value
    # Quoted-printable keeps every line short and 7-bit, whatever the relay supports.
    message.set_content(email.body_text, cte="quoted-printable")
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html", cte="quoted-printable")
        # "=_" never occurs in quoted-printable text, so the boundary cannot clash.
        digest = hashlib.sha256(email.message_id.encode()).hexdigest()[:24]
        message.set_boundary(f"=_alt_{digest}")
    # After the content: setting content clears every Content-* header before it.
    message["Content-Language"] = email.language
    # Written out (by smtplib and the file transport) with headers folded only past
    # RFC 5322's hard limit: at the default 78 a long unsubscribe URL would become RFC 2047
    # encoded words that mail clients cannot follow. The bodies are already encoded above.
    message.policy = HEADER_POLICY
    return message
