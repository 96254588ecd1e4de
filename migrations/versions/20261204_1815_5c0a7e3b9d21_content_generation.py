"""Content generation: a counter every content-changing transaction moves

Revision ID: 5c0a7e3b9d21
Revises: ffdec7d59ed6
Create Date: 2026-12-04 18:15:00

The product page caches its rendered sections per generation (tradeportal/content_cache.py).
The previous release's code neither reads nor moves the counter. A content change it makes
while new processes already run (between the migration and the end of the restart) is
seen by those only at the next change or restart: finish the restart before publishing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c0a7e3b9d21"
down_revision: str | Sequence[str] | None = "ffdec7d59ed6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "content_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "value": 1}])


def downgrade() -> None:
    op.drop_table("content_generation")
