"""Provenance: where a piece of trade content comes from and who last checked it."""

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class ProvenanceMixin:
    """Source, issuing agency, last verification and the "illustrative" flag.

    ``is_demo`` marks content written by the portal team to show the product; pages label
    it "illustrative" wherever it appears, and it must never pass for official content.
    """

    source_url: Mapped[str | None] = mapped_column(String(500))
    issued_by: Mapped[str | None] = mapped_column(String(200))
    last_verified_on: Mapped[date | None]
    last_verified_by: Mapped[str | None] = mapped_column(String(120))
    is_demo: Mapped[bool] = mapped_column(default=False)
