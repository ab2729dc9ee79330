"""bot.store against real SQLite files (and a throwaway PostgreSQL when installed)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot import store as store_mod
from bot.store import (
    SessionEnded,
    SessionExists,
    SessionNotFound,
    Store,
    StoreError,
    alembic_config,
    metadata,
)

ROOT = Path(__file__).resolve().parent.parent
API_SESSION_KEYS = {
    "session_id", "persona", "trainee", "started_at", "ended_at", "turns", "plan", "score",
    "client_ratings",
}
API_TURN_KEYS = {
    "n", "trainee", "intent", "confidence", "entities", "cues", "client", "client_state",
    "events",
}


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(sqlite_url(tmp_path / "rehearsals.db"))
    s.upgrade()
    yield s
    s.dispose()


def make_turn(i: int) -> dict:
    return {
        "trainee": f"How did the walk go last week? ({i})",
        "intent": "review_plan",
        "confidence": 0.93,
        # Rasa's bookkeeping keys must not reach the transcript.
        "entities": [
            {"entity": "day", "value": "Monday", "start": 3, "end": 9, "extractor": "Spacy"}
        ],
        "cues": {"question": "open", "directive": False, "homework_term": False,
                 "collaborative": True, "tentative": False},
        "client": f"I walked twice. ({i})",
        "client_state": {"trust": 0.55, "phase": "review", "turn": i},
        "events": ["phase:review", f"barrier_disclosed:b{i}"],
    }


PLAN = {"agreed": True, "activity": "walk", "day": "Monday", "time_of_day": "morning",
        "place": "park", "duration": "10 minutes", "frequency": "once", "person": None}
SCORE = {"dimensions": {"D1": {"score": 4, "evidence": [{"turn": 1, "quote": "How did"}],
                               "missing": "let the client state what they learned"}},
         "rollups": {"review": 4.0}, "caps": [], "plan_agreed": True}
RATINGS = {"items": {"rationale": 3, "specific": 2}, "comment": "It felt doable."}


def round_trip(s: Store) -> None:
    """Shared by the SQLite and PostgreSQL tests: store a session, read back docs/api.md JSON."""
    start = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    s.create_session("rt-1", "maya", "t01", 42, {"turn": 0, "plan": {"agreed": False}},
                     started_at=start, opening="(sits down) Hi.")
    assert s.add_turn("rt-1", make_turn(1)) == 1
    assert s.add_turn("rt-1", make_turn(2), state={"turn": 2}, plan={"agreed": False}) == 2
    assert s.get_state("rt-1") == {"turn": 2}

    before = s.get_session("rt-1")
    assert before is not None
    assert before["score"] is None and before["client_ratings"] is None
    assert before["ended_at"] is None

    s.end_session("rt-1", SCORE, RATINGS, {"turn": 3}, PLAN, scorer_version="rubric-test",
                  closing="OK. See you next week.", closing_events=["plan_agreed"])
    got = s.get_session("rt-1")
    assert got is not None
    assert API_SESSION_KEYS <= set(got)
    assert set(got) - API_SESSION_KEYS == {"seed", "opening", "closing"}
    assert got["opening"] == "(sits down) Hi."
    expected_turns = []
    for n in (1, 2):
        t = make_turn(n)
        t["n"] = n
        t["entities"] = [{"entity": "day", "value": "Monday", "start": 3, "end": 9}]
        expected_turns.append(t)
    assert got["turns"] == expected_turns
    assert all(set(t) == API_TURN_KEYS for t in got["turns"])
    assert got["started_at"] == "2024-05-01T07:30:00+00:00"
    ended = datetime.fromisoformat(got["ended_at"])
    assert ended.tzinfo is not None
    assert abs(ended - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert (got["session_id"], got["persona"], got["trainee"], got["seed"]) == (
        "rt-1", "maya", "t01", 42)
    assert got["plan"] == PLAN
    assert got["score"] == SCORE
    assert got["client_ratings"] == RATINGS
    assert got["closing"] == {"client": "OK. See you next week.", "events": ["plan_agreed"]}
    assert s.get_state("rt-1") == {"turn": 3}
    assert s.get_session_row("rt-1")["scorer_version"] == "rubric-test"


def concurrent_turns(s: Store, other: Store, threads: int = 6, each: int = 8) -> None:
    """Threads on two Store objects (two connection pools) append to one session."""
    s.create_session("race", "maya", "t01", 1, {})
    got: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def work(k: int) -> None:
        target = s if k % 2 else other
        barrier.wait()
        for i in range(each):
            try:
                n = target.add_turn("race", make_turn(k * 100 + i))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
                return
            with lock:
                got.append(n)

    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    total = threads * each
    assert sorted(got) == list(range(1, total + 1))
    assert s.turn_count("race") == total
    session = s.get_session("race")
    assert [t["n"] for t in session["turns"]] == list(range(1, total + 1))
    # Each turn's text belongs to the number that add_turn handed back.
    assert len({t["trainee"] for t in session["turns"]}) == total
    assert s.last_turn("race")["n"] == total


def schema_diff(s: Store) -> list:
    with s.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, metadata)


# -- SQLite -----------------------------------------------------------------------------


def test_round_trip_matches_api_shape(store: Store) -> None:
    round_trip(store)


def test_a_turn_of_several_moves_keeps_its_parts(store: Store) -> None:
    store.create_session("parts-1", "maya", "t01", 1, {"turn": 0})
    turn = make_turn(1)
    turn["trainee"] = "That sounds exhausting. What got in the way?"
    turn["intent"] = "explore_barriers"
    turn["parts"] = [
        {"text": "That sounds exhausting.", "intent": "reflect", "confidence": 0.88,
         "entities": [], "cues": {"question": "none"}},
        {"text": "What got in the way?", "intent": "explore_barriers", "confidence": 0.91,
         "entities": [{"entity": "day", "value": "Monday", "start": 0, "end": 6,
                       "extractor": "Spacy"}],
         "cues": {"question": "open"}},
    ]
    store.add_turn("parts-1", turn)
    one_move = make_turn(2)
    one_move["parts"] = [{"text": one_move["trainee"], "intent": "review_plan"}]
    store.add_turn("parts-1", one_move)
    got = store.get_session("parts-1")["turns"]
    assert [p["intent"] for p in got[0]["parts"]] == ["reflect", "explore_barriers"]
    assert got[0]["parts"][1]["entities"] == [
        {"entity": "day", "value": "Monday", "start": 0, "end": 6}]  # no Rasa bookkeeping
    assert got[0]["intent"] == "explore_barriers"
    # A message of one move has no parts: the turn itself is the move.
    assert "parts" not in got[1] and set(got[1]) == API_TURN_KEYS
    assert next(store.iter_sessions())["turns"][0]["parts"] == got[0]["parts"]


def test_unknown_session(store: Store) -> None:
    assert store.get_session("nope") is None
    assert store.get_session_row("nope") is None
    assert store.get_state("nope") is None
    assert store.last_turn("nope") is None
    assert store.turn_count("nope") == 0
    with pytest.raises(SessionNotFound):
        store.add_turn("nope", make_turn(1))
    with pytest.raises(SessionNotFound):
        store.end_session("nope", None, None, {}, None)
    with pytest.raises(SessionNotFound):
        store.update_state("nope", {}, None)


def test_concurrent_add_turn_numbers_are_unique(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "race.db")
    a, b = Store(url), Store(url)
    a.upgrade()
    try:
        concurrent_turns(a, b)
    finally:
        a.dispose()
        b.dispose()


def test_sqlite_pragmas(store: Store, tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / "rehearsals.db")
    try:
        # journal_mode is a property of the file, so a plain connection sees it too.
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(IntegrityError):
            conn.execute(
                store_mod.turns.insert().values(
                    session_id="ghost", n=1, trainee="x", intent="greet", entities=[], cues={},
                    client="y", client_state={}, events=[],
                    created_at=datetime.now(timezone.utc),
                )
            )


def test_session_exists(store: Store) -> None:
    store.create_session("dup", "maya", "t01", 1, {})
    with pytest.raises(SessionExists):
        store.create_session("dup", "leo", "t02", 2, {})
    assert store.get_session("dup")["persona"] == "maya"
    # Even after the session ended the id is never reused.
    store.end_session("dup", None, None, {}, None)
    with pytest.raises(SessionExists):
        store.create_session("dup", "maya", "t01", 1, {})


def test_end_session_closes_it(store: Store) -> None:
    store.create_session("e", "maya", "t01", 1, {"plan": {"agreed": False}})
    assert store.get_session("e")["plan"] == {"agreed": False}
    store.add_turn("e", make_turn(1))
    store.update_state("e", {"turn": 1}, {"agreed": False, "activity": "walk"})
    assert store.get_session("e")["plan"] == {"agreed": False, "activity": "walk"}
    with pytest.raises(StoreError):
        store.set_score("e", SCORE)  # not ended: scores exist only for ended sessions
    store.end_session("e", None, None, {"turn": 2}, {"agreed": False})
    s = store.get_session("e")
    assert s["ended_at"] is not None and s["score"] is None and s["client_ratings"] is None
    with pytest.raises(SessionEnded):
        store.add_turn("e", make_turn(2))
    with pytest.raises(SessionEnded):
        store.end_session("e", SCORE, RATINGS, {}, None)
    with pytest.raises(SessionEnded):
        store.update_state("e", {}, None)
    assert store.turn_count("e") == 1
    # A late re-score fills in what scoring could not do at the end.
    store.set_score("e", SCORE, RATINGS, scorer_version="v2")
    s = store.get_session("e")
    assert (s["score"], s["client_ratings"]) == (SCORE, RATINGS)
    store.set_score("e", {"dimensions": {}})  # ratings=None keeps the stored ratings
    assert store.get_session("e")["client_ratings"] == RATINGS


def test_list_and_iter_sessions(store: Store) -> None:
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for i in range(7):
        store.create_session(f"s{i}", "maya" if i % 2 else "leo", f"t{i % 3}", i, {},
                             started_at=base + timedelta(days=i))
        for k in range(i % 3):
            store.add_turn(f"s{i}", make_turn(k))
    listed = store.list_sessions()
    assert [s["session_id"] for s in listed] == [f"s{i}" for i in range(7)]
    assert [s["turn_count"] for s in listed] == [i % 3 for i in range(7)]
    assert {s["session_id"] for s in store.list_sessions(trainee="t1")} == {"s1", "s4"}
    assert {s["session_id"] for s in store.list_sessions(persona="maya")} == {"s1", "s3", "s5"}
    since = base + timedelta(days=3)
    assert [s["session_id"] for s in store.list_sessions(since=since)] == ["s3", "s4", "s5", "s6"]
    # A since with an offset means the same instant: 03:00+02:00 == 01:00 UTC on day 3.
    plus2 = datetime(2024, 1, 4, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    assert store.list_sessions(since=plus2)[0]["session_id"] == "s3"

    # Batches smaller than the data exercise the keyset pagination.
    streamed = list(store.iter_sessions(batch=2))
    assert [s["session_id"] for s in streamed] == [f"s{i}" for i in range(7)]
    assert streamed == [store.get_session(f"s{i}") for i in range(7)]
    assert [s["session_id"] for s in store.iter_sessions(since=since, batch=3)] == [
        "s3", "s4", "s5", "s6"]
    assert store.count_sessions() == 7 and store.count_sessions(since) == 4


def test_same_start_time_pagination(store: Store) -> None:
    same = datetime(2024, 2, 1, tzinfo=timezone.utc)
    for i in range(5):
        store.create_session(f"x{i}", "maya", "t", i, {}, started_at=same)
    assert [s["session_id"] for s in store.iter_sessions(batch=2)] == [f"x{i}" for i in range(5)]


def test_default_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REHEARSAL_DB_URL", raising=False)
    assert store_mod.default_url() == f"sqlite:///{ROOT / 'var' / 'rehearsals.db'}"
    target = tmp_path / "sub" / "dir" / "env.db"
    monkeypatch.setenv("REHEARSAL_DB_URL", sqlite_url(target))
    s = Store()
    try:
        s.upgrade()
        assert target.exists()  # missing parent directories were created
    finally:
        s.dispose()


# -- migrations --------------------------------------------------------------------------


def test_upgrade_from_0001_keeps_data(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "old.db")
    s = Store(url)
    # Build the database as revision 0001 left it and put a session with turns in it.
    with s.engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with s.engine.begin() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(sessions)")}
        assert "closing" not in cols
        conn.execute(
            text("INSERT INTO sessions (session_id, persona, trainee, seed, started_at, state, "
                 "plan) VALUES ('old', 'maya', 't01', 7, '2024-03-01 10:00:00.000000', "
                 "'{\"turn\": 2}', '{\"agreed\": true}')")
        )
        for n in (1, 2):
            conn.execute(
                text("INSERT INTO turns (session_id, n, trainee, intent, confidence, entities, "
                     "cues, client, client_state, events, created_at) VALUES ('old', :n, 'hi', "
                     "'greet', 0.5, '[]', '{}', 'hello', '{}', '[\"phase:review\"]', "
                     "'2024-03-01 10:00:00.000000')"),
                {"n": n},
            )
    s.upgrade()
    s.upgrade()  # second run is a no-op
    with s.engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    # The newest migration (whatever it is now), reached from 0001 step by step.
    assert head == [ScriptDirectory.from_config(alembic_config(url)).get_current_head()]
    assert head != ["0001"]
    old = s.get_session("old")
    assert old["started_at"] == "2024-03-01T10:00:00+00:00"
    assert [t["n"] for t in old["turns"]] == [1, 2]
    assert old["turns"][0]["events"] == ["phase:review"]
    assert old["plan"] == {"agreed": True} and old["closing"] is None
    assert old["opening"] is None  # sessions from before 0003 have no stored opening
    # The migrated schema is exactly the store's metadata (an `alembic check`).
    assert schema_diff(s) == []
    # And the upgraded database works as a new one would.
    assert s.add_turn("old", make_turn(3)) == 3
    s.dispose()


def test_upgrade_is_idempotent_and_matches_metadata(store: Store) -> None:
    store.create_session("keep", "maya", "t01", 1, {})
    store.add_turn("keep", make_turn(1))
    before = store.get_session("keep")
    store.upgrade()
    assert store.get_session("keep") == before
    assert schema_diff(store) == []


def test_parallel_upgrade_from_processes(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "fresh.db")
    code = "import sys; from bot.store import Store; Store(sys.argv[1]).upgrade()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [rc for rc, _ in results] == [0, 0, 0, 0], results
    s = Store(url)
    try:
        assert schema_diff(s) == []
        with s.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        s.dispose()


# -- PostgreSQL (optional) ----------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return Path(dirs[-1]) if dirs and Path(dirs[-1], "initdb").exists() else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.skip("psycopg2 is not installed in the venv")
    prefix: list[str] = []
    # initdb refuses to run as root; run the server as the postgres user then. pytest's
    # tmp_path lives under a root-only directory, so use a world-traversable temp dir.
    base = Path(tempfile.mkdtemp(prefix="rehearsal-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        import pwd

        try:
            pg_user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            pytest.skip("running as root and there is no 'postgres' user for initdb")
        os.chown(base, pg_user.pw_uid, pg_user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run(prefix + list(args), check=True, capture_output=True, timeout=120)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "rehearsal",
            "--no-sync", "-E", "UTF8")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
            "-o", f"-p {port} -k {base} -c listen_addresses='' -c fsync=off", "start")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"could not start a throwaway PostgreSQL: {exc.stderr!r}")
    try:
        yield f"postgresql+psycopg2://rehearsal@/postgres?host={base}&port={port}"
    finally:
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                 "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def test_postgresql_round_trip(pg_url: str) -> None:
    s, other = Store(pg_url), Store(pg_url)
    try:
        s.upgrade()
        other.upgrade()  # already at head: no-op
        assert s.dialect == "postgresql"
        round_trip(s)
        concurrent_turns(s, other)
        assert schema_diff(s) == []
        with pytest.raises(SessionExists):
            s.create_session("rt-1", "maya", "t01", 1, {})
        assert [x["session_id"] for x in s.iter_sessions(batch=1)] == ["rt-1", "race"]
    finally:
        s.dispose()
        other.dispose()
