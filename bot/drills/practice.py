"""Answering a drill: the client replies as in a full rehearsal, and the answer is judged.

`client_state(drill, persona)` is the engine's ClientState at the drill's moment (the
persona's start, with the drill's state written over it). `answer(drill, persona, turn)`
runs one engine step from there with the trainee's message, as the NLU read it, and
checks the drill's criterion: the move heard, how it was said, and (if the drill asks)
what happened inside the client. Pure: no Rasa, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import moves
from bot.client import engine
from bot.client.hearing import CLOSED_QUESTION_EXEMPT, SCALE_RE
from bot.client.hearing import solving as engine_solving
from bot.client.state import ClientState, TurnInput
from bot.debrief.debrief import HeardMove
from bot.debrief.explain import Change, ClientFacts, event_changes, turn_changes
from bot.debrief.words import CUE_WORDS, move_words
from bot.drills.model import Answer, Drill
from bot.persona.model import Persona

# Phases after the review: the client has already told how last week went.
AFTER_REVIEW = ("design", "closing")

# What an expected client event looks like, when the drill names only its kind.
EXPECTED_EVENT_WORDS: dict[str, str] = {
    "belief_softened": "a belief loosening",
    "belief_activated": "a belief being set off",
    "barrier_disclosed": "an obstacle coming out",
    "barrier_resolved": "an obstacle being solved",
    "repair": "the rupture being repaired",
    "rupture": "a rupture",
    "learning_shared": "putting into words what last week showed",
    "idea_offered": "an idea of their own",
    "plan_agreed": "agreeing to the plan",
    "plan_detail": "a detail added to the plan",
    "sensitivity": "a sensitive reaction",
    "plan_objection": "an objection to the plan",
}

# How a required or avoided cue is said when it is missing or present.
_CUE_MISSING: dict[str, str] = {
    "directive": "it did not tell {name} what to do",
    "homework_term": "it did not use the word 'homework'",
    "collaborative": "it did not invite working together (we, let's, what do you think)",
    "tentative": "it was not tentative; 'maybe', 'one idea' or 'I wonder' leave room for "
                 "{name}'s view",
}
_CUE_PRESENT: dict[str, str] = {
    "directive": "it told {name} what to do",
    "homework_term": "it used the word 'homework' or 'assignment'; 'action plan', "
                     "'experiment' or 'practice' work better",
    "collaborative": "it spoke of working together",
    "tentative": "it was tentative",
    "closed_question": "it was a closed (yes/no) question",
    "open_question": "it was an open question",
}


@dataclass(frozen=True)
class Check:
    """One part of the criterion and whether the answer met it, in plain words."""

    ok: bool
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "text": self.text}


@dataclass(frozen=True)
class Feedback:
    drill_id: str
    answer: str
    heard: tuple[HeardMove, ...]
    confidence: float
    cues: dict[str, Any]
    met: bool
    checks: tuple[Check, ...]
    reply: str
    events: tuple[str, ...]
    changes: tuple[Change, ...]
    model_answers: tuple[str, ...]
    good_answer: str  # the criterion's explanation

    def to_dict(self) -> dict[str, Any]:
        return {
            "drill": self.drill_id,
            "answer": self.answer,
            "heard": [h.to_dict() for h in self.heard],
            "confidence": self.confidence,
            "cues": dict(self.cues),
            "met": self.met,
            "checks": [c.to_dict() for c in self.checks],
            "reply": self.reply,
            "events": list(self.events),
            "changes": [c.to_dict() for c in self.changes],
            "model_answers": list(self.model_answers),
            "good_answer": self.good_answer,
        }


def client_state(drill: Drill, persona: Persona) -> ClientState:
    """The engine state at the drill's moment: the persona's start plus the drill's state."""
    base = engine.initial_state(persona, drill.seed).to_dict()
    over = dict(drill.state)
    plan = dict(base.get("plan") or {})
    plan.update({k: v for k, v in (over.pop("plan", None) or {}).items() if v})
    base.update(over)
    base["plan"] = plan
    if base.get("phase") in AFTER_REVIEW and "report_given" not in over:
        base["report_given"] = True
    if base.get("activity_by") == "client" and plan.get("activity"):
        base["client_ideas"] = [plan["activity"]]
    if over.get("client_shaped") and "ideas_elicited" not in over:
        base["ideas_elicited"] = True
    return ClientState.from_dict(base)


def answer_turn(answer: Answer, cues: dict[str, Any]) -> TurnInput:
    """A written answer as the engine's input, with the move it stands for (no NLU)."""
    entities = [{"entity": e, "value": v} for e, values in answer.entities.items()
                for v in values]
    return TurnInput(text=answer.text, intent=answer.move, confidence=0.95,
                            entities=entities, cues={**moves.empty_cues(), **cues})


def _heard(turn: TurnInput) -> tuple[HeardMove, ...]:
    parts = turn.parts
    if len(parts) > 1:
        return tuple(HeardMove(str(p.intent), move_words(str(p.intent)), str(p.text))
                     for p in parts)
    return (HeardMove(turn.intent, move_words(turn.intent), turn.text),)


def _words_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _event_matches(wanted: str, happened: list[str]) -> bool:
    return any(e == wanted or e.startswith(wanted + ":") or
               (":" not in wanted and e.split(":", 1)[0] == wanted) for e in happened)


def _expected_words(event: str, facts: ClientFacts) -> str:
    kind, _, detail = event.partition(":")
    if detail:
        said = event_changes([event], facts)
        if said:
            return said[0].text.rstrip(".")
    return EXPECTED_EVENT_WORDS.get(kind, kind.replace("_", " "))


