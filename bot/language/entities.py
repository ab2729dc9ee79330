"""Plan entities of the closed classes: entity-ruler patterns and value normalisation.

The ruler (built in bot/nlp.py) finds day, time_of_day, frequency, duration, place and
person with token patterns on LOWER. `activity` is learned by DIET and only gets light
clean-up here.

Canonical values (what `normalize` returns; the engine and scorer compare these):
- frequency: "daily" (every day / each day / every single day / every morning ...),
  "N times a day" (twice a day -> "2 times a day"), "once a week" (once, weekly, every
  Monday), "N times a week" (N >= 2; "twice", "three times this week", "3x", "3 days a
  week", "a couple of times" -> 2, "a few times" -> 3, "most days" -> 5), "every other day",
  "weekdays", "every N days". A count without a unit ("twice") is taken per week, because
  plans are made session to session. Ranges ("3-4 times") take the upper bound.
- duration: "N minutes" (ten minutes -> "10 minutes", half an hour -> "30 minutes",
  an hour -> "60 minutes", a few minutes -> "5 minutes", a couple of minutes -> "2
  minutes"); ranges take the upper bound ("5-10 minutes" -> "10 minutes").
- day: "Monday" ... "Sunday", "weekdays", "weekend", "today", "tomorrow", "tonight".
- time_of_day: "morning", "afternoon", "evening", "night", "lunch", "after breakfast",
  "before bed", "after work", "before work", clock times as "HH:MM" (24 h) when am/pm is
  said ("at 7pm" -> "19:00"), else "HH:MM" as said ("7:30" -> "07:30", "at 7" -> "07:00",
  a guess the engine should not rely on); other phrases lower-cased without a
  leading "at"/"in the"/"during".
- place, person: lower-cased phrase with "my" -> "your" ("in my kitchen" -> "in your
  kitchen"), "round" -> "around", "mom" -> "mum", "neighbor" -> "neighbour".
Compounds are split by `expand`: "every morning" -> frequency "daily" + time_of_day
"morning"; "every Monday" -> frequency "once a week" + day "Monday"; "tonight" -> day
"today" + time_of_day "evening"; "every weekday" -> frequency "weekdays" + day "weekdays".
"""

from __future__ import annotations

import re
from typing import Any

from bot.language import quantities

RULER_LABELS: tuple[str, ...] = ("day", "time_of_day", "frequency", "duration", "place", "person")

DAYS: dict[str, str] = {
    "monday": "Monday", "mon": "Monday", "tuesday": "Tuesday", "tue": "Tuesday",
    "tues": "Tuesday", "wednesday": "Wednesday", "wed": "Wednesday", "weds": "Wednesday",
    "thursday": "Thursday", "thu": "Thursday", "thur": "Thursday", "thurs": "Thursday",
    "friday": "Friday", "fri": "Friday", "saturday": "Saturday", "sunday": "Sunday",
}  # fmt: skip
_DAY_WORDS = sorted(set(DAYS) | {d + "s" for d in DAYS.values() for d in [d.lower()]})

NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "ninety": 90, "couple": 2, "few": 5, "several": 5,
}  # fmt: skip
_NUM_WORDS = [w for w in NUMBER_WORDS if w not in {"a", "an", "couple", "few", "several"}]
_NUM = {"LOWER": {"REGEX": r"^\d+([.,]\d+)?$"}}
_NUMISH = {"LOWER": {"IN": _NUM_WORDS}}
_ANY_NUM = {"LOWER": {"REGEX": r"^(\d+([.,]\d+)?|" + "|".join(_NUM_WORDS) + r")$"}}
_DASH = {"LOWER": {"IN": ["-", "–", "to", "or"]}}
_OPT_DET = {"LOWER": {"IN": ["the", "your", "my", "a", "our", "his", "her", "their"]}, "OP": "?"}

