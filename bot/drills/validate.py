"""Check drill YAML files and report every problem as `file:line: message`.

Drills are checked the way personas are (bot.persona.validate): the same YAML reading with
line numbers, the same field-table checks (types, allowed values, unknown and missing
keys, with "did you mean"), all problems of a file at once, never a traceback. On top,
the drill must fit its persona: the beliefs and obstacles it names must exist there.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from bot.config import DRILL_DIR, PERSONA_DIR
from bot.drills.model import DIFFICULTIES
from bot.moves import EVENT_KINDS, MOVES, PHASES, PLAN_ENTITIES, QUESTION_KINDS, STATE_KEYS

# The persona validator's YAML reader and field table machinery, reused as is.
from bot.persona.fields import CUE_NAMES, ID_RE, Field, Spec
from bot.persona.problems import Problem, did_you_mean
from bot.persona.structure import Checker
from bot.persona.yaml_syntax import parse_problems, tab_problems
from bot.scoring.rubric import DIMENSION_NAMES

MAX_CHARS = 200_000
_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAG = "tag:yaml.org,2002:str"

# The client-state fields a drill may set (bot.client.engine.ClientState), with their type.
STATE_FLAGS: tuple[str, ...] = (
    "rupture", "client_shaped", "rationale_heard", "feedback_asked", "understanding_checked",
    "linked_to_goals", "refused", "ideas_elicited", "learning_shared", "report_given",
)
SKILLS: tuple[str, ...] = tuple(DIMENSION_NAMES)
LEVELS: tuple[str, ...] = DIFFICULTIES + tuple(str(i) for i in range(1, len(DIFFICULTIES) + 1))

_PROB = {"minimum": 0, "maximum": 1}


def _names(desc: str, enum: tuple[str, ...] | None, noun: str) -> Spec:
    return Spec("list", desc, item=Spec("text", f"A {noun}.", enum=enum, noun=noun))


def _answers(desc: str, with_why: bool) -> Spec:
    fields = [
        Field("text", Spec("text", "The answer, in one message."), True),
        Field("move", Spec("text", "The move it stands for (used when testing without NLU).",
                           enum=MOVES, noun="move"), True),
        Field("entities", Spec(
            "dict", "Plan details it names: entity -> value or list of values.",
            key=Spec("text", "Plan entity.", enum=PLAN_ENTITIES, noun="entity"),
            value=Spec("text", "The value as said."))),
    ]
    if with_why:
        fields.append(Field("why", Spec("text", "What goes wrong with it, in plain words."),
                            True))
    return Spec("list", desc, item=Spec("map", "An answer.", fields=tuple(fields)),
                nonempty=True)


STATE = Spec(
    "map",
    "The client's state at this moment; anything left out is the persona's start.",
    key_noun="state field",
    fields=tuple(Field(k, Spec("number", f"{k} (0..1).", **_PROB)) for k in STATE_KEYS) + (
        Field("phase", Spec("text", "Phase of the session.", enum=PHASES, noun="phase")),
        Field("beliefs_active", _names("Ids of the persona's beliefs active now.", None,
                                       "belief id")),
        Field("beliefs_softened", _names("Ids of beliefs already softened.", None, "belief id")),
        Field("disclosed", _names("Ids of obstacles the client has already named.", None,
                                  "barrier id")),
        Field("resolved", _names("Ids of named obstacles already solved.", None, "barrier id")),
        Field("plan", Spec(
            "map", "The plan so far: what is on the table.",
            key_noun="plan detail",
            fields=tuple(Field(e, Spec("text", f"The plan's {e}.")) for e in PLAN_ENTITIES)
            + (Field("agreed", Spec("bool", "true: the client has already agreed to it.")),))),
        Field("activity_by", Spec("text", "Who put the activity on the table.",
                                  enum=("client", "therapist"), noun="who")),
        Field("objection_pending", Spec("text", "An objection the client has just raised "
                                        "(an agreement condition), so pushing now is pressure.")),
        Field("proposals", Spec("int", "How many tasks the therapist has proposed so far.",
                                minimum=0, maximum=50)),
        Field("turn", Spec("int", "Turns so far.", minimum=0, maximum=200)),
    ) + tuple(Field(f, Spec("bool", f"{f.replace('_', ' ')} (true/false).")) for f in
              STATE_FLAGS),
)

DRILL = Spec(
    "map",
    "One hard moment of a rehearsal, practised on its own.",
    fields=(
        Field("id", Spec("text", "Must equal the file name without .yml.",
                         pattern=ID_RE.pattern), True),
        Field("persona", Spec("text", "The persona id (a file in data/personas).",
                              pattern=ID_RE.pattern), True),
        Field("skill", Spec("text", "The rubric dimension practised.", enum=SKILLS,
                            noun="skill"), True),
        Field("difficulty", Spec("text", "introductory, intermediate or advanced (or 1-3).",
                                 enum=LEVELS, noun="difficulty"), True),
        Field("title", Spec("text", "A short title shown in the drill list."), True),
        Field("situation", Spec("text", "What has happened so far, for the trainee."), True),
        Field("before", Spec("list", "Earlier exchanges shown as context (optional).",
                             item=Spec("map", "An exchange.", fields=(
                                 Field("therapist", Spec("text", "What the therapist said.")),
                                 Field("client", Spec("text", "What the client said."))))),),
        Field("state", STATE, True),
        Field("client_says", Spec("text", "What the client has just said."), True),
        Field("criterion", Spec(
            "map", "What a good answer does.",
            fields=(
                Field("moves", _names("Moves that count (any one of them).", MOVES, "move"),
                      True),
                Field("cues", Spec(
                    "map", "How it must be said.", key_noun="cue",
                    fields=(Field("question", Spec("text", "open, closed or none.",
                                                   enum=QUESTION_KINDS, noun="question kind")),)
                    + tuple(Field(c, Spec("bool", f"{c}: true or false.")) for c in
                            ("directive", "homework_term", "collaborative", "tentative")))),
                Field("events", _names("Client events of which one must happen "
                                       "(kind or kind:detail).", None, "event")),
                Field("explain", Spec("text", "What a good answer does, in plain words."),
                      True),
            )), True),
        Field("avoid", Spec(
            "map", "What a good answer must not do.",
            fields=(
                Field("moves", _names("Moves that do not count here.", MOVES, "move")),
                Field("cues", _names("Cues that spoil the answer.", CUE_NAMES, "cue")),
                Field("events", _names("Client events that spoil the answer.", None, "event")),
                Field("explain", Spec("text", "Why, in plain words.")),
            ))),
        Field("model_answers", _answers("One or two answers in a skilled therapist's words.",
                                        with_why=False), True),
        Field("poor_answers", _answers("Answers that miss the skill, with why.", with_why=True)),
        Field("seed", Spec("int", "Seed for the client's choice of words.", minimum=0,
                           maximum=2**31)),
    ),
)


def _difficulty_as_text(root: MappingNode) -> None:
    """`difficulty: 2` is allowed: read a whole number there as text for the enum check."""
    for knode, vnode in root.value:
        if isinstance(knode, ScalarNode) and knode.value == "difficulty" \
                and isinstance(vnode, ScalarNode) and vnode.tag == _INT_TAG:
            vnode.tag = _STR_TAG


# Personas already checked, by (path, modification time, size): checking a folder of drills
# validates each persona once, and an edited persona file is checked again.
_PERSONAS: dict[tuple[str, int, int], tuple[Any, str | None]] = {}


def _persona_facts(persona_id: str, persona_dir: Path) -> tuple[Any, str | None]:
    """(persona or None, why it is unavailable)."""
    path = persona_dir / f"{persona_id}.yml"
    try:
        st = path.stat()
    except OSError:
        return _load_persona(persona_id, persona_dir)
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _PERSONAS:
        _PERSONAS[key] = _load_persona(persona_id, persona_dir)
    return _PERSONAS[key]


def _load_persona(persona_id: str, persona_dir: Path) -> tuple[Any, str | None]:
    from bot.persona.registry import PersonaError, load_persona

    path = persona_dir / f"{persona_id}.yml"
    if not path.is_file():
        known = sorted(p.stem for p in persona_dir.glob("*.yml") if not p.name.startswith("_"))
        return None, (f"persona '{persona_id}' not found in {persona_dir.name}/"
                      f"{did_you_mean(persona_id, known)} (personas: {', '.join(known)})")
    try:
        return load_persona(path), None
    except PersonaError as exc:
        return None, (f"persona '{persona_id}' has problems of its own ({len(exc.problems)}); "
                      f"fix {path.name} first (python -m bot personas validate)")


def _event_ok(event: str, persona: Any) -> str | None:
    """Why an event name is wrong, or None."""
    kind, _, detail = event.partition(":")
    if kind not in EVENT_KINDS:
        return (f"unknown event '{kind}'{did_you_mean(kind, EVENT_KINDS)} "
                f"(known events: {', '.join(EVENT_KINDS)})")
    if not detail or persona is None:
        return None
    if kind in ("belief_activated", "belief_softened"):
        ids = [b.id for b in persona.beliefs]
        if detail not in ids:
            return f"{persona.name} has no belief '{detail}'{did_you_mean(detail, ids)}"
    if kind in ("barrier_disclosed", "barrier_resolved"):
        ids = [b.id for b in persona.barriers]
        if detail not in ids:
            return f"{persona.name} has no barrier '{detail}'{did_you_mean(detail, ids)}"
    return None


def _check_semantics(c: Checker, data: dict[str, Any], stem: str, persona_dir: Path) -> None:
    did = data.get("id")
    if isinstance(did, str) and did != stem:
        c.add(c.at(("id",)), f"id '{did}' does not match the file name '{stem}'; rename the "
              f"file to '{did}.yml' or set `id: {stem}`")
    persona = None
    pid = data.get("persona")
    if isinstance(pid, str):
        persona, why = _persona_facts(pid, persona_dir)
        if why:
            c.add(c.at(("persona",)), why)
    state = data.get("state") if isinstance(data.get("state"), dict) else {}
    if persona is not None:
        lists = (("beliefs_active", "belief", [b.id for b in persona.beliefs]),
                 ("beliefs_softened", "belief", [b.id for b in persona.beliefs]),
                 ("disclosed", "barrier", [b.id for b in persona.barriers]),
                 ("resolved", "barrier", [b.id for b in persona.barriers]))
        for key, noun, ids in lists:
            for i, name in enumerate(state.get(key) or []):
                if name not in ids:
                    c.add(c.at(("state", key, i)), f"state.{key} names '{name}', but "
                          f"{persona.name} has no {noun} with that id{did_you_mean(name, ids)} "
                          f"({noun} ids: {', '.join(ids) or 'none'})")
    for i, name in enumerate(state.get("resolved") or []):
        if name not in (state.get("disclosed") or []):
            c.add(c.at(("state", "resolved", i)), f"state.resolved names '{name}', which is not "
                  "in state.disclosed; an obstacle is solved only after the client has named "
                  "it, so add it to state.disclosed too")
    both = set(state.get("beliefs_active") or []) & set(state.get("beliefs_softened") or [])
    for name in sorted(both):
        c.add(c.at(("state", "beliefs_softened")), f"belief '{name}' is both active and "
              "softened; keep it in one of state.beliefs_active or state.beliefs_softened")

    crit = data.get("criterion") if isinstance(data.get("criterion"), dict) else {}
    avoid = data.get("avoid") if isinstance(data.get("avoid"), dict) else {}
    for section, body in (("criterion", crit), ("avoid", avoid)):
        for i, event in enumerate(body.get("events") or []):
            why = _event_ok(str(event), persona)
            if why:
                c.add(c.at((section, "events", i)), f"{section}.events[{i}]: {why}")
    good_moves = list(crit.get("moves") or [])
    for i, move in enumerate(avoid.get("moves") or []):
        if move in good_moves:
            c.add(c.at(("avoid", "moves", i)), f"'{move}' is both a move that counts "
                  "(criterion.moves) and one to avoid; keep it in one of them")
    cues = crit.get("cues") or {}
    for i, cue in enumerate(avoid.get("cues") or []):
        clash = (cues.get(cue) is True or (cue == "closed_question" and
                                           cues.get("question") == "closed")
                 or (cue == "open_question" and cues.get("question") == "open"))
        if clash:
            c.add(c.at(("avoid", "cues", i)), f"cue '{cue}' is required by criterion.cues and "
                  "listed in avoid.cues; keep it in one of them")
    # A misspelled move is reported already; judging model answers against the rest would
    # only repeat that problem.
    misspelled_move = any(path[:2] == ("criterion", "moves") for path in c.bad)
    for i, answer in enumerate(data.get("model_answers") or []):
        move = answer.get("move") if isinstance(answer, dict) else None
        if isinstance(move, str) and good_moves and move not in good_moves \
                and not misspelled_move:
            c.add(c.at(("model_answers", i, "move")), f"model_answers[{i}] stands for "
                  f"'{move}', which is not one of the moves that count "
                  f"({', '.join(good_moves)}); a model answer must meet the criterion")
    if len(data.get("model_answers") or []) > 3:
        c.add(c.at(("model_answers",)), "more than three model answers; keep the one or two "
              "clearest, so trainees see what matters", "warning")


def validate_text(text: str, filename: str, *, persona_dir: str | Path | None = None,
                  warnings: bool = False) -> list[Problem]:
    """All problems of one drill file's text; never raises."""
    try:
        problems = _validate(text, filename, Path(persona_dir or PERSONA_DIR))
        return problems if warnings else [p for p in problems if p.severity == "error"]
    except Exception as exc:  # noqa: BLE001 - a validator bug must not take a server down
        return [Problem(filename, 1, f"internal error in the drill validator "
                        f"({type(exc).__name__}: {exc}); please report this to the developers")]


