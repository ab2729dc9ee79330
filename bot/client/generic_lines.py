"""Built-in generic client lines: the last fallback when a persona has no line.

Kept neutral so that they fit any persona, slightly hesitant so that they still
sound like a client rather than a system. Every use is counted as *generic* by the
benchmark, so a persona author should never rely on them.
"""

from __future__ import annotations

GENERIC_MOVE_LINES: dict[str, tuple[str, ...]] = {
    "opening": ("Hi. (sits down)", "Hello. (settles into the chair)"),
    "greet": ("Hi.", "Hello. Yeah, OK, thanks.", "Hi. (small nod)"),
    "set_agenda": ("OK. That's fine with me.", "Sure, we can do that.", "Yeah, alright."),
    "review_plan": (
        "It went... sort of. Not really how we planned.",
        "I don't know. Some of it happened.",
        "(shrugs) Not as well as I'd hoped.",
    ),
    "explore_learning": (
        "I'm not sure I noticed anything in particular.",
        "Hmm. I'd have to think about that.",
        "I don't know what I learned, honestly.",
    ),
    "reflect": ("Yeah. Something like that.", "Mm. Yes.", "I suppose so, yes."),
    "affirm": ("Thanks. I guess.", "(half-smiles) OK.", "That's kind of you to say."),
    "ask_permission": ("OK, go ahead.", "Sure.", "Yes, alright."),
    "repair_rupture": ("It's OK.", "(pause) Thanks for saying that.", "Alright. It's fine."),
    "give_rationale": ("OK. I think I follow.", "Right. That makes some sense.", "Mm. OK."),
    "link_to_goals": (
        "I suppose it's connected, yes.",
        "Maybe. I hadn't thought of it like that.",
        "Yeah, I can see that.",
    ),
    "elicit_ideas": ("I don't really know.", "Maybe {activity}?", "I'm not sure. You tell me?"),
    "propose_task": ("Maybe. I'm not sure.", "Hmm. Possibly.", "I don't know. Maybe."),
    "specify_plan": ("I'm not sure. Whatever works.", "I could do {time_of_day}, maybe.", "Maybe."),
    "explore_barriers": (
        "I don't know. Life gets in the way.",
        "I'm not sure. The usual things.",
        "Hard to say.",
    ),
    "problem_solve": ("Maybe that could work.", "I'm not sure. Possibly.", "I could try that."),
    "elicit_feedback": ("It sounds OK, I think.", "I'm not sure yet.", "Maybe. I think so."),
    "check_understanding": (
        "So I try {activity} and see what happens?",
        "I'd try it and see how it goes, I think.",
        "Something like... trying it and noticing what happens?",
    ),
    "summarize_plan": ("Yes, that's it.", "OK. Yes.", "That sounds right."),
    "written_summary": ("OK, thanks.", "That would help, yes.", "Sure."),
    "goodbye": ("Bye.", "OK. See you.", "Thanks. Bye."),
    "off_topic": ("Sorry, I'm not sure what that has to do with anything.", "(shrugs) I guess."),
    "not_understood": ("Sorry, I'm not sure what you mean.", "Sorry, could you say that again?"),
    "repeat": ("I think you asked me that already.", "Like I said, {barrier}.", "Same as before."),
    "counter_offer": (
        "That's more than I can manage. {duration}, maybe?",
        "I don't think I can do that much. Maybe {frequency}?",
        "Could it be {activity} instead?",
    ),
    "closing.agreed": ("OK. See you next week.", "Thanks. I'll try it."),
    "closing.not_agreed": ("OK. See you.", "Thanks. Bye."),
    "comment.agreed": ("I think I can try this.",),
    "comment.not_agreed": ("I'm not sure what we decided.",),
    "agree": ("OK. I'll try {activity}.", "Alright. I can give it a go."),
    "refuse": ("I don't think I'm going to do that.", "I'd rather not commit to anything."),
    "belief_softened": ("Maybe. I hadn't thought of it like that.",),
    "barrier_resolved": ("That might work, actually.", "Maybe that gets round it."),
    "learning": ("I noticed a few things, I suppose.",),
}

