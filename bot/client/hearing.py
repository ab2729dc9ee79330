"""How the client hears a turn: families of moves, the words that matter, and readings
of a turn that go beyond its intent label (a question asked twice, a detail asked about,
a proposal that is problem-solving in substance).
"""

from __future__ import annotations

import re
from typing import Any

from bot.client.state import ClientState, TurnInput
from bot.client.tuning import TUNING
from bot.moves import DETAIL_QUESTIONS

PHASE_OF_MOVE: dict[str, str] = {
    "greet": "opening",
    "set_agenda": "opening",
    "review_plan": "review",
    "explore_learning": "review",
    "give_rationale": "design",
    "link_to_goals": "design",
    "elicit_ideas": "design",
    "propose_task": "design",
    "specify_plan": "design",
    "problem_solve": "design",
    "elicit_feedback": "design",
    "check_understanding": "design",
    "summarize_plan": "design",
    "written_summary": "design",
    "goodbye": "closing",
}
# Moves whose entities are plan details. Talk about last week's plan is not a new plan, and
# a goals question names what the client wants, not when or with whom it will do this
# week's step: "What do you miss most?" -> "missing your friends" is no `person` detail.
PLAN_MOVES = frozenset(
    {
        "propose_task",
        "specify_plan",
        "problem_solve",
        "summarize_plan",
        "written_summary",
        "elicit_feedback",
        "check_understanding",
    }
)
# Moves that put the plan to the client: its task features and the agreement are checked.
CHECK_MOVES = frozenset(
    {
        "propose_task",
        "specify_plan",
        "summarize_plan",
        "elicit_feedback",
        "check_understanding",
        "written_summary",
    }
)
PUSH_MOVES = frozenset({"propose_task", "summarize_plan", "elicit_feedback", "written_summary"})
# Plan slots the NLU confuses with one another (see barriers' resolved_by matching).
LOOSE_SLOTS: tuple[str, ...] = ("activity", "day", "time_of_day", "place", "person")
# Moves of the problem-solving family: once the client has named an obstacle, "What if it
# were on your days off?" is problem-solving in substance whether it is read as a proposal,
# a detail question or a request for permission (the NLU confuses them, and so do human
# raters). Asked openly or tentatively while a named barrier is open, they count as
# problem_solve for resolving that barrier and as exploring for an objection.
SOLVING_FAMILY = frozenset({"problem_solve", "propose_task", "specify_plan", "ask_permission"})
PRESSURE_MOVES = frozenset({"propose_task", "summarize_plan", "written_summary"})
# "What do you think might help about trying it?" asked while a task is being designed asks
# for (or checks) the reason for it; the NLU often reads such questions as explore_learning.
# A blaming "why didn't you...?" asks for no reason to try anything.
RATIONALE_TALK = re.compile(
    r"\bwhy\b(?!\s+(?:didn't|did not|don't|do not|haven't|have not|won't|can't|couldn't|"
    r"wouldn't|not)\b)|\breasons?\b|\bhelp(?:s|ful)?\b|\bthe (?:idea|point)\b|"
    r"\bexperiment\b|\bso that\b",
    re.IGNORECASE,
)
# "How does that fit with what you want from our work together?" asks about goals, whatever
# the NLU calls it: it links the task to the goals and brings out no obstacle.
# So do "What would it mean to you to keep up with him again?" and "What do you miss
# most?", often read as a request for ideas.
GOALS_TALK = re.compile(
    r"\bwhat you (?:want|hope|care about|said you wanted)\b|\byour goals?\b|"
    r"\bwant from (?:our|this|the) work\b|\bwhat matters to you\b|\byour values\b|"
    r"\bwhat would it mean (?:to|for) you\b|\bwhat (?:do|would) you miss\b",
    re.IGNORECASE)
