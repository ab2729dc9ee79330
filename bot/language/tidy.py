"""Entity tidying: what reaches the engine from the entity ruler and the learned extractor
(pure, no Rasa).

`tidy_entities(entities, text)` filters, repairs, normalises, expands and de-duplicates the
entities of one message. The ruler (SpacyEntityExtractor, bot/language/entities.py patterns)
owns the closed classes; the learned extractor (config.yml: CRFEntityExtractor; "DIET" in the
comments below stands for whichever learned extractor is configured) mostly finds `activity`,
whose spans need repair: it stops inside a phrase ("calling" + [your aunt]) or at the verb
("[call] your sister"), runs over the next words ("around the park and sound"), or tags a
fragment ("write-" of "write-off"). Details of the obstacle in a problem-solving turn ("if
five minutes is too long, ...") and of a goal ("you said you want to see your friends") are no
plan details. bot/rasa_ext/nlu.py (CueAnnotator) calls it on every parse.
"""

from __future__ import annotations

import re
from typing import Any

from bot.language.entities import (
    RULER_LABELS,
    expand,
    normalize,
    only_function_words,
    recognised,
)
from bot.language.task_frames import framed_tasks

RULER_EXTRACTOR = "SpacyEntityExtractor"

# Closed classes: the ruler's patterns define them; DIET's guesses at them are mostly
# fragments ("on", "after") or the wrong class ("your days off" as a frequency).
CLOSED_LABELS: tuple[str, ...] = ("day", "time_of_day", "frequency", "duration")
# An activity opening with one of these is a when/where phrase DIET mislabelled
# ("at your days off", "in the park"); "for"/"with" stay ("with the kids" is Sam's task).
_LEADING_PREPOSITIONS = frozenset(
    "at in on after before during around round by near over until every each inside "
    "outside".split()
)
# Filler said before the activity itself: "maybe just a walk" -> "a walk".
_ACTIVITY_FILLER = frozenset({"to", "maybe", "just", "perhaps"})
# Verbs and pronouns that name no task without their object ("how did it go").
_BARE_ACTIVITY = frozenset({"go", "do", "try", "work", "it", "that", "this", "things", "stuff",
                            "something", "anything", "one", "get", "make", "start", "keep",
                            "going", "doing", "done", "went", "did"})
_PLACE_PREPOSITIONS = frozenset(
    "at in on around round to by near along through into inside outside".split()
)
# What a person carries or pushes is not where the plan happens ("in the buggy").
_NOT_PLACES = frozenset({"buggy", "pushchair", "pram", "stroller", "scooter", "bag", "arms",
                         "head", "mind", "diary", "notebook", "phone", "way"})
_WORD = re.compile(r"[^\s]+")
# Names are unknowable to the ruler, but after "with/ask/call/text" a lone capitalised word is
# almost always a person ("guitar with Kofi"); DIET rarely learnt the names the personas use.
NAMED_PERSON = re.compile(r"\b(?:with|ask|call|text)\s+([A-Z][a-z'-]+)\b(?!\s+[A-Z])")
_NOT_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december i i'm i'd i'll christmas easter "
    "google whatsapp zoom me you him her them us it my your his their our".split()
)
NAME_EXTRACTOR = "NamedPersonHeuristic"


def _rank(ent: dict[str, Any]) -> int:
    """Lower is better: which extractor to believe for this entity type."""
    from_ruler = ent.get("extractor") == RULER_EXTRACTOR
    if ent.get("entity") in RULER_LABELS:
        return 0 if from_ruler else 1
    return 0 if not from_ruler else 1


def _has_span(e: dict[str, Any]) -> bool:
    return isinstance(e.get("start"), int) and isinstance(e.get("end"), int)


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if not (_has_span(a) and _has_span(b)):
        return False
    return a["start"] < b["end"] and b["start"] < a["end"]


def _inside(inner: dict[str, Any], outer: dict[str, Any]) -> bool:
    return (_has_span(inner) and _has_span(outer) and inner is not outer
            and outer["start"] <= inner["start"] and inner["end"] <= outer["end"])


