"""Cross-field rules: what the field table cannot say about one value alone.

Ids that must match (barriers named in the agreement, beliefs that must soften), things
that can never happen (a hidden barrier that is never disclosed, lines never said), and
the consistency of the client's own plan details with its limits and barriers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.language.entities import normalize
from bot.language.quantities import days_count, minutes, times_per_week
from bot.moves import CONDITIONS
from bot.persona.fields import ID_RE
from bot.persona.problems import did_you_mean
from bot.persona.structure import Checker

# --- cross-field rules -------------------------------------------------------------------


def requires_of(data: dict[str, Any]) -> dict[str, Any]:
    agreement = data.get("agreement", {})
    return agreement.get("requires", {}) if isinstance(agreement, dict) else {}


def check_semantics(c: Checker, data: dict[str, Any], stem: str) -> None:
    pid = data.get("id")
    if isinstance(pid, str) and pid != stem:
        fix = f"rename the file to '{pid}.yml'"
        if ID_RE.match(stem):
            fix += f" or set `id: {stem}`"
        else:
            fix += "; file names may only use lowercase letters, digits and _"
        c.add(c.at(("id",)), f"id '{pid}' does not match the file name '{stem}'; the id must "
              f"equal the file name without .yml ({fix})")

    for section in ("beliefs", "barriers"):
        seen: dict[str, int] = {}
        for i, entry in enumerate(data.get(section, [])):
            eid = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(eid, str):
                continue
            line = c.at((section, i, "id"))
            if eid in seen:
                c.add(line, f"{section}[{i}].id '{eid}' is used twice (first at line "
                      f"{seen[eid]}); give each entry its own id")
            else:
                seen[eid] = line

    for i, belief in enumerate(data.get("beliefs", [])):
        triggers = belief.get("triggers")
        if isinstance(triggers, dict) and not any(triggers.get(k) for k in triggers):
            c.add(c.at(("beliefs", i, "triggers")), f"beliefs[{i}].triggers lists no moves, cues "
                  "or task features, so the belief can never be activated; add at least one")
        for j, group in enumerate((triggers or {}).get("all", []) if isinstance(triggers, dict)
                                  else []):
            if isinstance(group, dict) and not any(group.values()):
                c.add(c.at(("beliefs", i, "triggers", "all", j)), f"beliefs[{i}].triggers.all[{j}] "
                      "names nothing, so it never fires; give it moves, cues, task and/or phase")
            elif isinstance(group, dict) and list(group) == ["phase"]:
                c.add(c.at(("beliefs", i, "triggers", "all", j)), f"beliefs[{i}].triggers.all[{j}] "
                      "has only a phase, so the belief fires on every turn of that phase; add the "
                      "moves, cues or task features it goes with", "warning")
        if belief.get("softened_by") and "softened_lines" not in belief:
            c.add(c.at(("beliefs", i, "softened_by")), f"beliefs[{i}] has softened_by but no "
                  "softened_lines; add what the client says when the belief softens",
                  "warning")

    limits = data.get("task_limits", {})
    for i, belief in enumerate(data.get("beliefs", [])):
        trig = belief.get("triggers", {})
        features = [(("task", j), f) for j, f in enumerate(trig.get("task", []))] + [
            (("all", g, "task", j), f) for g, group in enumerate(trig.get("all", []))
            for j, f in enumerate(group.get("task", []))]
        for where, feature in features:
            if feature == "large" and not (limits.get("max_duration_minutes")
                                           or limits.get("max_times_per_week")):
                c.add(c.at(("beliefs", i, "triggers", *where)), f"beliefs[{i}] is triggered by "
                      "'large' tasks, but task_limits sets neither max_duration_minutes nor "
                      "max_times_per_week, so no task counts as large; add one", "warning")
            if feature in ("frightening", "evaluative") and not limits.get(f"{feature}_activities"):
                c.add(c.at(("beliefs", i, "triggers", *where)), f"beliefs[{i}] is triggered by "
                      f"'{feature}' tasks, but task_limits.{feature}_activities is not set, so no "
                      f"task counts as {feature}; add task_limits.{feature}_activities", "warning")

    belief_ids = [b["id"] for b in data.get("beliefs", []) if isinstance(b.get("id"), str)]
    for j, bid in enumerate(requires_of(data).get("beliefs_softened", [])):
        if bid not in belief_ids:
            c.add(c.at(("agreement", "requires", "beliefs_softened", j)),
                  f"agreement.requires.beliefs_softened names '{bid}', but there is no belief "
                  f"with that id{did_you_mean(bid, belief_ids)}"
                  + (f" (belief ids: {', '.join(belief_ids)})" if belief_ids else ""))

    # Present-but-invalid or misspelled softened_by is reported already.
    unsoftenable = {b["id"] for i, b in enumerate(data.get("beliefs", []))
                    if isinstance(b.get("id"), str)
                    and not any((b.get("softened_by") or {}).values())
                    and ("beliefs", i, "softened_by") not in c.lines
                    and ("beliefs", i, "softened_by") not in c.misspelled}
    for j, bid in enumerate(requires_of(data).get("beliefs_softened", [])):
        if bid in unsoftenable:
            c.add(c.at(("agreement", "requires", "beliefs_softened", j)),
                  f"agreement.requires.beliefs_softened names '{bid}', but that belief has no "
                  "softened_by, so once it is activated the client can never agree; add "
                  "softened_by (moves or cues) to the belief", "warning")

    barriers = [b for b in data.get("barriers", []) if isinstance(b, dict)]
    barrier_ids = [b["id"] for b in barriers if isinstance(b.get("id"), str)]
    # A hidden barrier without disclose_on can still come up: the first one that volunteers is
    # raised unasked when a plan is pushed to a client who trusts the trainee.
    first_hidden = next((b.get("id") for b in barriers if b.get("hidden") is True
                         and b.get("volunteers") is not False), None)

    agreement = data.get("agreement", {})
    requires = requires_of(data)
    required_barriers = requires.get("barriers_resolved", [])
    for j, bid in enumerate(required_barriers):
        if bid not in barrier_ids:
            c.add(c.at(("agreement", "requires", "barriers_resolved", j)),
                  f"agreement.requires.barriers_resolved names '{bid}', but there is no barrier "
                  f"with that id{did_you_mean(bid, barrier_ids)}"
                  + (f" (barrier ids: {', '.join(barrier_ids)})" if barrier_ids
                     else "; add it under barriers: or remove it here"))

    for i, b in enumerate(data.get("barriers", [])):
        bid = b.get("id")
        needed = bid in required_barriers
        resolved_by = b.get("resolved_by")
        resolvable = bool(resolved_by and (resolved_by.get("moves") or resolved_by.get("details")))
        if needed and not resolvable and ("barriers", i, "resolved_by") not in c.misspelled \
                and ("barriers", i, "resolved_by") not in c.lines:
            c.add(c.at(("barriers", i)), f"barrier '{bid}' must be resolved before the client "
                  "agrees (agreement.requires.barriers_resolved), but it has no resolved_by moves "
                  "or details, so the plan can never be agreed; add resolved_by")
        if b.get("hidden") is True and not b.get("disclose_on") and bid != first_hidden \
                and ("barriers", i, "disclose_on") not in c.misspelled:
            c.add(c.at(("barriers", i)), f"barrier '{bid}' is hidden and has no disclose_on "
                  "moves, so it never comes up; add disclose_on (e.g. [explore_barriers]) or set "
                  "hidden: false", "error" if needed else "warning")
        if b.get("disclose_needs_open_question") is True and not b.get("disclose_on"):
            c.add(c.at(("barriers", i, "disclose_needs_open_question")), f"barrier '{bid}' sets "
                  "disclose_needs_open_question but has no disclose_on moves, so the setting has "
                  "no effect; add disclose_on (e.g. [elicit_feedback])", "warning")

    if requires.get("within_task_limits") is True and "task_limits" not in data:
        c.add(c.at(("agreement", "requires", "within_task_limits")),
              "agreement.requires.within_task_limits is true but the persona has no task_limits; "
              "add task_limits or remove the condition", "warning")

    not_yet = agreement.get("not_yet", {}) if isinstance(agreement, dict) else {}
    active = {k for k, v in requires.items() if v not in (False, 0, [], None)}
    # A condition with an invalid value is already reported; do not also call it unused.
    invalid = {k for k in CONDITIONS if ("agreement", "requires", k) in c.lines} - set(requires)
    for cond in not_yet:
        if cond not in active and cond not in invalid and cond != "activity":
            c.add(c.at(("agreement", "not_yet", cond)), f"agreement.not_yet.{cond} is never said "
                  f"because agreement.requires does not ask for {cond}; remove these lines or "
                  "add the condition", "warning")
    if "requires" in agreement:
        for cond in sorted(active - set(not_yet) - invalid, key=CONDITIONS.index):
            c.add(c.at(("agreement", "requires", cond)), f"agreement.requires.{cond} is set but "
                  f"agreement.not_yet has no lines for it; add `{cond}: [\"...\"]` under not_yet "
                  "so the client can say what is still missing", "warning")

    last_week = data.get("last_week", {})
    outcome = last_week.get("outcome")
    if outcome is not None and outcome != "none":
        for key, what in (("plan", "what was agreed last session"),
                          ("report", "what the client says when asked how it went")):
            # A value that is present but invalid is already reported.
            if not last_week.get(key) and ("last_week", key) not in c.lines:
                c.add(c.at(("last_week",)), f"last_week.outcome is '{outcome}' but "
                      f"last_week.{key} is missing; add {what} (or set outcome: none)")
    elif outcome == "none" and last_week.get("report"):
        c.add(c.at(("last_week", "report")), "last_week.outcome is 'none' (no plan last week) "
              "but last_week.report has lines that will never be said; remove them or set "
              "the outcome", "warning")

    check_preferences(c, data)

    if "{last_plan}" in json.dumps(data) and not last_week.get("plan"):
        c.add(c.at(("last_week",)), "some lines use {last_plan} but last_week.plan is not set, "
              "so those lines are never said; add last_week.plan", "warning")


def _plan_values(detail: str, value: str) -> list[str]:
    """The single values of a suggestion. Days are named one by one ("Tuesday and
    Thursday": the engine joins several values of one kind with ' and '); any other
    detail is one phrase, whose own "and" is part of it ("walk and talk")."""
    if detail != "day":
        return [value.strip()]
    return [v.strip() for v in value.split(" and ") if v.strip()]


def _matches(value: str, needles: Iterable[str]) -> bool:
    """As the engine matches plan values against resolved_by.details: substring, any case."""
    low = value.lower()
    return any(str(n).lower() in low for n in needles if n)


# Details whose suggestion must resolve a practical barrier about the same detail.
WHEN_AND_WHERE: tuple[str, ...] = ("time_of_day", "day", "place")


def check_preferences(c: Checker, data: dict[str, Any]) -> None:
    """A plan built from the client's own suggestions fits its limits and its barriers."""
    prefs = data.get("preferences")
    if not isinstance(prefs, dict):
        return
    barrier_ids = [b["id"] for b in data.get("barriers", [])
                   if isinstance(b, dict) and isinstance(b.get("id"), str)]
    # A barrier with a bad value in it is reported already; judging suggestions against
    # what is left of it would only repeat that problem.
    barriers = [b for i, b in enumerate(data.get("barriers", [])) if isinstance(b, dict)
                and not any(p[:2] == ("barriers", i) for p in c.bad)]
    limits = data.get("task_limits", {})
    if any(p[:1] == ("task_limits",) for p in c.bad):
        limits = {}
    suggested: dict[str, str] = {}
    for detail, pref in prefs.items():
        if not isinstance(pref, dict):
            continue
        where = ("preferences", detail)
        not_yet = pref.get("not_yet")
        for j, bid in enumerate(not_yet.get("barriers", []) if isinstance(not_yet, dict)
                                else []):
            if bid not in barrier_ids:
                c.add(c.at(where + ("not_yet", "barriers", j)),
                      f"preferences.{detail}.not_yet.barriers names '{bid}', but there is no "
                      f"barrier with that id{did_you_mean(bid, barrier_ids)}"
                      + (f" (barrier ids: {', '.join(barrier_ids)})" if barrier_ids
                         else "; add it under barriers: or remove it here"))
        value = pref.get("suggest")
        if not isinstance(value, str):
            continue
        suggested[detail] = value
        line = c.at(where + ("suggest",))
        heard = " and ".join(normalize(detail, v) for v in _plan_values(detail, value))
        if heard.lower() != " and ".join(_plan_values(detail, value)).lower():
            c.add(line, f"preferences.{detail}.suggest is '{value}', but the language model "
                  f"hears it as '{heard}'; write `suggest: {heard}` so that the engine can "
                  "compare it with the task limits and barriers")
            continue
        if detail == "duration":
            most = limits.get("max_duration_minutes")
            got = minutes(value)
            if got is None:
                c.add(line, f"preferences.duration.suggest '{value}' is not a length of time; "
                      "write it in minutes, e.g. 10 minutes")
            elif isinstance(most, int | float) and got > most:
                c.add(line, f"preferences.duration.suggest is '{value}', more than "
                      f"task_limits.max_duration_minutes ({most:g}), so the client would "
                      "refuse its own suggestion; suggest less or raise the limit")
        elif detail == "frequency":
            most = limits.get("max_times_per_week")
            got_times = times_per_week(value)
            if got_times is None:
                c.add(line, f"preferences.frequency.suggest '{value}' is not a frequency; "
                      "write e.g. 2 times a week, once a week or daily")
            elif isinstance(most, int | float) and got_times > most:
                c.add(line, f"preferences.frequency.suggest is '{value}' ({got_times:g} times "
                      f"a week), more than task_limits.max_times_per_week ({most:g}), so the "
                      "client would refuse its own suggestion; suggest fewer or raise the limit")
        elif detail == "activity":
            disliked = [d for d in limits.get("disliked_activities", []) if _matches(value, [d])]
            if disliked:
                c.add(line, f"preferences.activity.suggest '{value}' contains '{disliked[0]}', "
                      "which is in task_limits.disliked_activities, so the client would "
                      "refuse its own suggestion; suggest another activity")
        if detail in WHEN_AND_WHERE:
            about = [b for b in barriers if b.get("kind") == "practical"
                     and detail in ((b.get("resolved_by") or {}).get("details") or {})]
            if about and not any(_matches(value, b["resolved_by"]["details"][detail])
                                 for b in about):
                names = "; ".join(f"'{b.get('id')}' is resolved by "
                                  + ", ".join(b["resolved_by"]["details"][detail])
                                  for b in about)
                c.add(line, f"preferences.{detail}.suggest '{value}' does not resolve the "
                      f"practical barrier about {detail} ({names}); a plan built from the "
                      "client's own suggestions must fit its barriers: suggest a value that "
                      f"contains one of these, or add it to resolved_by.details.{detail}")
    day, freq = suggested.get("day"), suggested.get("frequency")
    n_days = days_count(day)
    per_week = times_per_week(freq) if freq else None
    most = limits.get("max_times_per_week")
    if n_days is not None and isinstance(most, int | float) and n_days > most:
        # Until a frequency is agreed, the engine counts the days named as times a week.
        c.add(c.at(("preferences", "day", "suggest")), f"preferences.day.suggest '{day}' names "
              f"{n_days:g} days a week, more than task_limits.max_times_per_week ({most:g}), so "
              "the client would counter its own suggestion while no frequency is agreed; "
              "name fewer days")
    elif n_days is not None and per_week is not None and per_week != n_days:
        c.add(c.at(("preferences", "frequency", "suggest")), f"preferences.frequency.suggest "
              f"'{freq}' ({per_week:g} times a week) contradicts preferences.day.suggest "
              f"'{day}' ({n_days:g} days); make them agree")
    # A barrier the client needs resolved, and that only plan details can resolve, must be
    # resolved by the client's own suggestions, or a client-led plan can never be agreed.
    required = requires_of(data).get("barriers_resolved", [])
    for b in barriers:
        details = (b.get("resolved_by") or {}).get("details") or {}
        if b.get("id") not in required or not any(d in suggested for d in details):
            continue
        if not any(_matches(suggested[d], vals) for d, vals in details.items() if d in suggested):
            wanted = "; ".join(f"{d}: {', '.join(vals)}" for d, vals in details.items())
            c.add(c.at(("preferences",)), f"the client's own suggestions never resolve barrier "
                  f"'{b.get('id')}', which agreement.requires.barriers_resolved needs ({wanted}); "
                  "a plan built from them could never be agreed: let one suggestion contain one "
                  "of these values")