# Moves that open the topic again after an objection, so a later proposal is not pressure.
EXPLORING_MOVES = frozenset(
    {
        "explore_barriers",
        "elicit_feedback",
        "reflect",
        "problem_solve",
        "repair_rupture",
        "elicit_ideas",
        "ask_permission",
        "give_rationale",
        "link_to_goals",
        "affirm",
    }
)
# A question asked twice is noticed; these moves may be repeated naturally.
REPEATABLE = frozenset(
    {"reflect", "affirm", "problem_solve", "specify_plan", "off_topic", "propose_task"}
)
# A half-recognised statement of these moves may be taken (see TUNING.unsure_floor).
UNSURE_SAFE_MOVES = frozenset({"reflect", "affirm"})
_WORD_RE = re.compile(r"[a-z']+")
_FILLER = frozenset(
    "a an the and or so um uh er just i you your we it to of in on that this is was do did "
    "how what".split()
)
SPECIFIC_ENTITIES: tuple[str, ...] = ("day", "time_of_day", "frequency", "duration", "place",
                                      "person")
# Moves that are questions in substance: a closed question here gets a short answer.
QUESTION_MOVES = frozenset(
    {"review_plan", "explore_learning", "explore_barriers", "elicit_ideas", "link_to_goals",
     "set_agenda"}
)
# A closed form is natural for these, so it is no "closed question" the client reacts to:
# asking permission, asking for a paraphrase, and a confidence scale (checked on the text).
CLOSED_QUESTION_EXEMPT = frozenset({"ask_permission", "check_understanding"})
SCALE_RE = re.compile(r"\bscale\b|\bout of (?:10|ten)\b|\bhow (?:confident|likely|sure)\b|"
                      r"\b(?:0|zero|1|one)\s*(?:to|-|and)\s*(?:10|ten)\b", re.IGNORECASE)
# What a specify_plan question is about, by its words (the entities given count too).
# `when` is asked by "when", and answered by a time of day or a day (moves.DETAIL_QUESTIONS).
DETAIL_WORDS: dict[str, re.Pattern[str]] = {
    "when": re.compile(r"\bwhen\b|what time|which days?\b|what days?\b|\bwhat point\b|"
                       r"\btime of (?:the )?day\b|\bpart of (?:the|your) day\b",
                       re.IGNORECASE),
    "where": re.compile(r"\bwhere\b|\bwhich place\b|\bwhat place\b", re.IGNORECASE),
    "how_long": re.compile(r"\bhow long\b|\bhow many minutes\b|\bhow much time\b|"
                           r"\bwhat length\b", re.IGNORECASE),
    "how_often": re.compile(r"\bhow often\b|\bhow many times\b|\bhow many days\b|"
                            r"\bhow frequently\b|\bhow regularly\b|\bhow many (?:sessions|"
                            r"mornings|evenings|walks)\b", re.IGNORECASE),
    "who": re.compile(r"\bwho\b|\bwhom\b|\bwith anyone\b|\banyone (?:else|with|who)\b|"
                      r"\bon your own\b|\bby yourself\b|\bwith someone\b|\balone\b|"
                      r"\b(?:come|go|walk) with you\b|\bjoin you\b|\bkeep you company\b|"
                      r"\b(?:any|some)(?:one|body) (?:come|join|go|walk)\b",
                      re.IGNORECASE),
}
# Which plan entity a question asks for, finer than DETAIL_WORDS ("which days" asks for a
# day, "what time" for a time of day; a bare "when" for either).
ENTITY_WORDS: dict[str, re.Pattern[str]] = {
    "day": re.compile(r"\b(?:which|what) days?\b|\bday of the week\b|\bon which days?\b",
                      re.IGNORECASE),
    "time_of_day": re.compile(r"\bwhat (?:sort of |kind of )?time\b|\btime of (?:the )?day\b|"
                              r"\bwhen in the day\b|"
                              r"\bwhat point in (?:the|your) day\b|\bpart of (?:the|your) "
                              r"day\b|\bmorning or (?:the )?evening\b", re.IGNORECASE),
    "duration": DETAIL_WORDS["how_long"],
    "frequency": DETAIL_WORDS["how_often"],
    "place": DETAIL_WORDS["where"],
    "person": DETAIL_WORDS["who"],
    # "What sort of time?" asks when, not what.
    "activity": re.compile(r"\bwhat (?:exactly|kind of|sort of)\b(?!\s+(?:time|day|place)s?\b)|"
                           r"\bwhich activity\b|"
                           r"\bwhat would you (?:like to |want to )?(?:try|do)\b",
                           re.IGNORECASE),
}
# "When" that asks ("When would suit you?"), not "when a feeling comes".
_BARE_WHEN = re.compile(r"^\W*when\b|\bwhen\s+(?:would|could|do|does|will|might|can|should|"
                        r"is|are|shall|works?)\b|\bwhen\s*\?", re.IGNORECASE)
