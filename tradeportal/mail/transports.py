"""Where sent email goes: ``.eml`` files (embedded mode) or an SMTP relay (production).

A transport opens one connection per batch; each ``send`` either delivers or raises
DeliveryError saying whether the failure is permanent (SMTP 5xx) or worth retrying
(4xx, a refused or dropped connection), so the sender never sees smtplib's exceptions.
"""

import ipaddress
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from tradeportal.config import ConfigError
from tradeportal.db import utcnow

TRANSPORTS = ("file", "smtp")
DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
URL_OPTIONS = {"starttls", "cafile", "helo"}
POSITIVE_NUMBERS = (
    "MAIL_SMTP_TIMEOUT",
    "MAIL_SEND_BATCH",
    "MAIL_RETRY_BASE",
    "MAIL_RETRY_MAX",
    "MAIL_MAX_ATTEMPTS",
    "MAIL_CLAIM_TIMEOUT",
    "MAIL_HARD_BOUNCE_LIMIT",
)


class DeliveryError(Exception):
    """A message was not delivered.

    ``stage`` is where it failed: "connect" (nothing was sent on this connection),
    "mail", "rcpt", "data" or "session" (the connection dropped). ``permanent`` failures
    are not retried; ``hard_bounce`` ones also count against the recipient's address.
    """

    def __init__(
        self, reason: str, *, stage: str, permanent: bool = False, hard_bounce: bool = False
    ):
        super().__init__(reason)
        self.reason = reason
        self.stage = stage
        self.permanent = permanent
        self.hard_bounce = hard_bounce


class Connection(Protocol):
    def send(self, message: Message, *, sender: str, recipient: str, email_id: int):
        """Deliver ``message`` to ``recipient`` or raise DeliveryError."""


class Transport(Protocol):
    def connect(self) -> AbstractContextManager[Connection]:
        """Open one connection for a batch of messages."""


# --- configuration -----------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """An SMTP relay as given by SMTP_URL (the password is kept out of repr and logs)."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None
    helo: str | None = None
    timeout: float = 30.0

    @property
    def uses_tls(self) -> bool:
        return self.implicit_tls or self.starttls

    def describe(self) -> str:
        """Say where mail goes without the password, for logs and status output."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}@" if self.username else ""
        tls = ", STARTTLS" if self.starttls else ""
        return f"{scheme}://{user}{self.host}:{self.port}{tls}"


def parse_smtp_url(url: str, *, timeout: float = 30.0) -> SmtpSettings:
    """Read ``smtp://user:password@host:587?starttls=1`` or ``smtps://…``; ConfigError if bad."""
    problem = "SMTP_URL (TRADEPORTAL_SMTP_URL) "
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise ConfigError(f"{problem}cannot be read: {error}.") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigError(
            f"{problem}must start with smtp:// or smtps://, e.g. "
            "smtp://user:password@mail.example.org:587?starttls=1."
        )
    if not parts.hostname:
        raise ConfigError(f"{problem}names no host, e.g. smtp://mail.example.org:587.")
    if parts.path not in ("", "/") or parts.fragment:
        raise ConfigError(f"{problem}must not have a path or fragment after the host.")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(options) - URL_OPTIONS)
    if unknown:
        raise ConfigError(
            f"{problem}has unknown option(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(URL_OPTIONS))}."
        )
    starttls = _flag(options.get("starttls", ""), problem + "option starttls")
    implicit_tls = parts.scheme == "smtps"
    if implicit_tls and starttls:
        raise ConfigError(f"{problem}asks for both smtps:// and starttls=1; choose one.")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise ConfigError(f"{problem}has a password but no user name.")
    settings = SmtpSettings(
        host=parts.hostname,
        port=port or (465 if implicit_tls else 25),
        implicit_tls=implicit_tls,
        starttls=starttls,
        username=username,
        password=password,
        cafile=options.get("cafile") or None,
        helo=options.get("helo") or None,
        timeout=timeout,
    )
    if username and not settings.uses_tls and not _is_loopback(settings.host):
        raise ConfigError(
            f"{problem}would send the password unencrypted to {settings.host}: "
            "add ?starttls=1 or use smtps://."
        )
    if settings.cafile and not Path(settings.cafile).is_file():
        raise ConfigError(f"{problem}option cafile names no readable file.")
    return settings