def _cue_on(cue: str, cues: dict[str, Any], turn: TurnInput) -> bool:
    if cue == "closed_question":
        # As the engine hears it: asking permission, asking for a paraphrase or for a
        # confidence rating is naturally closed and is no "closed question".
        exempt = turn.intent in CLOSED_QUESTION_EXEMPT or (
            turn.intent == "elicit_feedback" and bool(SCALE_RE.search(turn.text)))
        return cues.get("question") == "closed" and not exempt
    if cue == "open_question":
        return cues.get("question") == "open"
    return bool(cues.get(cue))


def solving(state: ClientState, turn: TurnInput) -> bool:
    """Whether the client takes this answer as problem-solving a named obstacle, as the
    engine does: "What if Dev came with you?" is problem-solving in substance, whether the
    NLU reads it as a proposal, a detail question or a request for permission."""
    readings = [(p.intent, p.cues) for p in turn.parts] or [(turn.intent, turn.cues)]
    return any(engine_solving(state, move, {**moves.empty_cues(), **(cues or {})})
               for move, cues in readings)


def judge(drill: Drill, facts: ClientFacts, turn: TurnInput, events: list[str],
          solved: bool = False) -> list[Check]:
    """The criterion, part by part, for an answer read as `turn` with the client's `events`;
    `solved`: the client took it as problem-solving (see `solving`)."""
    name = facts.name
    cues = {**moves.empty_cues(), **(turn.cues or {})}
    heard = _heard(turn)
    checks: list[Check] = []
    if "not_understood" in events:
        checks.append(Check(False, f"{name} could not make sense of it, so it did not "
                            "count; try saying it more plainly"))
        return checks
    wanted = [move_words(m) for m in drill.criterion.moves]
    heard_words = _words_list([h.words for h in heard])
    hit = [h for h in heard if h.move in drill.criterion.moves]
    if not hit and solved and "problem_solve" in drill.criterion.moves:
        checks.append(Check(True, f"Heard as {heard_words}, which {name} took as "
                            "problem-solving the obstacle: what this moment calls for."))
    elif hit:
        checks.append(Check(True, f"Heard as {hit[0].words}, which is what this moment "
                            "calls for."))
    else:
        checks.append(Check(False, f"Heard as {heard_words}; this moment calls for "
                            f"{_words_list(wanted)}."))
    for cue, want in drill.criterion.cues.items():
        if cue == "question":
            got = str(cues.get("question") or "none")
            if got == want:
                if want != "none":
                    checks.append(Check(True, f"It was {CUE_WORDS[got]}."))
            else:
                checks.append(Check(False, f"It was {CUE_WORDS.get(got, got)}; here "
                                    f"{CUE_WORDS.get(str(want), str(want))} works better."))
            continue
        got_on = bool(cues.get(cue))
        if got_on == bool(want):
            if want:
                checks.append(Check(True, f"Good: {_CUE_PRESENT[cue].format(name=name)}."))
            continue
        text = (_CUE_MISSING[cue] if want else _CUE_PRESENT[cue]).format(name=name)
        checks.append(Check(False, f"Not quite: {text}."))
    for move in drill.avoid.moves:
        if any(h.move == move for h in heard):
            checks.append(Check(False, f"It included {move_words(move)}, which is best held "
                                "back at this moment." + (f" {drill.avoid.explain}"
                                                          if drill.avoid.explain else "")))
    for cue in drill.avoid.cues:
        if _cue_on(cue, cues, turn):
            checks.append(Check(False, f"Not quite: {_CUE_PRESENT.get(cue, cue).format(name=name)}"
                                "."))
    if drill.criterion.events:
        got = [e for e in events if any(_event_matches(w, [e]) for w in drill.criterion.events)]
        if got:
            said = event_changes(got[:1], facts)
            text = said[0].text if said else _expected_words(got[0], facts) + "."
            checks.append(Check(True, f"In {name}: {text}"))
        else:
            expected = _words_list([_expected_words(e, facts) for e in drill.criterion.events])
            checks.append(Check(False, f"{name} did not show {expected}."))
    for event in drill.avoid.events:
        if _event_matches(event, events):
            happened = [e for e in events if _event_matches(event, [e])]
            said = event_changes(happened[:1], facts)
            text = said[0].text if said else _expected_words(event, facts)
            checks.append(Check(False, f"In {name}: {text}"))
    unique: list[Check] = []
    for c in checks:  # a cue both required absent and listed in avoid is said once
        if c not in unique:
            unique.append(c)
    return unique


def answer(drill: Drill, persona: Persona, turn: TurnInput) -> Feedback:
    """The client's reply to one answer from the drill's moment, and the judgement of it."""
    state = client_state(drill, persona)
    result = engine.step(persona, state, turn)
    facts = ClientFacts.of(persona)
    events = list(result.events)
    checks = judge(drill, facts, turn, events, solved=solving(state, turn))
    changes = turn_changes(state.public(), result.state.public(), turn.intent,
                           dict(turn.cues or {}), events, facts)
    return Feedback(
        drill_id=drill.id,
        answer=turn.text,
        heard=_heard(turn),
        confidence=float(turn.confidence),
        cues={**moves.empty_cues(), **(turn.cues or {})},
        met=all(c.ok for c in checks),
        checks=tuple(checks),
        reply=result.reply,
        events=tuple(events),
        changes=tuple(c for c in changes if c.kind != "phase"),
        model_answers=tuple(a.text for a in drill.model_answers),
        good_answer=drill.criterion.explain,
    )
