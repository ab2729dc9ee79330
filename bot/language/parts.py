"""Split a trainee message into its parts: one per sentence or clause that carries a move.

Therapists often say two things in one turn: a reflection and then a question ("It sounds
like evenings are hard. What if we tried mornings?"), an affirmation and then a rationale.
The NLU classifies each part on its own (bot/rasa_ext/nlu.py, `parts` in the parse), so the
client can react to all of them, in order.

Pure and rule-based (no model): the text is cut
1. into sentences at . ? ! and line breaks (not inside "7.30" or after "e.g."; a semicolon
   joins two halves of one move);
2. inside a sentence, before a clause that opens a question or a rationale when the words
   before it make a statement of their own: "..., and I'm wondering what ...",
   "... so what would make it feel more like yours", "..., what do you make of that".
   Spoken run-ons without punctuation are cut at "and/so/but" + a question opener too.
Pieces that carry no move of their own are joined to a neighbour, never split off: a short
opener ("Okay.", "Right, so", "Thank you, Dan."), a tag ("right?", "do you think?",
"you know"), and a statement of `MIN_PART_WORDS` words or fewer.

Every part keeps its character offsets in the original text, so entities found on the whole
message can be given to the part that holds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A part shorter than this (in words, fillers included) is joined to a neighbour.
MIN_PART_WORDS = 3
# The words before a clause cut must make a statement at least this long.
MIN_LEAD_WORDS = 4

_FILLERS = frozenset(
    "so um umm uh er erm hmm mm mmm and but ok okay right well yeah yes now then just "
    "like oh also anyway alright look listen".split()
)
_WH = frozenset("what how why when where who which whose whom".split())
_AUX = frozenset(
    "do does did are is was were am have has had can could would will shall should may "
    "might".split()
)
_SUBJECTS = frozenset(
    "i you we they he she it that this there anything anyone something things mornings "
    "evenings it's that's there's you're i'm we're they're he's she's you've i've we've "
    "you'd i'd".split()
)
# A statement has a subject: "On a scale of nought to ten, how sure ..." has none, so no cut.
_STATEMENT_SUBJECTS = _SUBJECTS - {"mornings", "evenings", "anything", "something"} | {
    "your", "my", "part", "sounds", "seems", "feels"}
# Clause openers that start a new move after a statement.
_OPENER_PHRASES: tuple[tuple[str, ...], ...] = (
    ("i'm", "wondering"), ("i", "am", "wondering"), ("i", "wonder"), ("i'm", "curious"),
    ("i", "am", "curious"), ("tell", "me"), ("what", "if"), ("how", "about"),
    ("what", "about"), ("the", "reason"), ("the", "point"), ("the", "idea", "is"),
    ("that's", "why"), ("can", "i"), ("could", "i"), ("would", "it", "be"), ("shall", "we"),
    ("suppose",), ("let's",), ("would", "you"), ("could", "you"), ("can", "you"),
    ("do", "you"), ("did", "you"), ("have", "you"), ("are", "you"), ("will", "you"),
    ("is", "there"), ("how", "does"), ("how", "would"), ("how", "did"), ("how", "long"),
    ("how", "often"), ("how", "many"),
)  # fmt: skip
# Whole clauses that only tag what came before: never a part of their own.
_TAGS = frozenset(
    {"right", "yeah", "no", "ok", "okay", "you know", "do you think", "don't you think",
     "is that right", "isn't it", "doesn't it", "wasn't it", "didn't it", "aren't you",
     "is that fair", "would you say", "have i got that right", "did i get that right",
     "have i got it right", "is that about right", "i think", "i guess", "i suppose", "if anything",
     "honestly", "though", "perhaps", "maybe", "then"}
)  # fmt: skip
_CONJ = frozenset({"and", "so", "but"})
# A lead that opens with one of these is a condition or a frame for what follows, not a
# statement of its own: "If work asks you to stay, what could you say?" is one move.
_SUBORDINATORS = frozenset(
    "if when whenever since because as while although though once unless given suppose "
    "imagine after before until".split()
)

_SENTENCE_END = re.compile(r"(?<!\d)[.?!]+(?!\d)|\n+|…")
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "vs", "approx"})
_TOKEN = re.compile(r"[A-Za-z0-9'’-]+")


@dataclass(frozen=True)
class PartSpan:
    """One part of a message: its text and where it sits in the whole message."""

    start: int
    end: int
    text: str


def split_parts(text: str) -> list[str]:
    """The texts of the parts of `text` (one entry, the whole text, for a single move)."""
    return [p.text for p in split_spans(text)]


def split_spans(text: str) -> list[PartSpan]:
    """The parts of `text` with their offsets; at least one part for non-empty text."""
    if not text or not text.strip():
        return []
    pieces: list[tuple[int, int]] = []
    for s, e in _sentences(text):
        pieces.extend(_clauses(text, s, e))
    pieces = _join_small(text, pieces)
    if not pieces:  # only punctuation ("...", "?"): the message is its own single part
        pieces = [_trim(text, 0, len(text))]
    return [PartSpan(s, e, text[s:e]) for s, e in pieces]


# ----------------------------------------------------------------------------- sentences


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start:m.start()]
        last = before.split()[-1].lower().rstrip(".") if before.split() else ""
        if m.group().startswith(".") and last in _ABBREVIATIONS:
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip(" \t\n.?!;…")]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _words(segment: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _TOKEN.findall(segment)]


# ----------------------------------------------------------------------------- clauses


def _opens_move(words: list[str]) -> bool:
    """Whether a clause (its words, fillers already skipped) opens a question or rationale."""
    if not words:
        return False
    for phrase in _OPENER_PHRASES:
        if tuple(words[: len(phrase)]) == phrase:
            return True
    first, nxt = words[0], words[1] if len(words) > 1 else ""
    first = re.sub(r"'(d|s|ll|re|ve)$", "", first)  # "who'd", "how's", "what's"
    if first in _WH and nxt and nxt not in _SUBJECTS | {"a", "an", "the"}:
        return True  # "what might get in the way", not "what you did was brave"
    if first in _AUX and (nxt in _SUBJECTS or first != "do" and nxt in {"your", "the"}):
        return True  # "did you", "would the mornings"; "do the shop" is an instruction
    return False


def _is_question_like(words: list[str]) -> bool:
    return _opens_move(_skip_fillers(words))


def _skip_fillers(words: list[str]) -> list[str]:
    i = 0
    while i < len(words) and words[i] in _FILLERS:
        i += 1
    return words[i:]


def _is_frame(lead: list[str]) -> bool:
    """A condition or purpose clause before the main move ("If ...", "Just so we're ...")."""
    words = lead[1:] if lead[:1] == ["just"] else lead
    return bool(words) and (words[0] in _SUBORDINATORS or words[:2] == ["so", "that"]
                            or words[:2] == ["so", "we're"] or words[:2] == ["so", "you're"])


def _asks(rest: str, at_end: bool) -> bool:
    """A clause after a bare "and/so/but" is a new move only when it is asked: it ends in
    "?", or (spoken run-on without punctuation) it starts with a question word."""
    if rest.rstrip().endswith("?"):
        return True
    body = _skip_fillers(_words(rest))
    return at_end and not re.search(r"[.!?]", rest) and bool(body) and (
        body[0] in _WH or tuple(body[:2]) in {("i'm", "wondering"), ("tell", "me")})


def _is_tag(segment: str) -> bool:
    return " ".join(_words(segment)) in _TAGS


def _clauses(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Cut one sentence before clauses that open a new move after a statement."""
    cuts: list[int] = []
    # Candidate cut points: after a comma/dash, and before "and/so/but".
    candidates: list[int] = []
    for m in re.finditer(r"[,:–—]\s*|\s-\s", text[s:e]):
        candidates.append(s + m.end())
    for m in re.finditer(r"\b(and|so|but)\b", text[s:e], flags=re.IGNORECASE):
        candidates.append(s + m.start())
    last = s
    for c in sorted(set(candidates)):
        lead = _words(text[last:c])
        rest = _words(text[c:e])
        if len(lead) < MIN_LEAD_WORDS or _is_question_like(lead) \
                or not set(lead) & _STATEMENT_SUBJECTS or _is_frame(lead):
            continue
        # A comma cut followed by a conjunction is taken at the conjunction instead.
        body = _skip_fillers(rest)
        if len(body) < MIN_PART_WORDS or _is_tag(text[c:e]):
            continue
        if not _opens_move(body):
            continue
        after_comma = bool(re.search(r"[,:–—-]\s*$", text[last:c]))
        if rest and rest[0] not in _CONJ and not after_comma:
            continue  # no comma and no conjunction: "the reason" inside a phrase
        if rest and rest[0] in _CONJ and not after_comma and not _asks(text[c:e], e == len(
                text.rstrip())):
            continue  # "go to the shop and do the weekly shop": one instruction
        cuts.append(c)
        last = c
    bounds = [s, *cuts, e]
    out = [_trim(text, a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    return [(a, b) for a, b in out if b > a]


# ----------------------------------------------------------------------------- joining


def _carries_move(text: str, s: int, e: int) -> bool:
    """A question of two words or more ("Is that clear?") or a statement of four or more
    ("Thank you, Dan." and "Come on." are openers of what follows)."""
    words = _words(text[s:e])
    if _is_tag(text[s:e]):
        return False
    if text[s:e].rstrip().endswith("?") or _opens_move(_skip_fillers(words)):
        return len(words) >= 2  # a question, typed without "?" or not
    return len(words) > MIN_PART_WORDS


def _join_small(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join pieces that carry no move to the next piece (the last one to the previous)."""
    out: list[tuple[int, int]] = []
    pending: int | None = None  # start of small pieces waiting for the next piece
    for s, e in pieces:
        if not _carries_move(text, s, e):
            if pending is None:
                pending = s
            continue
        out.append((pending if pending is not None else s, e))
        pending = None
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], pieces[-1][1])
        else:
            out.append((pending, pieces[-1][1]))
    return out
