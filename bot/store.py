"""Rehearsal sessions and their turns in SQL (SQLite by default, PostgreSQL by URL).

SQLAlchemy 1.4 in the 2.0 style (Core). Every public call opens its own connection and
transaction, so the store can be shared by the async action server's threads.

The store keeps scores but never computes them (bot.scoring does; bot.service and the
command line hand them over). The database URL comes from bot.config.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    create_engine,
    event,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.config import MIGRATIONS_DIR, database_url

SQLITE_BUSY_TIMEOUT_MS = 5000

# Explicit constraint names keep Alembic batch mode (SQLite table rebuilds) deterministic.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# none_as_null: Python None is stored as SQL NULL, not as the JSON literal 'null'.
sessions = Table(
    "sessions",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("persona", Text, nullable=False),
    Column("trainee", Text, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("state", JSON(none_as_null=True), nullable=False),
    Column("plan", JSON(none_as_null=True), nullable=True),
    Column("score", JSON(none_as_null=True), nullable=True),
    Column("client_ratings", JSON(none_as_null=True), nullable=True),
    Column("scorer_version", Text, nullable=True),
    # The client's closing line and its events (engine.finish); added in 0002.
    Column("closing", Text, nullable=True),
    Column("closing_events", JSON(none_as_null=True), nullable=True),
    # The client's opening line (engine.start), shown with the transcript; added in 0003.
    Column("opening", Text, nullable=True),
    Index("ix_sessions_started_at", "started_at"),
    Index("ix_sessions_trainee", "trainee"),
)

turns = Table(
    "turns",
    metadata,
    Column(
        "session_id",
        Text,
        ForeignKey("sessions.session_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("n", Integer, primary_key=True),
    Column("trainee", Text, nullable=False),
    Column("intent", Text, nullable=False),
    Column("confidence", Float, nullable=True),
    Column("entities", JSON(none_as_null=True), nullable=False),
    Column("cues", JSON(none_as_null=True), nullable=False),
    Column("client", Text, nullable=False),
    Column("client_state", JSON(none_as_null=True), nullable=False),
    Column("events", JSON(none_as_null=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A message of several moves: each part (text, intent, confidence, entities, cues), in
    # order; NULL for a message of one move. Added in 0005.
    Column("parts", JSON(none_as_null=True), nullable=True),
)


class StoreError(Exception):
    """A request the store cannot honour (the message says why)."""


class SessionExists(StoreError):
    """create_session with an id that is already taken (ended or not)."""


class SessionNotFound(StoreError, LookupError):
    """No session with that id."""


class SessionEnded(StoreError):
    """The session has ended; it takes no more turns and is never reopened."""


def default_url() -> str:
    """The configured database URL (bot.config: `REHEARSAL_DB_URL` or var/rehearsals.db)."""
    return database_url()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _utc(value: datetime) -> datetime:
    # SQLite drops the offset on write, so everything is stored and compared as UTC;
    # a naive value is taken to be UTC already.
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else _utc(value).isoformat()


def _sqlite_file(url: str) -> Path | None:
    """The database file of a sqlite URL (None for memory or other dialects)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _install_sqlite_pragmas(engine: Engine) -> None:
    # pysqlite's own transaction handling starts transactions lazily and never for DDL;
    # take over (SQLAlchemy's documented recipe) so that BEGIN IMMEDIATE is possible:
    # writers then queue on the file lock (busy_timeout) instead of failing on upgrade
    # from a read to a write lock, which is what makes add_turn's numbering atomic.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # busy_timeout first: switching to WAL needs a brief exclusive lock.
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL still survives a crash of the process; it skips the fsync
        # per commit (~4 ms, holding the action server's event loop) that only an OS
        # crash or power cut would need.
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("rehearsal_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Store:
    """Sessions and turns. Each method is one short transaction on a fresh connection."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        db_file = _sqlite_file(self.url)
        if db_file is not None:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(self.url, future=True, pool_pre_ping=True)
        self.dialect = self.engine.dialect.name
        if self.dialect == "sqlite":
            _install_sqlite_pragmas(self.engine)
        self._writer = self.engine.execution_options(rehearsal_write=True)

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()

    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to `revision`; a no-op when already there.

        Safe when several processes start at once: the whole upgrade is one transaction
        taken under SQLite's write lock (or a PostgreSQL advisory lock), so the second
        process waits, then finds the schema current.
        """
        from alembic import command

        cfg = alembic_config(self.url)
        for attempt in range(5):
            try:
                with self._writer.connect() as conn:
                    sqlite = self.dialect == "sqlite"
                    if sqlite:
                        # A batch migration rebuilds a table by DROP + RENAME; with foreign
                        # keys on, dropping `sessions` would cascade-delete every turn. The
                        # pragma only works outside a transaction, hence on the raw DBAPI
                        # connection (autocommit) before BEGIN.
                        conn.connection.execute("PRAGMA foreign_keys = OFF")
                    try:
                        with conn.begin():
                            if self.dialect == "postgresql":
                                conn.execute(text("SELECT pg_advisory_xact_lock(732001)"))
                            cfg.attributes["connection"] = conn
                            command.upgrade(cfg, revision)
                            if sqlite:
                                bad = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                                if bad:
                                    raise StoreError(f"migration broke foreign keys: {bad}")
                    finally:
                        if sqlite:
                            conn.connection.execute("PRAGMA foreign_keys = ON")
                return
            except OperationalError as exc:
                # Only a lock that outlived busy_timeout is worth another try.
                if "locked" not in str(exc).lower() or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    # -- sessions ---------------------------------------------------------------------

    def create_session(
        self,
        session_id: str,
        persona: str,
        trainee: str,
        seed: int,
        state: dict,
        *,
        started_at: datetime | None = None,
        opening: str | None = None,
    ) -> None:
        """Store a new session. Raises SessionExists if the id was ever used."""
        plan = state.get("plan") if isinstance(state.get("plan"), dict) else None
        try:
            with self._write() as conn:
                conn.execute(
                    sessions.insert().values(
                        session_id=session_id,
                        persona=persona,
                        trainee=trainee,
                        seed=int(seed),
                        started_at=_utc(started_at or utcnow()),
                        state=state,
                        plan=plan,
                        opening=opening,
                    )
                )
        except IntegrityError as exc:
            raise SessionExists(f"session {session_id!r} already exists") from exc

    def get_session(self, session_id: str) -> dict | None:
        """The session as docs/api.md's JSON (plus `seed`), or None if unknown."""
        with self._read() as conn:
            row = _session_row(conn, session_id)
            if row is None:
                return None
            rows = conn.execute(
                select(turns).where(turns.c.session_id == session_id).order_by(turns.c.n)
            ).all()
        return _session_json(row._mapping, [_turn_json(r._mapping) for r in rows])

    def get_session_row(self, session_id: str) -> dict | None:
        """The session without its turns, including the resume `state`, or None."""
        with self._read() as conn:
            row = _session_row(conn, session_id)
        if row is None:
            return None
        out = dict(row._mapping)
        out["started_at"] = _iso(out["started_at"])
        out["ended_at"] = _iso(out["ended_at"])
        return out

    def get_state(self, session_id: str) -> dict | None:
        """The latest client state dict (for resuming), or None if the session is unknown."""
        with self._read() as conn:
            return conn.execute(
                select(sessions.c.state).where(sessions.c.session_id == session_id)
            ).scalar_one_or_none()

    def update_state(self, session_id: str, state: dict, plan: dict | None) -> None:
        with self._write() as conn:
            self._lock_open(conn, session_id)
            conn.execute(
                sessions.update()
                .where(sessions.c.session_id == session_id)
                .values(state=state, plan=plan)
            )

    def end_session(
        self,
        session_id: str,
        score: dict | None,
        client_ratings: dict | None,
        state: dict,
        plan: dict | None,
        *,
        scorer_version: str | None = None,
        closing: str | None = None,
        closing_events: list[str] | None = None,
    ) -> None:
        """Mark the session ended (now) with its final state, plan, score and the client's
        closing line. Raises SessionNotFound / SessionEnded."""
        with self._write() as conn:
            self._lock_open(conn, session_id)
            conn.execute(
                sessions.update()
                .where(sessions.c.session_id == session_id)
                .values(
                    ended_at=utcnow(),
                    state=state,
                    plan=plan,
                    score=score,
                    client_ratings=client_ratings,
                    scorer_version=scorer_version if score is not None else None,
                    closing=closing,
                    closing_events=None if closing_events is None else list(closing_events),
                )
            )

    def set_score(
        self,
        session_id: str,
        score: dict,
        client_ratings: dict | None = None,
        *,
        scorer_version: str | None = None,
    ) -> None:
        """(Re-)score an ended session; client_ratings=None keeps the stored ratings."""
        values: dict[str, Any] = {"score": score, "scorer_version": scorer_version}
        if client_ratings is not None:
            values["client_ratings"] = client_ratings
        with self._write() as conn:
            ended = conn.execute(
                select(sessions.c.ended_at).where(sessions.c.session_id == session_id)
            ).first()
            if ended is None:
                raise SessionNotFound(f"no session {session_id!r}")
            if ended[0] is None:
                raise StoreError(f"session {session_id!r} has not ended; score it at the end")
            conn.execute(
                sessions.update().where(sessions.c.session_id == session_id).values(**values)
            )

    def list_sessions(
        self,
        trainee: str | None = None,
        persona: str | None = None,
        since: datetime | None = None,
    ) -> list[dict]:
        """Summaries, oldest first: id, persona, trainee, times, turn count, plan agreed."""
        n_turns = (
            select(func.count())
            .where(turns.c.session_id == sessions.c.session_id)
            .scalar_subquery()
        )
        query = select(
            sessions.c.session_id,
            sessions.c.persona,
            sessions.c.trainee,
            sessions.c.started_at,
            sessions.c.ended_at,
            sessions.c.plan,
            sessions.c.score,
            n_turns.label("turn_count"),
        ).order_by(sessions.c.started_at, sessions.c.session_id)
        if trainee is not None:
            query = query.where(sessions.c.trainee == trainee)
        if persona is not None:
            query = query.where(sessions.c.persona == persona)
        if since is not None:
            query = query.where(sessions.c.started_at >= _utc(since))
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "session_id": r.session_id,
                "persona": r.persona,
                "trainee": r.trainee,
                "started_at": _iso(r.started_at),
                "ended_at": _iso(r.ended_at),
                "turn_count": r.turn_count,
                "plan_agreed": bool((r.plan or {}).get("agreed", False)),
                "scored": r.score is not None,
            }
            for r in rows
        ]

    def count_sessions(self, since: datetime | None = None) -> int:
        query = select(func.count()).select_from(sessions)
        if since is not None:
            query = query.where(sessions.c.started_at >= _utc(since))
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def iter_sessions(self, since: datetime | None = None, batch: int = 100) -> Iterator[dict]:
        """Every session (docs/api.md JSON), oldest first, read `batch` sessions at a time.

        Keyset pagination keeps memory flat and never holds a read transaction open
        while the caller writes the output.
        """
        after: tuple[datetime, str] | None = None
        while True:
            query = (
                select(sessions)
                .order_by(sessions.c.started_at, sessions.c.session_id)
                .limit(batch)
            )
            if since is not None:
                query = query.where(sessions.c.started_at >= _utc(since))
            if after is not None:
                query = query.where(
                    or_(
                        sessions.c.started_at > after[0],
                        and_(
                            sessions.c.started_at == after[0], sessions.c.session_id > after[1]
                        ),
                    )
                )
            with self._read() as conn:
                heads = [r._mapping for r in conn.execute(query).all()]
                if not heads:
                    return
                ids = [h["session_id"] for h in heads]
                by_id: dict[str, list[dict]] = {i: [] for i in ids}
                for r in conn.execute(
                    select(turns)
                    .where(turns.c.session_id.in_(ids))
                    .order_by(turns.c.session_id, turns.c.n)
                ):
                    by_id[r.session_id].append(_turn_json(r._mapping))
            for head in heads:
                yield _session_json(head, by_id[head["session_id"]])
            last = heads[-1]
            after = (last["started_at"], last["session_id"])

    # -- turns ------------------------------------------------------------------------

    def add_turn(
        self,
        session_id: str,
        turn: dict,
        *,
        state: dict | None = None,
        plan: dict | None = None,
    ) -> int:
        """Append a turn and return its number n (1, 2, ...); committed on return.

        With `state`, the session's resume state and plan are updated in the same
        transaction, so the stored turn and the stored state never disagree.
        Raises SessionNotFound / SessionEnded.
        """
        with self._write() as conn:
            self._lock_open(conn, session_id)
            n = int(
                conn.execute(
                    select(func.coalesce(func.max(turns.c.n), 0)).where(
                        turns.c.session_id == session_id
                    )
                ).scalar_one()
            ) + 1
            conn.execute(
                turns.insert().values(
                    session_id=session_id,
                    n=n,
                    trainee=str(turn["trainee"]),
                    intent=str(turn["intent"]),
                    confidence=(
                        None if turn.get("confidence") is None else float(turn["confidence"])
                    ),
                    entities=[_entity(e) for e in turn.get("entities") or []],
                    cues=dict(turn.get("cues") or {}),
                    client=str(turn["client"]),
                    client_state=dict(turn.get("client_state") or {}),
                    events=[str(e) for e in turn.get("events") or []],
                    created_at=utcnow(),
                    parts=_parts(turn.get("parts")),
                )
            )
            if state is not None:
                conn.execute(
                    sessions.update()
                    .where(sessions.c.session_id == session_id)
                    .values(state=state, plan=plan)
                )
        return n

    def last_turn(self, session_id: str) -> dict | None:
        with self._read() as conn:
            row = conn.execute(
                select(turns)
                .where(turns.c.session_id == session_id)
                .order_by(turns.c.n.desc())
                .limit(1)
            ).first()
        return None if row is None else _turn_json(row._mapping)

    def turn_count(self, session_id: str) -> int:
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(turns.c.session_id == session_id)
                ).scalar_one()
            )

    def _lock_open(self, conn: Connection, session_id: str) -> None:
        """Lock the session row (PostgreSQL; SQLite already holds the write lock) and
        check that the session exists and has not ended."""
        row = conn.execute(
            select(sessions.c.ended_at)
            .where(sessions.c.session_id == session_id)
            .with_for_update()
        ).first()
        if row is None:
            raise SessionNotFound(f"no session {session_id!r}")
        if row[0] is not None:
            raise SessionEnded(f"session {session_id!r} has ended")


