"""Alembic environment for bot.store.

`Store.upgrade()` hands over an open connection inside its own (locked) transaction via
`config.attributes["connection"]`; otherwise the URL from the config is used, which is
what `alembic_config(url)` sets for hand-run commands.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import bot.accounts.tables  # noqa: F401 - the account tables join the metadata
import bot.training.tables  # noqa: F401 - the training tables join the metadata
from bot.store import metadata

config = context.config


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        # bot.store drives SQLite transactions itself (BEGIN [IMMEDIATE]), so DDL is
        # transactional there too and a failed migration leaves nothing half-done.
        transactional_ddl=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
