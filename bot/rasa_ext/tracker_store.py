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

Trackers last used are also kept in memory (`TrackerCache`): Rasa rebuilds the tracker
from every stored event of the conversation for each message (decoding each event,
then replaying it), which grows with the rehearsal and was the second-largest cost of
a turn after the NLU (bench/profile-report.txt). A kept tracker is used only while it
is certainly current: the highest event id stored for the conversation is the one this
process last wrote or read (one indexed query), and nothing was added to the tracker
since without being saved (a turn that failed half-way). Otherwise the tracker is read
from the database as Rasa does, so several Rasa workers or replicas sharing the
database stay correct: a turn answered by another one is seen by its new event id.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import event, func, select

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Trackers kept per process: a cohort's conversations, not every one ever held.
CACHED_TRACKERS = 2_000


@dataclass
class CachedTracker:
    tracker: DialogueStateTracker
    stored_events: int  # how many of tracker.events are in the database
    last_event_id: int | None  # the conversation's highest event id when last read or written


class TrackerCache:
    """The trackers this process used last, least recently used dropped first."""

    def __init__(self, size: int = CACHED_TRACKERS) -> None:
        self.size = size
        self._entries: OrderedDict[str, CachedTracker] = OrderedDict()

    def get(self, sender_id: str) -> CachedTracker | None:
        entry = self._entries.get(sender_id)
        if entry is not None:
            self._entries.move_to_end(sender_id)
        return entry

    def put(self, sender_id: str, entry: CachedTracker) -> None:
        self._entries[sender_id] = entry
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)


class RehearsalTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before the listener start afresh
        self.cache = TrackerCache()

    def _cache_usable(self) -> bool:
        # With an event broker Rasa diffs the saved tracker against a freshly retrieved
        # one to find the new events; a kept tracker would be the same object.
        return self.event_broker is None

    def _last_event_id(self, session: Any, sender_id: str) -> int | None:
        return session.execute(
            select(func.max(self.SQLEvent.id)).where(self.SQLEvent.sender_id == sender_id)
        ).scalar()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if not self._cache_usable():
            return await super().retrieve(sender_id)
        entry = self.cache.get(sender_id)
        with self.session_scope() as session:
            last_id = self._last_event_id(session, sender_id)
        if (entry is not None and last_id is not None and entry.last_event_id == last_id
                and len(entry.tracker.events) == entry.stored_events):
            return entry.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            self.cache.drop(sender_id)
        else:
            self.cache.put(sender_id, CachedTracker(tracker, len(tracker.events), last_id))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not self._cache_usable():
            await super().save(tracker)
            return
        sender_id = tracker.sender_id
        entry = self.cache.get(sender_id)
        with self.session_scope() as session:
            if (entry is not None and entry.tracker is tracker
                    and self._last_event_id(session, sender_id) == entry.last_event_id):
                new_events = list(tracker.events)[entry.stored_events:]
            else:  # Rasa's way: count what is stored since the session started
                new_events = list(self._additional_events(session, tracker))
            rows = [self._row(sender_id, e) for e in new_events]
            session.add_all(rows)
            session.flush()  # the ids, read before the commit expires the rows
            last_id = max((r.id for r in rows), default=None)
            session.commit()
        if any(isinstance(e, SessionStarted) for e in new_events):
            # A new Rasa session: the database's view of the tracker starts there, the
            # kept one does not, so the next retrieve reads it afresh.
            self.cache.drop(sender_id)
        elif last_id is not None or entry is not None:
            if last_id is None:
                last_id = entry.last_event_id if entry else None
            self.cache.put(sender_id, CachedTracker(tracker, len(tracker.events), last_id))

    def _row(self, sender_id: str, e: Any) -> Any:
        # The same columns as Rasa's SQLTrackerStore.save writes.
        data = e.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=e.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()
