"""Persona validator: broken fixtures, CLI behaviour and schema/validator agreement."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.moves import CUES, MOVES, PLAN_ENTITIES
from bot.persona import validate
from bot.persona.fields import PERSONA, Spec
from bot.persona.problems import Problem
from bot.persona.safety import MAX_BYTES
from bot.persona.schema import schema_json
from bot.persona.validate import validate_file, validate_text
from bot.persona.yaml_syntax import syntax_scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
BROKEN = FIXTURES / "broken_personas"
TINY = FIXTURES / "valid_persona" / "tiny.yml"
SCHEMA_FILE = ROOT / "schema" / "persona.schema.json"
EXPECTED: dict[str, list[list]] = yaml.safe_load((BROKEN / "_expected.yml").read_text())
LINE_RE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): (?P<message>\S.*)$")


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _shipped_personas() -> list[Path]:
    return sorted(p for p in (ROOT / "data" / "personas").glob("*.yml")
                  if not p.name.startswith("_"))


# --- fixtures --------------------------------------------------------------------------


def test_every_broken_fixture_has_expectations() -> None:
    on_disk = {p.name for p in BROKEN.glob("*.yml") if not p.name.startswith("_")}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 12


def test_valid_persona_is_clean() -> None:
    assert validate_file(TINY) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_reports_line_and_message(name: str) -> None:
    problems = validate_file(BROKEN / name, warnings=True)
    found = [(p.line, p.message) for p in problems]
    for line, fragment in EXPECTED[name]:
        assert any(ln == line and fragment in msg for ln, msg in found), (
            f"expected {name}:{line}: ...{fragment}... in {found}"
        )
    assert len(problems) == len(EXPECTED[name]), found
    assert all(p.file == str(BROKEN / name) for p in problems)


def test_multi_mistake_file_reports_all_at_once() -> None:
    problems = validate_file(BROKEN / "multi.yml")
    assert len(problems) >= 10
    assert len({p.line for p in problems}) >= 9
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_problem_str_format() -> None:
    p = Problem("maya.yml", 42, "unknown move 'x'")
    assert str(p) == "maya.yml:42: unknown move 'x'"


# --- individual checks on text -------------------------------------------------------


def _tiny_with(old: str, new: str, name: str = "tiny.yml") -> list[Problem]:
    text = TINY.read_text()
    assert old in text
    return validate_text(text.replace(old, new, 1), name, warnings=True)


def test_duplicate_top_level_key_detected() -> None:
    problems = _tiny_with("age: 30\n", "age: 30\nage: 31\n")
    assert [(p.line, "duplicate key 'age'" in p.message) for p in problems] == [(5, True)]


def test_hidden_barrier_without_disclose_on_is_unreachable_when_not_first() -> None:
    text = TINY.read_text().replace(
        "barriers:\n",
        "barriers:\n  - id: shame\n    kind: emotional\n    hidden: true\n"
        "    summary: feeling ashamed\n    lines: [\"It's embarrassing.\"]\n"
        "    resolved_by: {moves: [reflect]}\n",
        1,
    ).replace("    disclose_on: [explore_barriers, problem_solve]\n", "", 1)
    problems = validate_text(text, "tiny.yml", warnings=True)
    assert len(problems) == 1
    assert "'no_time' is hidden and has no disclose_on" in problems[0].message
    assert problems[0].severity == "error"  # it is required by the agreement


def test_min_trust_above_one_is_out_of_range() -> None:
    problems = _tiny_with("    min_trust: 0.4", "    min_trust: 1.2")
    assert len(problems) == 1 and "can never be reached" in problems[0].message


def test_sexagesimal_time_is_reported_as_a_number() -> None:
    problems = _tiny_with("time_of_day: [morning, lunch]", "time_of_day: [morning, 7:30]")
    assert len(problems) == 1
    assert "should be text" in problems[0].message and 'quotes: "7:30"' in problems[0].message


def test_top_level_list_is_rejected() -> None:
    problems = validate_text("- id: tiny\n", "tiny.yml")
    assert [(p.line, "must be a mapping" in p.message) for p in problems] == [(1, True)]


def test_unclosed_quote_points_at_the_opening_quote() -> None:
    problems = _tiny_with('  greet: ["Hello."]', '  greet: ["Hello.]')
    assert len(problems) == 1
    assert problems[0].line in (87, 88) and "YAML syntax error" in problems[0].message


def test_phase_and_band_qualifiers_accepted_and_checked() -> None:
    assert _tiny_with("  greet:", "  review_plan@review.warm:") == []
    problems = _tiny_with("  greet:", "  review_plan@revue:")
    assert len(problems) == 1 and "did you mean 'review'?" in problems[0].message


def test_validator_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(validate, "check_semantics", boom)
    problems = validate_text(TINY.read_text(), "tiny.yml")
    assert len(problems) == 1 and problems[0].line == 1
    assert "internal error" in problems[0].message


def test_recursive_alias_does_not_crash() -> None:
    problems = validate_text("id: &a [*a]\n", "x.yml")
    assert problems and all(isinstance(p, Problem) for p in problems)


def test_unreadable_inputs(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin.yml"
    latin1.write_bytes(b"id: latin\nname: Ren\xe9e\n")
    (p,) = validate_file(latin1)
    assert p.line == 2 and "not UTF-8" in p.message
    (p,) = validate_file(tmp_path)
    assert "directory" in p.message
    (p,) = validate_file(tmp_path / "nope.yml")
    assert "file not found" in p.message
    (p,) = validate_text("", "blank.yml")
    assert p.line == 1 and "empty" in p.message


# --- CLI -----------------------------------------------------------------------------------


def test_cli_on_broken_fixtures_lists_problems_without_traceback() -> None:
    result = _run_cli("personas", "validate", str(BROKEN))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    *lines, summary = result.stdout.strip().splitlines()
    assert all(LINE_RE.match(line) for line in lines), lines
    expected_total = sum(len(v) for v in EXPECTED.values())
    assert len(lines) == expected_total
    assert summary == (f"{len(EXPECTED)} files checked, {expected_total} problems in "
                       f"{len(EXPECTED)} files")


def test_cli_valid_file_exits_zero() -> None:
    result = _run_cli("personas", "validate", str(TINY))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "1 file checked, no problems"


def test_cli_skips_underscore_files(tmp_path: Path) -> None:
    (tmp_path / "_template.yml").write_text("not: a persona\n")
    (tmp_path / "tiny.yml").write_text(TINY.read_text())
    assert validate.cli([str(tmp_path)]) == 0


@pytest.mark.parametrize("args", [[], ["personas"], ["personas", "frobnicate"], ["nonsense"],
                                  ["personas", "validate", "/no/such/file.yml"]])
def test_cli_user_errors_have_no_traceback(args: list[str]) -> None:
    result = _run_cli(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr


# --- schema --------------------------------------------------------------------------------


def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


def test_committed_schema_is_generated_from_the_field_table() -> None:
    assert SCHEMA_FILE.read_text() == schema_json(), (
        "regenerate: python -m bot personas schema > schema/persona.schema.json"
    )
    result = _run_cli("personas", "schema")
    assert result.returncode == 0 and result.stdout == SCHEMA_FILE.read_text()


def test_schema_is_valid_and_documents_every_field() -> None:
    schema = _schema()
    jsonschema.Draft7Validator.check_schema(schema)

    def walk(spec: Spec, node: dict, path: str) -> None:
        assert node.get("description"), f"no description at {path}"
        if spec.type == "map":
            assert set(node["properties"]) == {f.name for f in spec.fields}, path
            for f in spec.fields:
                walk(f.spec, node["properties"][f.name], f"{path}.{f.name}")
        elif spec.type == "list" and spec.item is not None:
            walk(spec.item, node["items"], f"{path}[]")
        elif spec.type == "dict" and spec.value is not None:
            walk(spec.value, node["additionalProperties"], f"{path}.*")

    walk(PERSONA, schema, "persona")


def test_schema_enums_come_from_moves() -> None:
    text = SCHEMA_FILE.read_text()
    for name in MOVES + PLAN_ENTITIES + tuple(c for c in CUES if c != "question"):
        assert f'"{name}"' in text, name


def _schema_errors(data: object) -> list[str]:
    return [e.message for e in jsonschema.Draft7Validator(_schema()).iter_errors(data)]


def test_valid_persona_matches_schema() -> None:
    assert _schema_errors(yaml.safe_load(TINY.read_text())) == []


@pytest.mark.parametrize("name", ["wrong_type.yml", "unknown_move.yml", "unknown_cue.yml",
                                  "unknown_state.yml", "bad_placeholder.yml",
                                  "unbalanced_brace.yml", "out_of_range.yml",
                                  "unknown_top_key.yml", "missing_field.yml",
                                  "unknown_situation.yml", "wrong_enum.yml", "empty_variants.yml"])
def test_schema_rejects_structural_mistakes_too(name: str) -> None:
    assert _schema_errors(yaml.safe_load((BROKEN / name).read_text()))


@pytest.mark.parametrize("path", _shipped_personas(), ids=lambda p: p.name)
def test_shipped_personas_agree_with_schema(path: Path) -> None:
    errors = [p for p in validate_file(path) if p.severity == "error"]
    schema_errors = _schema_errors(yaml.safe_load(path.read_text(encoding="utf-8")))
    # The schema is never stricter than the validator.
    if not errors:
        assert schema_errors == []


def test_python_tag_is_reported_not_executed() -> None:
    problems = _tiny_with("age: 30", "age: !!python/object/apply:os.getcwd []")
    assert len(problems) == 1 and "unsupported YAML tag" in problems[0].message


def test_apostrophe_in_single_quotes_gets_a_hint() -> None:
    problems = _tiny_with('  greet: ["Hello."]', "  greet: ['I don't know']")
    assert len(problems) == 1 and "double quotes" in problems[0].message


def test_beliefs_softened_must_name_a_belief() -> None:
    problems = _tiny_with("    min_trust: 0.4\n",
                          "    min_trust: 0.4\n    beliefs_softened: [pointles]\n")
    messages = [p.message for p in problems]
    assert any("no belief with that id; did you mean 'pointless'?" in m for m in messages)


def test_task_feature_without_its_activity_list_is_a_warning() -> None:
    problems = _tiny_with("      task: [large]", "      task: [frightening]")
    assert [(p.severity, "frightening_activities" in p.message) for p in problems] == [
        ("warning", True)
    ]
    # Loaders (default: errors only) still accept the file.
    text = TINY.read_text().replace("      task: [large]", "      task: [frightening]")
    assert validate_text(text, "tiny.yml") == []


def test_engine_additions_are_accepted() -> None:
    text = TINY.read_text()
    text = text.replace("  preferred_activities: [a short walk]\n", """\
  preferred_activities: [a short walk]
  frightening_activities: [party]
  evaluative_activities: [worksheet]
  preferences: {time_of_day: before work, place: the park}
