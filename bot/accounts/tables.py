"""The account tables, on the same MetaData as bot.store (one database, one migration
history: bot/migrations/versions/0003_accounts.py creates them)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
)

from bot.store import metadata

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),  # one of registry.ROLES
    Column("password_hash", Text, nullable=True),  # credentials.hash_password
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Only SHA-256 digests of tokens and session ids are stored: a copy of the database
# does not let anyone act as a user.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"),
           nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_api_tokens_account_id", "account_id"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", Text, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"),
           nullable=False),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_account_id", "account_id"),
)

# Replies already given to a turn, by the idempotency key the page sends with it: a
# turn resent after a time-out gets the stored reply instead of being stored twice.
turn_replies = Table(
    "turn_replies",
    metadata,
    Column("sender", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"),
           nullable=False),
    Column("reply", JSON(none_as_null=True), nullable=True),  # None while being answered
    Column("created_at", DateTime(timezone=True), nullable=False),
)
