"""The task a trainee names after a proposing or reviewing frame (pure, no Rasa).

The learned entity extractor misses some tasks it has not seen ("how about [a dance class]
on Thursday?"). The words around a task are few and fixed, though: "how about", "what if
you", "you could", "I'd suggest", "one idea is", "so you'll", "how did ... go", "did you
end up", "what happened with". When the learned extractor found no activity in a message,
`framed_tasks` reads the words after such a frame, up to the next plan detail the ruler found,
punctuation or a clause boundary, as the activity (bot/language/tidy.py then trims and judges
it like a learned one). A task linked to a goal is read off the link instead: the subject of
"[the walks] tie in with that" or "how might [the choir] fit with ...". The week, the plan as
a whole ("the gym plan", "last week's experiment") and pronouns are no named task, as in the
training data's convention.
"""

from __future__ import annotations

import re
from typing import Any

FRAME_EXTRACTOR = "TaskFrame"

# Frames after which the task follows. Verbs of talking about the plan ("could you tell me",
# "can you see yourself") are not tasks and are excluded below.
_FRAMES = re.compile(
    r"\b(?:"
    r"(?:how|what)\s+about|what\s+if\s+(?:you|we)(?:\s+just)?|"
    r"(?:i'?d|i\s+would|i'?m\s+going\s+to|i\s+want\s+to|let\s+me)\s+"
    r"(?:suggest|recommend|propose)|i\s+suggest|"
    r"i'?d\s+like\s+you\s+to|i\s+want\s+you\s+to|make\s+sure\s+you|"
    r"you(?:\s+(?:could|might|should|need\s+to|must|have\s+to|will)|'ll)"
    r"(?:\s+(?:maybe|perhaps|just|also|try\s+to|try(?=\s+\w+ing\b)))?|"
    r"(?:could|would|can)\s+you(?:\s+(?:maybe|perhaps|just|also|try\s+to|"
    r"try(?=\s+\w+ing\b)))?|"
    r"(?:one|a|an|the|my|another)\s+(?:small\s+|first\s+|next\s+|good\s+)?"
    r"(?:idea|option|thought|suggestion|possibility|step|experiment)\s*"
    r"(?:(?:could|might|would)(?:\s+(?:simply|just))?\s+be|is|:)(?:\s+to)?|"
    r"(?:i'?d|i\s+would)\s+like\s+to\s+(?:suggest|propose)|"
    r"how\s+would\s+you\s+feel\s+about|what\s+would\s+you\s+think\s+(?:of|about)|"
    # A proposal opened by "maybe"/"perhaps": "maybe ring the GP", "perhaps a swim".
    r"(?:maybe|perhaps)(?:\s+(?:just|even))?(?=\s+(?:a|an|the|one|"
    r"some|\w+ing|ring|call|text|go|try|write|take|ask|walk|do)\b)|"
    r"(?:so|ok|okay|right)[,]?\s+(?:it'?s|you'?ll|that'?s|the\s+plan\s+is(?:\s+to)?|"
    r"we'?ve\s+agreed\s+you'?ll|we'?ve\s+got|we'?re\s+saying|"
    r"you'?re\s+(?:going|planning)\s+to)|"
    r"(?:to\s+recap|to\s+sum\s+up|recap|recapping|in\s+summary|to\s+summarise|"
    r"to\s+summarize|in\s+(?:a\s+nutshell|short|brief)|"
    r"to\s+(?:round|wrap|sum|pull)\s+(?:it\s+)?(?:all\s+)?(?:up|together)|"
    r"the\s+plan(?:\s+as\s+i\s+understand\s+it)?\s*(?::|is(?:\s+to)?)|"
    r"(?:what|here'?s\s+what)\s+we'?ve\s+agreed(?:\s+is)?)[:,]?|"
    r"how\s+did\s+you\s+get\s+on\s+with|how\s+did\s+it\s+go\s+with|did\s+you\s+manage(?:\s+to)?|"
    r"were\s+you\s+able\s+to|did\s+you\s+get\s+(?:round|around)\s+to|"
    # Reviewing: "how did you find [the diary]", "what happened with [the reading]", "did you
    # end up [calling her]", "how often did you [use the app]", "how did [the walks] go",
    # "did [the walks] happen" (the task ends at "go"/"happen", _STOP_WORDS).
    r"how\s+did\s+you\s+(?:find|do\s+with|go\s+with|get\s+along\s+with)|"
    r"(?:the|your|our)\s+(?:plan|idea)\s+(?:to|of)|"
    r"(?:happened|went)\s+with|any\s+luck\s+with|"
    r"(?:was|were)\s+it\s+(?:possible|ok|okay|easy|hard|doable)\s+to|"
    r"(?:hear|know|wonder|curious|tell\s+me)\s+how(?=\s+(?:the|your|those|these)\b)|"
    r"how\s+(?:far|much\s+further)\s+did\s+you\s+get\s+with|"
    r"how\s+(?:much|many)\s+of|"
    r"did\s+you\s+(?:end\s+up|get\s+(?:a\s+chance\s+)?to|find\s+time\s+(?:for|to)|"
    r"stick\s+(?:to|with)|keep\s+up(?:\s+with)?)|"
    r"how\s+(?:often|many\s+times)\s+did\s+you(?:\s+(?:manage|get|end\s+up)(?:\s+to)?)?|"
    r"did\s+you\s+(?:do|try)(?=\s+(?:the|your|any|some|those|that)\b)|did\s+you|"
    r"how\s+did(?=\s+(?:the|your|those|these)\b)|"
    r"did(?=\s+(?:the|your|those|these)\b)|"
    r"how(?:\s+(?:was|were|is|are)|'s)(?=\s+(?:the|your|those|these)\b)"
    r")\s+", re.I)
