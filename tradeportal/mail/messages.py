"""Turning an outbox row into the email that goes out: the same bytes at every attempt.

Built with the email package's plain ``Message`` and bodies encoded by ``binascii`` (C):
the structured-header machinery of ``EmailMessage`` parses every header it is given and
cost more per message than sending it (bench/mail_delivery.py). Every value is written
as checked here, so nothing is left for a parser to decide.
"""

import binascii
import hashlib
from email import policy
from email.header import Header
from email.message import Message
from email.utils import format_datetime, formataddr, parseaddr

from tradeportal.mail.models import OutboundEmail

# Headers are folded only past RFC 5322's hard limit (998 characters): at the usual 78 a
# long unsubscribe URL would be split where mail clients cannot follow it. From-lines
# are left alone: quoted-printable bodies never need mbox quoting.
WIRE_POLICY = policy.compat32.clone(max_line_length=998, mangle_from_=False)
# RFC 2047: an encoded word is at most 75 characters, so its line at most 76.
ENCODED_LINE = 76


def header_value(value: str) -> str:
    """Return ``value`` ready for the wire: as it is when ASCII, else RFC 2047 encoded."""
    if not isinstance(value, str):
        raise TypeError(f"a header value must be text, not {type(value).__name__}")
    if "\r" in value or "\n" in value:
        raise ValueError(f"a header value must be one line: {value[:60]!r}")
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=ENCODED_LINE).encode()


def address_value(value: str) -> str:
    """Return an address header with its display name encoded when it is not ASCII."""
    name, address = parseaddr(value)
    if not address or not address.isascii() or name.isascii():
        return header_value(value)
    return formataddr((name, address), charset="utf-8")


def text_part(body: str, subtype: str) -> Message:
    """Return a text part in UTF-8, quoted-printable: 7-bit lines of at most 76 characters."""
    part = Message(policy=WIRE_POLICY)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    text = body.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    part.set_payload(binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii"))
    return part


def build_message(email: OutboundEmail, *, mail_from: str) -> Message:
    """Build the MIME message of ``email``: text, optionally HTML as its alternative.

    Date is when the email was queued and the MIME boundary derives from the
    Message-ID, so a message sent again after a crash is byte for byte the same one and
    receivers can drop the duplicate. ValueError or TypeError when a field cannot be
    written (a header on two lines, say): trying again would not help.
    """
    extra = dict(email.headers or {})
    # RFC 3834: automatic mail, so vacation responders stay quiet (a caller may say more).
    auto = next((v for k, v in extra.items() if k.lower() == "auto-submitted"), None)
    extra = {name: value for name, value in extra.items() if name.lower() != "auto-submitted"}
    headers = [
        ("From", address_value(mail_from)),
        ("To", header_value(email.to_address)),
        ("Subject", header_value(email.subject)),
        ("Date", format_datetime(email.created_at)),
        ("Message-ID", header_value(email.message_id)),
        ("Auto-Submitted", header_value(auto or "auto-generated")),
        *((name, header_value(value)) for name, value in extra.items()),
        ("MIME-Version", "1.0"),
    ]
    plain = text_part(email.body_text, "plain")
    if email.body_html:
        message = Message(policy=WIRE_POLICY)
        # "=_" never occurs in quoted-printable text, so the boundary cannot clash.
        digest = hashlib.sha256(email.message_id.encode()).hexdigest()[:24]
        headers.append(("Content-Type", f'multipart/alternative; boundary="=_alt_{digest}"'))
        message.set_payload([plain, text_part(email.body_html, "html")])
    else:
        message = plain
        del message["Content-Type"], message["Content-Transfer-Encoding"]
        headers += [
            ("Content-Type", 'text/plain; charset="utf-8"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ]
    for name, value in [*headers, ("Content-Language", header_value(email.language))]:
        message[name] = value
    return message
