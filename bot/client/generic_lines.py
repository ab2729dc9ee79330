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