PLACE_NOUNS = [
    "park", "garden", "kitchen", "gym", "office", "bedroom", "lounge", "living", "sofa",
    "couch", "desk", "car", "bus", "train", "tube", "shops", "shop", "supermarket", "library",
    "cafe", "café", "pool", "beach", "river", "canal", "woods", "field", "church", "mosque",
    "temple", "school", "college", "university", "campus", "block", "neighbourhood",
    "neighborhood", "street", "balcony", "allotment", "room", "flat", "house", "estate",
    "high", "town", "centre", "center", "bath", "shower", "bed", "hallway", "stairs",
    "track", "common", "promenade", "seafront", "square", "playground", "yard", "porch",
    # Vehicles: for drivers and tradespeople the van or cab is the one private room (leo.yml).
    "van", "cab", "lorry", "truck", "taxi", "minibus",
]  # fmt: skip
PERSON_NOUNS = [
    "sister", "sisters", "brother", "brothers", "mum", "mom", "mother", "dad", "father",
    "parents", "partner", "husband", "wife", "boyfriend", "girlfriend", "fiance", "fiancé",
    "fiancee", "kids", "kid", "children", "child", "son", "daughter", "friend", "friends",
    "colleague", "colleagues", "coworker", "coworkers", "co-worker", "neighbour",
    "neighbor", "neighbours", "neighbors", "flatmate", "flatmates", "roommate",
    "housemate", "housemates", "family", "gran", "grandma", "nan", "nana", "grandmother",
    "grandad", "granddad", "grandpa", "grandfather", "aunt", "auntie", "uncle", "cousin",
    "mate", "mates", "boss", "manager", "gp", "doctor", "nurse", "therapist", "mentor",
    "buddy", "pal", "carer", "spouse", "other half", "team", "sponsor", "coach",
]  # fmt: skip


def _p(label: str, *tokens: dict[str, Any] | str) -> dict[str, Any]:
    pattern = [{"LOWER": t} if isinstance(t, str) else t for t in tokens]
    return {"label": label, "pattern": pattern}


def _in(*words: str, op: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"LOWER": {"IN": list(words)}}
    if op:
        d["OP"] = op
    return d


