"""How long and how often: the one parser of plan quantities.

The engine (is the plan within the client's limits?), the scorer (is it sized to the
client?) and the entity code (is a learned span a real duration?) all ask these two
questions, and they must get the same answer: "forty-five minutes" is 45 minutes
everywhere, "twice a week" is 2 times a week everywhere.

- `minutes("an hour and a half")` -> 90.0; a range counts by its upper end ("20-30
  minutes" -> 30), because the client hears the most that is asked of them.
- `times_per_week("twice a week")` -> 2.0; without a frequency, the named days count
  (`times_per_week(None, "Monday, Wednesday and Friday")` -> 3.0).

Both return None when the text says no quantity of their kind. Pure functions, no imports
beyond `re`.
"""

from __future__ import annotations

import re

_ONES: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_DIGIT_WORDS = "|".join(w for w, n in _ONES.items() if n < 10)
_TENS_RE = re.compile(r"\b(" + "|".join(_TENS) + r")(?:[\s-]+(" + _DIGIT_WORDS + r"))?\b")
_ONES_RE = re.compile(r"\b(" + "|".join(_ONES) + r")\b")
# Vague amounts, as bot/language/entities.py normalises them.
VAGUE_MINUTES: dict[str, float] = {"couple": 2.0, "few": 5.0, "several": 5.0}
VAGUE_TIMES: dict[str, float] = {"couple": 2.0, "few": 3.0, "several": 3.0, "some": 3.0}
MULTIPLES: dict[str, float] = {"once": 1.0, "twice": 2.0, "thrice": 3.0}

WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday",
                             "saturday", "sunday")
# Short forms of day names ("Mon", "Tues", "Thurs").
_DAY_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "monday": ("mon",), "tuesday": ("tue", "tues"), "wednesday": ("wed", "weds"),
    "thursday": ("thu", "thur", "thurs"), "friday": ("fri",), "saturday": ("sat",),
    "sunday": ("sun",),
}  # fmt: skip

_N = r"(\d+(?:\.\d+)?)"
_RANGE = _N + r"(?:\s*(?:-|to|or)\s*" + _N + r")?"
_HOURS = r"(?:hours?|hrs?|h\b)"
_MINUTES = r"(?:minutes?|mins?|m\b)"


def _digits(text: str) -> str:
    """Number words as digits: "forty-five" -> "45", "twenty five" -> "25", "ten" -> "10"."""
    text = text.lower().replace("–", "-").replace("—", "-")
    text = _TENS_RE.sub(lambda m: str(_TENS[m[1]] + (_ONES[m[2]] if m[2] else 0)), text)
    return _ONES_RE.sub(lambda m: str(_ONES[m[1]]), text)


def _upper(m: re.Match[str]) -> float:
    """The upper end of a matched range (or the single number)."""
    return float(m[2] or m[1])


def minutes(text: str | None) -> float | None:
    """Minutes of a duration: "ten minutes" 10, "half an hour" 30, "an hour and a half" 90,
    "forty-five minutes" 45, "20-30 min" 30; None when no duration is said."""
    if not text:
        return None
    t = _digits(text).replace("half-an-hour", "half an hour").replace("half-hour", "half hour")
    total, found = 0.0, False

    def take(pattern: str, value: float | None = None, hours: bool = False) -> None:
        nonlocal t, total, found
        for m in re.finditer(pattern, t):
            amount = value if value is not None else _upper(m)
            total += amount * (60 if hours else 1)
            found = True
        t = re.sub(pattern, " ", t)  # so that "an hour" inside a phrase is not counted twice

    # "1 and a half hours", "an hour and a half"
    for m in re.finditer(r"\b(\d+|an?)\s+and\s+a\s+half\s+" + _HOURS, t):
        total += (1.0 if m[1] in ("a", "an") else float(m[1])) * 60 + 30
        found = True
    t = re.sub(r"\b(\d+|an?)\s+and\s+a\s+half\s+" + _HOURS, " ", t)
    for m in re.finditer(r"\b(\d+|an?)\s+" + _HOURS + r"\s+and\s+a\s+half\b", t):
        total += (1.0 if m[1] in ("a", "an") else float(m[1])) * 60 + 30
        found = True
    t = re.sub(r"\b(\d+|an?)\s+" + _HOURS + r"\s+and\s+a\s+half\b", " ", t)
    take(r"\b3 quarters of an hour\b", 45)
    take(r"\b(?:a\s+)?quarter(?:\s+of)?(?:\s+an)?\s+hour\b", 15)
    take(r"\b(?:a\s+)?half\s+(?:an?\s+)?hour\b", 30)
    take(r"\b" + _RANGE + r"\s*" + _HOURS, hours=True)
    take(r"\ban?\s+(?:hour|hr)\b", 1, hours=True)
    take(r"\b" + _RANGE + r"\s*" + _MINUTES)
    take(r"\ban?\s+(?:minute|min)\b", 1)
    for word, value in VAGUE_MINUTES.items():
        take(r"\b" + word + r"\s+(?:of\s+)?" + _MINUTES, value)
    return total if found else None