def _learned(e: dict[str, Any]) -> bool:
    """From a trained extractor (DIET). Entities without an extractor were given explicitly
    (e.g. `/specify_plan{"day": "Monday"}`) and are trusted like the ruler's."""
    return bool(e.get("extractor")) and e.get("extractor") != RULER_EXTRACTOR


def _words(value: str) -> list[str]:
    return [w.strip(".,!?;:\"'").lower() for w in value.split()]


# Who is asked and how it is asked, before the task's own verb: "could you [...]", "you
# might [...]", "try to [...]"; "try" before another verb ("try going to bed earlier") is
# the asking too, while "try a body scan" (try + a thing) is the task (data/nlu convention).
_LEADING_ASK = re.compile(
    r"^(?:(?:you|we|i|could|would|should|might|can|will|may|you'?ll|you'?d|we'?ll|we'?d|"
    r"i'?d|to|also|even|simply|possibly|probably|actually|really|still|then|so|and|or|"
    r"please|(?:manage|managed|trying|tried)(?=\s+to\b)|"
    r"try(?=\s+(?:to\b|and\b|\w+ing\b)))\b[\s,]*)+", re.I)


def _strip_filler(ent: dict[str, Any]) -> dict[str, Any]:
    """Drop leading "to"/"maybe"/"just"/"could you"/"try to" from an activity, moving
    `start` with the text."""
    value = ent["value"]
    cut = 0
    while True:
        before = cut
        for m in _WORD.finditer(value, cut):
            if m.group().lower().strip(",") not in _ACTIVITY_FILLER:
                cut = m.start()
                break
        else:
            cut = len(value)
        m = _LEADING_ASK.match(value[cut:])
        if m and m.end() < len(value) - cut:
            cut += m.end()
        if cut == before:
            break
    if cut == 0:
        return ent
    new = dict(ent, value=value[cut:])
    if _has_span(ent):
        new["start"] = ent["start"] + cut
    return new


def _plausible_activity(ent: dict[str, Any], ruler: list[dict[str, Any]]) -> bool:
    words = _words(ent["value"])
    if not words or only_function_words(ent["value"]):
        return False
    if len(words) == 1 and words[0] in _BARE_ACTIVITY:
        return False
    if words[0] in _LEADING_PREPOSITIONS:
        # A when/where phrase: the ruler found something in it, or it reads as one.
        rest = " ".join(words[1:])
        return not (any(_overlaps(ent, r) for r in ruler)
                    or any(recognised(c, rest) for c in CLOSED_LABELS)
                    or len(words) <= 3)
    return True


def _plausible_place(ent: dict[str, Any]) -> bool:
    words = _words(ent["value"])
    return (len(words) >= 2 and words[0] in _PLACE_PREPOSITIONS
            and not (set(words) & _NOT_PLACES))


def _join_fragments(
    acts: list[dict[str, Any]], ruler: list[dict[str, Any]], text: str | None
) -> list[dict[str, Any]]:
    """Join activity fragments split by a ruler entity: "a" + [ten-minute] + "walk"."""
    spans = sorted((a for a in acts if _has_span(a)), key=lambda a: a["start"])
    out: list[dict[str, Any]] = [a for a in acts if not _has_span(a)]
    cur: dict[str, Any] | None = None
    for a in spans:
        if cur is not None:
            between = [r for r in ruler if cur["end"] <= r["start"] and r["end"] <= a["start"]]
            covered = set()
            for r in between:
                covered.update(range(r["start"], r["end"]))
            gap = range(cur["end"], a["start"])
            if text is not None:
                bridged = bool(between) and all(
                    i in covered or not text[i].strip() for i in gap)
            else:  # without the text only the offsets tell: the gap is the ruler spans
                bridged = bool(between) and all(
                    i in covered or i in {r["start"] - 1 for r in between}
                    or i in {r["end"] for r in between} for i in gap)
            if bridged:
                if text is not None:
                    value = text[cur["start"]:a["end"]]
                else:
                    chars = [" "] * (a["end"] - cur["start"])
                    for e in (cur, *between, a):
                        off = e["start"] - cur["start"]
                        chars[off:off + len(e["value"])] = list(e["value"])
                    value = "".join(chars)
                cur = dict(cur, value=value, end=a["end"])
                continue
            out.append(cur)
        cur = a
    if cur is not None:
        out.append(cur)
    return out


