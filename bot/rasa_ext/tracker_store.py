"""Rasa's SQL tracker store, with SQLite set up for a server that answers many turns.

Named in endpoints.yml (`type: bot.rasa_ext.tracker_store.RehearsalTrackerStore`);
PostgreSQL (cluster mode) is used exactly as by Rasa's own SQLTrackerStore.

Rasa opens its SQLite file in the default rollback-journal mode with full
syncing: every tracker save waits for several fsyncs, and since the store is
called synchronously it holds up every other conversation on the server while
it waits (about 4 ms an fsync on these disks). Here the file uses WAL with
`synchronous = NORMAL`: a commit survives a crash of the server process, only
an operating-system crash or power cut can lose the last ones. The tracker is
the less important copy anyway: the transcript store (bot/store.py) keeps the
client's state too, and wins when it has seen more turns (bot/service.py).
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import event

SQLITE_BUSY_TIMEOUT_MS = 10_000


class RehearsalTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before the listener start afresh


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()
