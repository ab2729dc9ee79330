"""The Rasa-side stores that let several Rasa workers share one machine's files.

- SQLiteLockStore: Rasa's ticket locks in a SQLite file, the same tickets and order as
  Rasa's in-memory store, shared by every process that opens the file.
- RehearsalTrackerStore: trackers kept in memory between turns, used only while the
  database holds nothing newer; what it writes is what Rasa's SQLTrackerStore writes.

Real SQLite files and real processes; no Rasa server needed.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
from pathlib import Path

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.rasa_ext.lock_store import SQLiteLockStore
from bot.rasa_ext.tracker_store import RehearsalTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet]
slots:
  client_state:
    type: any
    mappings: [{type: custom}]
"""
)


# -- lock store -------------------------------------------------------------------------


def test_tickets_are_issued_and_served_in_order_like_rasas_own(tmp_path: Path) -> None:
    ours, rasas = SQLiteLockStore(db=tmp_path / "locks.db"), InMemoryLockStore()
    for store in (ours, rasas):
        first = store.issue_ticket("c1")
        second = store.issue_ticket("c1")
        lock = store.get_lock("c1")
        assert lock is not None
        assert (first, second) == (0, 1)
        assert not lock.is_locked(first) and lock.is_locked(second)
        store.cleanup("c1", first)
        lock = store.get_lock("c1")
        assert lock is not None and not lock.is_locked(second)
        store.cleanup("c1", second)
        assert store.get_lock("c1") is None  # nobody waiting: the lock is gone


def test_a_second_worker_waits_for_the_first(tmp_path: Path) -> None:
    """Two stores on one file (two workers): the second message of a conversation is
    answered only after the first one is done, and other conversations never wait."""
    worker_a = SQLiteLockStore(db=tmp_path / "locks.db")
    worker_b = SQLiteLockStore(db=tmp_path / "locks.db")
    order: list[str] = []

    async def handle(store: SQLiteLockStore, conversation: str, name: str,
                     hold: float) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    async def main() -> None:
        first = asyncio.create_task(handle(worker_a, "c1", "first", 0.2))
        await asyncio.sleep(0.02)
        second = asyncio.create_task(handle(worker_b, "c1", "second", 0.0))
        other = asyncio.create_task(handle(worker_b, "c2", "other", 0.0))
        await asyncio.gather(first, second, other)

    asyncio.run(main())
    assert order.index("second in") > order.index("first out")
    assert order.index("other out") < order.index("first out")
    assert worker_a.locks() == {}


def _issue_many(db: str, n: int, queue: multiprocessing.Queue) -> None:
    store = SQLiteLockStore(db=db)
    queue.put([store.issue_ticket("shared") for _ in range(n)])


