"""A Rasa lock store in a SQLite file, so that one machine can run several Rasa workers.

Why: Rasa answers one conversation's messages in order by taking a per-conversation
"ticket lock". Its in-memory lock store only works inside one process, and Rasa
refuses to start more than one Sanic worker (`SANIC_WORKERS`) with it; its other
lock store needs a Redis server. The embedded mode (`make run`) has no services, but
a Rasa server is single-threaded and spends most of a turn on the CPU, so on a
2-core machine a second worker nearly doubles what it can answer. This store keeps
the same ticket locks (Rasa's own `TicketLock`, serialised as Rasa's Redis store
does) in a small SQLite file that every worker of the machine opens.

Named in endpoints.yml:

    lock_store:
      type: bot.rasa_ext.lock_store.SQLiteLockStore
      db: var/locks.db

Each read-modify-write of a lock (issuing a ticket, finishing one) runs in one
`BEGIN IMMEDIATE` transaction, so two workers never hand out the same ticket. The
file holds only live locks (a few rows); losing it loses nothing but locks, so it
is written without waiting for the disk (`synchronous = OFF`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

DEFAULT_DB = "var/locks.db"
BUSY_TIMEOUT_S = 10.0
# Rasa waits this long between tries for a lock another message of the same
# conversation holds (Rasa's default is 1 s: a trainee's resent turn would wait a
# whole second for the first one to finish).
RETRY_WAIT_S = 0.05

T = TypeVar("T")


class SQLiteLockStore(LockStore):
    """Rasa's ticket locks, shared by every process that opens the same SQLite file."""

    def __init__(self, endpoint_config: EndpointConfig | None = None,
                 db: str | Path | None = None) -> None:
        # Rasa builds a custom lock store as `cls(endpoint_config=...)`; `db` is the only
        # key of the endpoint this store reads.
        if db is None:
            db = (endpoint_config.kwargs.get("db") if endpoint_config else None) or DEFAULT_DB
        self.path = Path(db)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS locks ("
                " conversation_id TEXT PRIMARY KEY, lock TEXT NOT NULL)"
            )
        super().__init__()

    # -- the connection: one per process and thread, opened after any fork -----------------

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        owner: int | None = getattr(self._local, "pid", None)
        if conn is None or owner != os.getpid():
            # A connection must not cross a fork (Sanic starts its workers by forking
            # the process that built this store).
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- LockStore's storage primitives ---------------------------------------------------

    @staticmethod
    def _read(conn: sqlite3.Connection, conversation_id: str) -> TicketLock | None:
        row = conn.execute(
            "SELECT lock FROM locks WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    @staticmethod
    def _write(conn: sqlite3.Connection, lock: TicketLock) -> None:
        conn.execute(
            "INSERT INTO locks (conversation_id, lock) VALUES (?, ?) "
            "ON CONFLICT (conversation_id) DO UPDATE SET lock = excluded.lock",
            (lock.conversation_id, lock.dumps()),
        )

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self._read(self._connection(), conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        cur = self._connection().execute(
            "DELETE FROM locks WHERE conversation_id = ?", (conversation_id,)
        )
        self._log_deletion(conversation_id, cur.rowcount > 0)

    def save_lock(self, lock: TicketLock) -> None:
        with self._transaction() as conn:
            self._write(conn, lock)

    # -- the read-modify-write steps, each atomic across processes ----------------------

    def _update(self, conversation_id: str, change: Callable[[TicketLock | None], T]) -> T:
        with self._transaction() as conn:
            lock = self._read(conn, conversation_id)
            result = change(lock)
            if lock is not None:
                if lock.tickets:
                    self._write(conn, lock)
                else:
                    conn.execute("DELETE FROM locks WHERE conversation_id = ?",
                                 (conversation_id,))
            return result

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            with self._transaction() as conn:
                lock = self._read(conn, conversation_id) or self.create_lock(conversation_id)
                ticket = lock.issue_ticket(lock_lifetime)
                self._write(conn, lock)
                return ticket
        except Exception as e:  # Rasa's own contract: any failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> None:
            if lock is not None:
                lock.remove_expired_tickets()

        self._update(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def drop_ticket(lock: TicketLock | None) -> None:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)

        self._update(conversation_id, drop_ticket)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving deletes the row when no ticket is left, which is Rasa's
        # "remove the lock if no one is waiting", in the same transaction.
        self.finish_serving(conversation_id, ticket_number)

    async def _acquire_lock(self, conversation_id: str, ticket: int,
                            wait_time_in_seconds: float) -> TicketLock:
        return await super()._acquire_lock(
            conversation_id, ticket, min(wait_time_in_seconds, RETRY_WAIT_S))

    def locks(self) -> dict[str, Any]:
        """Every live lock (for tests and for looking at a stuck conversation)."""
        rows = self._connection().execute("SELECT conversation_id, lock FROM locks")
        return {cid: json.loads(lock) for cid, lock in rows}
