"""Reading attachments."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from tradeportal.attachments.models import Attachment


def get_attachment(session: Session, attachment_id: int) -> Attachment | None:
    """Return one attachment with its uploader, withdrawn or not."""
    return session.scalar(
        select(Attachment)
        .options(joinedload(Attachment.uploaded_by))
        .where(Attachment.id == attachment_id)
    )


def list_attachments(session: Session, *, offset: int = 0, limit: int = 50) -> list[Attachment]:
    """Return attachments newest first, with their uploaders."""
    return list(
        session.scalars(
            select(Attachment)
            .options(joinedload(Attachment.uploaded_by))
            .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


def count_attachments(session: Session) -> int:
    return session.scalar(select(func.count(Attachment.id))) or 0


def all_digests(session: Session) -> dict[str, int]:
    """Return {sha256: attachment id} of every attachment (for the storage check)."""
    return {
        digest: attachment_id
        for digest, attachment_id in session.execute(select(Attachment.sha256, Attachment.id))
    }