# What follows a frame but is talk about the plan, not a task.
_NOT_A_TASK = re.compile(
    r"(?:tell|say|see|imagine|think|picture|describe|explain|walk\s+me|let\s+me|give\s+me|"
    r"help|remind|do\s+(?:it|that|this)|try\s+(?:it|that|this)|it|that|this|them|"
    r"one(?!\s+[a-z]{3,})|any|"
    r"some(?:thing|one)?|any(?:thing|one)|(?:a|the|this|that|our|your)\s+(?:plan|same|idea|deal)\b|me|us|we|you|yourself|"
    # The week or the plan as a whole, not a named task ("how was the week", "did the plan
    # get done"): the data annotates no activity there (data/nlu/review_plan.yml).
    r"(?:the|your|this|that|last|our)\s+(?:(?:last|past|whole)\s+)?(?:week|weekend|time|day|days|"
    r"session|month|evening|morning|action\s+plan|homework|task|things?|rest)"
    r"(?=\s*(?:[,;:.?!]|$)|\s+(?:go|went|been|going|get|got|turn|turned|work|worked|happen|"
    r"happened|was|were|is|are|for|with|at|in|on|and|so)\b)|"
    r"notice|enjoy|learn|realise|realize|expect|hope|remember|mean|have|know|ever|get|"
    r"find|like|mind|say|said|hear|think|feel|want|need|manage|"
    r"(?:a|an|one|the)\s+(?:(?:small|first|next|good|little)\s+)*(?:idea|option|thought|"
    r"suggestion|possibility|step|experiment)\b|"
    r"rather|like|aim|want|need|prefer|feel|manage|fit|keep\s+(?:it|that)|"
    r"\w+\s+(?:it|that|this|them)\b)\b",
    re.I)
# A task named as the subject of a sentence that links it to a goal: "[the walks] are part of
# that", "[asking for help] fits with your wish", "... and [meeting your friend] ties into that".
_LINKED_SUBJECT = re.compile(
    r"(?:^|[,;:.?!]\s*(?:and\s+|so\s+)?)(?P<task>[A-Za-z][^,;:.?!]{2,60}?)\s+"
    r"(?:ties|tie|links|link|fits|fit|connects|connect|speaks|speak|relates|relate|serves|"
    r"feeds|builds|moves|reflects|"
    r"(?:is|are)\s+(?:all\s+|really\s+|very\s+much\s+|just\s+|also\s+)?"
    r"(?:about|part|aimed|(?:a|one)\s+(?:(?:small|first|little|big|real|good|concrete)\s+)*"
    r"(?:way|step|route|part)|meant|"
    r"connected|linked|tied|built)|seems?\s+to\s+fit|"
    r"(?:could|might|may|would|can|will)\s+(?:connect|fit|link|tie|help|serve|feed|move|"
    r"reflect|build|relate|be\s+(?:a|one|part|how|the\s+first))|"
    r"(?:could|might|may|would|can|will)\s+(?:really\s+|also\s+)?(?:connect|fit|link|tie))\b",
    re.I)