def entity_values(turn: TurnInput) -> dict[str, str]:
    """The turn's entities by name; several values of one entity joined with "and"."""
    values: dict[str, list[str]] = {}
    for ent in turn.entities or []:
        name = str(ent.get("entity", ""))
        raw = ent.get("value")
        items = raw if isinstance(raw, list) else [raw]
        for item in items:
            if item is None or str(item).strip() == "":
                continue
            text = str(item).strip()
            if name in DETAIL_ENTITIES:
                kept = plausible_value(name, text)
                if kept is None or span_of_the_question(name, kept, turn.text):
                    continue  # a fragment, or the question's own words, never enters the plan
                text = kept
            if text not in values.setdefault(name, []):
                values[name].append(text)
    return {k: " and ".join(v) for k, v in values.items() if v}


def contains_any(text: str | None, needles: tuple[str, ...]) -> bool:
    low = (text or "").lower()
    return any(n.lower() in low for n in needles if n)


def specifics(plan: dict[str, Any]) -> int:
    return sum(1 for e in SPECIFIC_ENTITIES if plan.get(e))


def unsure_but_safe(move: str, confidence: float, text: str, cues: dict[str, Any]) -> bool:
    """A low-confidence reading that may still be taken (see UNSURE_SAFE_MOVES): a statement,
    not a question, and no instruction."""
    return (move in UNSURE_SAFE_MOVES and confidence >= TUNING.unsure_floor and "?" not in text
            and not cues.get("directive"))


def solving(s: ClientState, move: str, cues: dict[str, Any]) -> bool:
    """Whether this turn works on an obstacle the client has named (see SOLVING_FAMILY)."""
    if move not in SOLVING_FAMILY or cues.get("directive"):
        return False
    if move != "problem_solve" and not (cues.get("question") == "open" or cues.get("tentative")):
        return False  # a flat proposal or instruction is not an invitation to solve it together
    return any(b not in s.resolved for b in s.disclosed)


def rationale_talk(s: ClientState, move: str, cues: dict[str, Any], text: str) -> bool:
    """Whether an explore_learning turn is, in substance, a question about why to do the task
    (see RATIONALE_TALK): asked, not told, and while a task is being designed or is on the
    table (stepping back to last week's evidence to frame a proposed task is still about it)."""
    designing = s.phase == "design" or bool(s.plan.get("activity"))
    if move != "explore_learning" or not designing or cues.get("directive"):
        return False
    asked = cues.get("question") in ("open", "closed") or "?" in text
    return asked and bool(RATIONALE_TALK.search(text))


def _words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall(text.lower()) if w not in _FILLER}


def asked_before(s: ClientState, move: str, text: str) -> bool:
    """Whether this question nearly repeats one of the last few; remembers it either way.

    Follow-up questions of the same kind are ordinary ("How did it go?" then "Which days?"),
    so only a question whose wording nearly matches a recent one counts as asked twice.
    """
    words = _words(text)
    repeated = False
    for old_move, old_words in s.recent_questions:
        old = set(old_words)
        union = words | old
        if old_move == move and (words == old
                                 or len(words & old) / len(union) >= TUNING.same_question):
            repeated = True
    s.recent_questions = (s.recent_questions + [[move, sorted(words)]])[-TUNING.recent_questions:]
    return repeated


