"""A short acknowledgement of the rest of a message of several moves.

"It sounds like evenings are hard. How long would feel manageable?" gets one reply that
answers the question; the reflection before it is acknowledged in a few words ("Yeah.")
so that the client is heard to have heard it, without a second answer that would read as a
speech. Only moves that ask nothing and propose nothing are acknowledged this way
(ACKNOWLEDGED_MOVES); what every part did to the client is counted either way
(bot/client/turn.py, step_parts).

The line comes from the persona first: its own short lines for the move in this phase or
band (TUNING.acknowledge_max_words), else its `acknowledge.<move>` lines, else its plain
short lines for the move, else the built-in generic lines.
"""

from __future__ import annotations

import re

from bot.client.context import Said, TurnContext
from bot.client.generic_lines import GENERIC_ACKNOWLEDGE
from bot.client.state import TurnResult
from bot.client.tuning import TUNING
from bot.client.voice import LineLevel, choose, move_levels
from bot.moves import ACKNOWLEDGED_MOVES

_STAGE_DIRECTION = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[A-Za-z']+")
# Events that show a reply opens with a reaction of its own (a sensitivity, a belief, a
# rupture), or that the client did not take the turn in: an acknowledgement before it would
# make two openings.
_OWN_OPENING = ("sensitivity:", "belief_activated:", "rupture:", "clarify:", "not_understood")


def spoken_words(line: str) -> int:
    """Words said aloud: bracketed stage directions ("(nods)") do not count."""
    return len(_WORD.findall(_STAGE_DIRECTION.sub(" ", line)))


def is_short(line: str) -> bool:
    return spoken_words(line) <= TUNING.acknowledge_max_words and "{" not in line


def takes_acknowledgement(part_move: str, confidence: float, part_result: TurnResult) -> bool:
    """Whether a part before the answered one gets a short acknowledgement: a move that
    asks nothing (a reflection, an affirmation), clearly heard, and not bristled at.

    A half-recognised reflection still counts for the client's state (see
    TUNING.unsure_floor) but is not answered aloud: "Okay, yeah." read as an affirmation
    at 0.36 must not be thanked for."""
    return part_move in ACKNOWLEDGED_MOVES \
        and confidence >= TUNING.engine_min_confidence \
        and not any(e.startswith(_OWN_OPENING) for e in part_result.events)


def leaves_room(answer: TurnResult) -> bool:
    """Whether the answer leaves room for an acknowledgement before it."""
    return not any(e.startswith(_OWN_OPENING) for e in answer.events)


def acknowledgement(ctx: TurnContext, move: str) -> Said | None:
    """A few words in the client's voice for a move it heard but does not answer."""
    s = ctx.state
    own = [LineLevel(lv.key, tuple(v for v in lv.variants if is_short(v)), False)
           for lv in move_levels(ctx.persona, move, s.band(), s.phase) if not lv.generic]
    # Lines for this phase or band first ("(cold) Don't paraphrase me." while ruptured), then
    # the persona's acknowledgements, then its plain lines for the move that are short.
    levels = [lv for lv in own if lv.key != move]
    levels.append(LineLevel(f"acknowledge.{move}",
                            ctx.persona.lines.get(f"acknowledge.{move}", ()), False))
    levels += [lv for lv in own if lv.key == move]
    levels.append(LineLevel(f"acknowledge.{move}", GENERIC_ACKNOWLEDGE.get(move, ()), True))
    return choose(ctx, [lv for lv in levels if lv.variants])


def with_acknowledgement(ack: Said | None, answer: str) -> str:
    """The acknowledgement, then the answer; the acknowledgement is left out when the
    answer already opens with the same words ("Yeah. Yeah, ten minutes.")."""
    if ack is None:
        return answer
    first = _first_words(answer)
    if first and first == _first_words(ack.text):
        return answer
    said = ack.text
    if answer.lstrip().startswith("("):  # "(nods) Yeah. (nods slowly) So..." -> one gesture
        said = " ".join(_STAGE_DIRECTION.sub(" ", said).split()) or said
    return f"{said} {answer}"


def _first_words(text: str) -> str:
    words = _WORD.findall(_STAGE_DIRECTION.sub(" ", text).lower())
    return words[0] if words else ""
