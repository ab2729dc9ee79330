"""The training tables, on the same MetaData as bot.store (one database, one migration
history: bot/migrations/versions/0004_training.py creates them). Trainees are named as in
`sessions.trainee` (the account name)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, Table, Text

from bot.store import metadata

# One answer to a drill: what was said, how it was heard and whether it met the criterion.
drill_attempts = Table(
    "drill_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trainee", Text, nullable=False),
    Column("drill", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("intent", Text, nullable=False),
    Column("met", Boolean, nullable=False),
    Column("feedback", JSON(none_as_null=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_drill_attempts_trainee", "trainee"),
)

# A drill an instructor asks a trainee to practise.
drill_assignments = Table(
    "drill_assignments",
    metadata,
    Column("trainee", Text, primary_key=True),
    Column("drill", Text, primary_key=True),
    Column("assigned_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# "The client misheard me": the trainee says which move they meant; an instructor accepts
# (it becomes NLU training data after review) or rejects it.
turn_flags = Table(
    "turn_flags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Text, ForeignKey("sessions.session_id", ondelete="CASCADE"),
           nullable=False),
    Column("n", Integer, nullable=False),
    Column("trainee", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("heard", Text, nullable=False),
    Column("meant", Text, nullable=False),
    Column("note", Text, nullable=True),
    Column("status", Text, nullable=False),  # open | accepted | rejected
    Column("reviewed_by", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_turn_flags_session_id", "session_id"),
)

# An instructor's comment on one turn of a session, shown in the trainee's debrief.
turn_comments = Table(
    "turn_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Text, ForeignKey("sessions.session_id", ondelete="CASCADE"),
           nullable=False),
    Column("n", Integer, nullable=False),
    Column("author", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_turn_comments_session_id", "session_id"),
)
