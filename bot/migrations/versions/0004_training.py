"""Drill attempts and assignments, flags on misheard turns, instructors' comments on turns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def _when() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["session_id"], ["sessions.session_id"], ondelete="CASCADE",
                                   name=f"fk_{table}_session_id_sessions")


def upgrade() -> None:
    op.create_table(
        "drill_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee", sa.Text(), nullable=False),
        sa.Column("drill", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.Text(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("feedback", sa.JSON(none_as_null=True), nullable=False),
        _when(),
        sa.PrimaryKeyConstraint("id", name="pk_drill_attempts"),
    )
    op.create_index("ix_drill_attempts_trainee", "drill_attempts", ["trainee"])
    op.create_table(
        "drill_assignments",
        sa.Column("trainee", sa.Text(), nullable=False),
        sa.Column("drill", sa.Text(), nullable=False),
        sa.Column("assigned_by", sa.Text(), nullable=False),
        _when(),
        sa.PrimaryKeyConstraint("trainee", "drill", name="pk_drill_assignments"),
    )
    op.create_table(
        "turn_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("trainee", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("heard", sa.Text(), nullable=False),
        sa.Column("meant", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        _when(),
        _session_fk("turn_flags"),
        sa.PrimaryKeyConstraint("id", name="pk_turn_flags"),
    )
    op.create_index("ix_turn_flags_session_id", "turn_flags", ["session_id"])
    op.create_table(
        "turn_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _when(),
        _session_fk("turn_comments"),
        sa.PrimaryKeyConstraint("id", name="pk_turn_comments"),
    )
    op.create_index("ix_turn_comments_session_id", "turn_comments", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_turn_comments_session_id", table_name="turn_comments")
    op.drop_table("turn_comments")
    op.drop_index("ix_turn_flags_session_id", table_name="turn_flags")
    op.drop_table("turn_flags")
    op.drop_table("drill_assignments")
    op.drop_index("ix_drill_attempts_trainee", table_name="drill_attempts")
    op.drop_table("drill_attempts")