def patterns() -> list[dict[str, Any]]:
    """Entity-ruler token patterns (all on LOWER) for the closed plan entities."""
    pats: list[dict[str, Any]] = []
    # ---- day
    days = _in(*_DAY_WORDS)
    pats += [
        _p("day", days),
        _p("day", _in("on", "next", "this", "last", op="?"), days),
        _p("day", _in("weekdays", "weekday", "weekend", "weekends", "tomorrow", "today")),
        _p("day", _in("tonight", "tomorrow", "today")),
        _p("day", _in("at", "on", "over", "this", "next", "during"), _in("the", op="?"),
           _in("weekend", "weekends", "weekdays")),
        _p("day", "during", "the", "week"),
        _p("day", "in", "the", "week"),
        # Shift workers plan around days off (sam.yml): "on your days off", "a day off".
        _p("day", _in("on", "at", "over", "during", "for", op="?"),
           _in("your", "my", "the", "a", "his", "her", "their", "our", op="?"),
           _in("day", "days"), "off"),
        _p("day", _in("on", "at", "over", "during", op="?"),
           _in("your", "my", "the", "an", "his", "her", "their", "our", op="?"),
           "off", _in("day", "days")),
        _p("day", _in("on", "at", "over", "during", op="?"),
           _in("your", "my", "the", "a", "his", "her", "their", "our", op="?"),
           "rest", _in("day", "days")),
    ]
    # ---- time of day
    parts = _in("morning", "mornings", "afternoon", "afternoons", "evening", "evenings",
                "night", "nights", "lunchtime", "lunchtimes", "midday", "noon", "bedtime",
                "teatime", "dinnertime")
    meals = _in("breakfast", "lunch", "dinner", "tea", "supper", "work", "school", "bed",
                "brunch", "class", "college", "uni", "university", "church", "dark", "dawn")
    pats += [
        _p("time_of_day", parts),
        _p("time_of_day", _in("in", "during", "at", "on", "this", "tomorrow",
                              "early", "late", "mid"), _in("the", op="?"), parts),
        _p("time_of_day", _in("after", "before"), meals),
        _p("time_of_day", _in("after", "before"), _in("your", "my", "the"),
           _in("breakfast", "lunch", "dinner", "tea", "supper", "shift", "work", "run",
               "commute", "coffee", "shower")),
        _p("time_of_day", _in("after", "before", op="?"), _in("the", "your", "my", op="?"),
           "school", _in("-", op="?"), _in("run", "drop", "dropoff", "drop-off")),
        _p("time_of_day", _in("after", "before", op="?"), _in("the", "your", "my", op="?"),
           "school", "drop", "-", "off"),
        _p("time_of_day", _in("after", "before", op="?"), _in("the", "your", "my", op="?"),
           "school", "drop", "off"),
        _p("time_of_day", _in("at", "during", "on", "over"), _in("your", "my", "the", op="?"),
           "lunch", _in("break", "hour", op="?")),
        _p("time_of_day", "lunch", "break"),
        _p("time_of_day", "lunch", "time"),
        _p("time_of_day", "first", "thing", _in("in", op="?"), _in("the", op="?"),
           _in("morning", op="?")),
        _p("time_of_day", "when", _in("you", "i"), _in("wake", "get"), _in("up", "home")),
        _p("time_of_day", "on", "the", "way", _in("home", "to"), _in("work", "school", op="?")),
        _p("time_of_day", "before", "going", "to", "bed"),
        _p("time_of_day", "before", "you", "go", "to", "bed"),
        # Arriving at work or home: "before you go in", "before I go in", "before going in".
        _p("time_of_day", "before", _in("you", "i", "we", op="?"), _in("go", "going"), "in"),
        # "before you start work", "before work starts": both are "before work".
        _p("time_of_day", "before", _in("you", "i", "we"), _in("start", "begin"),
           _in("your", "my", "the", op="?"), _in("work", "shift")),
        _p("time_of_day", "before", _in("work", "the", "your", "my"), _in("shift", op="?"),
           _in("starts", "begins", "start")),
        # clock times: 7pm, 7 pm, 7:30, 7.30pm, at 7, at seven o'clock
        _p("time_of_day", _in("at", "around", "about", "by", op="?"),
           {"LOWER": {"REGEX": r"^\d{1,2}([:.]\d{2})?(am|pm|a\.m\.|p\.m\.)$"}}),
        _p("time_of_day", _in("at", "around", "about", "by", op="?"),
           {"LOWER": {"REGEX": r"^\d{1,2}([:.]\d{2})?$"}},
           _in("am", "pm", "a.m.", "p.m.", "o'clock", "oclock")),
        _p("time_of_day", _in("at", "around", "about", "by", op="?"),
           {"LOWER": {"REGEX": r"^\d{1,2}:\d{2}$"}}),
        _p("time_of_day", "at", {"LOWER": {"REGEX": r"^([1-9]|1[0-2])$"}}),
        _p("time_of_day", "at", _in("one", "two", "three", "four", "five", "six", "seven",
                                    "eight", "nine", "ten", "eleven", "twelve", "half"),
           _in("o'clock", "oclock", "am", "pm", "thirty", "fifteen", "past", op="?")),
    ]
    # ---- frequency
    per = _in("a", "per", "each", "every", "this", "next", "that", "the")
    unit = _in("week", "day", "weekend", "fortnight", "month")
    count = _in("once", "twice", "thrice")
    times = _in("times", "time", "x", "days", "mornings", "evenings", "nights")
    pats += [
        _p("frequency", _in("every", "each"), _in("single", op="?"),
           _in("day", "morning", "evening", "night", "afternoon", "lunchtime", "week",
               "weekday", "weekend", "weekends", "weekdays", *_DAY_WORDS)),
        _p("frequency", _in("daily", "everyday", "weekly", "nightly")),
        _p("frequency", _in("every", "each"), "other", _in("day", "days")),
        _p("frequency", "every", "-", "other", "-", "day"),
        _p("frequency", _in("alternate", "alternating"), "days"),
        _p("frequency", "every", _ANY_NUM, "days"),
        _p("frequency", "every", "few", "days"),
        _p("frequency", _in("at", op="?"), _in("least", op="?"), count),
        _p("frequency", _in("at", op="?"), _in("least", op="?"), count, per, unit),
        _p("frequency", _in("at", op="?"), _in("least", op="?"), _ANY_NUM, times),
        _p("frequency", _in("at", op="?"), _in("least", op="?"), _ANY_NUM, times, per, unit),
        _p("frequency", _ANY_NUM, _DASH, _ANY_NUM, times),
        _p("frequency", _ANY_NUM, _DASH, _ANY_NUM, times, per, unit),
        _p("frequency", {"LOWER": {"REGEX": r"^\d+x$"}}),
        _p("frequency", {"LOWER": {"REGEX": r"^\d+x$"}}, per, unit),
        _p("frequency", {"LOWER": {"REGEX": r"^\d+x$"}}, "/", unit),
        _p("frequency", "a", _in("couple", "few"), _in("of", op="?"), "times"),
        _p("frequency", "a", _in("couple", "few"), _in("of", op="?"), "times", per, unit),
        _p("frequency", _in("most", "some", "a", "few", "several"), _in("few", op="?"),
           _in("days", "mornings", "evenings", "nights")),
    ]
    # ---- duration
    mins = _in("minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "second",
               "seconds", "secs")
    pats += [
        _p("duration", _ANY_NUM, mins),
        _p("duration", _ANY_NUM, "-", mins),
        _p("duration", _NUMISH, "-", _NUMISH, mins),
        _p("duration", _NUMISH, _NUMISH, mins),
        _p("duration", _ANY_NUM, _DASH, _ANY_NUM, mins),
        _p("duration", _NUMISH, "-", _NUMISH, _DASH, _ANY_NUM, mins),
        _p("duration", {"LOWER": {"REGEX": r"^\d+(min|mins|m|h|hr|hrs)$"}}),
        _p("duration", _in("an", "a", "one"), _in("hour", "hr", "minute")),
        _p("duration", _in("an", "a", "one"), "hour", "and", "a", "half"),
        _p("duration", _in("a", op="?"), "half", _in("an", "a", op="?"), "hour"),
        _p("duration", "half", "-", "an", "-", "hour"),
        _p("duration", _in("a", op="?"), "quarter", _in("of", op="?"), _in("an", "a"), "hour"),
        _p("duration", "a", _in("few", "couple"), _in("of", op="?"), mins),
        _p("duration", _in("several", "few", "couple"), mins),
    ]
    # ---- place
    pats += [
        _p("place", _in("at", "from"), _in("home", "work", "church", "school", "college",
                                            "uni", "university")),
        _p("place", _in("outside", "outdoors", "indoors", "inside", "upstairs", "downstairs")),
        _p("place", _in("at", "in", "on", "around", "round", "to", "by", "near", "along",
                        "through", "into"), _OPT_DET, _in(*PLACE_NOUNS)),
        _p("place", _in("in", "on"), _OPT_DET, _in("living", "sitting", "front", "back",
                                                    "spare", "local", "high"),
           _in("room", "garden", "park", "street", "shops", "gym", "pool", "library")),
        _p("place", _in("around", "round"), "the", "block"),
        _p("place", "in", "town"),
        _p("place", "in", "the", "fresh", "air"),
    ]
    # ---- person
    people = _in(*[n for n in PERSON_NOUNS if " " not in n])
    pats += [
        _p("person", _in("your", "my", "a", "the", "his", "her", "their", "our", "some"),
           _in("best", "close", "old", "little", "big", "older", "younger", "work", op="?"),
           people),
        _p("person", _in("your", "my"), "other", "half"),
        _p("person", "a", _in("walking", "gym", "study", "work"), _in("buddy", "partner")),
    ]
    return pats


