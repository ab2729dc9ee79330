"""Sessions and turns.

Revision ID: 0001
Revises:
Create Date: 2024-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def _json() -> sa.JSON:
    # Python None is SQL NULL (matches bot.store).
    return sa.JSON(none_as_null=True)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("persona", sa.Text(), nullable=False),
        sa.Column("trainee", sa.Text(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", _json(), nullable=False),
        sa.Column("plan", _json(), nullable=True),
        sa.Column("score", _json(), nullable=True),
        sa.Column("client_ratings", _json(), nullable=True),
        sa.Column("scorer_version", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("session_id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_started_at", "sessions", ["started_at"])
    op.create_index("ix_sessions_trainee", "sessions", ["trainee"])
    op.create_table(
        "turns",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("trainee", sa.Text(), nullable=False),
        sa.Column("intent", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("entities", _json(), nullable=False),
        sa.Column("cues", _json(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("client_state", _json(), nullable=False),
        sa.Column("events", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.session_id"],
            name="fk_turns_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "n", name="pk_turns"),
    )


def downgrade() -> None:
    op.drop_table("turns")
    op.drop_index("ix_sessions_trainee", table_name="sessions")
    op.drop_index("ix_sessions_started_at", table_name="sessions")
    op.drop_table("sessions")
