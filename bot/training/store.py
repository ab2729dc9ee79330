"""Reading and writing the training tables (drill attempts and assignments, flags, comments).

Each call opens its own transaction on the store's engine, as bot.store does. The flags
export writes accepted flags as Rasa NLU training data (YAML) for review before anything
is added to data/nlu/ (`python -m bot flags export`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from bot.drills.mastery import Mastery, mastery
from bot.moves import MOVES
from bot.store import Store, _iso, utcnow
from bot.training.tables import drill_assignments, drill_attempts, turn_comments, turn_flags

FLAG_STATUSES: tuple[str, ...] = ("open", "accepted", "rejected")
MAX_TEXT = 2000


class TrainingError(ValueError):
    """A request the training store refuses (unknown move, bad status, empty text)."""


def _clip(text: str) -> str:
    return str(text or "").strip()[:MAX_TEXT]


class TrainingStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._writer = store.engine.execution_options(rehearsal_write=True)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.store.engine.connect() as conn:
            yield conn

    # -- drill attempts -------------------------------------------------------------------

    def add_attempt(self, trainee: str, drill: str, text: str, intent: str, met: bool,
                    feedback: dict[str, Any]) -> int:
        with self._write() as conn:
            result = conn.execute(drill_attempts.insert().values(
                trainee=trainee, drill=drill, text=_clip(text), intent=str(intent),
                met=bool(met), feedback=feedback, created_at=utcnow()))
            return int(result.inserted_primary_key[0])

    def attempts(self, trainee: str, drill: str | None = None) -> list[dict[str, Any]]:
        """A trainee's attempts, oldest first (of one drill, if given)."""
        q = select(drill_attempts).where(drill_attempts.c.trainee == trainee)
        if drill is not None:
            q = q.where(drill_attempts.c.drill == drill)
        with self._read() as conn:
            rows = conn.execute(q.order_by(drill_attempts.c.id)).all()
        return [{"id": r.id, "drill": r.drill, "text": r.text, "intent": r.intent,
                 "met": r.met, "feedback": r.feedback, "created_at": _iso(r.created_at)}
                for r in rows]

    def mastery_by_drill(self, trainee: str) -> dict[str, Mastery]:
        history: dict[str, list[bool]] = defaultdict(list)
        for a in self.attempts(trainee):
            history[a["drill"]].append(bool(a["met"]))
        return {drill: mastery(h) for drill, h in history.items()}

    # -- assignments ----------------------------------------------------------------------

    def assign(self, trainee: str, drill: str, by: str) -> None:
        with self._write() as conn:
            exists = conn.execute(select(drill_assignments.c.drill).where(and_(
                drill_assignments.c.trainee == trainee,
                drill_assignments.c.drill == drill))).first()
            if exists is None:
                conn.execute(drill_assignments.insert().values(
                    trainee=trainee, drill=drill, assigned_by=by, created_at=utcnow()))

    def assignments(self, trainee: str | None = None) -> list[dict[str, Any]]:
        q = select(drill_assignments)
        if trainee is not None:
            q = q.where(drill_assignments.c.trainee == trainee)
        with self._read() as conn:
            rows = conn.execute(q.order_by(drill_assignments.c.created_at)).all()
        return [{"trainee": r.trainee, "drill": r.drill, "assigned_by": r.assigned_by,
                 "created_at": _iso(r.created_at)} for r in rows]

    # -- flags ----------------------------------------------------------------------------

    def add_flag(self, session_id: str, n: int, trainee: str, text: str, heard: str,
                 meant: str, note: str = "") -> int:
        if meant not in MOVES:
            raise TrainingError(f"unknown move '{meant}'; use one of: {', '.join(MOVES)}")
        with self._write() as conn:
            result = conn.execute(turn_flags.insert().values(
                session_id=session_id, n=int(n), trainee=trainee, text=_clip(text),
                heard=str(heard), meant=meant, note=_clip(note) or None, status="open",
                created_at=utcnow()))
            return int(result.inserted_primary_key[0])

    def flags(self, *, status: str | None = None, session_id: str | None = None,
              trainee: str | None = None) -> list[dict[str, Any]]:
        q = select(turn_flags)
        if status is not None:
            q = q.where(turn_flags.c.status == status)
        if session_id is not None:
            q = q.where(turn_flags.c.session_id == session_id)
        if trainee is not None:
            q = q.where(turn_flags.c.trainee == trainee)
        with self._read() as conn:
            rows = conn.execute(q.order_by(turn_flags.c.id)).all()
        return [{"id": r.id, "session_id": r.session_id, "n": r.n, "trainee": r.trainee,
                 "text": r.text, "heard": r.heard, "meant": r.meant, "note": r.note,
                 "status": r.status, "reviewed_by": r.reviewed_by,
                 "created_at": _iso(r.created_at)} for r in rows]

    def review_flag(self, flag_id: int, status: str, by: str) -> bool:
        """Accept or reject a flag; False if there is no such flag."""
        if status not in ("accepted", "rejected"):
            raise TrainingError("a flag is 'accepted' or 'rejected'")
        with self._write() as conn:
            result = conn.execute(turn_flags.update().where(turn_flags.c.id == int(flag_id))
                                  .values(status=status, reviewed_by=by))
            return bool(result.rowcount)

    # -- comments -------------------------------------------------------------------------

    def add_comment(self, session_id: str, n: int, author: str, text: str) -> int:
        text = _clip(text)
        if not text:
            raise TrainingError("a comment needs some text")
        with self._write() as conn:
            result = conn.execute(turn_comments.insert().values(
                session_id=session_id, n=int(n), author=author, text=text,
                created_at=utcnow()))
            return int(result.inserted_primary_key[0])

    def comments(self, session_id: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(select(turn_comments)
                                .where(turn_comments.c.session_id == session_id)
                                .order_by(turn_comments.c.id)).all()
        return [{"id": r.id, "n": r.n, "author": r.author, "text": r.text,
                 "created_at": _iso(r.created_at)} for r in rows]


# ---------------------------------------------------------------- NLU export


class _Literal(str):
    """A string written as a YAML block (`|`), as Rasa's own training files are."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


def flags_nlu_yaml(flags: list[dict[str, Any]]) -> str:
    """Accepted flags as Rasa 3 NLU training data: one intent block per meant move, each
    example once. For review before it is added to data/nlu/."""
    by_move: dict[str, list[str]] = defaultdict(list)
    for f in flags:
        text = " ".join(str(f["text"]).split())
        if f["meant"] in MOVES and text and text not in by_move[f["meant"]]:
            by_move[f["meant"]].append(text)
    nlu = [{"intent": move, "examples": _Literal("".join(f"- {t}\n" for t in texts))}
           for move, texts in sorted(by_move.items())]
    dumper = type("NluDumper", (yaml.SafeDumper,), {})
    dumper.add_representer(_Literal, _literal)
    header = ("# Trainee messages the client misheard, with the move the trainee meant, "
              "accepted by an instructor.\n# Review before adding to data/nlu/.\n")
    return header + yaml.dump({"version": "3.1", "nlu": nlu}, Dumper=dumper,
                              sort_keys=False, allow_unicode=True)
