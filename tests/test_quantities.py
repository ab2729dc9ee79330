"""The one parser of plan quantities (bot/language/quantities.py), and that the engine, the
scorer and the entity code all answer with it."""

from __future__ import annotations

import pytest

from bot.language import entities, quantities

MINUTES: list[tuple[str | None, float | None]] = [
    ("forty-five minutes", 45), ("forty five minutes", 45), ("an hour and a half", 90),
    ("one and a half hours", 90), ("1.5 hours", 90), ("twenty five minutes", 25),
    ("twenty-five minutes", 25), ("half an hour", 30), ("half-an-hour", 30), ("a half hour", 30),
    ("ten minutes", 10), ("10 minutes", 10), ("10 mins", 10), ("an hour", 60), ("1 hour", 60),
    ("2 hours", 120), ("90 mins", 90), ("20-30 minutes", 30), ("20 to 30 minutes", 30),
    ("ten or fifteen minutes", 15), ("quarter of an hour", 15),
    ("three quarters of an hour", 45), ("an hour and 15 minutes", 75), ("a few minutes", 5),
    ("a couple of minutes", 2), ("five minutes on the bench", 5), ("soon", None),
    ("a while", None), ("", None), (None, None),
]

TIMES: list[tuple[str | None, str | None, float | None]] = [
    ("twice a week", None, 2), ("twice", None, 2), ("every day", None, 7), ("daily", None, 7),
    ("everyday", None, 7), ("every morning", None, 7), ("three times this week", None, 3),
    ("three times a week", None, 3), ("3 times a week", None, 3), ("four times this week", None, 4),
    ("once", None, 1), ("once a week", None, 1), ("weekly", None, 1), ("every Monday", None, 1),
    ("weekdays", None, 5), ("most days", None, 5), ("every other day", None, 3.5),
    ("every 3 days", None, 2.33), ("twice a day", None, 14), ("2 times a day", None, 14),
    ("3x", None, 3), ("a couple of times", None, 2), ("now and then", None, None),
    (None, "Monday, Wednesday and Friday", 3), (None, "Monday and Wednesday and Friday", 3),
    (None, "Tuesday and Thursday", 2), (None, "Tues and Thurs", 2), (None, "weekdays", 5),
    (None, "every day", 7), (None, "Saturday", 1), (None, None, None),
    ("twice a week", "Monday, Wednesday and Friday", 2),  # a frequency said wins over days
]


@pytest.mark.parametrize(("text", "expected"), MINUTES)
def test_minutes(text: str | None, expected: float | None) -> None:
    assert quantities.minutes(text) == expected


@pytest.mark.parametrize(("frequency", "day", "expected"), TIMES)
def test_times_per_week(frequency: str | None, day: str | None, expected: float | None) -> None:
    assert quantities.times_per_week(frequency, day) == expected


@pytest.mark.parametrize(("text", "expected"), [m for m in MINUTES if m[0]])
def test_entity_code_uses_the_same_minutes(text: str, expected: float | None) -> None:
    assert entities.minutes(text) == expected


def test_scorer_sizes_with_the_same_parser() -> None:
    # The scorer's "sized to the client" check reads the plan's duration with the same
    # parser: forty-five minutes is over a 20-minute limit (it once read it as 5).
    from bot.scoring import rubric

    assert rubric.duration_minutes is quantities.minutes