def _vocative(ent: dict[str, Any], text: str | None) -> bool:
    """A lone capitalised word set off by a comma is the client's name ("..., Santiago?")."""
    if text is None or not _has_span(ent) or not re.fullmatch(r"[A-Z][a-z'-]+", ent["value"]):
        return False
    before = text[:ent["start"]].rstrip()
    after = text[ent["end"]:].lstrip()
    return (before == "" or before.endswith(",")) and (after == "" or after[0] in ",?.!")


def _extend_over_object(
    ent: dict[str, Any], ruler: list[dict[str, Any]], text: str | None
) -> dict[str, Any]:
    """DIET stopping inside the object the ruler found ("calling your" + [your aunt])."""
    for r in ruler:
        if r["entity"] in ("person", "place") and _has_span(ent) and _overlaps(ent, r) \
                and ent["start"] < r["start"] and ent["end"] < r["end"]:
            value = (text[ent["start"]:r["end"]] if text is not None
                     else ent["value"][:r["start"] - ent["start"]] + r["value"])
            return dict(ent, value=value, end=r["end"])
    return ent


# Times anchored to work or school are made of words that are function words elsewhere
# ("before", "work"): the ruler's "before work" is a time of day, not filler.
_ANCHORED_TIME = re.compile(r"(after|before) (work|school|shift|class)")


def _idiom(ent: dict[str, Any], text: str | None) -> bool:
    """Not the task itself: one word after "own" ("so it stays your own business"), what is
    ruled out ("no diary"), and a short object of "on/in/at" ("a number on [your phone]":
    where or with what, not what)."""
    words = _words(ent["value"])
    if words[:1] in (["no"], ["not"]):
        return True
    if text is None or not _has_span(ent) or len(words) > 2:
        return False
    before = text[:ent["start"]]
    if len(words) == 1 and re.search(r"\bown\s+$", before, re.I):
        return True
    return bool(re.search(r"\b(on|in|at|into)\s+$", before, re.I))


def _fragment(ent: dict[str, Any], text: str | None) -> bool:
    """A span that ends or starts inside a word ("write-" of "write-off", "ound" of "around"),
    or runs across a sentence end ("the park. Does"): a piece of DIET's tokenisation."""
    value = ent["value"]
    if value.rstrip().endswith(("-", "–")) or value.lstrip().startswith(("-", "–")):
        return True
    if text is None or not _has_span(ent):
        return False
    start, end = ent["start"], ent["end"]
    inside_word = (0 < start < len(text) and _word_char(text[start - 1]) and
                   _word_char(text[start])) or (0 < end < len(text) and
                                                 _word_char(text[end - 1]) and
                                                 (_word_char(text[end]) or text[end] == "-"))
    return inside_word or bool(re.search(r"[.?!]\s", text[start:end]))


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "'’"


# An activity's edges: the verb of the question ("how did it go with [the routine]") and a
# dangling preposition ("asking one question in the") are not part of the task.
_LEADING_NOT_TASK = re.compile(r"^(?:(?:go|do|did|get on|got on|went)\s+with)\s+", re.I)
_TRAILING_NOT_TASK = re.compile(
    r"(?:\s+(?:in|at|on|to|for|with|by|the|a|an|and|or|of|from|into|your|my|this|that|"
    r"-|–))+\s*$", re.I)
