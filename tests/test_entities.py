"""Entity-ruler spans and value normalisation of bot.language.entities."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from bot.language.entities import (
    RULER_LABELS,
    expand,
    minutes,
    normalize,
    patterns,
    recognised,
    times_per_week,
)
from bot.moves import PLAN_ENTITIES


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "validate": True})
    ruler.add_patterns(patterns())
    return nlp


SPANS: list[tuple[str, list[tuple[str, str]]]] = [
    ("a ten-minute walk after breakfast on Monday",
     [("ten-minute", "duration"), ("after breakfast", "time_of_day"), ("on Monday", "day")]),
    ("every day in the park with your sister",
     [("every day", "frequency"), ("in the park", "place"), ("your sister", "person")]),
    ("3 times a week at home", [("3 times a week", "frequency"), ("at home", "place")]),
    ("three times this week, before bed",
     [("three times this week", "frequency"), ("before bed", "time_of_day")]),
    ("at the weekend with a friend", [("at the weekend", "day"), ("a friend", "person")]),
    ("at 7pm for half an hour", [("at 7pm", "time_of_day"), ("half an hour", "duration")]),
    ("7 pm or 7:30", [("7 pm", "time_of_day"), ("7:30", "time_of_day")]),
    ("AFTER WORK ON WEEKDAYS", [("AFTER WORK", "time_of_day"), ("ON WEEKDAYS", "day")]),
    ("after the school run, 5-10 minutes",
     [("after the school run", "time_of_day"), ("5-10 minutes", "duration")]),
    ("first thing, around the block", [("first thing", "time_of_day"),
                                       ("around the block", "place")]),
    ("every other day on the bus", [("every other day", "frequency"), ("on the bus", "place")]),
    ("a couple of minutes with your mum",
     [("a couple of minutes", "duration"), ("your mum", "person")]),
    ("twice, in bed, with my husband",
     [("twice", "frequency"), ("in bed", "place"), ("my husband", "person")]),
    ("every morning at the gym", [("every morning", "frequency"), ("at the gym", "place")]),
    ("tomorrow at lunch", [("tomorrow", "day"), ("at lunch", "time_of_day")]),
    ("10 mins at work with a colleague",
     [("10 mins", "duration"), ("at work", "place"), ("a colleague", "person")]),
]


@pytest.mark.parametrize(("text", "expected"), SPANS)
def test_ruler_spans(nlp: spacy.Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(e.text, e.label_) for e in nlp(text).ents] == expected


@pytest.mark.parametrize(
    "text", ["I was at home all week", "home is where it's hard", "we walked home"]
)
def test_home_alone_is_not_a_duration_or_time(nlp: spacy.Language, text: str) -> None:
    labels = {e.label_ for e in nlp(text).ents}
    assert labels <= {"place"}


def test_labels_are_plan_entities() -> None:
    assert set(RULER_LABELS) <= set(PLAN_ENTITIES)
    assert "activity" not in RULER_LABELS
    assert {p["label"] for p in patterns()} == set(RULER_LABELS)


NORMALISED: list[tuple[str, str, str]] = [
    ("frequency", "every day", "daily"),
    ("frequency", "Each day", "daily"),
    ("frequency", "every single day", "daily"),
    ("frequency", "daily", "daily"),
    ("frequency", "3 times a week", "3 times a week"),
    ("frequency", "three times this week", "3 times a week"),
    ("frequency", "twice", "2 times a week"),
    ("frequency", "twice a day", "2 times a day"),
    ("frequency", "once a week", "once a week"),
    ("frequency", "weekly", "once a week"),
    ("frequency", "every other day", "every other day"),
    ("frequency", "on weekdays", "weekdays"),
    ("frequency", "3-4 times a week", "4 times a week"),
    ("frequency", "3x a week", "3 times a week"),
    ("frequency", "a couple of times", "2 times a week"),
    ("frequency", "most days", "5 times a week"),
    ("frequency", "every morning", "daily"),
    ("frequency", "every Monday", "once a week"),
    ("duration", "ten minutes", "10 minutes"),
    ("duration", "half an hour", "30 minutes"),
    ("duration", "an hour", "60 minutes"),
    ("duration", "5-10 minutes", "10 minutes"),
    ("duration", "10 mins", "10 minutes"),
    ("duration", "10mins", "10 minutes"),
    ("duration", "twenty five minutes", "25 minutes"),
    ("duration", "a few minutes", "5 minutes"),
    ("duration", "a couple of minutes", "2 minutes"),
    ("duration", "an hour and a half", "90 minutes"),
    ("duration", "ten-minute", "10 minutes"),
    ("duration", "quarter of an hour", "15 minutes"),
    ("day", "monday", "Monday"),
    ("day", "on Weds", "Wednesday"),
    ("day", "Fridays", "Friday"),
    ("day", "at the weekend", "weekend"),
    ("day", "on weekdays", "weekdays"),
    ("day", "Tomorrow", "tomorrow"),
    ("time_of_day", "in the mornings", "morning"),
    ("time_of_day", "After breakfast", "after breakfast"),
    ("time_of_day", "at bedtime", "before bed"),
    ("time_of_day", "at lunch", "lunch"),
    ("time_of_day", "at 7pm", "19:00"),
    ("time_of_day", "7:30 am", "07:30"),
    ("time_of_day", "7:30", "07:30"),
    ("time_of_day", "at 7", "07:00"),
    ("time_of_day", "after my shift", "after shift"),
    ("place", "In my kitchen", "in your kitchen"),
    ("place", "round the block", "around the block"),
    ("person", "my mom", "your mum"),
    ("person", "a neighbor", "a neighbour"),
    ("activity", "to go for a short walk.", "go for a short walk"),
    ("activity", "  A thought record ", "a thought record"),
]


@pytest.mark.parametrize(("entity", "text", "expected"), NORMALISED)
def test_normalize(entity: str, text: str, expected: str) -> None:
    assert normalize(entity, text) == expected


def test_normalize_is_idempotent() -> None:
    for entity, text, _ in NORMALISED:
        once = normalize(entity, text)
        assert normalize(entity, once) == once, (entity, text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ten minutes", 10), ("10 minutes", 10), ("half an hour", 30), ("2 hours", 120),
     ("a few minutes", 5), ("", None), (None, None), ("a while", None)],
)
def test_minutes(value: str | None, expected: int | None) -> None:
    assert minutes(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("daily", 7.0), ("every day", 7.0), ("three times this week", 3.0), ("twice", 2.0),
     ("once a week", 1.0), ("every other day", 3.5), ("weekdays", 5.0),
     ("2 times a day", 14.0), ("every 3 days", 2.33), ("now and then", None), (None, None)],
)
def test_times_per_week(value: str | None, expected: float | None) -> None:
    assert times_per_week(value) == expected


def test_expand_compounds() -> None:
    assert expand("frequency", "every morning") == [
        ("frequency", "daily"), ("time_of_day", "morning")]
    assert expand("frequency", "every Monday") == [("frequency", "once a week"), ("day", "Monday")]
    assert expand("day", "tonight") == [("day", "today"), ("time_of_day", "evening")]
    assert expand("duration", "ten minutes") == [("duration", "10 minutes")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a walk on your days off", [("on your days off", "day")]),
     ("on my day off after school drop-off",
      [("on my day off", "day"), ("after school drop-off", "time_of_day")]),
     ("at your days off", [("at your days off", "day")]),
     ("on a rest day", [("on a rest day", "day")])],
)
def test_days_off_and_school_run_spans(
    nlp: spacy.Language, text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(e.text, e.label_) for e in nlp(text).ents] == expected


@pytest.mark.parametrize(
    ("entity", "text", "expected"),
    [("day", "days off", "days off"), ("day", "day off", "days off"),
     ("day", "your days off", "days off"), ("day", "on your day off", "days off"),
     ("day", "my days off", "days off"), ("day", "rest days", "days off"),
     ("time_of_day", "after the school run", "after the school run"),
     ("time_of_day", "school drop-off", "after the school run"),
     ("time_of_day", "before the school run", "before the school run"),
     ("time_of_day", "in the van", "in the van"),
     ("time_of_day", "at the end of the shift", "at the end of the shift")],
)
def test_normalize_persona_phrases(entity: str, text: str, expected: str) -> None:
    assert normalize(entity, text) == expected
    assert normalize(entity, expected) == expected


def _persona_details() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(persona file, entity, value, that entity's needles) of every resolved_by.details."""
    import yaml

    from bot.moves import PLAN_ENTITIES as ents

    out = []
    for path in sorted(Path(__file__).resolve().parents[1].glob("data/personas/*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for barrier in doc.get("barriers") or []:
            details = (barrier.get("resolved_by") or {}).get("details") or {}
            for entity, values in details.items():
                if entity in ents:
                    needles = tuple(str(v) for v in values)
                    out += [(path.name, entity, v, needles) for v in needles]
    return out


@pytest.mark.parametrize(("persona", "entity", "value", "needles"), _persona_details())
def test_persona_details_survive_normalize(
    persona: str, entity: str, value: str, needles: tuple[str, ...]
) -> None:
    # The engine resolves a barrier when one of its needles is a substring of the plan value
    # (bot/engine.py _contains_any, case-insensitive); the plan value is normalize()'s output.
    got = normalize(entity, value)
    assert any(n.lower() in got.lower() for n in needles), (persona, entity, value, got)


def _persona_limits() -> list[tuple[str, str, str]]:
    import yaml

    out = []
    for path in sorted(Path(__file__).resolve().parents[1].glob("data/personas/*.yml")):
        limits = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("task_limits") or {}
        for key in ("preferences", "counter_offer"):
            for entity, value in (limits.get(key) or {}).items():
                out.append((path.name, entity, str(value)))
    return out


@pytest.mark.parametrize(("persona", "entity", "value"), _persona_limits())
def test_persona_limit_values_are_canonical_or_kept(persona: str, entity: str, value: str) -> None:
    got = normalize(entity, value)
    assert normalize(entity, got) == got
    if entity == "duration":
        assert minutes(value) is not None and minutes(got) == minutes(value)
    elif entity == "frequency":
        assert times_per_week(value) is not None and times_per_week(got) == times_per_week(value)
    elif entity in ("day", "time_of_day"):
        assert recognised(entity, value) or got == normalize(entity, got), (persona, value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("do it in the van before you go in",
      [("in the van", "place", "in the van"),
       ("before you go in", "time_of_day", "before going in")]),
     ("in the car before work starts",
      [("in the car", "place", "in the car"),
       ("before work starts", "time_of_day", "before work")]),
     ("on the bus before you start work",
      [("on the bus", "place", "on the bus"),
       ("before you start work", "time_of_day", "before work")]),
     ("in the cab before I go in the house",
      [("in the cab", "place", "in the cab"),
       ("before I go in", "time_of_day", "before going in")]),
     ("before going in", [("before going in", "time_of_day", "before going in")])],
)
def test_vehicle_places_and_arrival_times(
    nlp: spacy.Language, text: str, expected: list[tuple[str, str, str]]
) -> None:
    # Drivers and tradespeople plan around the vehicle and the moment of arriving (leo.yml).
    got = [(e.text, e.label_, normalize(e.label_, e.text)) for e in nlp(text).ents]
    assert got == expected
    assert all(normalize(label, value) == value for _, label, value in got)