def _validate(text: str, filename: str, persona_dir: Path) -> list[Problem]:
    if len(text) > MAX_CHARS:
        return [Problem(filename, 1, f"the file is too large ({len(text) // 1000} KB); a drill "
                        "is usually 2-4 KB; check that it holds one drill")]
    problems = tab_problems(text, filename)
    tab_lines = {p.line for p in problems}
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#")
                               for ln in text.splitlines()):
        return [Problem(filename, 1, "the file is empty; a drill needs at least "
                        + ", ".join(f.name for f in DRILL.fields if f.required))]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        for p in parse_problems(filename, err, text):
            if p.line not in tab_lines and p.line - 1 not in tab_lines:
                problems.append(p)
        return sorted(problems, key=lambda p: p.line)
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "plain text"
        line = 1 if root is None else root.start_mark.line + 1
        return problems + [Problem(filename, line, "the file must be a mapping of fields "
                                   f"(id: ..., persona: ...), but it is {kind}")]
    _difficulty_as_text(root)
    checker = Checker(filename)
    checker.lines[()] = 1
    data = checker.walk(root, DRILL, ())
    if isinstance(data, dict):
        _check_semantics(checker, data, Path(filename).stem, persona_dir)
    problems += checker.problems
    return sorted(problems, key=lambda p: p.line)