def times_per_week(frequency: str | None, day: str | None = None) -> float | None:
    """Times a week: "twice a week" 2, "every day"/"daily" 7, "weekdays" 5, "three times this
    week" 3, "twice a day" 14; without a frequency, the days named ("Monday, Wednesday and
    Friday" 3); None when neither says how often."""
    t = _digits(frequency or "")
    if t.strip():
        found = _frequency(t)
        if found is not None:
            return found
        counted = days_count(t)
        if counted is not None:
            return counted
    return days_count(day)


def _frequency(t: str) -> float | None:
    m = re.search(_RANGE + r"\s*(?:times?|x)\s+(?:a|per|each|every)\s+day\b", t)
    if m:
        return _upper(m) * 7
    m = re.search(r"\b(once|twice|thrice)\s+(?:a|per|each|every)\s+day\b", t)
    if m:
        return MULTIPLES[m[1]] * 7
    if re.search(r"\bevery[\s-]+other[\s-]+day|\balternat\w* days\b", t):
        return 3.5
    m = re.search(r"\bevery (\d+) days\b", t)
    if m and int(m[1]) > 0:
        return round(7 / int(m[1]), 2)
    m = re.search(r"\bmost (?:days|mornings|evenings|nights)\b", t)
    if m:
        return 5.0
    m = re.search(r"\b" + _RANGE + r"\s*(?:times?|x\b|days?|sessions?|mornings?|evenings?|"
                  r"nights?|afternoons?|lunchtimes?)", t)
    if m:
        return _upper(m)
    if re.search(r"\b(?:every|each)(?: single)?\s*(?:day|morning|evening|night|afternoon|"
                 r"lunchtime)\b|\beveryday\b|\bdaily\b|\bnightly\b", t):
        return 7.0
    if re.search(r"\bweekdays?\b", t):
        return 5.0
    if re.search(r"\bweekends?\b", t):
        return 2.0
    if re.search(r"\bweekly\b|\bonce a week\b|\b(?:every|each) week\b", t) or re.search(
            r"\b(?:every|each) (?:" + "|".join(WEEKDAYS) + r")\b", t):
        return 1.0
    m = re.search(r"\b(once|twice|thrice)\b", t)
    if m:
        return MULTIPLES[m[1]]
    m = re.search(r"\b(?:a\s+)?(couple|few|several|some)\b(?:\s+of)?\s+times\b", t)
    if m:
        return VAGUE_TIMES[m[1]]
    m = re.search(r"\b" + _RANGE + r"\b", t)
    if m and not days_count(t):
        return _upper(m)
    return None


def days_count(day: str | None) -> float | None:
    """How many days a week a `day` value names: "Monday, Wednesday and Friday" 3,
    "weekdays" 5, "every day" 7; None when it names none."""
    if not day:
        return None
    t = day.lower()
    if re.search(r"\bevery\s*day\b|\beveryday\b|\bdaily\b", t):
        return 7.0
    if re.search(r"\bweekdays?\b", t):
        return 5.0
    n = 0
    for name in WEEKDAYS:
        short = "|".join(_DAY_ABBREVIATIONS[name])
        if re.search(r"\b(?:" + name + r"s?|(?:" + short + r")\b)", t):
            n += 1
    if re.search(r"\bweekends?\b", t):
        n += 2
    return float(n) if n else None
