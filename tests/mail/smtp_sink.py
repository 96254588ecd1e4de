"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives.

It can be told to refuse chosen recipients at RCPT or DATA with any reply, to ask for
STARTTLS and AUTH, and to hold a message's DATA reply until the test lets it go (so a
sender can be killed after the server has the message but before it learns so).
Anything unexpected (a handler error, a failed AUTH) is kept in ``problems``; the
fixtures fail the test when it is not empty.
"""

import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "portal"
PASSWORD = "s3cret pass/word"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


@dataclass
class Handler:
    """What the server does with each command; tests change the dicts as they go."""

    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    refuse_data: dict[str, str] = field(default_factory=dict)
    messages: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # When set, DATA for this recipient is recorded, then its reply waits for ``release``.
    hold_recipient: str | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    # The name of every EHLO: one per connection (two with STARTTLS, before and after).
    ehlos: list[str] = field(default_factory=list)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.ehlos.append(hostname)
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse_rcpt.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            reply = self.refuse_data.get(address.lower())
            if reply:
                return reply
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        )
        if self.hold_recipient in envelope.rcpt_tos:
            self.holding.set()
            # The server's event loop is blocked here on purpose, as a stuck relay is.
            self.release.wait(30)
        return "250 Message accepted"

    async def handle_exception(self, error):
        self.problems.append(f"SMTP server error: {error!r}")
        return "542 Internal server error"

    def received_by(self, address: str) -> list[Received]:
        return [item for item in self.messages if address in item.recipients]


class SmtpSink:
    """Start and stop an aiosmtpd server; ``url`` is what SMTP_URL should say."""

    def __init__(
        self, port: int | None = None, *, tls_dir: Path | None = None, implicit_tls: bool = False
    ):
        self.port = port or free_port()
        self.handler = Handler()
        self.tls_dir = tls_dir
        self.implicit_tls = implicit_tls
        self.controller: Controller | None = None
        self.auth_logins: list[str] = []

    @property
    def url(self) -> str:
        if self.tls_dir is None:
            return f"smtp://127.0.0.1:{self.port}"
        cafile = self.tls_dir / "cert.pem"
        scheme, starttls = ("smtps", "") if self.implicit_tls else ("smtp", "starttls=1&")
        return (
            f"{scheme}://{USER}:{PASSWORD.replace(' ', '%20').replace('/', '%2F')}"
            f"@localhost:{self.port}?{starttls}cafile={cafile}&helo=portal.test"
        )

    def start(self) -> "SmtpSink":
        # Like many relays, no SMTPUTF8 (aiosmtpd's Controller would offer it).
        options = {"enable_SMTPUTF8": False}
        if self.tls_dir is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.tls_dir / "cert.pem", self.tls_dir / "key.pem")
            tls = {"ssl_context": context} if self.implicit_tls else {"tls_context": context}
            options |= tls | {
                "require_starttls": not self.implicit_tls,
                "auth_required": True,
                # aiosmtpd only knows TLS it started itself (STARTTLS); smtps:// is TLS too.
                "auth_require_tls": not self.implicit_tls,
                "authenticator": self._authenticate,
            }
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=5, **options
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.handler.release.set()
            self.controller.stop()
            self.controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            self.handler.problems.append(f"unexpected AUTH data {auth_data!r}")
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode()
        self.auth_logins.append(login)
        if login == USER and auth_data.password.decode() == PASSWORD:
            return AuthResult(success=True)
        self.handler.problems.append(f"AUTH refused for {login!r}")
        return AuthResult(success=False, handled=False)


def make_self_signed_cert(directory: Path) -> Path:
    """Write a throw-away certificate for localhost and 127.0.0.1 (openssl), and its key."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem"),
            "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return directory