def validate_file(path: str | Path, *, persona_dir: str | Path | None = None,
                  warnings: bool = False) -> list[Problem]:
    """All problems of one drill file (or why it cannot be read); never raises."""
    name = str(path)
    try:
        p = Path(path)
        if p.is_dir():
            return [Problem(name, 1, "this is a directory, not a drill file; give a .yml file")]
        if not p.exists():
            return [Problem(name, 1, "file not found; check the path and the spelling")]
        raw = p.read_bytes()
    except OSError as exc:
        return [Problem(name, 1, f"cannot read the file ({exc.strerror or exc})")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [Problem(name, line, "the file is not UTF-8 text; save it as UTF-8")]
    return validate_text(text, name, persona_dir=persona_dir, warnings=warnings)


def _drill_paths(paths: Iterable[str]) -> Iterator[str]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from (str(f) for f in sorted(p.iterdir())
                        if f.suffix in (".yml", ".yaml") and not f.name.startswith("_")
                        and f.is_file())
        else:
            yield raw


def cli(paths: list[str], persona_dir: str | Path | None = None) -> int:
    """`python -m bot drills validate [PATH ...]`: one `file:line: message` per problem."""
    default = Path("data/drills") if Path("data/drills").is_dir() else DRILL_DIR
    files = list(_drill_paths(paths or [str(default)]))
    n_problems = bad = 0
    for f in files:
        problems = validate_file(f, persona_dir=persona_dir, warnings=True)
        for p in problems:
            print(p)
        n_problems += len(problems)
        bad += bool(problems)
    s = "s" if len(files) != 1 else ""
    if n_problems:
        print(f"{len(files)} drill file{s} checked, {n_problems} problem"
              f"{'s' * (n_problems != 1)} in {bad} file{'s' * (bad != 1)}")
    else:
        print(f"{len(files)} drill file{s} checked, no problems")
    return 1 if n_problems else 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
