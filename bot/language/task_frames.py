"""The task a trainee names after a proposing or reviewing frame (pure, no Rasa).

The learned entity extractor misses some tasks it has not seen ("how about [a dance class]
on Thursday?"). The words around a task are few and fixed, though: "how about", "what if
you", "you could", "I'd suggest", "one idea is", "so you'll", "how did ... go". When the
learned extractor found no activity in a message, `framed_tasks` reads the words after such
a frame, up to the next plan detail the ruler found, punctuation or a clause boundary, as
the activity (bot/language/tidy.py then trims and judges it like a learned one).
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
    r"you\s+(?:could|might|should|need\s+to|must|have\s+to|'ll|will)"
    r"(?:\s+(?:maybe|perhaps|just|also|try\s+to|try(?=\s+\w+ing\b)))?|"
    r"(?:could|would|can)\s+you(?:\s+(?:maybe|perhaps|just|also|try\s+to|"
    r"try(?=\s+\w+ing\b)))?|"
    r"(?:one|an|the|my|another)\s+(?:small\s+|first\s+)?"
    r"(?:idea|option|thought|suggestion|possibility|step)\s*(?:could\s+be|might\s+be|"
    r"would\s+be|is|:)(?:\s+to)?|"
    r"(?:so|ok|okay|right)[,]?\s+(?:it'?s|you'?ll|the\s+plan\s+is(?:\s+to)?|"
    r"we'?ve\s+agreed\s+you'?ll|we'?re\s+saying)|"
    r"(?:to\s+recap|to\s+sum\s+up|recap|in\s+summary|to\s+summarise|to\s+summarize)[:,]?|"
    r"how\s+did\s+you\s+get\s+on\s+with|how\s+did\s+it\s+go\s+with|did\s+you\s+manage(?:\s+to)?|"
    r"were\s+you\s+able\s+to|did\s+you\s+get\s+(?:round|around)\s+to"
    r")\s+", re.I)
# What follows a frame but is talk about the plan, not a task.
_NOT_A_TASK = re.compile(
    r"(?:tell|say|see|imagine|think|picture|describe|explain|walk\s+me|let\s+me|give\s+me|"
    r"help|remind|do\s+(?:it|that|this)|try\s+(?:it|that|this)|it|that|this|them|one|any|"
    r"some(?:thing|one)?|any(?:thing|one)|(?:a|the|this|that|our|your)\s+(?:plan|same|idea|deal)\b|me|us|we|you|yourself|"
    r"rather|like|aim|want|need|prefer|feel|manage|fit|keep\s+(?:it|that)|"
    r"\w+\s+(?:it|that|this|them)\b)\b",
    re.I)
# A task named as the subject of a sentence that links it to a goal: "[the walks] are part of
# that", "[asking for help] fits with your wish", "... and [meeting your friend] ties into that".
_LINKED_SUBJECT = re.compile(
    r"(?:^|[,;:.?!]\s*(?:and\s+|so\s+)?)(?P<task>[A-Za-z][^,;:.?!]{2,60}?)\s+"
    r"(?:ties|tie|links|link|fits|fit|connects|connect|speaks|speak|"
    r"(?:is|are)\s+(?:all\s+|really\s+)?(?:about|part|aimed|a\s+way|a\s+step|one\s+way|"
    r"one\s+route|meant)|(?:could|might|may|would)\s+(?:connect|fit|link|tie|help))\b",
    re.I)
_NOT_A_SUBJECT = re.compile(
    r"(?:this|that|it|which|what|how|you|your|we|i|there|here|so|and|is|are|was|were|"
    r"could|would|can|do|does|did|has|have|the\s+plan|the\s+(?:step|experiment|idea|task))\b"
    r"|[A-Z][a-z]+$|.*\b(?:this|that|it|them)$", re.I)
_STOP_WORDS = frozenset(
    "when whenever if and or but so because instead rather like than until while as then "
    "this next every each before after during where which who that just maybe perhaps "
    "please is are was were be been go goes went happen happened do does did would could "
    "should might will can with".split())
_MAX_WORDS = 7


def framed_tasks(text: str | None, ruler: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Activity entities for the words after each frame in `text` (see the module
    docstring); `ruler` holds the ruler's entities with offsets, where a task stops."""
    if not text:
        return []
    # A person right after the verb is its object ("meet [your friend]"): not a stop.
    starts = {r["start"] for r in ruler
              if isinstance(r.get("start"), int) and r.get("entity") != "person"}
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
    for m in _LINKED_SUBJECT.finditer(text):
        task = m.group("task")
        if _NOT_A_SUBJECT.match(task) or len(task.split()) > 6:
            continue
        found.append({"entity": "activity", "value": task, "start": m.start("task"),
                      "end": m.end("task"), "extractor": FRAME_EXTRACTOR})
    return found