def asked_details(text: str, turn_values: dict[str, str]) -> list[str]:
    """Which details a specify_plan turn asks about, in the order the text names them."""
    found = sorted((m.start(), d) for d, rx in DETAIL_WORDS.items() if (m := rx.search(text)))
    asked = [d for _, d in found]
    for d, ents in DETAIL_QUESTIONS.items():  # a detail offered ("Wednesday?") is asked about
        if d not in asked and any(turn_values.get(e) for e in ents):
            asked.append(d)
    return asked


def same_activity(a: str, b: str) -> bool:
    x, y = a.lower().strip(), b.lower().strip()
    for art in ("the ", "a ", "an ", "my ", "your "):
        x, y = x.removeprefix(art), y.removeprefix(art)
    return bool(x and y) and (x in y or y in x)


def asked_entities(text: str, turn_values: dict[str, str]) -> list[str]:
    """The plan entities a detail question asks for, in the order the text names them.

    A bare "when" asks for a time of day (a day if the text also names one); entities the
    trainee offered with the question ("Wednesday?") are asked about too.
    """
    found = sorted((m.start(), e) for e, rx in ENTITY_WORDS.items() if (m := rx.search(text)))
    asked = [e for _, e in found]
    m = _BARE_WHEN.search(text)
    if m and not {"day", "time_of_day"} & set(asked):
        asked.append("time_of_day")
    for e in turn_values:
        if e in DETAIL_ENTITIES and e not in asked:
            asked.append(e)
    return asked


DETAIL_ENTITIES: tuple[str, ...] = ("activity", "day", "time_of_day", "frequency", "duration",
                                    "place", "person")
# Words that end a fragment rather than a detail: "around the park and sound" is "around the
# park" plus the start of "does that sound right?".
_TRAILING_FRAGMENT = re.compile(
    r"\s+(?:and|or|but|so)\s+(?:sound|sounds|seem|seems|feel|feels|work|works|right|ok|okay|"
    r"good|fine|does|do|is|would|could|that|this|it)\b.*$", re.IGNORECASE)


_TIME_PHRASE = re.compile(r"(?:before|after)\s+\w+", re.IGNORECASE)
_LEADING_CONJUNCTION = re.compile(r"^(?:and|or|but|so)\s+", re.IGNORECASE)
_FRAGMENT_WORDS = frozenset({"sound", "sounds", "seem", "seems", "feel", "feels", "right",
                             "good", "fine", "okay", "ok"})
# A question's "someone" or "anyone" ("is there someone who might come along?") names no
# one: the plan's person is who the client will actually be with.
_INDEFINITE_PEOPLE = re.compile(r"^(?:some|any|every|no)\s*(?:one|body)(?:\s+else)?$",
                                re.IGNORECASE)
# An activity made only of these (with function words) is a size, a quantity or a light verb
# cut out of a sentence ("a small step this week fit with, um, getting some of that back";
# "just a number on your phone, a minute at most"), not a thing to do: "a small", "getting",
# "a number", "a minute". A real activity has its own content word ("a short walk", "a
# number out of ten on my phone").
_VAGUE_ACTIVITY_WORDS = frozenset(
    "small little tiny bit step something thing getting doing going having making taking "
    "trying being number numbers minute minutes hour hours second seconds moment while lot "
    "lots few couple amount half quarter once twice time times day days week weeks most "
    "least more less".split())


def plausible_value(entity: str, value: str) -> str | None:
    """The value as a plan detail, or None for a fragment the NLU cut out of a sentence
    ("sound", "write-", "and sound"): only function words, a word cut off, or a closed-class
    value that does not normalise."""
    from bot.language.entities import only_function_words, recognised

    text = _TRAILING_FRAGMENT.sub("", value.strip()).strip(" ,.;:")
    text = _LEADING_CONJUNCTION.sub("", text)
    if not text or text.endswith("-") or text.lower() in _FRAGMENT_WORDS:
        return None
    if entity in ("day", "frequency", "duration") and not recognised(entity, text):
        return None
    if only_function_words(text) and not (entity == "time_of_day"
                                          and _TIME_PHRASE.match(text)):
        return None  # "before work", "before going in" are function words, and times
    if entity == "activity" and len(text) < 3:
        return None
    if entity == "person" and _INDEFINITE_PEOPLE.match(text):
        return None
    if entity == "activity" and all(
        w in _VAGUE_ACTIVITY_WORDS or only_function_words(w)
        for w in re.findall(r"[a-z']+", text.lower())
    ):
        return None
    return text