# ---------------------------------------------------------------- normalisation

_WORD_NUM_RE = re.compile(r"\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b")


def _num(tok: str) -> float | None:
    tok = tok.strip().lower()
    if re.fullmatch(r"\d+([.,]\d+)?", tok):
        return float(tok.replace(",", "."))
    return float(NUMBER_WORDS[tok]) if tok in NUMBER_WORDS else None


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _words_to_digits(text: str) -> str:
    """"twenty five" -> "25", "ten" -> "10" (only the number words above)."""
    t = re.sub(r"\b(twenty|thirty|forty|fifty)[\s-]+(one|two|three|four|five|six|seven|eight|"
               r"nine)\b", lambda m: str(NUMBER_WORDS[m[1]] + NUMBER_WORDS[m[2]]), text)
    return _WORD_NUM_RE.sub(
        lambda m: m[0] if m[0] in {"a", "an", "couple", "few", "several"}
        else str(NUMBER_WORDS[m[0]]), t)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("’", "'")).strip(" .,!?;:")


def normalize(entity: str, text: str) -> str:
    """Canonical value of an entity (see the module docstring); unknown input is cleaned."""
    t = _clean(text)
    if not t:
        return t
    fn = _NORMALISERS.get(entity)
    if fn is None:
        return t
    return fn(t)


