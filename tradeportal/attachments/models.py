"""An uploaded document: the row describes it, the bytes live in the attachment folder."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradeportal.attachments.sniffing import DOCUMENT_TYPES, TYPE_BY_MEDIA_TYPE, DocumentType
from tradeportal.auth.models import User
from tradeportal.db import Base, UtcDateTime, utcnow

MAX_TITLE_LENGTH = 200
MAX_FILENAME_LENGTH = 150
_MEDIA_TYPES = ", ".join(f"'{kind.media_type}'" for kind in DOCUMENT_TYPES)


class Attachment(Base):
    """A form or document editors uploaded once, to link from regulations and pages.

    Content-addressed: ``sha256`` names the stored bytes, so the same file uploaded twice
    is one attachment. Never deleted: ``withdrawn_at`` makes its address answer 410 Gone.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(MAX_FILENAME_LENGTH))
    title: Mapped[str] = mapped_column(String(MAX_TITLE_LENGTH))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    uploaded_by: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint(f"media_type IN ({_MEDIA_TYPES})", name="media_type_is_accepted"),
        CheckConstraint("size_bytes > 0", name="size_is_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_is_64_hex_digits"),
    )

    @property
    def document_type(self) -> DocumentType:
        return TYPE_BY_MEDIA_TYPE[self.media_type]

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def size_label(self) -> str:
        """Return the size for people: "840 bytes", "12.5 KiB", "3.2 MiB"."""
        if self.size_bytes < 1024:
            return f"{self.size_bytes:,} bytes"
        if self.size_bytes < 1024 * 1024:
            return f"{self.size_bytes / 1024:,.1f} KiB"
        return f"{self.size_bytes / 1024 / 1024:,.1f} MiB"

    def audit_target(self) -> tuple[str, str, str]:
        return ("attachment", str(self.id), self.title)

    def __repr__(self) -> str:
        state = ", withdrawn" if self.is_withdrawn else ""
        return f"<Attachment {self.id} {self.filename} {self.sha256[:12]}{state}>"
