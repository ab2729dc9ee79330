"""Table-driven tests of bot.language.cues on messy, real-sounding therapist speech."""

from __future__ import annotations

import pytest

from bot.language.cues import cues_from_doc, detect_cues
from bot.moves import CUES, QUESTION_KINDS

QUESTIONS: list[tuple[str, str]] = [
    ("Could you tell me what happened?", "open"),
    ("Can you tell me a bit more about Tuesday", "open"),
    ("Walk me through the morning you went out.", "open"),
    ("I'm curious about what stopped you.", "open"),
    ("I wonder what made Thursday different", "open"),
    ("Describe what the walk was like.", "open"),
    ("Help me understand what happens in the evenings.", "open"),
    ("So you walked twice?", "closed"),
    ("What did you notice?", "open"),
    ("Did you manage it?", "closed"),
    ("How confident are you, 0 to 10?", "open"),
    ("On a scale of 0 to 10, how confident are you?", "open"),
    ("what got in the way", "open"),
    ("wat got in the way", "open"),
    ("how was the week", "open"),
    ("ok so how did the diary go", "open"),
    ("Do you know what time it is?", "closed"),
    ("Did what we planned feel doable?", "closed"),
    ("did u do it", "closed"),
    ("Would it be alright if I shared an idea?", "closed"),
    ("Is Monday any good?", "closed"),
    ("You did it, didn't you?", "closed"),
    ("Mornings are better, right?", "closed"),
    # spoken reflections: a reflective statement with a tag or a rising "?" is no question
    ("It sounds like you're worn out by the evenings, right?", "none"),
    ("You feel like you've let yourself down?", "none"),
    ("Part of you wants to go and part of you doesn't, is that right?", "none"),
    ("And you'll definitely do it this time, yeah?", "closed"),
    ("I hear that, though perhaps the breathing might be worth a try?", "closed"),
    ("It really fits with what you want, doesn't it, this time for yourself.", "none"),
    # spoken questions without punctuation or inside a run-on
    ("it put you off and that's fair so what would make it feel more like yours", "open"),
    ("I'm kind of curious what could trip you up over the next few days, you know", "open"),
    ("Could you take me through how you picture the week?", "open"),
    ("If you're too tired after work, could mornings work instead?", "closed"),
    ("It sounds like the week was exhausting.", "none"),
    ("That makes a lot of sense.", "none"),
    ("What you did took courage.", "none"),
    ("How hard that must have been.", "none"),
    ("What I'm hearing is that evenings are tough.", "none"),
    ("When you get home, you could try a short walk.", "none"),
    ("It took real courage to try that even once. What did you learn?", "open"),
    ("Great. Did you write it down? And what did you notice?", "open"),
    ("Thanks for that. Was it every day?", "closed"),
    ("You said you want to see your friends again; how could this week's step fit with that?",
     "open"),
    ("You mentioned the diary, how did it go", "open"),
    ("Sam, what would you like to get out of today?", "open"),
    ("Sam what did you notice?", "open"),
    ("When in the day would suit you best?", "open"),
    ("Where would you do it?", "open"),
    ("Why do you think it was harder on Thursday?", "open"),
    ("How about mornings?", "open"),
    ("Could you tell me in your own words what we're trying and why?", "open"),
    ("Can you tell me if you did it?", "closed"),
    ("Let me tell you why this helps.", "none"),
    ("See you next week, take care.", "none"),
    ("Hi Sam, good to see you.", "none"),
    ("I wonder if mornings might suit you better.", "none"),
    ("Any thoughts?", "closed"),
    ("Walk?ok", "closed"),
    ("What's been going on since we last met?", "open"),
    ("how's it been", "open"),
    ("Say a bit more about that.", "open"),
]

DIRECTIVE: list[tuple[str, bool]] = [
    ("You need to do this.", True),
    ("You really need to go to bed earlier.", True),
    ("you just need to get out of the house", True),
    ("You'll need to keep a note of it each evening.", True),
    ("You've got to push through it.", True),
    ("you gotta do the diary", True),
    ("You're going to need to start small.", True),
    ("Do you really need to do it all at once?", False),
    ("Exercise is really good for depression.", False),
    ("Sleep helps more than people think.", False),
    ("Walks are great for low mood.", False),
    ("You don't need to do all of it.", False),
    ("you dont need to do it every day", False),
    ("You do not have to decide now.", False),
    ("Make sure you fill in the diary.", True),
    ("I want you to walk every day.", True),
    ("I don't want you to feel rushed.", False),
    ("You must do a thought record every day.", True),
    ("You have to keep going even when it's hard.", True),
    ("You should try to get out more.", True),
    ("You've got to push yourself.", True),
    ("You mustn't skip it.", True),
    ("Write it down every day.", True),
    ("Just do ten minutes, that's all.", True),
    ("So, write it down every evening.", True),
    ("If you're tired, just do five minutes.", True),
    ("Don't skip the mornings.", True),
    ("Don't worry about doing it perfectly.", False),
    ("Let's write it down together.", False),
    ("lets write it down", False),
    ("Take care, see you next week.", False),
    ("Take your time.", False),
    ("Do you need to check with your partner first?", False),
    ("If you have to work late, mornings might be better.", False),
    ("It sounds like you have to juggle a lot.", False),
    ("You said you need to rest more.", False),
    ("What would you need to make it easier?", False),
    ("Maybe you could try a short walk.", False),
    ("Walk is a good idea.", False),
    ("Keep going, you're doing well.", False),
    ("I'd like you to fill in a diary.", True),
    ("Remember to bring the diary next time.", True),
    ("Do it every morning before work.", True),
    ("you need to stop avoiding it", True),
    ("Try it tomorrow?", False),
]

