"""tidy_entities: what reaches the engine from SpacyEntityExtractor (ruler) + DIETClassifier.

The inputs are the entity lists of real parses (live conversation), built as Rasa builds them.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.language.tidy import tidy_entities

RULER = "SpacyEntityExtractor"
DIET = "DIETClassifier"


def _ent(text: str, entity: str, said: str, extractor: str, nth: int = 0) -> dict[str, Any]:
    """An entity over the `nth` occurrence of `said` in `text`, offsets as Rasa sets them."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(said, start + 1)
    ent: dict[str, Any] = {"entity": entity, "value": said, "start": start,
                           "end": start + len(said), "extractor": extractor}
    if extractor == DIET:
        ent["confidence_entity"] = 0.9
    else:
        ent["confidence"] = None
    return ent


def _pairs(ents: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["entity"], e["value"]) for e in ents]


REVIEW = "How did the walks we planned last week go?"
DAYS_OFF = "What if we looked at your days off, could a short walk after the school run work?"
RECAP = ("So to recap: a 15 minute walk after the school run on your days off, "
         "with the kids in the buggy.")


def test_bare_verb_is_not_an_activity() -> None:
    ents = [_ent(REVIEW, "activity", "the walks", DIET), _ent(REVIEW, "activity", "go", DIET)]
    assert _pairs(tidy_entities(ents, REVIEW)) == [("activity", "the walks")]


def test_days_off_is_a_day_not_an_activity() -> None:
    ents = [
        _ent(DAYS_OFF, "day", "your days off", RULER),
        _ent(DAYS_OFF, "time_of_day", "after the school run", RULER),
        _ent(DAYS_OFF, "activity", "at your days off", DIET),
        _ent(DAYS_OFF, "activity", "a short walk", DIET),
        _ent(DAYS_OFF, "time_of_day", "after the school run", DIET),
    ]
    assert _pairs(tidy_entities(ents, DAYS_OFF)) == [
        ("day", "days off"), ("activity", "a short walk"),
        ("time_of_day", "after the school run")]


def test_days_off_activity_dropped_even_without_the_ruler() -> None:
    # An older pipeline without the "days off" pattern: the activity is still a when-phrase.
    ents = [_ent(DAYS_OFF, "activity", "at your days off", DIET),
            _ent(DAYS_OFF, "activity", "a short walk", DIET)]
    assert _pairs(tidy_entities(ents, DAYS_OFF)) == [("activity", "a short walk")]


def test_recap_keeps_the_plan_and_drops_junk() -> None:
    ents = [
        _ent(RECAP, "duration", "15 minute", RULER),
        _ent(RECAP, "time_of_day", "after the school run", RULER),
        _ent(RECAP, "day", "on your days off", RULER),
        _ent(RECAP, "person", "the kids", RULER),
        _ent(RECAP, "activity", "a 15 minute walk", DIET),
        _ent(RECAP, "duration", "15 minute", DIET),
        _ent(RECAP, "time_of_day", "after the school run", DIET),
        _ent(RECAP, "day", "on", DIET, nth=0),
        _ent(RECAP, "frequency", "your days off", DIET),
        _ent(RECAP, "person", "the kids", DIET),
        _ent(RECAP, "place", "in the buggy", DIET),
    ]
    assert _pairs(tidy_entities(ents, RECAP)) == [
        ("activity", "a 15 minute walk"), ("duration", "15 minutes"),
        ("time_of_day", "after the school run"), ("day", "days off"), ("person", "the kids")]


def test_recap_without_ruler_day_drops_wrong_class_and_junk() -> None:
    # DIET alone: "on" is a function word, "your days off" is no frequency; the task it
    # missed is read off the recap's frame (bot/language/task_frames.py).
    ents = [_ent(RECAP, "day", "on", DIET), _ent(RECAP, "frequency", "your days off", DIET),
            _ent(RECAP, "place", "in the buggy", DIET)]
    assert _pairs(tidy_entities(ents, RECAP)) == [("activity", "a 15 minute walk")]


def test_diet_closed_class_kept_only_when_ruler_silent_and_canonical() -> None:
    text = "let's say a walk on Tues and Sat"
    ents = [_ent(text, "day", "Tues", RULER), _ent(text, "day", "Sat", DIET)]
    # The ruler found a day: DIET's day goes, even though "Sat" would be a fine value.
    assert _pairs(tidy_entities(ents, text)) == [("day", "Tuesday")]
    text = "maybe a walk each sat"
    assert [p for p in _pairs(tidy_entities([_ent(text, "day", "sat", DIET)], text))
            if p[0] == "day"] == []
    text = "a walk for about 10 minutes"
    kept = tidy_entities([_ent(text, "duration", "10 minutes", DIET)], text)
    assert _pairs(kept) == [("duration", "10 minutes")]