def test_processes_never_get_the_same_ticket(tmp_path: Path) -> None:
    db = str(tmp_path / "locks.db")
    SQLiteLockStore(db=db)  # the table exists before both start
    ctx = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue = ctx.Queue()
    procs = [ctx.Process(target=_issue_many, args=(db, 100, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    tickets = queue.get(timeout=60) + queue.get(timeout=60)
    for p in procs:
        p.join(timeout=30)
    assert sorted(tickets) == list(range(200))


def test_store_is_built_from_endpoints_yml_as_rasa_builds_it(tmp_path: Path) -> None:
    from rasa.core.lock_store import LockStore
    from rasa.core.utils import number_of_sanic_workers
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig(type="bot.rasa_ext.lock_store.SQLiteLockStore",
                            db=str(tmp_path / "var" / "locks.db"))
    store = LockStore.create(config)
    assert isinstance(store, SQLiteLockStore)
    assert store.path == tmp_path / "var" / "locks.db" and store.path.exists()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANIC_WORKERS", "2")
        assert number_of_sanic_workers(config) == 2  # Rasa allows several workers with it


# -- tracker store ---------------------------------------------------------------------


def _store(path: Path) -> RehearsalTrackerStore:
    return RehearsalTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))


def _turn(tracker: DialogueStateTracker, text_: str, n: int) -> None:
    tracker.update(UserUttered(text_, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_client_reply"))
    tracker.update(SlotSet("client_state", {"turn": n}))
    tracker.update(ActionExecuted("action_listen"))


def _rows(db: Path) -> list[tuple[str, str, str | None, str | None, dict]]:
    engine = create_engine(f"sqlite:///{db}", future=True)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT sender_id, type_name, intent_name, action_name, data FROM events ORDER BY id"
        )).all()
    engine.dispose()
    out = []
    for sender, type_name, intent, action, data in rows:
        event = json.loads(data)
        event.pop("timestamp", None)
        out.append((sender, type_name, intent, action, event))
    return out


def test_rows_written_are_rasas_own(tmp_path: Path) -> None:
    """The same turns saved by Rasa's SQLTrackerStore and by ours: the same rows."""

    async def run(store: SQLTrackerStore) -> None:
        tracker = await store.get_or_create_tracker("s1")
        for n in range(3):
            tracker = await store.get_or_create_tracker("s1")
            _turn(tracker, f"hello {n}", n)
            await store.save(tracker)

    asyncio.run(run(SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "a.db"))))
    asyncio.run(run(_store(tmp_path / "b.db")))
    assert _rows(tmp_path / "a.db") == _rows(tmp_path / "b.db")
    assert len(_rows(tmp_path / "b.db")) == 13  # the first action_listen and 3 turns of 4


def test_kept_tracker_is_used_while_nothing_newer_is_stored(tmp_path: Path) -> None:
    async def run() -> None:
        store = _store(tmp_path / "t.db")
        tracker = await store.get_or_create_tracker("s1")
        _turn(tracker, "hi", 1)
        await store.save(tracker)
        again = await store.retrieve("s1")
        assert again is tracker  # no rebuild from the events

        # Another worker answers the next turn through the same database.
        other = _store(tmp_path / "t.db")
        theirs = await other.retrieve("s1")
        assert theirs is not None and theirs is not tracker
        _turn(theirs, "second", 2)
        await other.save(theirs)

        fresh = await store.retrieve("s1")
        assert fresh is not None and fresh is not tracker
        assert fresh.get_slot("client_state") == {"turn": 2}
        assert [e.text for e in fresh.events if isinstance(e, UserUttered)] == ["hi", "second"]

    asyncio.run(run())


def test_a_turn_that_failed_before_saving_is_not_kept(tmp_path: Path) -> None:
    async def run() -> None:
        store = _store(tmp_path / "t.db")
        tracker = await store.get_or_create_tracker("s1")
        _turn(tracker, "hi", 1)
        await store.save(tracker)
        # A turn that changed the tracker and then failed: never saved.
        (await store.retrieve("s1")).update(UserUttered("lost", {"name": "greet"}))
        again = await store.retrieve("s1")
        assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hi"]
        _turn(again, "next", 2)
        await store.save(again)
        assert [e[4].get("text") for e in _rows(tmp_path / "t.db")
                if e[1] == "user"] == ["hi", "next"]

    asyncio.run(run())


def test_a_new_rasa_session_is_read_from_the_database(tmp_path: Path) -> None:
    """After a SessionStarted, Rasa's tracker holds only the new session's events."""

    async def run() -> None:
        store = _store(tmp_path / "t.db")
        tracker = await store.get_or_create_tracker("s1")
        _turn(tracker, "old session", 1)
        await store.save(tracker)
        tracker = await store.retrieve("s1")
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        _turn(tracker, "new session", 2)
        await store.save(tracker)
        fresh = await store.retrieve("s1")
        assert fresh is not tracker
        assert [e.text for e in fresh.events if isinstance(e, UserUttered)] == ["new session"]

    asyncio.run(run())