# Words after the task that say when or how it fits, not what it is: "call your sister [this
# week]", "a swim [instead]", "do just two minutes [and see]", "the reading [in the end]".
_TRAILING_ADVERBIAL = re.compile(
    r"(?:\s+(?:(?:this|next|that|the)\s+(?:week|time|once)|instead(?:\s+of\b.*)?|first|"
    r"again|too|as\s+well|together|then|in\s+the\s+end|at\s+all|for\s+now|anyway|"
    r"and\s+(?:see|then|notice|tell|bring)\b.*|rather\s+than\b.*|so\s+that\b.*|"
    r"like\s+we\s+(?:planned|agreed|said)\b.*|as\s+(?:planned|agreed)\b.*|"
    r"we\s+(?:agreed|planned|talked|spoke|discussed|said)\b.*|"
    # when it happens, not what it is: "counting to ten [before answering]", "[when you're
    # angry]"; and the verb of a link to a goal: "drawing for a bit [could connect]"
    r"(?:before|after|while|when|whenever)\s+\w+ing\b.*|(?:when|whenever)\s+(?:you|it|the)\b.*|"
    r"(?:could|would|might|may|can|will|should|is|are)\s+(?:really\s+|also\s+)?"
    r"(?:connect|fit|link|tie|help|be|relate|serve)\b.*))+\s*$", re.I)
# Tasks that are time with someone: "with <person>" after them is part of the task.
_SOCIAL_TASK = re.compile(
    r"\b(?:coffee|cuppa|tea|lunch|dinner|breakfast|brunch|drink|drinks|chat|talk|talking|"
    r"catch[\s-]up|meet|meeting|visit|visiting|call|phone|ring|play|playing|game)\b", re.I)
# Closed-class entities said after the task are details of it, not part of its name:
# "a phone call to a friend [this weekend]", "the metro one stop [with your partner]".
_DETAIL_LABELS = frozenset({"day", "time_of_day", "frequency", "duration", "place", "person"})


def _trim_activity(
    ent: dict[str, Any], ruler: list[dict[str, Any]], text: str | None
) -> dict[str, Any]:
    """Cut a ruler detail off the end of an activity, then the words around the task."""
    if text is None or not _has_span(ent):
        return ent
    start, end = ent["start"], ent["end"]
    for r in sorted(ruler, key=lambda r: r["start"]):
        if r["entity"] not in _DETAIL_LABELS or not (start < r["start"] < end <= r["end"]
                                                     or start < r["start"] and r["end"] == end):
            continue
        head = text[start:r["start"]]
        if r["entity"] == "place" and re.match(r"(to|into)\b", r["value"], re.I):
            continue  # a destination belongs to the task: "walk [to the shop]"
        # A person right after the verb is its object ("calling [your aunt]"); after "with"
        # it is a companion, a detail of the plan, unless the task is being with them
        # ("a coffee with your friend": the friend is what the task is about).
        if r["entity"] == "person" and (not re.search(r"\bwith\s*$", head, re.I)
                                        or _SOCIAL_TASK.search(head)):
            continue
        end = r["start"]
        break
    m = _LEADING_NOT_TASK.match(text[start:end])
    if m:
        start += m.end()
    while True:  # "the walk instead, then" -> "the walk": one edge word at a time
        end = start + len(text[start:end].rstrip(" ,;:.?!"))
        m = _TRAILING_ADVERBIAL.search(text[start:end]) or \
            _TRAILING_NOT_TASK.search(text[start:end])
        if not m or m.start() == 0:
            break
        end = start + m.start()
    value = text[start:end].strip(" ,;:")
    if value == ent["value"]:
        return ent
    start = start + (len(text[start:end]) - len(text[start:end].lstrip(" ,;:")))
    return dict(ent, value=value, start=start, end=start + len(value))


# Where the object of a task's verb ends: a clause or list boundary, or a word that starts
# when/how it fits ("fill [in the diary] every evening", "call [your sister], Sunday").
_PHRASE_STOP = frozenset(
    "when whenever if and or but so because instead rather like than until while as then "
    "this next every each before after during whenever where which who that just "
    "maybe perhaps please is are was were be been go goes went happen happened".split())