@pytest.mark.parametrize("junk", ["on", "at", "the", "go", "do", "it"])
@pytest.mark.parametrize("entity", ["day", "time_of_day", "frequency", "duration", "place",
                                    "person", "activity"])
def test_function_words_never_kept(entity: str, junk: str) -> None:
    text = f"well {junk} then"
    assert tidy_entities([_ent(text, entity, junk, DIET)], text) == []


def test_fragments_around_a_ruler_entity_are_joined() -> None:
    text = "how about a ten-minute walk?"
    ents = [_ent(text, "duration", "ten-minute", RULER), _ent(text, "activity", "a", DIET, nth=1),
            _ent(text, "activity", "walk", DIET)]
    got = tidy_entities(ents, text)
    assert _pairs(got) == [("activity", "a ten-minute walk"), ("duration", "10 minutes")]
    assert (got[0]["start"], got[0]["end"]) == (10, 27)
    # Without the text the offsets still rebuild the phrase.
    assert _pairs(tidy_entities(ents))[0] == ("activity", "a ten-minute walk")


def test_fragments_far_apart_are_not_joined() -> None:
    text = "a walk, or perhaps some reading"
    ents = [_ent(text, "activity", "a walk", DIET), _ent(text, "activity", "some reading", DIET)]
    assert _pairs(tidy_entities(ents, text)) == [
        ("activity", "a walk"), ("activity", "some reading")]


def test_leading_filler_is_stripped_with_offsets() -> None:
    text = "could you maybe just try a walk"
    ents = [_ent(text, "activity", "maybe just try a walk", DIET)]
    got = tidy_entities(ents, text)
    assert _pairs(got) == [("activity", "a walk")]
    assert text[got[0]["start"]:got[0]["end"]] == "try a walk"


def test_activity_inside_another_entity_is_dropped() -> None:
    text = "after the school run works best"
    ents = [_ent(text, "time_of_day", "after the school run", RULER),
            _ent(text, "activity", "the school run", DIET)]
    assert _pairs(tidy_entities(ents, text)) == [("time_of_day", "after the school run")]


def test_activity_in_the_park_is_a_place_phrase() -> None:
    text = "a walk in the park"
    ents = [_ent(text, "activity", "a walk", DIET), _ent(text, "activity", "in the park", DIET),
            _ent(text, "place", "in the park", RULER)]
    assert _pairs(tidy_entities(ents, text)) == [
        ("activity", "a walk"), ("place", "in the park")]


def test_diet_place_needs_a_preposition_and_two_words() -> None:
    text = "a walk along the canal path or the garden"
    ents = [_ent(text, "place", "along the canal path", DIET), _ent(text, "place", "garden", DIET)]
    assert _pairs(tidy_entities(ents, text)) == [("place", "along the canal path")]


def test_clients_name_is_not_an_activity() -> None:
    text = "So was it any use, Leopold?"
    assert tidy_entities([_ent(text, "activity", "Leopold", DIET)], text) == []


def test_activity_extended_over_the_object_the_ruler_found() -> None:
    text = "would you be up for visiting your grandad?"
    ents = [_ent(text, "person", "your grandad", RULER),
            _ent(text, "activity", "visiting your", DIET)]
    assert _pairs(tidy_entities(ents, text)) == [
        ("activity", "visiting your grandad"), ("person", "your grandad")]


def test_explicit_entities_without_extractor_are_trusted() -> None:
    ents = [{"entity": "day", "value": "Monday"}, {"entity": "activity", "value": "yoga"}]
    assert _pairs(tidy_entities(ents)) == [("day", "Monday"), ("activity", "yoga")]


def test_capitalised_name_after_with_is_a_person() -> None:
    text = "What if you arranged it with Kofi, so it's a plan?"
    ents = tidy_entities([], text)
    assert [(e["entity"], e["value"]) for e in ents] == [("person", "Kofi")]
    assert text[ents[0]["start"]:ents[0]["end"]] == "Kofi"


@pytest.mark.parametrize("text", [
    "Could you do it with Monday free?",  # a day, not a person
    "Would it help to do it with Me in mind?",  # a pronoun
    "What if you did it with kofi?",  # lower case: no evidence it is a name
    "Thank you, Dan. See you next week.",  # no with/ask/call/text before it
])
def test_no_person_without_a_plain_name_after_with(text: str) -> None:
    assert not [e for e in tidy_entities([], text) if e["entity"] == "person"]