""")
    text = text.replace("      task: [large]\n", """\
      task: [large, frightening, evaluative, not_client_idea]
      all:
        - {cues: [closed_question], phase: [review]}
        - {moves: [propose_task], task: [evaluative]}
""")
    text = text.replace("    min_trust: 0.4\n",
                        "    min_trust: 0.4\n    beliefs_softened: [pointless]\n")
    text = text.replace("    min_trust: [\"(shrugs) Maybe.\"]\n", """\
    min_trust: ["(shrugs) Maybe."]
    beliefs_softened: ["It won't make a difference."]
    activity: ["I don't know what I'd even do."]
""")
    text = text.replace("        time_of_day: [morning, lunch]\n", """\
        time_of_day: [morning, lunch]
    disclose_needs_open_question: true
    volunteers: false
""")
    text = text.replace('  repeat: ["You asked me that already."]\n', """\
  repeat: ["You asked me that already."]
  counter_offer: ["That's a lot. {duration}, maybe?"]
  counter_offer.guarded: ["Less. {duration}."]
  check_understanding.agreed: ["So {activity}, {time_of_day}. Yes."]
  specify_plan.when: ["{time_of_day} suits me."]
  specify_plan.who: ["On my own."]
""")
    assert text.count("not_client_idea") == 1 and text.count("specify_plan.when") == 1
    assert validate_text(text, "tiny.yml", warnings=True) == []
    assert not list(jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text()))
                    .iter_errors(yaml.safe_load(text)))


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('  repeat: ["You asked me that already."]', '  specify_plan.wen: ["Mornings."]',
     "unknown band 'wen'"),
    ("    hidden: true\n", "    hidden: true\n    volunteers: maybe\n",
     "volunteers should be true or false"),
    ("  preferred_activities: [a short walk]\n",
     "  preferred_activities: [a short walk]\n  preferences: {weather: sunny}\n",
     "unknown entity 'weather'"),
    ("      task: [large]\n", "      task: [large]\n      all:\n        - {phase: [revue]}\n",
     "unknown phase 'revue'"),
    ("      task: [large]\n", "      task: [large]\n      all:\n        - {}\n",
     "names nothing"),
    ("    hidden: true\n    disclose_on: [explore_barriers, problem_solve]\n",
     "    hidden: true\n    volunteers: false\n",
     "hidden and has no disclose_on"),
])
def test_new_fields_are_checked(old: str, new: str, expected: str) -> None:
    problems = _tiny_with(old, new)
    assert any(expected in p.message for p in problems), [str(p) for p in problems]


# --- red-team: valid YAML an instructor may write, and file-level mistakes -----------------


def test_merge_keys_are_expanded_not_reported() -> None:
    text = TINY.read_text().replace(
        '  homework_term: {strength: 0.1, lines: ["Homework? I\'m not at school."]}\n'
        '  directive: {strength: 0.1, rupture: false, lines: ["(frowns) OK."]}\n',
        "  homework_term: &base {strength: 0.1, lines: [\"Homework? I'm not at school.\"]}\n"
        "  directive:\n    <<: *base\n    rupture: false\n    strength: 0.2\n", 1)
    assert "<<: *base" in text
    assert validate_text(text, "tiny.yml", warnings=True) == []
    # A merged-in field with a bad value is still checked.
    bad = text.replace("{strength: 0.1,", "{strength: 2,", 1)
    assert any("strength is 2" in p.message for p in validate_text(bad, "tiny.yml"))


@pytest.mark.parametrize("encode", [
    lambda t: t.replace("\n", "\r\n").encode(),  # saved on Windows
    lambda t: b"\xef\xbb\xbf" + t.encode(),  # UTF-8 with a byte order mark
    lambda t: json.dumps(yaml.safe_load(t), indent=2).encode(),  # JSON is YAML too
    lambda t: ("---\n" + t).encode(),  # an explicit start of document
], ids=["crlf", "bom", "json", "leading_dashes"])
def test_harmless_file_variants_are_clean(tmp_path: Path, encode: object) -> None:
    path = tmp_path / "tiny.yml"
    path.write_bytes(encode(TINY.read_text()))  # type: ignore[operator]
    assert validate_file(path, warnings=True) == []


def test_utf16_and_huge_files_get_one_clear_problem(tmp_path: Path) -> None:
    utf16 = tmp_path / "tiny.yml"
    utf16.write_bytes(TINY.read_text().encode("utf-16"))
    (p,) = validate_file(utf16)
    assert p.line == 1 and "UTF-16" in p.message and "UTF-8" in p.message
    huge = TINY.read_text() + "# filler\n" * (MAX_BYTES // 9 + 1)
    (p,) = validate_text(huge, "tiny.yml")
    assert "too large" in p.message


def test_syntax_scan_has_no_false_alarms_on_shipped_personas() -> None:
    for path in _shipped_personas():
        assert syntax_scan(path.read_text(encoding="utf-8")) == {}, path.name


def test_registry_keeps_good_personas_next_to_broken_ones(tmp_path: Path) -> None:
    from bot.persona.registry import PersonaRegistry

    (tmp_path / "tiny.yml").write_text(TINY.read_text())
    for name in ("rt_several_syntax_errors.yml", "rt_numbers_as_text.yml", "rt_date_plan.yml"):
        (tmp_path / name).write_bytes((BROKEN / name).read_bytes())
    registry = PersonaRegistry(tmp_path)
    assert registry.ids() == ["tiny"]
    assert {Path(p.file).name for p in registry.problems} == {
        "rt_several_syntax_errors.yml", "rt_numbers_as_text.yml", "rt_date_plan.yml"}
    # An edit that breaks the file keeps the last good version and reports why.
    good = (tmp_path / "tiny.yml").read_text()
    (tmp_path / "tiny.yml").write_text(good.replace("    min_trust: 0.4", "    min_trust: 40%"))
    problems = registry.reload()
    assert registry.get("tiny") is not None and registry.get("tiny").name == "Tia"
    assert any("0.4" in p.message and p.line == 76 for p in problems), problems


# --- life and preferences (the client's week and its own plan details) ---------------------


@pytest.mark.parametrize("path", _shipped_personas(), ids=lambda p: p.stem)
def test_shipped_personas_have_life_and_every_preference(path: Path) -> None:
    from bot.language.quantities import minutes, times_per_week
    from bot.persona.registry import load_persona

    persona = load_persona(path)
    life = persona.life
    for topic in ("energy", "routine", "places", "people"):
        assert len(getattr(life, topic)) >= 2, f"{path.stem}: life.{topic} needs variants"
    assert set(persona.preferences) == set(PLAN_ENTITIES)
    for detail, pref in persona.preferences.items():
        assert pref.suggest.strip() and len(pref.lines) >= 2, f"{path.stem}: {detail}"
        assert set(pref.not_yet_barriers) <= {b.id for b in persona.barriers}
        assert bool(pref.not_yet_barriers) == bool(pref.not_yet_lines)
    # The plan the client builds from its own suggestions fits its limits ...
    limits = persona.task_limits
    prefs = {d: p.suggest for d, p in persona.preferences.items()}
    if limits.max_duration_minutes is not None:
        assert (minutes(prefs["duration"]) or 0) <= limits.max_duration_minutes
    if limits.max_times_per_week is not None:
        assert (times_per_week(prefs["frequency"]) or 0) <= limits.max_times_per_week
    assert not any(d.lower() in prefs["activity"].lower() for d in limits.disliked_activities)
    # ... and resolves every required barrier that plan details resolve.
    for barrier in persona.barriers:
        if barrier.id in persona.agreement.requires.get("barriers_resolved", []) \
                and barrier.resolved_by.details:
            assert any(v.lower() in prefs[d].lower() for d, values in
                       barrier.resolved_by.details.items() for v in values), barrier.id


def test_shipped_personas_pass_the_consistency_checks_with_warnings() -> None:
    for path in _shipped_personas():
        assert validate_file(path, warnings=True) == [], path.name


def test_life_and_preferences_are_optional() -> None:
    from bot.persona.model import Life, build_persona

    text = TINY.read_text()
    text = text[: text.index("\nlife:\n")] + "\n"
    assert validate_text(text, "tiny.yml", warnings=True) == []
    persona = build_persona(yaml.safe_load(text))
    assert persona.life == Life() and persona.preferences == {}


def test_preferences_are_built_into_dataclasses() -> None:
    from bot.persona.model import DetailPreference, build_persona

    persona = build_persona(yaml.safe_load(TINY.read_text()))
    assert persona.preferences["time_of_day"] == DetailPreference(
        suggest="lunch",
        lines=("At lunch. There's a park near the office.",),
        not_yet_barriers=("no_time",),
        not_yet_lines=("I don't know when. My days are long.",),
    )
    assert persona.life.routine == ("I work eight till six, Monday to Friday.",)


@pytest.mark.parametrize(("detail", "value", "fragment"), [
    ("duration", "half an hour", "hears it as '30 minutes'"),
    ("frequency", "twice a week", "hears it as '2 times a week'"),
    ("person", "my flatmate", "hears it as 'your flatmate'"),
    ("day", "mondays and wednesdays", "hears it as 'Monday and Wednesday'"),
])
def test_suggestions_must_be_written_as_the_nlu_hears_them(detail: str, value: str,
                                                           fragment: str) -> None:
    text = TINY.read_text()
    old = next(ln for ln in text.splitlines() if ln.startswith(f"  {detail}:"))
    new = re.sub(r"suggest: [^,]+,", f"suggest: {value},", old)
    assert new != old
    problems = validate_text(text.replace(old, new), "tiny.yml")
    assert [p.line for p in problems] == [text.splitlines().index(old) + 1]
    assert fragment in problems[0].message


def test_only_days_are_split_on_and() -> None:
    text = TINY.read_text().replace("suggest: a short walk", "suggest: a walk and a chat")
    assert validate_text(text, "tiny.yml", warnings=True) == []
    text = TINY.read_text().replace("suggest: Monday and Wednesday", "suggest: Monday and Wed")
    (p,) = validate_text(text, "tiny.yml")
    assert "hears it as 'Monday and Wednesday'" in p.message