_DETERMINERS = frozenset("the a an your my his her their our one some this that".split())
_MAX_OBJECT_WORDS = 6


def _extend_bare_verb(
    ent: dict[str, Any], ruler: list[dict[str, Any]], text: str | None
) -> dict[str, Any]:
    """DIET stopping at the task's verb: "[call] your sister" -> "[call your sister]".

    A one-word activity that is not a noun after a determiner runs on over the words that
    follow, up to punctuation, a ruler entity or a boundary word (_PHRASE_STOP).
    """
    if text is None or not _has_span(ent) or len(_words(ent["value"])) != 1:
        return ent
    head = ent["value"]
    if not re.fullmatch(r"[a-z][a-z'-]{2,}", head) or only_function_words(head):
        return ent
    before = text[:ent["start"]].split()
    if before and before[-1].lower().strip(",") in _DETERMINERS:
        return ent
    starts = {r["start"] for r in ruler}
    end = ent["end"]
    taken = 0
    for m in re.finditer(r"\s*([^\s]+)", text[ent["end"]:]):
        word = m.group(1)
        word_start = ent["end"] + m.start(1)
        bare = word.rstrip(".,;:?!")
        if (word_start in starts or not bare or bare.lower() in _PHRASE_STOP
                or not bare[0].isalnum() or taken >= _MAX_OBJECT_WORDS):
            break
        end = word_start + len(bare)
        taken += 1
        if bare != word:  # punctuation after this word ends the phrase
            break
    if taken == 0:
        return ent
    return dict(ent, value=text[ent["start"]:end], end=end)


_LEADING_DETERMINER = re.compile(r"\b(?:the|a|an)\s+$", re.I)
# A phrasal verb's particle at the end of a clause belongs to the task ("putting your
# trainers [on].", "write the question [down]?").
_CLOSING_PARTICLE = re.compile(r"^\s+(?:on|off|up|down|out|away|back|over)(?=\s*(?:[.,;:?!]|$))",
                               re.I)


def _with_particle(ent: dict[str, Any], text: str | None) -> dict[str, Any]:
    if text is None or not _has_span(ent):
        return ent
    m = _CLOSING_PARTICLE.match(text[ent["end"]:])
    if not m:
        return ent
    end = ent["end"] + m.end()
    return dict(ent, value=text[ent["start"]:end], end=end)


def _with_determiner(ent: dict[str, Any], text: str | None) -> dict[str, Any]:
    """A task named by a noun keeps its article: "the [morning walks]" -> "[the morning walks]"
    (the training data's convention)."""
    if text is None or not _has_span(ent):
        return ent
    m = _LEADING_DETERMINER.search(text[:ent["start"]])
    if not m:
        return ent
    return dict(ent, value=text[m.start():ent["end"]], start=m.start())


# A verb of going before a task named by its place or event is part of the task: "going to
# [the book club]" -> "[going to the book club]", "go for [the walks]" (data/nlu convention:
# "did you manage to [go into the supermarket]").
_GOING_VERB = re.compile(
    r"\b(?:(?!(?:nothing|something|anything|everything|thing|morning|evening|ring|bring|"
    r"during|king|sing|spring)\b)\w{3,}ing|go|get|walk|run|cycle|drive|ride|swim|head|pop)"
    r"\s+(?:to|for|into|round|around|along|through|down\s+to|out\s+to|over\s+to)\s+$", re.I)


def _with_going_verb(ent: dict[str, Any], text: str | None) -> dict[str, Any]:
    if text is None or not _has_span(ent) or not re.match(r"(?:the|a|an|your)\b", ent["value"],
                                                           re.I):
        return ent
    m = _GOING_VERB.search(text[:ent["start"]])
    if not m:
        return ent
    return dict(ent, value=text[m.start():ent["end"]], start=m.start())