def test_name_already_claimed_by_another_entity_is_left_alone() -> None:
    text = "Could you meet with Costa instead?"  # the ruler read it as a place
    place = {"entity": "place", "value": "Costa", "start": 20, "end": 25,
             "extractor": "SpacyEntityExtractor"}
    assert [e["entity"] for e in tidy_entities([place], text)] == ["place"]


# ---- exact spans (issue: "around the park and sound", "write-")

PARK = ("So, ten minutes, Tuesday and Thursday mornings before work, just around the park. "
        "Does that sound right?")
WRITE_OFF = "So evenings are a write-off. What if we moved it to the morning before work?"


def test_a_word_of_the_question_is_no_place_beside_the_rulers_place() -> None:
    ents = [_ent(PARK, "place", "around the park", RULER), _ent(PARK, "place", "sound", DIET)]
    assert _pairs(tidy_entities(ents, PARK)) == [("place", "around the park")]


def test_a_span_across_a_sentence_end_is_dropped() -> None:
    ents = [_ent(PARK, "place", "around the park", RULER),
            _ent(PARK, "activity", "park. Does", DIET)]
    assert _pairs(tidy_entities(ents, PARK)) == [("place", "around the park")]


@pytest.mark.parametrize("said", ["write-", "write", "-off", "rite-off"])
def test_a_piece_of_a_hyphenated_word_is_no_activity(said: str) -> None:
    ents = [_ent(WRITE_OFF, "activity", said, DIET),
            _ent(WRITE_OFF, "time_of_day", "the morning", RULER)]
    assert [e for e in tidy_entities(ents, WRITE_OFF) if e["entity"] == "activity"] == []


@pytest.mark.parametrize(("text", "diet", "ruler", "expected"), [
    # a dangling preposition or article at the end is not part of the task
    ("Ola, perhaps sending one email in the morning?", "sending one email in the", [],
     "sending one email"),
    # the verb of the question is not the task
    ("Hal, tell me how it went with the evening stretches.", "went with the evening stretches",
     [("time_of_day", "evening")], "the evening stretches"),
    ("How did you do with the food log, Vera?", "do with the food log", [],
     "the food log"),
    # a detail said after the task is cut off it ...
    ("Gus, what about a video call to your cousin this weekend?",
     "a video call to your cousin this weekend", [("day", "this weekend")],
     "a video call to your cousin"),
    ("Rhea, maybe riding the tram two stops with your sister?",
     "riding the tram two stops with your sister", [("person", "your sister")],
     "riding the tram two stops"),
    # ... but a destination, or the person who is the object of the task, stays in it
    ("Bo, you could cycle to the library instead of taking the bus.", "cycle to the library",
     [("place", "to the library")], "cycle to the library"),
    ("Cleo, were you able to get round to ringing your uncle?", "ringing",
     [("person", "your uncle")], "ringing your uncle"),
])
def test_activity_spans_are_exact(
    text: str, diet: str, ruler: list[tuple[str, str]], expected: str
) -> None:
    ents = [_ent(text, "activity", diet, DIET)] + [_ent(text, n, s, RULER) for n, s in ruler]
    acts = [e for e in tidy_entities(ents, text) if e["entity"] == "activity"]
    assert [(a["value"], text[a["start"]:a["end"]]) for a in acts] == [(expected, expected)]


@pytest.mark.parametrize("said", ["before work", "after work", "before school"])
def test_a_time_anchored_to_work_is_kept_though_its_words_are_common(said: str) -> None:
    text = f"What would it be like if we shaped it differently, perhaps {said}?"
    ents = [_ent(text, "time_of_day", said, RULER)]
    assert _pairs(tidy_entities(ents, text)) == [("time_of_day", said)]


def test_a_word_after_own_is_an_idiom_not_an_activity() -> None:
    text = "Maybe you could do it in the van before you go in, so it stays your own business."
    ents = [_ent(text, "place", "in the van", RULER), _ent(text, "activity", "business", DIET)]
    assert _pairs(tidy_entities(ents, text)) == [("place", "in the van")]


def test_what_is_ruled_out_or_where_it_is_kept_is_not_the_activity() -> None:
    text = "What if it's just a number on your phone, no diary, a minute at most?"
    ents = [_ent(text, "activity", "a number", DIET), _ent(text, "activity", "your phone", DIET),
            _ent(text, "activity", "no diary", DIET), _ent(text, "duration", "a minute", RULER)]
    assert _pairs(tidy_entities(ents, text)) == [("activity", "a number"),
                                                 ("duration", "1 minutes")]


