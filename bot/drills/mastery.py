"""Mastery of a drill, from the history of attempts (oldest first).

Deliberate practice asks for repetition until the skill is reliable, not a single lucky
answer: a drill counts as mastered once the trainee has given MASTERY_STREAK good answers
in a row. A later slip does not take mastery away (it shows as the current streak).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MASTERY_STREAK = 3


@dataclass(frozen=True)
class Mastery:
    attempts: int
    good: int
    streak: int  # good answers in a row at the end of the history
    best_streak: int
    mastered: bool

    @property
    def to_go(self) -> int:
        """Good answers in a row still needed (0 once mastered)."""
        return 0 if self.mastered else MASTERY_STREAK - self.streak

    def to_dict(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "good": self.good, "streak": self.streak,
                "best_streak": self.best_streak, "mastered": self.mastered,
                "to_go": self.to_go, "needed": MASTERY_STREAK}


def mastery(history: Sequence[bool]) -> Mastery:
    """Mastery from whether each attempt met the drill's criterion, oldest first."""
    streak = best = 0
    for good in history:
        streak = streak + 1 if good else 0
        best = max(best, streak)
    return Mastery(attempts=len(history), good=sum(1 for g in history if g), streak=streak,
                   best_streak=best, mastered=best >= MASTERY_STREAK)