def _adjacent_object(
    ent: dict[str, Any], ruler: list[dict[str, Any]], text: str | None
) -> dict[str, Any]:
    """DIET stopping at the verb whose object the ruler found: "calling" + [your aunt]."""
    if text is None or not _has_span(ent) or len(_words(ent["value"])) != 1:
        return ent
    for r in ruler:
        if r["entity"] == "person" and r["start"] == ent["end"] + 1 \
                and text[ent["end"]] == " " and ent["value"].lower().endswith("ing"):
            return dict(ent, value=text[ent["start"]:r["end"]], end=r["end"])
    return ent


# The obstacle a problem-solving turn starts from is not part of the plan: in "If five minutes
# is too long, could you start with two?" the duration is two, and in "Since you're away at
# the weekend, could we move it to Friday?" the day is Friday. A leading condition runs from
# "if/since/given/unless" (not "what if", which proposes) to the first comma or question mark;
# the training data annotates no plan detail inside one (data/nlu/problem_solve.yml).
_CONDITION = re.compile(
    r"(?:^|[.!?;]\s+)(?:(?:so|ok|okay|right|and|but|well|now)\b[\s,]*)*"
    r"(?:[A-Z][a-z'-]+,\s*)?(?:(?:so|ok|okay|right|and|but|well|now)\b[\s,]*)*"
    r"(?P<clause>(?:even\s+)?(?:if|since|given(?:\s+that)?|unless|in\s+case)\b[^,;:.?!]*)[,;]",
    re.I)


# A hypothetical that puts the plan itself ("if we said ten minutes, ...", "if you went on
# Monday, ...", "if it were shorter, ...") is a proposal, not an obstacle: its details count.
_HYPOTHETICAL = re.compile(
    r"(?:even\s+)?if\s+(?:we|you|i|it|that|this)\s+(?:just\s+|only\s+)?"
    r"(?:said|say|made|make|tried|try|did|do|went|go|moved|move|kept|keep|started|start|"
    r"picked|pick|chose|choose|set|put|aimed|aim|settled|gave|give|changed|change|shifted|"
    r"swapped|switched|cut|were|was|could|would|took|take|planned|plan|booked|book|fixed|"
    r"called|made)\b", re.I)


def condition_spans(text: str | None) -> list[tuple[int, int]]:
    """(start, end) of each leading condition clause of `text` that names an obstacle (see
    _CONDITION; hypothetical proposals are left out, see _HYPOTHETICAL)."""
    if not text:
        return []
    return [(m.start("clause"), m.end("clause")) for m in _CONDITION.finditer(text)
            if not _HYPOTHETICAL.match(m.group("clause"))]


def _in_condition(ent: dict[str, Any], spans: list[tuple[int, int]]) -> bool:
    return _has_span(ent) and any(s <= ent["start"] and ent["end"] <= e for s, e in spans)


# What the client wants from life is not a detail of this week's plan: in "You said you want
# to see your friends again; how could the walk fit?" the friends are a goal. A goal runs from
# its cue to the next comma or sentence end; the training data (data/nlu/link_to_goals.yml)
# marks no plan detail inside one. Activities are left to the learned extractor.
_GOAL = re.compile(
    r"\b(?:goals?|values?|wish|wanting|matters?(?:\s+\w+){0,2}\s+to\s+you|important\s+to\s+you|"
    r"care\s+about|hoping|came\s+here|"
    r"(?:said|told\s+me|mentioned)(?:\s+that)?(?:\s+earlier)?\s+you(?:'d|\s+would)?\s+"
    r"(?:want|wanted|like|love)\s+to)\b[^,;:.?!]*", re.I)


def goal_spans(text: str | None) -> list[tuple[int, int]]:
    """(start, end) of each stretch of `text` that states a goal or value (see _GOAL)."""
    return [(m.start(), m.end()) for m in _GOAL.finditer(text or "")]


_TIME_UNIT = re.compile(
    r"\b(?:min|mins|minutes?|hours?|hrs?|secs?|seconds?)\b|\d+\s*(?:m|h)\b", re.I)