def _session_row(conn: Connection, session_id: str) -> Any:
    return conn.execute(select(sessions).where(sessions.c.session_id == session_id)).first()


def _entity(e: dict) -> dict:
    # Rasa adds extractor/processor bookkeeping; the transcript keeps the contract's keys.
    out = {"entity": str(e["entity"]), "value": str(e["value"])}
    for key in ("start", "end"):
        if e.get(key) is not None:
            out[key] = int(e[key])
    return out


def _parts(raw: Any) -> list[dict] | None:
    """The parts of a message of several moves, as given (JSON); None for one move."""
    if not isinstance(raw, list):
        return None
    parts = [dict(p) for p in raw if isinstance(p, dict)]
    for p in parts:
        if isinstance(p.get("entities"), list):
            p["entities"] = [_entity(e) for e in p["entities"]
                             if isinstance(e, dict) and "entity" in e and "value" in e]
    return parts if len(parts) > 1 else None


def _turn_json(r: Any) -> dict:
    out = {
        "n": r["n"],
        "trainee": r["trainee"],
        "intent": r["intent"],
        "confidence": r["confidence"],
        "entities": r["entities"],
        "cues": r["cues"],
        "client": r["client"],
        "client_state": r["client_state"],
        "events": r["events"],
    }
    # Only a message of several moves carries `parts` (docs/api.md).
    if r["parts"]:
        out["parts"] = r["parts"]
    return out