def _norm_frequency(t: str) -> str:
    t = _words_to_digits(t)
    t = re.sub(r"^(at least|about|around|roughly|maybe)\s+", "", t)
    if re.search(r"\bevery[\s-]+other[\s-]+day|\balternat\w* days|\bevery 2 days", t):
        return "every other day"
    m = re.search(r"\bevery (\d+) days", t)
    if m:
        return f"every {m[1]} days"
    if re.search(r"\bweekdays?\b", t) and not re.search(r"\btimes?\b", t):
        return "weekdays"
    if re.search(r"\b(every|each)( single)? (day|morning|evening|night|afternoon|lunchtime)\b"
                 r"|\bdaily\b|\beveryday\b|\bnightly\b", t):
        return "daily"
    if re.search(r"\b(every|each) (week|monday|tuesday|wednesday|thursday|friday|saturday|"
                 r"sunday|mon|tue|tues|wed|thu|thur|thurs|fri)s?\b|\bweekly\b", t):
        return "once a week"
    if re.search(r"\b(every|each) weekends?\b", t):
        return "once a week"
    m = re.search(r"\bmost (days|mornings|evenings|nights)\b", t)
    if m:
        return "5 times a week"
    n: float | None = None
    if re.search(r"\bonce\b", t):
        n = 1
    elif re.search(r"\btwice\b", t):
        n = 2
    elif re.search(r"\bthrice\b", t):
        n = 3
    elif re.search(r"\bcouple\b", t):
        n = 2
    elif re.search(r"\b(few|some|several)\b", t):
        n = 3
    else:
        nums = re.findall(r"(\d+(?:\.\d+)?)\s*(?:x\b|times?\b|days?\b|mornings\b|evenings\b|"
                          r"nights\b|-|to\b|or\b)?", t)
        vals = [float(x) for x in nums]
        if vals:
            n = max(vals)
    if n is None:
        return t
    if re.search(r"\b(a|per|each|every) day\b|\bdaily\b", t):
        return f"{_fmt(n)} times a day" if n != 1 else "daily"
    if n == 1:
        return "once a week"
    return f"{_fmt(n)} times a week"


