"""Drill files (data/drills/*.yml) as frozen dataclasses.

A drill is one hard moment of a rehearsal, practised on its own: a persona, the client's
state at that moment, what the client has just said, the skill practised (one rubric
dimension), what a good answer does, and model answers. Validation is
bot.drills.validate's job; this module turns a valid file into objects. No Rasa imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Difficulty levels, easiest first; a file may give the name or its number (1-3).
DIFFICULTIES: tuple[str, ...] = ("introductory", "intermediate", "advanced")


def difficulty_name(value: Any) -> str:
    """'introductory' for 1 or 'introductory'; the value unchanged if it is neither."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(DIFFICULTIES):
        return DIFFICULTIES[value - 1]
    return str(value)


def difficulty_level(name: str) -> int:
    return DIFFICULTIES.index(name) + 1 if name in DIFFICULTIES else 0


@dataclass(frozen=True)
class Exchange:
    """One earlier exchange shown as context (display only; the state says where it left)."""

    therapist: str
    client: str


@dataclass(frozen=True)
class Criterion:
    """What a good answer does: one of `moves`, said with `cues`, and (if given) one of
    `events` happens in the client."""

    moves: tuple[str, ...]
    cues: dict[str, Any] = field(default_factory=dict)  # cue -> required value
    events: tuple[str, ...] = ()  # "kind" or "kind:detail"; any one is enough
    explain: str = ""


@dataclass(frozen=True)
class Avoid:
    """What a good answer must not do: any of these moves, cues or client events."""

    moves: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()  # directive, homework_term, closed_question, ...
    events: tuple[str, ...] = ()
    explain: str = ""


@dataclass(frozen=True)
class Answer:
    """A model or a poor answer, with the move it stands for (for testing without NLU)."""

    text: str
    move: str
    entities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    why: str = ""  # poor answers: what goes wrong, in plain words


@dataclass(frozen=True)
class Drill:
    id: str
    persona: str
    skill: str  # D1..D9
    difficulty: str  # one of DIFFICULTIES
    title: str
    situation: str
    client_says: str
    state: dict[str, Any]  # ClientState fields to set at that moment
    criterion: Criterion
    avoid: Avoid
    model_answers: tuple[Answer, ...]
    poor_answers: tuple[Answer, ...] = ()
    before: tuple[Exchange, ...] = ()
    seed: int = 0
    path: str = ""

    @property
    def level(self) -> int:
        return difficulty_level(self.difficulty)


class DrillError(Exception):
    """A drill file could not be loaded; `problems` lists every reason (file:line)."""

    def __init__(self, problems: list[Any]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _answer(raw: dict[str, Any]) -> Answer:
    return Answer(
        text=str(raw["text"]).strip(),
        move=str(raw["move"]),
        entities={str(k): _strs(v) for k, v in (raw.get("entities") or {}).items()},
        why=str(raw.get("why") or "").strip(),
    )


def build_drill(data: dict[str, Any], path: str = "") -> Drill:
    crit = data.get("criterion") or {}
    avoid = data.get("avoid") or {}
    return Drill(
        id=str(data["id"]),
        persona=str(data["persona"]),
        skill=str(data["skill"]),
        difficulty=difficulty_name(data["difficulty"]),
        title=str(data["title"]).strip(),
        situation=str(data.get("situation") or "").strip(),
        client_says=str(data["client_says"]).strip(),
        state=dict(data.get("state") or {}),
        criterion=Criterion(
            moves=_strs(crit.get("moves")),
            cues=dict(crit.get("cues") or {}),
            events=_strs(crit.get("events")),
            explain=str(crit.get("explain") or "").strip(),
        ),
        avoid=Avoid(
            moves=_strs(avoid.get("moves")),
            cues=_strs(avoid.get("cues")),
            events=_strs(avoid.get("events")),
            explain=str(avoid.get("explain") or "").strip(),
        ),
        model_answers=tuple(_answer(a) for a in data.get("model_answers") or []),
        poor_answers=tuple(_answer(a) for a in data.get("poor_answers") or []),
        before=tuple(Exchange(str(e.get("therapist") or ""), str(e.get("client") or ""))
                     for e in data.get("before") or []),
        seed=int(data.get("seed") or 0),
        path=path,
    )


def load_drill(path: str | Path, persona_dir: str | Path | None = None) -> Drill:
    """Validate and load one drill file; raise DrillError listing every problem."""
    from bot.drills.validate import validate_file

    path = Path(path)
    problems = validate_file(path, persona_dir=persona_dir)
    if problems:
        raise DrillError(problems)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return build_drill(data, str(path))


def drill_files(directory: str | Path) -> list[Path]:
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir()
                  if p.suffix in (".yml", ".yaml") and not p.name.startswith("_") and p.is_file())


def load_drills(directory: str | Path, persona_dir: str | Path | None = None
                ) -> tuple[dict[str, Drill], list[Any]]:
    """Every valid drill of a folder by id, and the problems of the files that are not."""
    drills: dict[str, Drill] = {}
    problems: list[Any] = []
    for path in drill_files(directory):
        try:
            drill = load_drill(path, persona_dir)
        except DrillError as exc:
            problems.extend(exc.problems)
            continue
        drills[drill.id] = drill
    return drills, problems


class DrillRegistry:
    """Every drill of a folder, re-read when a file changes, keeping the last good version
    of a file that becomes invalid (as the persona registry does)."""

    def __init__(self, directory: str | Path, persona_dir: str | Path | None = None) -> None:
        self.directory = Path(directory)
        self.persona_dir = persona_dir
        self._drills: dict[Path, Drill] = {}
        self._stamps: dict[Path, tuple[int, int]] = {}
        self._problems: dict[Path, list[Any]] = {}
        self.reload()

    def reload(self) -> None:
        found = drill_files(self.directory)
        for gone in set(self._stamps) - set(found):
            self._stamps.pop(gone, None)
            self._drills.pop(gone, None)
            self._problems.pop(gone, None)
        for path in found:
            try:
                st = path.stat()
            except OSError:
                continue
            stamp = (st.st_mtime_ns, st.st_size)
            if self._stamps.get(path) == stamp:
                continue
            self._stamps[path] = stamp
            try:
                self._drills[path] = load_drill(path, self.persona_dir)
                self._problems.pop(path, None)
            except DrillError as exc:
                self._problems[path] = exc.problems

    @property
    def problems(self) -> list[Any]:
        return [p for path in sorted(self._problems) for p in self._problems[path]]

    def all(self) -> list[Drill]:
        """By skill, then difficulty, then id."""
        return sorted(self._drills.values(), key=lambda d: (int(d.skill[1:]), d.level, d.id))

    def get(self, drill_id: str) -> Drill | None:
        return next((d for d in self._drills.values() if d.id == drill_id), None)
