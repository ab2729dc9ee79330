"""The client's tuning: every reaction size and threshold of the engine, in one table.

The engine's behaviour is the persona file plus this table. Each number says how far one
thing the trainee does moves the client, or where a line is drawn; the comments say why.
States (trust, hope, understanding, willingness) run from 0 to 1 and start at 0.5 unless
the persona's `state.start` says otherwise.

A persona may replace the thresholds that are its own (`agreement.requires.min_trust`,
`min_willingness` replace the floors below); `Tuning.with_overrides` applies such a
mapping by field name, so that a persona-level setting never needs a second constant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Tuning:
    # ---- state bands (how the client answers: guarded, neutral, warm)
    guarded_below: float = 0.35  # trust under this: short, careful answers, no ideas offered
    warm_from: float = 0.65  # trust from this: the client volunteers what it knows
    # Diminishing returns: above this level a positive effect shrinks in proportion to the
    # room left (at 0.75 it counts half, at 1.0 nothing), so only sustained skill tops out.
    taper_from: float = 0.5
    # The same move a third time or more counts half ("the third rationale adds little").
    repeated_move_from: int = 2
    repeated_move_scale: float = 0.5

    # ---- reactions (sizes of the changes a situation makes)
    repair_trust: float = 0.10  # an open rupture repaired
    repair_willingness: float = 0.05
    barrier_disclosed_trust: float = 0.02  # saying what is in the way brings the pair closer
    barrier_resolved_willingness: float = 0.08  # a named obstacle solved together
    barrier_resolved_hope: float = 0.05
    belief_softened_hope: float = 0.03  # the client has seen past an unhelpful belief
    agreed_hope: float = 0.05  # signing up to a plan of one's own
    agreed_willingness: float = 0.05
    said_back_understanding: float = 0.05  # putting the rationale in one's own words
    lecture_understanding: float = -0.10  # a third lecture in a row: the client stops listening

    # ---- agreement
    # "rationale_understood" holds from this understanding on.
    rationale_understood_from: float = 0.5
    # Floors every client has even when its file names no threshold: nobody signs up while
    # guarded with the trainee or with almost no wish to do it. A persona's own
    # `min_trust` / `min_willingness` replaces the floor.
    floor_trust: float = 0.35
    floor_willingness: float = 0.3
    # The client refuses outright after this many failed pushes, if willingness is this low.
    refuse_after_failed_checks: int = 3
    refuse_below_willingness: float = 0.25

    # ---- hearing the trainee (NLU confidence cut-offs, from the parse to the scorecard)
    # bot/service.py: a parse under this is treated as the FallbackClassifier's fallback,
    # even if the classifier let it through (the ranking is then read for a safe guess).
    nlu_min_confidence: float = 0.3
    # The engine answers a move only from this confidence; below it, the client asks.
    engine_min_confidence: float = 0.4
    # A half-recognised reflection or affirmation is taken from this confidence: it asks
    # nothing and proposes nothing, so reading it wrongly gives the client nothing to agree
    # to, while dropping it answers a skilful reflection with "Sorry, what?".
    unsure_floor: float = 0.2
    # Below engine_min_confidence but from this one, an in-scope reading gets a clarifying
    # question naming what the client thinks it heard ("Do you mean doing it before work?");
    # below it (or with no in-scope reading at all) the client asks to hear it again.
    clarify_floor: float = 0.15
    # The scorecard credits a move only from this confidence: a turn the NLU barely
    # recognised is not evidence of a skill (nor of its absence).
    scorer_min_confidence: float = 0.5

    # ---- combined turns
    # A reflection or affirmation before the question a message asks is acknowledged in a
    # line of at most this many spoken words ("Yeah.", "(nods) Mm, yes."): more would be a
    # second answer, and the reply would read as a speech.
    acknowledge_max_words: int = 4

    # ---- memory
    recent_lines: int = 12  # line ids remembered, so that a variant is not repeated soon
    recent_questions: int = 4  # questions remembered for "you asked me that already"
    same_question: float = 0.6  # Jaccard overlap of content words that makes a repeat

    def with_overrides(self, overrides: Mapping[str, float]) -> Tuning:
        """This table with some entries replaced (unknown names are ignored)."""
        known = {f.name: f.type for f in fields(self)}
        chosen = {k: (int(v) if known[k] in ("int", int) else float(v))
                  for k, v in overrides.items() if k in known}
        return replace(self, **chosen) if chosen else self


TUNING = Tuning()

# Default effects of each move, following the between-session homework literature:
# rationale builds understanding, eliciting the client's ideas and collaboration build
# willingness, affirmation builds hope, reflective listening and repair build trust.
# A persona's `state.effects` adds to these.
DEFAULT_EFFECTS: dict[str, dict[str, float]] = {
    "greet": {"trust": 0.02},
    "set_agenda": {"trust": 0.03, "understanding": 0.02},
    "review_plan": {"trust": 0.02},
    "explore_learning": {"understanding": 0.08, "hope": 0.05},
    "reflect": {"trust": 0.06},
    "affirm": {"hope": 0.06, "trust": 0.03},
    "ask_permission": {"trust": 0.05, "willingness": 0.02},
    "repair_rupture": {"trust": 0.06},
    "give_rationale": {"understanding": 0.15},
    "link_to_goals": {"willingness": 0.08, "understanding": 0.05, "hope": 0.03},
    "elicit_ideas": {"willingness": 0.08, "trust": 0.03},
    "propose_task": {},
    "specify_plan": {"willingness": 0.03},
    "explore_barriers": {"trust": 0.04, "willingness": 0.02},
    "problem_solve": {"willingness": 0.05, "hope": 0.04},
    "elicit_feedback": {"trust": 0.04, "willingness": 0.03},
    "check_understanding": {"understanding": 0.08},
    "summarize_plan": {"understanding": 0.03},
    "written_summary": {"understanding": 0.04, "willingness": 0.02},
    "goodbye": {},
    "off_topic": {"trust": -0.01},
}
# How it was said matters as much as what was said.
CUE_EFFECTS: dict[str, dict[str, float]] = {
    "open_question": {"trust": 0.02},
    "directive": {"trust": -0.04, "willingness": -0.02},
    "collaborative": {"willingness": 0.03, "trust": 0.01},
    "tentative": {"trust": 0.02},
}