# "When in the week", "how many times over the week": the week is the span the question
# asks about, not an offer of weekdays (which is how "in the week" is read on its own:
# "I'm busy in the week").
_WEEK_SPAN_QUESTION = re.compile(
    r"\b(?:when|which days?|what days?|how often|how many times|what time)\b[^.?!]{0,40}?"
    r"\b(?:in|during|over|across) the week\b", re.IGNORECASE)
_WEEKDAYS_SAID = re.compile(r"\bweekdays?\b", re.IGNORECASE)


def span_of_the_question(entity: str, value: str, text: str) -> bool:
    """Whether a detail was read from the words of the question that asks for it ("when in
    the week" read as day=weekdays): the trainee asks, it offers nothing."""
    return entity == "day" and value == "weekdays" and bool(_WEEK_SPAN_QUESTION.search(text)) \
        and not _WEEKDAYS_SAID.search(text)


def goals_talk(move: str, text: str) -> bool:
    """Whether a feedback, check or ideas question is, in substance, about the client's
    goals."""
    return move in ("elicit_feedback", "check_understanding", "explore_learning",
                    "problem_solve", "specify_plan", "elicit_ideas") \
        and bool(GOALS_TALK.search(text))


# "What would help with that?" asked about an obstacle the client has named is
# problem-solving, however the NLU reads it (often as elicit_ideas).
HELP_WITH = re.compile(
    r"\bhelp with (?:that|it|this|those)\b|\bget (?:round|around|past) (?:that|it|this)\b|"
    r"\bmake (?:that|it|this) (?:a bit |a little |any )?(?:easier|more (?:doable|possible|"
    r"manageable|realistic)|work)\b|\bwhat would help\b|\bwhat might help\b|"
    r"\bwhat could help\b|\bwork (?:round|around) (?:that|it|this|them)\b",
    re.IGNORECASE)
# Misreadings of a detail question that the words settle ("Who else, if anyone?" as
# small talk), once a task is being planned.
DETAIL_MISREAD = frozenset({"off_topic", "elicit_ideas", "explore_barriers", "explore_learning",
                            "review_plan", "check_understanding", "reflect"})
# A proposal that names nothing and asks for a detail ("And what sort of time would suit
# you?") asks; it does not push. It is a detail question too, but only when it offers no
# detail of its own: "How about Saturday, how long could you do?" still proposes.
PROPOSAL_MISREAD = frozenset({"propose_task"})


def move_in_substance(move: str, text: str, state: ClientState,
                      turn_values: dict[str, str]) -> str:
    """The move a turn makes in substance where its words settle what the NLU may misread:
    a goals question is link_to_goals; asking what would help with a named obstacle is
    problem_solve; a question for a plan detail while a task is planned is specify_plan."""
    if goals_talk(move, text):
        return "link_to_goals"
    open_barrier = any(b not in state.resolved for b in state.disclosed)
    if move in ("elicit_ideas", "explore_barriers", "elicit_feedback", "ask_permission") \
            and open_barrier and HELP_WITH.search(text):
        return "problem_solve"
    misread = move in DETAIL_MISREAD or (
        move in PROPOSAL_MISREAD and not any(turn_values.get(e) for e in DETAIL_ENTITIES))
    if misread and "?" in text and state.plan.get("activity") \
            and state.phase == "design" \
            and [e for e in asked_entities(text, {}) if e != "activity"]:  # by its words
        return "specify_plan"
    return move