def _flag(raw: str, what: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{what} must be 1 or 0, not {raw!r}.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_mail_config(config) -> None:
    """Refuse mail settings that cannot work; fill in MAIL_MESSAGE_ID_DOMAIN."""
    transport = config.get("MAIL_TRANSPORT") or "file"
    if transport not in TRANSPORTS:
        raise ConfigError(
            f"MAIL_TRANSPORT must be one of {', '.join(TRANSPORTS)}, not {transport!r}."
        )
    for key in POSITIVE_NUMBERS:
        value = config.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{key} must be a positive number, not {value!r}.")
    if config.get("SMTP_URL"):  # checked even when unused, so a typo shows at start
        parse_smtp_url(str(config["SMTP_URL"]), timeout=float(config["MAIL_SMTP_TIMEOUT"]))
    elif transport == "smtp":
        raise ConfigError(
            "MAIL_TRANSPORT is smtp but SMTP_URL is empty: set TRADEPORTAL_SMTP_URL, e.g. "
            "smtp://user:password@mail.example.org:587?starttls=1."
        )
    sender = envelope_sender(config.get("MAIL_FROM") or "")
    if not sender:
        raise ConfigError(
            f"MAIL_FROM must be an address such as 'Trade portal <no-reply@example.org>', "
            f"not {config.get('MAIL_FROM')!r}."
        )
    domain = config.get("MAIL_MESSAGE_ID_DOMAIN") or sender.rpartition("@")[2]
    if not DOMAIN.fullmatch(domain):
        raise ConfigError(f"MAIL_MESSAGE_ID_DOMAIN must be a domain name, not {domain!r}.")
    config["MAIL_MESSAGE_ID_DOMAIN"] = domain


def envelope_sender(mail_from: str) -> str | None:
    """Return the bare address of MAIL_FROM, or None when it holds no single address."""
    if "\n" in mail_from or "\r" in mail_from:
        return None
    _name, address = parseaddr(mail_from)
    local, at, domain = address.partition("@")
    if not (local and at and DOMAIN.fullmatch(domain)):
        return None
    return address


def transport_from_config(config, instance_path: str) -> "FileTransport | SmtpTransport":
    """Build the transport the configuration asks for."""
    if config.get("MAIL_TRANSPORT") == "smtp":
        settings = parse_smtp_url(
            str(config["SMTP_URL"]), timeout=float(config["MAIL_SMTP_TIMEOUT"])
        )
        return SmtpTransport(settings)
    return FileTransport(Path(config.get("MAIL_DIR") or Path(instance_path) / "mail"))


# --- the file transport --------------------------------------------------------------


class FileTransport:
    """Write each message as ``<UTC timestamp>-<id>.eml`` into a folder a person can open."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def describe(self) -> str:
        return f"files in {self.directory}"

    @contextmanager
    def connect(self) -> Iterator["FileTransport"]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DeliveryError(
                f"cannot create {self.directory}: {error}", stage="connect"
            ) from None
        yield self

    def send(self, message: Message, *, sender: str, recipient: str, email_id: int):
        stamp = utcnow().strftime("%Y%m%dT%H%M%S.%fZ")
        target = self.directory / f"{stamp}-{email_id}.eml"
        # Written beside the target and renamed: a reader never sees half a message.
        try:
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(message.as_bytes())
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise DeliveryError(f"cannot write {target.name}: {error}", stage="session") from None


# --- the SMTP transport --------------------------------------------------------------


class SmtpTransport:
    """Send through an SMTP relay: one connection per batch, STARTTLS and AUTH when asked."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def describe(self) -> str:
        return self.settings.describe()

    @contextmanager
    def connect(self) -> Iterator["SmtpConnection"]:
        connection = SmtpConnection(self.settings)
        try:
            yield connection
        finally:
            connection.close()


class SmtpConnection:
    """One SMTP session, opened at the first message and again after a dropped line."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def send(self, message: Message, *, sender: str, recipient: str, email_id: int):
        if self.client is None:
            self.client = self._open()
        try:
            self.client.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = error.recipients.get(recipient, (None, b"refused"))
            if code == 421:  # the server is closing the connection
                self.close()
            raise _refusal("rcpt", code, reply, bounces=True) from None
        except smtplib.SMTPSenderRefused as error:
            raise _refusal("mail", error.smtp_code, error.smtp_error, bounces=False) from None
        except smtplib.SMTPDataError as error:
            raise _refusal("data", error.smtp_code, error.smtp_error, bounces=True) from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(
                f"the relay cannot carry this message: {error}", stage="mail", permanent=True
            ) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            raise _refusal("session", error.smtp_code, error.smtp_error, bounces=False) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryError(f"connection lost: {_describe(error)}", stage="session") from None

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        # Only for TLS: loading the system's CA store costs tens of milliseconds per batch.
        context = ssl.create_default_context(cafile=settings.cafile) if settings.uses_tls else None
        client = None
        try:
            if settings.implicit_tls:
                client = smtplib.SMTP_SSL(
                    settings.host,
                    settings.port,
                    local_hostname=settings.helo,
                    timeout=settings.timeout,
                    context=context,
                )
            else:
                client = smtplib.SMTP(
                    settings.host,
                    settings.port,
                    local_hostname=settings.helo,
                    timeout=settings.timeout,
                )
                if settings.starttls:
                    client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password or "")
            return client
        except (smtplib.SMTPException, OSError) as error:
            if client is not None:
                client.close()
            raise DeliveryError(
                f"cannot connect to {settings.describe()}: {_describe(error)}", stage="connect"
            ) from None

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def _refusal(stage: str, code: int | None, reply, *, bounces: bool) -> DeliveryError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    permanent = code is not None and 500 <= code <= 599
    reason = f"{stage.upper()} refused: {code} {text}".strip()
    return DeliveryError(
        reason[:1000], stage=stage, permanent=permanent, hard_bounce=permanent and bounces
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"
    return str(error) or type(error).__name__
