"""Alembic migrations of bot.store (run by `Store.upgrade()`; no alembic.ini needed)."""