def _norm_duration(t: str) -> str:
    t = _words_to_digits(t.replace("half-an-hour", "half an hour"))
    if re.search(r"\b(an?|1) (hour|hr) and a half\b", t):
        return "90 minutes"
    if re.search(r"\bhalf (an |a )?hour\b|\ba half hour\b", t):
        return "30 minutes"
    if re.search(r"\bquarter\b", t):
        return "15 minutes"
    if re.search(r"\bcouple\b", t):
        n: float = 2
    elif re.search(r"\b(few|several)\b", t):
        n = 5
    else:
        nums = [float(x.replace(",", ".")) for x in re.findall(r"\d+(?:[.,]\d+)?", t)]
        if nums:
            n = max(nums)
        elif re.search(r"\b(an?|one) (hour|hr|minute|min)\b", t):
            n = 1
        else:
            return t
    if re.search(r"(hours?|hrs?|\dh)\b", t):
        n *= 60
    elif re.search(r"(seconds?|secs?)\b", t):
        n = max(1.0, round(n / 60))
    return f"{_fmt(round(n))} minutes"


def _norm_day(t: str) -> str:
    for w in re.findall(r"[a-z]+", t):
        base = w[:-1] if w.endswith("s") and w[:-1] in DAYS else w
        if base in DAYS:
            return DAYS[base]
    if re.search(r"\b(days? off|off days?|rest days?)\b", t):
        return "days off"
    if "weekday" in t or re.search(r"\b(during|in) the week\b", t):
        return "weekdays"
    if "weekend" in t:
        return "weekend"
    for w in ("tomorrow", "tonight", "today"):
        if w in t:
            return w
    return t


_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.?|p\.m\.?|o'?clock)?")


