"""`python -m bot export` and `python -m bot score`, run as real processes on SQLite files."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli import CSV_COLUMNS
from bot.moves import CUES
from bot.scoring.scorecard import ESTIMATE_LABEL
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
DIM_NAMES = ("Review of the previous plan", "Socratic style and language")


def run_bot(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, REHEARSAL_DB_URL=f"sqlite:///{db}")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def turn(k: int, text: str) -> dict:
    return {
        "trainee": text,
        "intent": "review_plan" if k == 1 else "specify_plan",
        "confidence": 0.8 + k / 100,
        "entities": [{"entity": "day", "value": "Monday"}] if k == 2 else [],
        "cues": {"question": "open", "directive": False, "homework_term": k == 2,
                 "collaborative": True, "tentative": False},
        "client": f'Client says "ok", line {k}',
        "client_state": {"trust": 0.5, "turn": k, "plan": {"agreed": False}},
        "events": ["phase:review", "plan_detail:day=Monday"] if k == 2 else [],
    }


SCORE = {
    "dimensions": {
        f"D{i}": {"name": None if i == 1 else f"Dimension {i}", "score": i % 7,
                  "evidence": [{"turn": 1, "quote": "How did the walk go?"}],
                  "missing": f"what would raise D{i}"}
        for i in range(1, 10)
    },
    "rollups": {"review": 1.0, "design": 3.5, "ctrs_homework": 3.25},
    "caps": ["An unaddressed barrier caps D6 and D8 at 2."],
    "plan_agreed": True,
}
RATINGS = {"items": {"rationale": 3, "specific": 1}, "comment": "I can try that on Monday."}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "export.db"
    s = Store(f"sqlite:///{path}")
    s.upgrade()
    start = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    # s0: 2024-03-01, s1: 2024-03-03, s2: 2024-03-05 (ended, scored), s3: 2024-03-07 (no turns)
    for i in range(4):
        s.create_session(f"s{i}", "alex" if i % 2 else "leo", f"t{i}", i, {"turn": 0},
                         started_at=start + timedelta(days=2 * i))
        if i < 3:
            s.add_turn(f"s{i}", turn(1, f"How did the walk go? (s{i})"))
            s.add_turn(f"s{i}", turn(2, "Which day, say, Monday?"))
    s.end_session("s2", SCORE, RATINGS, {"turn": 2},
                  {"agreed": True, "activity": "walk", "day": "Monday", "person": None})
    s.end_session("s1", None, None, {"turn": 2}, {"agreed": False})  # scoring failed earlier
    s.dispose()
    return path


def stored(db: Path, sid: str) -> dict:
    s = Store(f"sqlite:///{db}")
    try:
        return s.get_session(sid)
    finally:
        s.dispose()


# -- export ------------------------------------------------------------------------------


def test_export_jsonl_all(db: Path) -> None:
    res = run_bot(db, "export")
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [x["session_id"] for x in lines] == ["s0", "s1", "s2", "s3"]
    assert lines == [stored(db, f"s{i}") for i in range(4)]
    assert lines[2]["score"] == SCORE and lines[0]["score"] is None
    # Not a terminal and no --output: no progress bar noise on stderr.
    assert "session" not in res.stderr


def test_export_since_date_and_datetime(db: Path) -> None:
    res = run_bot(db, "export", "--since", "2024-03-03")
    assert res.returncode == 0, res.stderr
    assert [json.loads(x)["session_id"] for x in res.stdout.splitlines()] == ["s1", "s2", "s3"]
    # 2024-03-05T13:30+02:00 is 11:30 UTC, before s2's 12:00 UTC start.
    res = run_bot(db, "export", "--since", "2024-03-05T13:30:00+02:00")
    assert [json.loads(x)["session_id"] for x in res.stdout.splitlines()] == ["s2", "s3"]
    res = run_bot(db, "export", "--since", "2024-03-05T12:00:01Z")
    assert [json.loads(x)["session_id"] for x in res.stdout.splitlines()] == ["s3"]


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01", "03/01/2024"])
def test_export_bad_since(db: Path, bad: str) -> None:
    res = run_bot(db, "export", "--since", bad)
    assert res.returncode != 0
    assert res.stdout == ""
    assert bad in res.stderr and "YYYY-MM-DD" in res.stderr
    assert "Traceback" not in res.stderr


def test_export_csv(db: Path) -> None:
    res = run_bot(db, "export", "--format", "csv", "--since", "2024-03-02")
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0]) == CSV_COLUMNS
    assert [f"cue_{c}" for c in CUES] == [c for c in CSV_COLUMNS if c.startswith("cue_")]
    # s1 and s2 have two turns each; s3 has none and adds no row.
    assert [(r["session_id"], r["n"]) for r in rows] == [
        ("s1", "1"), ("s1", "2"), ("s2", "1"), ("s2", "2")]
    second = rows[1]
    assert second["persona"] == "alex" and second["trainee"] == "t1"
    assert second["trainee_text"] == "Which day, say, Monday?"
    assert second["client"] == 'Client says "ok", line 2'
    assert second["intent"] == "specify_plan"
    assert float(second["confidence"]) == pytest.approx(0.82)
    assert json.loads(second["entities"]) == [{"entity": "day", "value": "Monday"}]
    assert second["cue_question"] == "open"
    assert second["cue_homework_term"] == "true" and rows[0]["cue_homework_term"] == "false"
    assert second["events"] == "phase:review;plan_detail:day=Monday"
    assert rows[0]["events"] == ""


def test_export_to_file_shows_progress(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    res = run_bot(db, "export", "--output", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert len(out.read_text().splitlines()) == 4
    assert "4/4" in res.stderr  # tqdm's counter


# -- score -------------------------------------------------------------------------------


def test_score_unknown_session(db: Path) -> None:
    res = run_bot(db, "score", "no-such-session")
    assert res.returncode == 1
    assert "no-such-session" in res.stderr and "Traceback" not in res.stderr


def test_score_running_session(db: Path) -> None:
    res = run_bot(db, "score", "s0")
    assert res.returncode == 1
    assert "not ended" in res.stderr


def test_score_text(db: Path) -> None:
    res = run_bot(db, "score", "s2")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for i in range(1, 10):
        assert f"D{i} " in out and f"what would raise D{i}" in out
    assert DIM_NAMES[0] in out  # a missing name falls back to the rubric's
    assert "Dimension 9" in out  # the scorer's own name wins when present
    assert f"{6 % 7}/6" in out and 'turn 1: "How did the walk go?"' in out
    assert ESTIMATE_LABEL in out
    assert "An unaddressed barrier caps D6 and D8 at 2." in out
    assert "Action plan agreed: yes" in out and "day: Monday" in out
    assert "I can try that on Monday." in out and "rationale: 3" in out


def test_score_json(db: Path) -> None:
    res = run_bot(db, "score", "s2", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["session_id"] == "s2"
    assert data["score"] == SCORE and data["client_ratings"] == RATINGS


def test_score_rescores_ended_session_without_score(db: Path) -> None:
    assert stored(db, "s1")["score"] is None
    res = run_bot(db, "score", "s1", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert set(data["score"]["dimensions"]) == {f"D{i}" for i in range(1, 10)}
    assert isinstance(data["client_ratings"]["items"], dict)
    after = stored(db, "s1")
    assert after["score"] == data["score"]  # stored, so the next call needs no re-score
    assert after["client_ratings"] == data["client_ratings"]


def test_rescoring_gives_the_scorecard_of_the_end_of_the_rehearsal(tmp_path: Path) -> None:
    """The service (at the end) and `python -m bot score` (later) score the same way."""
    from sqlalchemy import text as sql

    from bot.service import RehearsalService

    path = tmp_path / "rescore.db"
    service = RehearsalService(store=Store(f"sqlite:///{path}"))
    service.start("r1", "maya", "t01")
    for text, intent in [("How did the walking plan from last week go?", "review_plan"),
                         ("What did you notice on the days you did walk?", "explore_learning"),
                         ("What might be worth trying this week?", "elicit_ideas")]:
        service.reply("r1", {}, {"text": text, "intent": {"name": intent, "confidence": 0.9}})
    service.end("r1", {})
    at_end = service.store.get_session("r1")
    assert at_end["score"] is not None and at_end["client_ratings"] is not None
    with service.store.engine.begin() as conn:  # as if scoring had failed at the end
        conn.execute(sql("UPDATE sessions SET score = NULL, client_ratings = NULL, "
                         "scorer_version = NULL"))
    service.store.dispose()

    res = run_bot(path, "score", "r1", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["score"] == at_end["score"]
    assert data["client_ratings"] == at_end["client_ratings"]
    assert stored(path, "r1")["score"] == at_end["score"]
