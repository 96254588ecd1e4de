"""Uploading and withdrawing attachments (flush, never commit: the route commits)."""

import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from tradeportal.attachments.models import MAX_FILENAME_LENGTH, Attachment
from tradeportal.attachments.sniffing import Amount, DocumentType, FileTooLarge, sniff_document
from tradeportal.attachments.storage import store_bytes
from tradeportal.auth.audit import record_audit
from tradeportal.auth.models import User
from tradeportal.db import utcnow
from tradeportal.i18n import N_

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class UploadResult:
    """The attachment an upload gave, and whether it is new or the same bytes seen before."""

    attachment: Attachment
    created: bool


def max_upload_bytes() -> int:
    """Return the configured size cap of one attachment."""
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def display_filename(original: str, kind: DocumentType) -> str:
    """Return a safe ASCII file name ending in the type's extension ("file.pdf" if none)."""
    name = secure_filename(original)
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or extension.lower() != kind.extension:
        return f"file.{kind.extension}"
    # Keep the end of long names: the extension and what tells versions apart.
    room = MAX_FILENAME_LENGTH - len(extension) - 1
    return f"{stem[:room]}.{extension}"


def upload_attachment(
    session: Session, uploader: User, *, data: bytes, original_filename: str, title: str
) -> UploadResult:
    """Check and store an uploaded file; the same bytes give back the existing attachment.

    Raise ``RefusedFile`` (``FileTooLarge`` above the cap) when the file is not accepted.
    """
    limit = max_upload_bytes()
    if len(data) > limit:
        raise FileTooLarge(
            N_(
                "%(file)s is %(size)s MiB; at most %(max)s MiB can be uploaded. Compress the "
                "PDF or split the document."
            ),
            size=Amount(len(data) / 2**20, 1),
            max=Amount(limit / 2**20, 1),
        )
    kind = sniff_document(data, original_filename)
    digest = hashlib.sha256(data).hexdigest()
    existing = find_by_digest(session, digest)
    if existing is not None:
        return UploadResult(existing, created=False)
    # The file first: a row must never point at bytes that are not there.
    store_bytes(digest, data)
    attachment = Attachment(
        sha256=digest,
        filename=display_filename(original_filename, kind),
        title=title,
        media_type=kind.media_type,
        size_bytes=len(data),
        uploaded_by_id=uploader.id,
    )
    try:
        with session.begin_nested():
            session.add(attachment)
    except IntegrityError:
        # Someone uploaded the same bytes at the same moment: theirs is the attachment.
        existing = find_by_digest(session, digest)
        if existing is None:
            raise
        return UploadResult(existing, created=False)
    record_audit(
        session,
        uploader,
        "attachment.uploaded",
        attachment,
        filename=attachment.filename,
        media_type=attachment.media_type,
        size_bytes=attachment.size_bytes,
        sha256=digest,
    )
    return UploadResult(attachment, created=True)


def find_by_digest(session: Session, digest: str) -> Attachment | None:
    return session.scalar(select(Attachment).where(Attachment.sha256 == digest))


def withdraw_attachment(session: Session, actor: User, attachment: Attachment) -> bool:
    """Withdraw an attachment: its address answers 410 Gone; return False if it already was."""
    if attachment.is_withdrawn:
        return False
    attachment.withdrawn_at = utcnow()
    session.flush()
    record_audit(session, actor, "attachment.withdrawn", attachment, filename=attachment.filename)
    return True


def restore_attachment(session: Session, actor: User, attachment: Attachment) -> bool:
    """Serve a withdrawn attachment again; return False if it was not withdrawn."""
    if not attachment.is_withdrawn:
        return False
    attachment.withdrawn_at = None
    session.flush()
    record_audit(session, actor, "attachment.restored", attachment, filename=attachment.filename)
    return True
