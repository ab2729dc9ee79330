"""split_parts / split_spans: one part per sentence or clause that carries a move."""

from __future__ import annotations

import pytest

from bot.language.parts import split_parts, split_spans

# (message as a trainee would type or say it, the parts expected)
CASES: list[tuple[str, list[str]]] = [
    # one move, however long or messy: one part, the whole text
    ("How did the walks go?", ["How did the walks go?"]),
    ("so um it sounds like the evenings are just really hard for you at the moment you know",
     ["so um it sounds like the evenings are just really hard for you at the moment you know"]),
    ("What if whatever you try is just for you, and you decide what, if anything, you tell me?",
     ["What if whatever you try is just for you, and you decide what, if anything, you tell me?"]),
    ("If work asks you to stay on, what could you say?",
     ["If work asks you to stay on, what could you say?"]),
    ("On a scale of nought to ten, how sure are you?",
     ["On a scale of nought to ten, how sure are you?"]),
    ("Could mornings work instead, do you think, if the evenings are out?",
     ["Could mornings work instead, do you think, if the evenings are out?"]),
    ("You felt let down by yourself when it didn't happen, right?",
     ["You felt let down by yourself when it didn't happen, right?"]),
    ("This week you need to go to the supermarket and do the weekly shop on your own.",
     ["This week you need to go to the supermarket and do the weekly shop on your own."]),
    ("Keeping one evening isn't selfish; you'll have more to give.",
     ["Keeping one evening isn't selfish; you'll have more to give."]),
    ("It's 7.30 now, ok", ["It's 7.30 now, ok"]),
    ("...", ["..."]),
    ("um", ["um"]),
    # a reflection, then a question (sentences)
    ("So evenings are a write-off. What if we moved it to the morning before work?",
     ["So evenings are a write-off.", "What if we moved it to the morning before work?"]),
    ("So, ten minutes, Tuesday and Thursday mornings, just around the park. Does that sound "
     "right?", ["So, ten minutes, Tuesday and Thursday mornings, just around the park.",
                "Does that sound right?"]),
    # short openers and tags join a neighbour
    ("Thank you, Dan. I'll look forward to hearing how it was.",
     ["Thank you, Dan. I'll look forward to hearing how it was."]),
    ("Okay. So mornings are chaos and evenings you're wiped out.",
     ["Okay. So mornings are chaos and evenings you're wiped out."]),
    ("You walked twice. Right?", ["You walked twice. Right?"]),
    # clauses inside one sentence, spoken: comma or "and/so/but" before a question
    ("I can hear how tired you are, um, and I'm wondering, what might get in the way?",
     ["I can hear how tired you are,", "um, and I'm wondering, what might get in the way?"]),
    ("so you managed it on the Monday but then the week fell apart, what do you make of that",
     ["so you managed it on the Monday but then the week fell apart,",
      "what do you make of that"]),
    ("you kept going even though it was hard and that's really something so what did you "
     "learn from it", ["you kept going even though it was hard and that's really something",
                       "so what did you learn from it"]),
    ("You mentioned your sister lives nearby, um, who'd be around if you wanted company?",
     ["You mentioned your sister lives nearby,", "um, who'd be around if you wanted company?"]),
    # an affirmation, then a rationale
    # (a statement of three words or fewer is taken as an opener of what follows)
    ("That took guts. The reason small steps matter is that confidence follows action.",
     ["That took guts. The reason small steps matter is that confidence follows action."]),
    ("You stuck with it on the bad days, and the reason that matters is that habits grow "
     "from small wins.", ["You stuck with it on the bad days,",
                          "and the reason that matters is that habits grow from small wins."]),
    ("Well done for sticking with it on the hard days. The point of doing it a few times is "
     "that we learn what helps.", ["Well done for sticking with it on the hard days.",
                                   "The point of doing it a few times is that we learn what "
                                   "helps."]),
    # line breaks separate typed sentences
    ("that sounds really exhausting\nwhat would help",
     ["that sounds really exhausting", "what would help"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_split_parts(text: str, expected: list[str]) -> None:
    assert split_parts(text) == expected


@pytest.mark.parametrize(("text", "_"), CASES)
def test_spans_point_into_the_original_text(text: str, _: list[str]) -> None:
    spans = split_spans(text)
    assert spans
    for span in spans:
        assert text[span.start:span.end] == span.text
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    # Nothing but whitespace is lost between parts.
    covered = "".join(text[a.end:b.start] for a, b in zip(spans, spans[1:], strict=False))
    assert not covered.strip()


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_text_has_no_parts(text: str) -> None:
    assert split_parts(text) == []