# A detail that is asked for, not given ("which evening would suit?", "how many evenings
# did you manage?"), and "today" as the day of this session ("what we found today").
_ASKED_BEFORE = re.compile(r"\b(?:which|what|how\s+many)\s+$", re.I)
_SESSION_TODAY = re.compile(
    r"\b(?:found|learned|learnt|discussed|talked\s+about|covered|noticed|said|realised|"
    r"realized|worked\s+on|spoke\s+about|came\s+up)(?:\s+\w+){0,2}\s+$", re.I)


def _asked_or_session(ent: dict[str, Any], text: str | None) -> bool:
    if text is None or not _has_span(ent) or ent.get("entity") not in CLOSED_LABELS:
        return False
    before = text[:ent["start"]]
    if _ASKED_BEFORE.search(before):
        return True
    return ent["value"].strip().lower() == "today" and bool(_SESSION_TODAY.search(before))


# Indefinite people name nobody to plan with ("is there someone who could come?").
_INDEFINITE_PERSON = re.compile(r"(?:some|any|no)\s*(?:one|body)(?:\s+else)?", re.I)


def _filter(entities: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    """Drop DIET's implausible entities and repair its activity spans (see tidy_entities)."""
    conditions = condition_spans(text)
    goals = goal_spans(text)
    entities = [e for e in entities
                if not (isinstance(e, dict) and _in_condition(e, conditions))
                and not (isinstance(e, dict) and _asked_or_session(e, text))
                and not (isinstance(e, dict) and e.get("entity") != "activity"
                         and _in_condition(e, goals))
                and not (isinstance(e, dict) and e.get("entity") == "person"
                         and isinstance(e.get("value"), str)
                         and _INDEFINITE_PERSON.fullmatch(e["value"].strip()))]
    named = [e for e in entities
             if isinstance(e.get("entity"), str) and isinstance(e.get("value"), str)]
    trusted = [e for e in named if not _learned(e)]
    ruler_classes = {sub for e in trusted for sub, _ in expand(e["entity"], e["value"])}
    ruler_spans = [e for e in trusted if _has_span(e)]
    kept: list[dict[str, Any]] = []
    acts: list[dict[str, Any]] = []
    for e in entities:
        if e not in named or not _learned(e):
            if e not in named or not only_function_words(e["value"]) \
                    or _ANCHORED_TIME.fullmatch(normalize(e["entity"], e["value"])):
                kept.append(e)
            continue
        name = e["entity"]
        if name == "activity":
            acts.append(_strip_filler(e))
            continue
        if only_function_words(e["value"]):
            continue
        if any(_overlaps(e, r) and r["entity"] != name for r in ruler_spans):
            continue  # the ruler has read these words as something else
        if name in CLOSED_LABELS and (name in ruler_classes or not recognised(name, e["value"])):
            continue
        if name == "duration" and not _TIME_UNIT.search(e["value"]) \
                and not _TIME_UNIT.search(text or ""):
            continue  # a bare number ("ten pages", "count to ten") is a length only beside one
        if name == "place" and not _plausible_place(e):
            continue  # "sound" of "does that sound right" is no place, ruler place or not
        if _fragment(e, text):
            continue
        kept.append(e)
    acts = _repair_activities(acts, kept, ruler_spans, text)
    if not acts:  # no learned task survived: read it off its frame, if any
        acts = _repair_activities(
            [a for a in framed_tasks(text, ruler_spans)
             if not any(_overlaps(a, r) and not _object_of_task(r) for r in ruler_spans)],
            kept, ruler_spans, text)
    return kept + acts


def _object_of_task(r: dict[str, Any]) -> bool:
    """A person, or a destination ("to the library"), that a task's verb can take as its
    object: "[go to the library]", "[ring your aunt]"."""
    return r["entity"] == "person" or (
        r["entity"] == "place" and bool(re.match(r"(?:to|into)\b", str(r["value"]), re.I)))


def _repair_activities(
    acts: list[dict[str, Any]], kept: list[dict[str, Any]], ruler_spans: list[dict[str, Any]],
    text: str | None,
) -> list[dict[str, Any]]:
    """Join, extend, trim and judge candidate activities (see tidy_entities)."""
    # Join before judging: "a" alone is junk, "a" [ten-minute] "walk" is the activity.
    acts = _join_fragments([a for a in acts if a["value"].strip()], ruler_spans, text)
    acts = [_adjacent_object(_extend_over_object(a, ruler_spans, text), ruler_spans, text)
            for a in acts if not (_vocative(a, text) or _fragment(a, text) or _idiom(a, text))]
    acts = [_trim_activity(_extend_bare_verb(a, ruler_spans, text), ruler_spans, text)
            for a in acts]
    acts = [_with_going_verb(_with_particle(_with_determiner(a, text), text), text)
            for a in acts]
    acts = [a for a in acts if a["value"].strip()
            and _plausible_activity(a, ruler_spans)]
    others = kept + acts
    return [a for a in acts if not any(_inside(a, o) for o in others if o is not a)]


def _named_people(entities: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    """Persons named after "with/ask/call/text" that no entity already covers (see
    NAMED_PERSON); a word another entity claims (a day, a place) is left to that entity."""
    if not text:
        return []
    found: list[dict[str, Any]] = []
    for m in NAMED_PERSON.finditer(text):
        name = m.group(1)
        if name.lower() in _NOT_NAMES:
            continue
        ent = {"entity": "person", "value": name, "start": m.start(1), "end": m.end(1),
               "extractor": NAME_EXTRACTOR}
        if any(_overlaps(ent, e) and e.get("entity") != "activity" for e in entities):
            continue
        found.append(ent)
    return found


def tidy_entities(
    entities: list[dict[str, Any]], text: str | None = None
) -> list[dict[str, Any]]:
    """Filter, normalise, expand and de-duplicate a message's entities (pure).

    Filtering (entities from a trained extractor only; ruler and explicit ones are kept):
    - closed classes (day, time_of_day, frequency, duration) only when the ruler found none
      of that class and the value normalises to a canonical one; nothing that is only
      function words ("on", "the", "go") of any class;
    - a DIET entity over words the ruler labelled as another class is dropped;
    - place only from the ruler, or "<place preposition> ..." of two words or more that is
      not something carried ("in the buggy");
    - activity: leading "to"/"maybe"/"just" stripped; bare verbs/pronouns ("go", "it") and
      when/where phrases ("at your days off", "in the park") dropped; fragments split only
      by ruler entities joined ("a" [ten-minute] "walk"); an activity inside another
      entity's span dropped.
    `text` (the message text) gives joined fragments their exact wording, and a capitalised
    name after "with/ask/call/text" becomes a person (see _named_people).
    """
    entities = _filter(entities, text)
    entities = entities + _named_people(entities, text)
    ranked = sorted(enumerate(entities), key=lambda p: (_rank(p[1]), p[0]))
    kept: list[dict[str, Any]] = []
    order: dict[int, tuple[int, int]] = {}  # id(entity) -> (original index, part)
    for idx, ent in ranked:
        name = ent.get("entity")
        raw = ent.get("value")
        if not isinstance(name, str) or not isinstance(raw, str):
            order[id(ent)] = (idx, 0)
            kept.append(ent)
            continue
        # Same type over the same characters, found twice: keep the better extractor's.
        if any(k.get("entity") == name and _overlaps(k, ent) for k in kept):
            continue
        for i, (sub_name, value) in enumerate(expand(name, raw)):
            if not value or any(
                k.get("entity") == sub_name and k.get("value") == value for k in kept
            ):
                continue
            new = dict(ent)
            new["entity"] = sub_name
            # A name keeps its capital: the client says "Kofi", not "kofi".
            new["value"] = raw if ent.get("extractor") == NAME_EXTRACTOR else value
            new["text"] = ent.get("text", raw)
            if i > 0:
                new["derived_from"] = name
            order[id(new)] = (idx, i)
            kept.append(new)
    kept.sort(
        key=lambda e: (e.get("start") if e.get("start") is not None else 1 << 30, *order[id(e)])
    )
    return kept