# ---- the obstacle of a problem-solving turn, indefinite people, the edges of a task

@pytest.mark.parametrize(("text", "ruler", "kept"), [
    # the condition names the obstacle; the plan detail is what follows it
    ("Sofia, if five minutes is too long, could you start with two minutes?",
     [("duration", "five minutes"), ("duration", "two minutes")], [("duration", "2 minutes")]),
    ("Since you're away at the weekend, could we move it to Friday?",
     [("day", "the weekend"), ("day", "Friday")], [("day", "Friday")]),
    ("If the kids are home, maybe your partner could take them?",
     [("person", "the kids"), ("person", "your partner")], [("person", "your partner")]),
    # a hypothetical that puts the plan itself keeps its details ...
    ("If we said ten minutes, would that feel doable?", [("duration", "ten minutes")],
     [("duration", "10 minutes")]),
    ("What if you went on Monday instead?", [("day", "Monday")], [("day", "Monday")]),
    # ... and so does a condition that comes after the proposal
    ("Could you go on Monday, if that suits?", [("day", "Monday")], [("day", "Monday")]),
])
def test_details_of_the_obstacle_are_not_plan_details(
    text: str, ruler: list[tuple[str, str]], kept: list[tuple[str, str]]
) -> None:
    ents = [_ent(text, n, s, RULER) for n, s in ruler]
    assert _pairs(tidy_entities(ents, text)) == kept


@pytest.mark.parametrize("said", ["someone", "somebody else", "anyone", "no one"])
def test_an_indefinite_person_is_not_a_person(said: str) -> None:
    text = f"Would you do it with {said}?"
    assert tidy_entities([_ent(text, "person", said, RULER)], text) == []


@pytest.mark.parametrize(("text", "diet", "expected"), [
    ("Maybe you could call your sister this week?", "call your sister this week?",
     "call your sister"),
    ("If the pain flares up, what about stretching instead?", "stretching instead?",
     "stretching"),
    ("Could you do just two minutes and see how it goes?",
     "do just two minutes and see how it goes", "do just two minutes"),
    ("Dev, you could try getting to bed a bit earlier.",
     "try getting to bed a bit earlier", "getting to bed a bit earlier"),
    ("I wonder if you could try to go for a walk.", "could try to go for a walk",
     "go for a walk"),
    # "try" with a thing as its object is the task itself
    ("Maybe you could try a breathing exercise.", "try a breathing exercise",
     "try a breathing exercise"),
])
def test_an_activity_is_the_task_without_the_asking_around_it(
    text: str, diet: str, expected: str
) -> None:
    acts = [e for e in tidy_entities([_ent(text, "activity", diet, DIET)], text)
            if e["entity"] == "activity"]
    assert [text[a["start"]:a["end"]] for a in acts] == [expected]


@pytest.mark.parametrize(("text", "diet", "person", "expected"), [
    # a companion on a task one could do alone is a detail of its own ...
    ("So a swim with your brother on Friday?", "a swim with your brother", "your brother",
     "a swim"),
    # ... but when the task is time with them, they are part of it
    ("Maybe lunch with a colleague on Friday?", "lunch with a colleague", "a colleague",
     "lunch with a colleague"),
])
def test_a_companion_is_cut_off_unless_the_task_is_being_with_them(
    text: str, diet: str, person: str, expected: str
) -> None:
    ents = [_ent(text, "activity", diet, DIET), _ent(text, "person", person, RULER)]
    acts = [e for e in tidy_entities(ents, text) if e["entity"] == "activity"]
    assert [text[a["start"]:a["end"]] for a in acts] == [expected]


def test_a_goal_is_not_a_plan_detail() -> None:
    text = "You said you want to see your friends again; how could the walk on Monday fit?"
    ents = [_ent(text, "person", "your friends", RULER), _ent(text, "day", "Monday", RULER),
            _ent(text, "activity", "the walk", DIET)]
    assert _pairs(tidy_entities(ents, text)) == [("activity", "the walk"), ("day", "Monday")]
    text = "So you'd like to go on Monday?"  # a plan detail, said as a wish
    assert _pairs(tidy_entities([_ent(text, "day", "Monday", RULER)], text)) == [
        ("day", "Monday")]