def _norm_time(t: str) -> str:
    t = _words_to_digits(t)
    m = re.search(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.?|p\.m\.?)", t)
    if m:
        h, mm = int(m[1]) % 12, int(m[2] or 0)
        if m[3].startswith("p"):
            h += 12
        return f"{h:02d}:{mm:02d}"
    m = re.search(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(o'?clock)?$", t)
    if m and re.fullmatch(r"(at |around |about |by )?" + re.escape(m[0]), t):
        return f"{int(m[1]):02d}:{m[2] or '00'}"
    if re.search(r"\bschool[\s-]*(run|drop[\s-]*off|dropoff|drop)\b", t):
        return ("before" if t.startswith("before") else "after") + " the school run"
    if re.search(r"\b(bed|bedtime)\b", t) and not re.search(r"\bafter\b", t):
        return "before bed"
    if re.search(r"\blunch", t) and not re.search(r"\b(after|before)\b", t):
        return "lunch"
    if "first thing" in t or "wake up" in t or "get up" in t:
        return "morning"
    if re.search(r"\b(midday|noon)\b", t):
        return "lunch"
    m = re.search(r"\b(morning|afternoon|evening|night)s?\b", t)
    if m and not re.search(r"\b(after|before)\b", t):
        return m[1]
    # A recognised meal/work anchor loses its determiner ("after my shift" -> "after shift");
    # any other phrase keeps its words, preposition included: the engine matches persona
    # details ("in the van", "end of the shift") as substrings of this value.
    t = re.sub(r"^(after|before) (my|the|your) (breakfast|lunch|dinner|tea|supper|work|shift)\b",
               r"\1 \3", t)
    # One canonical form for the moment of arriving, whoever is the subject.
    t = re.sub(r"^before (you |i |we )?go(ing)? in$", "before going in", t)
    if re.fullmatch(r"before (you |i |we )?(start|begin) (your |my |the )?(work|shift)"
                    r"|before (work|(the |your |my )?shift) (starts|begins|start)", t):
        return "before work" if "work" in t else "before shift"
    t = re.sub(r"^(at|during|around|about|by) (?=(breakfast|lunch|dinner|tea|supper)\b)", "", t)
    return re.sub(r"\bmy\b", "your", t)


def _norm_place(t: str) -> str:
    t = re.sub(r"\bmy\b", "your", t)
    t = re.sub(r"^round\b", "around", t)
    return t.replace("neighborhood", "neighbourhood").replace("center", "centre")


def _norm_person(t: str) -> str:
    t = re.sub(r"\bmy\b", "your", t)
    t = re.sub(r"\bmom\b", "mum", t)
    t = re.sub(r"\bneighbor(s?)\b", r"neighbour\1", t)
    return t


def _norm_activity(t: str) -> str:
    t = re.sub(r"^(to|try to|trying to|try|going to)\s+", "", t)
    return t.strip(" .,!?;:\"'")


_NORMALISERS = {
    "frequency": _norm_frequency,
    "duration": _norm_duration,
    "day": _norm_day,
    "time_of_day": _norm_time,
    "place": _norm_place,
    "person": _norm_person,
    "activity": _norm_activity,
}


def minutes(duration_value: str | None) -> float | None:
    """Minutes of a duration (canonical or raw), None when it is not a duration
    (bot/language/quantities.py, the one parser of quantities)."""
    return quantities.minutes(duration_value)


def times_per_week(frequency_value: str | None) -> float | None:
    """Times a week of a frequency (canonical or raw); "daily" = 7, None when unknown
    (bot/language/quantities.py, the one parser of quantities)."""
    return quantities.times_per_week(frequency_value)


# Compound spans: the ruler can label a span only once, the plan wants both details.
_TIME_IN_FREQ = re.compile(r"\b(morning|afternoon|evening|night|lunchtime)s?\b")


def expand(entity: str, text: str) -> list[tuple[str, str]]:
    """(entity, canonical value) pairs carried by one span (see the module docstring)."""
    value = normalize(entity, text)
    out = [(entity, value)]
    low = _clean(text)
    if entity == "frequency":
        m = _TIME_IN_FREQ.search(low)
        if m:
            out.append(("time_of_day", normalize("time_of_day", m[1])))
        d = _norm_day(low)
        if d in DAYS.values() or (d == "weekdays" and value == "weekdays"):
            out.append(("day", d))
        elif d == "weekend":
            out.append(("day", "weekend"))
    elif entity == "day" and value == "tonight":
        out = [("day", "today"), ("time_of_day", "evening")]
    elif entity == "time_of_day" and re.match(r"^(tomorrow|this) ", low):
        out.append(("day", "tomorrow" if low.startswith("tomorrow") else "today"))
    return out


# ---------------------------------------------------------------- plausibility of learned values

# Words that never make a plan detail on their own ("on", "go", "it"): DIET tags them when it
# splits a phrase, and the engine would put "day: on" into the plan.
FUNCTION_WORDS: frozenset[str] = frozenset(
    "a an the on at in of for to by with from into onto over under about around after before "
    "during and or but so then if it its it's that this these those them they there here you "
    "your my me i we us our he she his her him their go goes going went gone do does did doing "
    "done try tried trying work works get got make be is are was were been have has had can "
    "could would will should might may maybe just really also too not no yes ok okay up out "
    "off some any one thing things stuff something anything what how when where which who "
    "why".split()
)

_TIME_WORDS = ("morning", "afternoon", "evening", "night", "lunch", "before bed")
_DAY_VALUES = frozenset(
    {*DAYS.values(), "weekdays", "weekend", "today", "tomorrow", "tonight", "days off"}
)


def only_function_words(text: str) -> bool:
    """True when every word of `text` is a function word (or there are no words)."""
    words = re.findall(r"[a-z0-9']+", _clean(text))
    return all(w in FUNCTION_WORDS for w in words)


def recognised(entity: str, text: str) -> bool:
    """Whether `text` normalises to a canonical value of a closed class (day, time_of_day,
    frequency, duration); other classes are recognised when they are not only function words.
    """
    if only_function_words(text):
        return False
    value = normalize(entity, text)
    if entity == "day":
        return value in _DAY_VALUES
    if entity == "time_of_day":
        return (value in _TIME_WORDS or bool(re.fullmatch(r"\d{2}:\d{2}", value))
                or bool(re.fullmatch(r"(after|before) (\w+|the school run)", value)))
    if entity == "frequency":
        return times_per_week(value) is not None
    if entity == "duration":
        return minutes(value) is not None
    return True