# The same link asked about: "how does [the walk] fit with...", "how might [calling Mike] help
# with that?".
_ASKED_LINK = re.compile(
    r"\bhow\s+(?:does|do|might|could|would|will|can|is|are)\s+(?P<task>[^,;:.?!]{2,60}?)\s+"
    r"(?:fit|fitting|connect|connecting|link|linking|tie|tying|relate|relating|help|helping|"
    r"reflect|serve|feed|sit|match|include|get\s+you|move\s+you|bring\s+you)\b",
    re.I)
# A plan, step or experiment named by what it is about is the plan as a whole ("the gym plan",
# "the party experiment"): the data annotates no activity for it.
_WHOLE_PLAN = re.compile(r".*\b(?:plan|plans|step|steps|experiment|task|homework|idea|goal|"
                         r"goals)$", re.I)
_NOT_A_SUBJECT = re.compile(
    r"(?:this|that|it|which|what|how|you|your|we|i|there|here|so|and|is|are|was|were|"
    r"could|would|can|do|does|did|has|have|the\s+plan|the\s+(?:step|experiment|idea|task))\b"
    r"|[A-Z][a-z]+$|.*\b(?:this|that|it|them)$", re.I)
_STOP_WORDS = frozenset(
    "when whenever if and or but so because instead rather like than until while as then "
    "this next every each before after during where which who that maybe perhaps any "
    "please is are was were be been go goes went happen happened do does did would could "
    "should might will can with get got work worked turn turned come came end ended feel felt "
    "fit fits going gone".split())
_MAX_WORDS = 7


def framed_tasks(text: str | None, ruler: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Activity entities for the words after each frame in `text` (see the module
    docstring); `ruler` holds the ruler's entities with offsets, where a task stops."""
    if not text:
        return []
    # A person or a destination right after the verb is its object ("meet [your friend]",
    # "go [to the library]"): not a stop.
    starts = {r["start"] for r in ruler
              if isinstance(r.get("start"), int) and r.get("entity") != "person"
              and not (r.get("entity") == "place"
                       and re.match(r"(?:to|into)\b", str(r.get("value", "")), re.I))}
    found: list[dict[str, Any]] = []
    for frame in _FRAMES.finditer(text):
        begin = frame.end()
        if _NOT_A_TASK.match(text, begin):
            continue
        end = begin
        for count, m in enumerate(re.finditer(r"[^\s]+", text[begin:])):
            word_start = begin + m.start()
            bare = m.group().rstrip(".,;:?!")
            if (count >= _MAX_WORDS or word_start in starts or not bare
                    or not bare[0].isalnum()
                    or (count > 0 and bare.lower() in _STOP_WORDS)):
                break
            end = word_start + len(bare)
            if bare != m.group():
                break
        words = text[begin:end].split()
        if len(words) == 1 and not words[0].lower().endswith("ing"):
            continue  # a verb alone ("complete", "meet") names no task
        if end > begin:
            found.append({"entity": "activity", "value": text[begin:end], "start": begin,
                          "end": end, "extractor": FRAME_EXTRACTOR})
    for m in (*_LINKED_SUBJECT.finditer(text), *_ASKED_LINK.finditer(text)):
        task = m.group("task")
        if _NOT_A_SUBJECT.match(task) or len(task.split()) > 6 or _WHOLE_PLAN.match(task):
            continue
        if any(f["start"] <= m.start("task") < f["end"] for f in found):
            continue
        found.append({"entity": "activity", "value": task, "start": m.start("task"),
                      "end": m.end("task"), "extractor": FRAME_EXTRACTOR})
    return found
