"""The client's closing line and its events on the session.

Revision ID: 0002
Revises: 0001
Create Date: 2024-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("closing", sa.Text(), nullable=True))
        batch.add_column(sa.Column("closing_events", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("closing_events")
        batch.drop_column("closing")