HOMEWORK: list[tuple[str, bool]] = [
    ("How did the homework go?", True),
    ("How did the home work go?", True),
    ("The homework's the main thing this week.", True),
    ("Your assignments for this week are simple.", True),
    ("This assignment is a small one.", True),
    ("Home-work, I mean the practice.", True),
    ("Do you walk at home?", False),
    ("You work from home work days, right?", False),
    ("How did the action plan go?", False),
    ("Let's try a small experiment.", False),
    ("When you get home, what happens?", False),
]

COLLABORATIVE: list[tuple[str, bool]] = [
    ("What do you think?", True),
    ("wat do u think", True),
    ("How does that sound?", True),
    ("Let's look at the week.", True),
    ("lets look at it", True),
    ("We could work it out together.", True),
    ("Our plan last week was a walk.", True),
    ("Could we look at it?", True),
    ("You need to do it daily.", False),
    ("Did you manage the walks?", False),
    ("Let me explain why.", False),
]

TENTATIVE: list[tuple[str, bool]] = [
    ("Maybe a short walk?", True),
    ("Perhaps we could start small.", True),
    ("It might help to write it down.", True),
    ("You could try ten minutes.", True),
    ("I wonder whether mornings suit you.", True),
    ("One idea could be a short diary.", True),
    ("possibly after breakfast", True),
    ("Only if it feels right.", True),
    ("What if you tried it on Monday?", True),
    ("I'm not sure, but mornings may be easier.", True),
    ("Im not sure but it could be worth a try", True),
    ("You must do a thought record every day.", False),
    ("Could you tell me what happened?", False),
    ("Write it down.", False),
    ("Did you manage it?", False),
]


@pytest.mark.parametrize(("text", "expected"), QUESTIONS)
def test_question_kind(text: str, expected: str) -> None:
    assert detect_cues(text)["question"] == expected


@pytest.mark.parametrize(("text", "expected"), DIRECTIVE)
def test_directive(text: str, expected: bool) -> None:
    assert detect_cues(text)["directive"] is expected


@pytest.mark.parametrize(("text", "expected"), HOMEWORK)
def test_homework_term(text: str, expected: bool) -> None:
    assert detect_cues(text)["homework_term"] is expected


@pytest.mark.parametrize(("text", "expected"), COLLABORATIVE)
def test_collaborative(text: str, expected: bool) -> None:
    assert detect_cues(text)["collaborative"] is expected


@pytest.mark.parametrize(("text", "expected"), TENTATIVE)
def test_tentative(text: str, expected: bool) -> None:
    assert detect_cues(text)["tentative"] is expected


def test_shape_matches_contract() -> None:
    cues = detect_cues("So, how did the walks go this week?")
    assert tuple(cues) == CUES
    assert cues["question"] in QUESTION_KINDS
    assert all(isinstance(cues[k], bool) for k in CUES if k != "question")


@pytest.mark.parametrize("text", ["", "   ", "?", "...", "\n\n"])
def test_degenerate_input(text: str) -> None:
    cues = detect_cues(text)
    assert cues["question"] in {"none", "closed"}
    assert cues["directive"] is False


def test_case_insensitive() -> None:
    text = "MAKE SURE YOU DO YOUR HOMEWORK, WHAT DO YOU THINK?"
    assert detect_cues(text) == detect_cues(text.lower())
    assert detect_cues(text)["directive"] is True


def test_component_sets_doc_extension() -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("cue_detector")
    doc = nlp("Let's maybe try it, what do you think?")
    assert doc._.cues == cues_from_doc(doc)
    assert doc._.cues["collaborative"] is True
    assert doc._.cues["question"] == "open"


def test_extension_registration_is_idempotent() -> None:
    import spacy
    from spacy.tokens import Doc

    from bot.language.cues import register_extension

    # Registering again (a second pipeline, a reloaded module) neither raises nor
    # replaces the extension: the component still fills it in.
    register_extension()
    register_extension()
    assert Doc.has_extension("cues")
    assert Doc.get_extension("cues")[0] is None  # the default: unset until the component runs
    nlp = spacy.blank("en")
    nlp.add_pipe("cue_detector")
    doc = nlp("You need to do your homework.")
    assert doc._.cues == detect_cues("You need to do your homework.")
    assert doc._.cues["directive"] is True and doc._.cues["homework_term"] is True
