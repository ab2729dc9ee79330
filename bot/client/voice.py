"""The client's voice: which of a persona's lines is said, and how it is filled in.

Lines are looked up from the most specific situation to the least (`key@phase.band`,
`key@phase`, `key.band`, `key`, then the built-in generic lines). Within a level, a
variant whose {placeholders} all have values is usable; variants not said recently are
preferred, and the choice among them is a stable hash of (seed, turn, situation), so a
rehearsal replays identically.
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

from bot.client.context import Said, TurnContext
from bot.client.generic_lines import GENERIC_MOVE_LINES, GENERIC_NOT_YET
from bot.client.tuning import TUNING
from bot.persona.model import Persona

PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
# Said when every variant of a situation lacks a value: stays in voice, says nothing.
FALLBACK_LINES: tuple[str, ...] = ("Mm.", "(nods)", "OK.")
SILENT = Said("Mm.", True)


class LineLevel(NamedTuple):
    """One level of the lookup: a situation key, its variants, whether they are built-in."""

    key: str
    variants: tuple[str, ...]
    generic: bool


def stable_index(seed: int, turn: int, situation: str, n: int) -> int:
    digest = hashlib.sha256(f"{seed}|{turn}|{situation}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % n


def fill(line: str, values: dict[str, str]) -> str | None:
    """The line with its placeholders filled; None when one of them has no value."""
    names = PLACEHOLDER_RE.findall(line)
    if any(not values.get(n) for n in names):
        return None

    def sub(m: re.Match[str]) -> str:
        value = values[m.group(1)]
        before = line[: m.start()].rstrip()
        # A value opening a sentence ("a short walk, before work.") gets a capital letter.
        if (not before or before[-1] in ".!?)") and not before.endswith("..."):
            value = value[:1].upper() + value[1:]
        return value

    return PLACEHOLDER_RE.sub(sub, line)


def choose(ctx: TurnContext, levels: list[LineLevel],
           prefer: set[str] | frozenset[str] = frozenset()) -> Said | None:
    """Pick a line from the first level that has a usable one; record it as recent.

    A variant is usable when its placeholders have values and it is not the line said
    last; among usable ones, variants that voice a `prefer` placeholder come first, then
    variants not said recently, so a rehearsal cycles through a persona's voice.
    """
    state = ctx.state
    values = ctx.values()
    last = state.recent_lines[-1] if state.recent_lines else None
    for level in levels:
        usable: list[tuple[str, str]] = []
        preferred: list[tuple[str, str]] = []
        for i, raw in enumerate(level.variants):
            line_id = f"{'generic:' if level.generic else ''}{level.key}#{i}"
            text = fill(raw, values)
            if text is None or line_id == last:
                continue
            usable.append((line_id, text))
            if prefer and prefer & set(PLACEHOLDER_RE.findall(raw)):
                preferred.append((line_id, text))
        if preferred:  # voice what this turn is about (the detail just given, ...)
            usable = preferred
        if not usable:
            continue
        fresh = [u for u in usable if u[0] not in state.recent_lines]
        pool = fresh or usable
        line_id, text = pool[stable_index(state.seed, state.turn, level.key, len(pool))]
        state.recent_lines = (state.recent_lines + [line_id])[-TUNING.recent_lines:]
        return Said(text, level.generic)
    return None


def move_levels(persona: Persona, key: str, band: str, phase: str) -> list[LineLevel]:
    """Specific before generic: key@phase.band, key@phase, key.band, key, built-in."""
    lines = persona.lines
    out: list[LineLevel] = []
    for k in (f"{key}@{phase}.{band}", f"{key}@{phase}", f"{key}.{band}", key):
        if lines.get(k):
            out.append(LineLevel(k, lines[k], False))
    if key in GENERIC_MOVE_LINES:
        out.append(LineLevel(key, GENERIC_MOVE_LINES[key], True))
    return out


def say_move(ctx: TurnContext, key: str, before_generic: list[LineLevel] | None = None,
             prefer: set[str] | frozenset[str] = frozenset()) -> Said:
    """A line for a move or situation `key`, from the persona's lines down to the built-in.

    before_generic: persona material that is not a `lines` key (last week's report, what
    it learned); it sits before the unqualified move lines but after band- and
    phase-specific ones.
    """
    levels = move_levels(ctx.persona, key, ctx.state.band(), ctx.state.phase)
    if before_generic:
        specific = [lv for lv in levels if lv.key != key and not lv.generic]
        rest = [lv for lv in levels if lv.key == key or lv.generic]
        levels = specific + before_generic + rest
    chosen = choose(ctx, levels, prefer)
    if chosen is None:  # every variant skipped for missing placeholders: stay in voice
        chosen = choose(ctx, [LineLevel("fallback", FALLBACK_LINES, True)]) or SILENT
    return chosen


def say_list(ctx: TurnContext, key: str, variants: tuple[str, ...], fallback_key: str) -> Said:
    """One of the persona's `variants` for `key`, else the built-in lines of `fallback_key`."""
    levels: list[LineLevel] = []
    if variants:
        levels.append(LineLevel(key, variants, False))
    generic = GENERIC_MOVE_LINES.get(fallback_key) or GENERIC_NOT_YET.get(fallback_key, ())
    levels.append(LineLevel(fallback_key, generic, True))
    levels.append(LineLevel("fallback", FALLBACK_LINES, True))
    return choose(ctx, levels) or SILENT


def joined(*parts: Said) -> Said:
    """Lines said one after the other; generic only if all of them are."""
    return Said(" ".join(p.text for p in parts), all(p.generic for p in parts))