@pytest.mark.parametrize(("text", "learned", "ruler", "expected"), [
    # a verb alone runs on over its object, up to the next detail or punctuation
    ("Right, so you'll fill in the diary every evening.", "fill",
     [("frequency", "every evening")], "fill in the diary"),
    ("OK, the plan: phone your brother, Saturday morning.", "phone",
     [("day", "Saturday")], "phone your brother"),
    # ... but not over the words of the next clause
    ("So you could take it slowly when you feel ready?", "take", [], "take it slowly"),
    # a task named by a noun keeps its article, a phrasal verb its particle
    ("I'd love to hear how the evening runs went.", "evening runs", [], "the evening runs"),
    ("Maybe start by getting your boots on.", "getting your boots", [], "getting your boots on"),
    # a verb of going before a place or event named as the task is part of the task
    ("Wes, how about heading to the climbing wall on Friday?", "the climbing wall",
     [("day", "on Friday")], "heading to the climbing wall"),
    ("Was it doable to go for the swims?", "the swims", [], "go for the swims"),
    # when it happens and the verb of a goal link are not part of the task
    ("Lev, I'd suggest breathing out slowly before replying to him.",
     "breathing out slowly before replying to him", [], "breathing out slowly"),
    ("Ona, so knitting for a bit could connect with that.", "knitting for a bit could connect",
     [], "knitting for a bit"),
])
def test_a_learned_activity_covers_the_whole_task(
    text: str, learned: str, ruler: list[tuple[str, str]], expected: str
) -> None:
    ents = [_ent(text, "activity", learned, "CRFEntityExtractor")] + [
        _ent(text, n, s, RULER) for n, s in ruler]
    acts = [e for e in tidy_entities(ents, text) if e["entity"] == "activity"]
    assert [text[a["start"]:a["end"]] for a in acts] == [expected]


@pytest.mark.parametrize(("text", "ruler", "expected"), [
    # the learned extractor found nothing: the task is read off its frame ...
    ("Jo, how about a bike ride on Sunday?", [("day", "on Sunday")], ["a bike ride"]),
    ("So you'll phone your dad after dinner.", [("person", "your dad"),
                                                ("time_of_day", "after dinner")],
     ["phone your dad"]),
    # ... or off a reviewing frame, or the subject of a link to a goal ...
    ("Nell, how did the gratitude jar go?", [], ["the gratitude jar"]),
    ("How often did you use the stretching app in the end?", [], ["use the stretching app"]),
    ("Did you end up phoning the dentist?", [], ["phoning the dentist"]),
    ("Dora, you said you want to feel fitter, and the bike rides tie in with that.", [],
     ["the bike rides"]),
    ("How might the choir fit with wanting more company?", [], ["the choir"]),
    ("Uma, and cooking for your flatmates is a small step towards that.", [],
     ["cooking for your flatmates"]),
    ("Tess, could you write just a couple of lines?", [], ["write just a couple of lines"]),
    # a destination is the object of the task's verb, not a stop
    ("Did you end up going to the pottery studio?", [("place", "to the pottery studio")],
     ["going to the pottery studio"]),
    # ... but talk about the plan, the week, a pronoun or a verb alone is no task
    ("How was the week?", [], []),
    ("How does the swimming plan sit with that?", [], []),
    ("Could you tell me how that sounds?", [], []),
    ("What if you tried it on Monday?", [("day", "on Monday")], []),
    ("Did you manage to complete it?", [], []),
])
def test_a_task_missed_by_the_learned_extractor_is_read_off_its_frame(
    text: str, ruler: list[tuple[str, str]], expected: list[str]
) -> None:
    ents = [_ent(text, n, s, RULER) for n, s in ruler]
    acts = [e for e in tidy_entities(ents, text) if e["entity"] == "activity"]
    assert [text[a["start"]:a["end"]] for a in acts] == expected


@pytest.mark.parametrize(("text", "said"), [
    ("Which morning is best for the jog, would you say?", "morning"),  # asked for, not given
    ("What we noticed today is that mornings are easier.", "today"),  # this session
])
def test_a_detail_asked_for_or_the_session_day_is_not_a_plan_detail(
    text: str, said: str
) -> None:
    name = "day" if said == "today" else "time_of_day"
    assert [e for e in tidy_entities([_ent(text, name, said, RULER)], text)
            if e["entity"] == name] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Sam, the evening swims are part of that, I think.", ["the evening swims"]),
    ("You said you miss people, and seeing your cousin ties into that.",
     ["seeing your cousin"]),
    ("Is there a way to still fit it in?", []),
    ("Practising this links to your goal.", []),
])
def test_a_task_linked_to_a_goal_is_the_subject_of_the_link(
    text: str, expected: list[str]
) -> None:
    acts = [e for e in tidy_entities([], text) if e["entity"] == "activity"]
    assert [text[a["start"]:a["end"]] for a in acts] == expected