def _session_json(r: Any, turn_list: list[dict]) -> dict:
    return {
        "session_id": r["session_id"],
        "persona": r["persona"],
        "trainee": r["trainee"],
        "seed": r["seed"],
        "started_at": _iso(r["started_at"]),
        "ended_at": _iso(r["ended_at"]),
        "opening": r["opening"],
        "turns": turn_list,
        "plan": r["plan"],
        "score": r["score"],
        "client_ratings": r["client_ratings"],
        "closing": (
            None
            if r["closing"] is None
            else {"client": r["closing"], "events": r["closing_events"] or []}
        ),
    }


def parse_since(value: str) -> datetime:
    """YYYY-MM-DD (midnight UTC) or an ISO-8601 datetime (naive = UTC)."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), timezone.utc)
        # Python 3.10's fromisoformat does not read a trailing "Z".
        return _utc(datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value))
    except ValueError:
        raise ValueError(
            f"--since {value!r} is not a date: use YYYY-MM-DD or an ISO-8601 datetime "
            "such as 2024-05-01T09:30:00+02:00"
        ) from None


def alembic_config(url: str | None = None) -> Any:
    """An Alembic Config without alembic.ini (script location = bot/migrations).

    For hand work: `command.revision(alembic_config(), "message", autogenerate=True)`.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is ConfigParser interpolation; URLs may contain percent-encoded passwords.
    cfg.set_main_option("sqlalchemy.url", (url or default_url()).replace("%", "%%"))
    return cfg
