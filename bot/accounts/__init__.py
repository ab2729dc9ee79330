"""Accounts, roles and credentials: who may rehearse and who may read which transcript.

- `credentials.py`:password hashing (scrypt), API tokens, signed cookies, CSRF tokens
                 (pure functions over the standard library).
- `tables.py`:   the SQL tables (on bot.store's metadata, migrated by Alembic 0003).
- `registry.py`: `Accounts`, the operations the command line and the servers use.

Nothing here imports Rasa; the HTTP side lives in bot/rasa_ext/auth.py.
"""

from bot.accounts.registry import (
    ROLES,
    Account,
    AccountError,
    Accounts,
    WebSession,
)

__all__ = ["ROLES", "Account", "AccountError", "Accounts", "WebSession"]