GENERIC_NOT_YET: dict[str, tuple[str, ...]] = {
    "rationale_understood": ("I don't really see how it would help.", "What's the point of it?"),
    "client_shaped": (
        "I don't know if that's really me.",
        "It feels like your idea more than mine.",
    ),
    "min_specifics": ("I'm not sure when I'd even do it.", "It's a bit vague still."),
    "barriers_resolved": ("I don't know. Something about it doesn't feel doable.",),
    "within_task_limits": ("That's more than I can manage.",),
    "feedback_asked": ("I'm not sure.", "Maybe."),
    "understanding_checked": ("Yes, sure.", "Mm-hm."),
    "linked_to_goals": ("I don't see what it has to do with anything.",),
    "min_trust": ("I don't know. (looks away)",),
    "min_willingness": ("I'm not sure I want to do this.",),
    "no_open_rupture": ("(quiet) I don't really want to talk about plans right now.",),
    "beliefs_softened": ("I just don't think I'd do it properly.",),
}

# A plan detail the client is asked for: its own value said back ("own", the placeholder is
# the detail's own name), a value already in the plan restated ("restated"), or an honest
# "I don't know" when the persona file holds no value for it ("unknown").
GENERIC_DETAIL_LINES: dict[str, dict[str, tuple[str, ...]]] = {
    "activity": {
        "own": ("Maybe {activity}? That feels like something I'd actually do.",
                "{activity}, I think. Something small."),
        "restated": ("{activity}, like I said.", "I'd still go with {activity}."),
        "unknown": ("I don't really know what I'd try. Nothing big, anyway.",
                    "I'm not sure. I'd need to think about what would actually help."),
    },
    "duration": {
        "own": ("{duration}, maybe. Short enough that I'd actually do it.",
                "Not long. {duration}, I think."),
        "restated": ("{duration}, like we said.", "{duration} still feels about right."),
        "unknown": ("I don't know how long. Not long, anyway.",
                    "I honestly don't know. Whatever I can manage without dreading it."),
    },
    "frequency": {
        "own": ("{frequency}, I think. More than that and I'd drop it.",
                "Maybe {frequency}. That feels doable."),
        "restated": ("{frequency}, like we said.", "I'd keep it to {frequency}."),
        "unknown": ("I don't know how often. I'd rather not promise a number yet.",
                    "I'm not sure. Not every day, anyway."),
    },
    "day": {
        "own": ("{day}, probably. Those are easier for me.", "Maybe {day}?"),
        "restated": ("{day}, like we said.", "{day} still works."),
        "unknown": ("I don't know which days. Every week's different.",
                    "I'm not sure. I'd have to look at my week."),
    },
    "time_of_day": {
        "own": ("{time_of_day}, I think. That's when I've got the most in me.",
                "Maybe {time_of_day}?"),
        "restated": ("{time_of_day}, like we said.", "{time_of_day} still feels right."),
        "unknown": ("I don't know when. That's part of the problem, honestly.",
                    "I'm not sure. My days are all over the place."),
    },
    "place": {
        "own": ("{place}, probably. It's easy to get to.", "Maybe {place}?"),
        "restated": ("{place}, like we said.", "{place} is fine."),
        "unknown": ("I don't know where. I hadn't thought that far.",
                    "I'm not sure. Somewhere close, I suppose."),
    },
    "person": {
        "own": ("{person}, I think.", "Maybe {person}?"),
        "restated": ("{person}, like we said.", "{person}, still."),
        "unknown": ("I don't know. On my own, probably. There isn't really anyone.",
                    "I hadn't thought about anyone else. Probably just me."),
    },
}

# A short acknowledgement of a reflection or an affirmation said before the question that a
# message of several moves asks (bot/client/acknowledge.py); the answer follows it.
GENERIC_ACKNOWLEDGE: dict[str, tuple[str, ...]] = {
    "reflect": ("Yeah.", "Mm. Yeah.", "(nods) Yes."),
    "affirm": ("Thanks.", "(small smile) Thanks.", "Oh. Thank you."),
}

# The client checks what it heard when the NLU was unsure ({heard}: the move as it heard it).
CLARIFY_LINES: tuple[str, ...] = (
    "Sorry, do you mean {heard}?",
    "Do you mean {heard}?",
    "Sorry, I'm not sure I followed. You mean {heard}?",
)
# The client notices two details that cannot both hold ({first} and {second}).
CONTRADICTION_LINES: tuple[str, ...] = (
    "Sorry, which is it: {first} or {second}?",
    "Wait, {first} or {second}? I can't do both.",
)
# An activity that has nothing to do with what the client wants from therapy.
UNRELATED_LINES: tuple[str, ...] = (
    "I don't really see what {offered} has to do with anything I want. I said I want {goal}.",
    "{offered}? I'm not sure what that has to do with anything. What I want is {goal}.",
)
