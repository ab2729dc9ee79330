"""Structural checks: walk a persona file's YAML nodes against the field table.

Types, allowed names, ranges, unknown and duplicate keys, missing fields and placeholders,
each reported at the line of the node, with a hint that says how to write the value.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.moves import BANDS, FIXED_SITUATIONS, PHASES, PLACEHOLDERS, SITUATION_PLACEHOLDERS
from bot.persona.fields import SITUATION_BASES, SITUATION_RE, Spec
from bot.persona.problems import (
    BAD,
    Path_,
    Problem,
    clip,
    did_you_mean,
    known_list,
    normal_name,
    path_str,
    slug,
)
from bot.persona.safety import MAX_PROBLEMS


def _describe(node: Node, value: Any) -> str:
    if isinstance(node, MappingNode):
        return "a mapping (key: value pairs)"
    if isinstance(node, SequenceNode):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"true/false (YAML reads `{node.value}` as a yes/no value)"
    if isinstance(value, int | float):
        return f"a number ({node.value})"
    if isinstance(value, datetime.date):
        return f"a date (YAML reads `{node.value}` as a calendar date)"
    return f"text '{value}'"


_EXPECTED = {
    "text": "text",
    "line": "text",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "list": "a list",
    "map": "a mapping (key: value pairs)",
    "dict": "a mapping (key: value pairs)",
}


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_MERGE_TAG = "tag:yaml.org,2002:merge"


class Checker:
    """Walks the node tree of one file against the field table."""

    def __init__(self, filename: str) -> None:
        self.file = filename
        self.problems: list[Problem] = []
        self.lines: dict[Path_, int] = {}
        # Fields that are absent only because their key is misspelled (already reported with
        # a "did you mean"); rules about the missing field would just repeat that problem.
        self.misspelled: set[Path_] = set()
        # Values that failed their structural check (reported, left out of the data).
        self.bad: set[Path_] = set()
        self._constructor = yaml.constructor.SafeConstructor()

    def did_you_mean(self, word: str, known: Iterable[str]) -> str:
        """A "did you mean" hint; none once the file has more problems than are shown,
        since looking for near misses in a flood of unknown names only costs time."""
        return "" if len(self.problems) > MAX_PROBLEMS else did_you_mean(word, known)

    def add(self, line: int, message: str, severity: str = "error") -> None:
        if severity == "warning":
            message = "warning: " + message
        self.problems.append(Problem(self.file, line, message, severity))

    def at(self, path: Path_) -> int:
        """Line of a value, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    # structural walk ---------------------------------------------------------------

    def walk(self, node: Node, spec: Spec, path: Path_) -> Any:
        line = node.start_mark.line + 1
        self.lines.setdefault(path, line)
        where = self.at(path)
        if not isinstance(node, ScalarNode) and node.tag not in _PLAIN_TAGS:
            self.add(line, f"unsupported YAML tag `{node.tag}`; remove the '!...' in front of "
                     "the value")
            return BAD
        if spec.type in ("map", "dict"):
            if not isinstance(node, MappingNode):
                return self._type_error(node, spec, path, where)
            return self._mapping(node, spec, path, where)
        if spec.type == "list":
            if not isinstance(node, SequenceNode):
                return self._type_error(node, spec, path, where)
            if spec.nonempty and not node.value:
                self.add(where, f"{path_str(path)} is an empty list; add at least one entry "
                         "(one '- ...' per line) or remove the key")
            out = []
            for i, item in enumerate(node.value):
                self.lines[path + (i,)] = item.start_mark.line + 1
                value = self.walk(item, spec.item or Spec("text"), path + (i,))
                if value is not BAD:
                    out.append(value)
                else:
                    self.bad.add(path + (i,))
            return out
        if not isinstance(node, ScalarNode):
            return self._type_error(node, spec, path, where)
        value = self._construct(node)
        if value is BAD:
            return BAD
        return self._scalar(node, value, spec, path, line)

    def _construct(self, node: ScalarNode) -> Any:
        """The Python value of a scalar, or BAD (reported) for tags like !!python/..."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            self.add(node.start_mark.line + 1, f"unsupported YAML tag `{node.tag}`; remove the "
                     "'!...' in front of the value")
            return BAD

    def _merge(self, node: MappingNode) -> None:
        """Expand YAML merge keys (`<<: *base`) in place, as yaml.safe_load does."""
        if not any(k.tag == _MERGE_TAG for k, _ in node.value):
            return
        own = [k.value for k, _ in node.value if k.tag != _MERGE_TAG]
        try:
            self._constructor.flatten_mapping(node)
        except yaml.YAMLError as err:
            self.add(node.start_mark.line + 1, f"a merge key '<<' cannot be used here "
                     f"({getattr(err, 'problem', err)}); '<<' must be followed by an alias to a "
                     "mapping, e.g. `<<: *base`")
            node.value = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
            return
        n_merged = len(node.value) - len(own)
        merged, rest = node.value[:n_merged], node.value[n_merged:]
        # Keys written in the mapping itself override merged ones; an earlier merge wins
        # over a later one. Neither is a duplicate key.
        kept: list[tuple[Node, Node]] = []
        names = set(own)
        for k, v in merged:
            if not (isinstance(k, ScalarNode) and k.value in names):
                kept.append((k, v))
                names.add(k.value)
        node.value = kept + rest

    def _mapping(self, node: MappingNode, spec: Spec, path: Path_, where: int) -> Any:
        self._merge(node)
        fields = {f.name: f for f in spec.fields}
        seen: dict[str, int] = {}
        out: dict[str, Any] = {}
        suggested: set[str] = set()  # fields already named in an unknown-key message
        for knode, vnode in node.value:
            kline = knode.start_mark.line + 1
            key = self._construct(knode) if isinstance(knode, ScalarNode) else None
            if key is BAD:
                continue
            if not isinstance(key, str):
                shown = knode.value if isinstance(knode, ScalarNode) else "a list or mapping"
                self.add(kline, f"key `{shown}` in {path_str(path)} is not a name; keys must be "
                         "words, not numbers or true/false (put it in quotes if it really is one)")
                continue
            sub = path + (key,)
            if key in seen:
                self.add(kline, f"duplicate key '{key}' in {path_str(path)} (first at line "
                         f"{seen[key]}); YAML would silently keep only the last one, so merge "
                         "the two or delete one")
                # Check the duplicate's content too, but keep the first for the semantics.
                self.lines.pop(sub, None)
                self.walk(vnode, self._value_spec(spec, key) or Spec("text"), sub)
                continue
            seen[key] = kline
            self.lines[sub] = kline
            if spec.type == "map":
                if key not in fields:
                    known = tuple(fields)
                    suggestion = self.did_you_mean(key, known)
                    suggested.update(k for k in known if f"'{k}'" in suggestion)
                    self.misspelled.update(path + (k,) for k in known if f"'{k}'" in suggestion)
                    self.add(kline, f"unknown {spec.key_noun} '{key}' in {path_str(path)}"
                             f"{suggestion}{known_list(spec.key_noun, known)}")
                    continue
                value_spec = fields[key].spec
            else:
                if not self._check_key(key, spec, sub, kline):
                    continue
                value_spec = spec.value or Spec("text")
            value = self.walk(vnode, value_spec, sub)
            if value is not BAD:
                out[key] = value
            else:
                self.bad.add(sub)
        for f in spec.fields:
            if f.required and f.name not in seen and f.name not in suggested:
                self.add(where, f"{path_str(path)} is missing the required field "
                         f"'{f.name}' ({f.spec.desc.rstrip('.')}); add `{f.name}:`")
        return out

    @staticmethod
    def _value_spec(spec: Spec, key: str) -> Spec | None:
        if spec.type == "dict":
            return spec.value
        return next((f.spec for f in spec.fields if f.name == key), None)

    def _check_key(self, key: str, spec: Spec, path: Path_, line: int) -> bool:
        if spec.situation_keys:
            return self._check_situation(key, path, line)
        key_spec = spec.key
        if key_spec is not None and key_spec.enum is not None and key not in key_spec.enum:
            self.add(line, f"unknown {key_spec.noun} '{key}' in {path_str(path[:-1])}"
                     f"{self.did_you_mean(key, key_spec.enum)}"
                     f"{known_list(key_spec.noun, key_spec.enum)}")
            return False
        return True

    def _check_situation(self, key: str, path: Path_, line: int) -> bool:
        where = path_str(path[:-1])
        if key in FIXED_SITUATIONS:
            return True
        m = SITUATION_RE.match(key)
        all_plain = SITUATION_BASES + FIXED_SITUATIONS
        if not m:
            self.add(line, f"'{key}' in {where} is not a situation; write a move name, optionally "
                     f"followed by @phase and .band, e.g. 'review_plan@review.guarded'"
                     f"{self.did_you_mean(key, all_plain)}")
            return False
        base, phase, band = m.group("base"), m.group("phase"), m.group("band")
        ok = True
        if base not in SITUATION_BASES:
            hint = self.did_you_mean(base, all_plain)
            if base == "nlu_fallback":
                hint = "; did you mean 'not_understood'?"
            elif base in ("closing", "comment"):
                hint = f"; use '{base}.agreed' or '{base}.not_agreed'"
            self.add(line, f"unknown situation '{base}' in {where} (key '{key}'){hint}"
                     f"{known_list('situation', SITUATION_BASES + FIXED_SITUATIONS)}")
            ok = False
        if phase is not None and phase not in PHASES:
            self.add(line, f"unknown phase '{phase}' in {where} (key '{key}')"
                     f"{self.did_you_mean(phase, PHASES)}{known_list('phase', PHASES)}")
            ok = False
        if band is not None and band not in BANDS:
            self.add(line, f"unknown band '{band}' in {where} (key '{key}')"
                     f"{self.did_you_mean(band, BANDS)}{known_list('band', BANDS)}")
            ok = False
        return ok

    def _type_error(self, node: Node, spec: Spec, path: Path_, line: int) -> Any:
        expected = _EXPECTED[spec.type]
        value = None
        if isinstance(node, ScalarNode):
            value = self._construct(node)
            if value is BAD:
                return BAD
        found = _describe(node, value)
        name = path_str(path)
        if value is None and isinstance(node, ScalarNode):
            self.add(line, f"{name} is empty; give it {expected} or remove the key")
            return BAD
        hint = _type_hint(node, value, spec)
        self.add(line, f"{name} should be {expected}, but it is {found}{hint}")
        return BAD

    def _scalar(self, node: ScalarNode, value: Any, spec: Spec, path: Path_, line: int) -> Any:
        t = spec.type
        ok = (
            (t in ("text", "line") and isinstance(value, str))
            or (t == "bool" and isinstance(value, bool))
            or (t == "int" and isinstance(value, int) and not isinstance(value, bool))
            or (t == "number" and isinstance(value, int | float) and not isinstance(value, bool))
        )
        if not ok:
            return self._type_error(node, spec, path, line)
        name = path_str(path)
        if t in ("int", "number"):
            lo, hi = spec.minimum, spec.maximum
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                why = ""
                if path and path[-1] in ("min_trust", "min_willingness", "min_specifics"):
                    why = " (a higher value can never be reached, so the client would never agree)"
                self.add(line, f"{name} is {value}, but it must be between {lo:g} and {hi:g}{why}")
                return BAD
            if spec.warn_above is not None and value > spec.warn_above:
                self.add(line, f"{name} is {value}: above {spec.warn_above:g} the client's "
                         "state rises only slowly (gains shrink near the top), so agreement "
                         "needs a long run of skilful turns; check that this is intended",
                         "warning")
            return value
        if t in ("text", "line"):
            if not value.strip():
                self.add(line, f"{name} is empty text; write something or remove it")
                return BAD
            if spec.enum is not None and value not in spec.enum:
                suggestion = self.did_you_mean(value, spec.enum)
                if path and isinstance(path[-1], int):  # a name in a list: moves, cues, ...
                    self.add(line, f"unknown {spec.noun} '{value}' in {name}{suggestion}"
                             f"{known_list(spec.noun, spec.enum)}")
                else:  # a single choice: difficulty, outcome, kind, ...
                    self.add(line, f"{name} is '{value}', which is not one of the allowed "
                             f"values{suggestion} (use one of: {', '.join(spec.enum)})")
                return BAD
            if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
                self.add(line, f"{name} '{value}' may only contain lowercase letters, digits and "
                         f"_ (try '{slug(value)}')")
                return BAD
            if t == "line":
                self._check_placeholders(value, name, line, _situation_placeholders(path))
        return value

    def _check_placeholders(self, text: str, name: str, line: int,
                            extra: tuple[str, ...] = ()) -> None:
        allowed = PLACEHOLDERS + extra
        depth_start = -1
        for i, ch in enumerate(text):
            if ch == "{":
                if depth_start >= 0:
                    self.add(line, f"{name}: '{{' at '{text[depth_start:i + 1]}' is opened twice "
                             "without being closed; each placeholder is {name}")
                depth_start = i
            elif ch == "}":
                if depth_start < 0:
                    self.add(line, f"{name}: unbalanced brace: '}}' without a matching '{{' in "
                             f"'{clip(text)}'; placeholders look like {{activity}}")
                    continue
                word = text[depth_start + 1:i]
                if word not in allowed and normal_name(word) in allowed:
                    self.add(line, f"{name}: placeholder '{{{word}}}' must be written exactly "
                             f"'{{{normal_name(word)}}}' (lowercase, no spaces inside the braces)")
                elif word not in allowed:
                    where = ""
                    if word in _ALL_SITUATION_PLACEHOLDERS:  # right name, wrong situation
                        where = "; " + ", ".join(f"{{{w}}} only in {s} lines" for s, ws
                                                 in SITUATION_PLACEHOLDERS.items() for w in ws)
                    self.add(line, f"{name}: unknown placeholder '{{{word}}}'"
                             f"{self.did_you_mean(word, allowed)}{where}"
                             f"{known_list('placeholder', allowed)}")
                depth_start = -1
        if depth_start >= 0:
            self.add(line, f"{name}: unbalanced brace: '{text[depth_start:][:20]}' is missing its "
                     f"closing '}}'; placeholders look like {{day}}")


_NUMBER_WORDS = {"zero": 0, "none": 0, "quarter": 0.25, "a quarter": 0.25, "half": 0.5,
                 "a half": 0.5, "one": 1, "full": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30}


def _number_hint(text: str, spec: Spec) -> str:
    """How to write `text` (a number in words, a percentage, "20 minutes") as a number."""
    t = text.strip().lower()
    as_int = spec.type == "int"
    m = re.fullmatch(r"(-?\d+(?:[.,]\d+)?)\s*%", t)
    if m and not as_int:
        return f"; write percentages as a fraction of 1: {float(m[1].replace(',', '.')) / 100:g}"
    if re.fullmatch(r"-?\d+,\d+", t):
        return f"; use a dot for decimals: {t.replace(',', '.')}"
    if re.fullmatch(r"-?\d+(\.\d+)?", t):
        return f"; remove the quotes: {t}"
    m = re.match(r"(-?\d+(?:\.\d+)?)\s+\S", t)
    if m:
        return f"; write only the number, without the unit: {m[1]}"
    if t in _NUMBER_WORDS and (not as_int or float(_NUMBER_WORDS[t]).is_integer()):
        n = _NUMBER_WORDS[t]
        return f"; write it in digits: {n:g}"
    return "; write a plain whole number such as 20" if as_int else \
        "; write a plain number such as 0.3, without quotes"


def _type_hint(node: Node, value: Any, spec: Spec) -> str:
    """How to fix a value of the wrong kind, from what the author most likely meant."""
    t = spec.type
    flow = bool(getattr(node, "flow_style", False))
    if t == "list" and isinstance(node, ScalarNode):
        items = [i.strip() for i in str(node.value).split(",") if i.strip()]
        if len(items) > 1:
            return (f"; a text with commas is still one text; write a list in square brackets: "
                    f"[{', '.join(items)}]")
        return f"; write it as a list: [{node.value}] (or one '- ...' per line)"
    if t in ("text", "line") and isinstance(value, bool | int | float | datetime.date):
        return f'; put it in quotes: "{node.value}"'
    if t in ("text", "line") and isinstance(node, MappingNode) and flow and all(
            isinstance(v, ScalarNode) and v.value == "" for _, v in node.value):
        return ("; a text starting with '{' is read as a mapping: put the whole text in double "
                "quotes, e.g. \"{day}, yes.\"")
    if t in ("text", "line") and isinstance(node, MappingNode):
        return ("; if the text contains a colon followed by a space (': ') or ends with a colon, "
                "put the whole text in double quotes")
    if t in ("text", "line") and isinstance(node, SequenceNode) and flow:
        return ("; text starting with '[' is read as a list: for a non-verbal cue use round "
                "brackets, (nods), or put the whole text in double quotes")
    if t in ("map", "dict") and isinstance(node, SequenceNode):
        names = [v.value for v in node.value if isinstance(v, ScalarNode)]
        owner = next((f.name for f in spec.fields if f.spec.type == "list" and f.spec.item
                      and f.spec.item.enum and names and all(n in f.spec.item.enum for n in names)),
                     None)
        if owner is not None:
            return (f"; these look like {owner}: write `{owner}: [{', '.join(names)}]` on the "
                    "next line, indented")
        return "; write its entries as `key: value` lines, indented, without '- ' in front"
    if t in ("map", "dict") and isinstance(node, ScalarNode):
        return "; put its entries on the following lines, indented, as `key: value`"
    if t in ("int", "number") and isinstance(value, str):
        return _number_hint(value, spec)
    if t in ("int", "number") and isinstance(value, float) and t == "int":
        return f"; write a whole number, e.g. {round(value)}"
    if t == "bool":
        return "; write true or false"
    return ""


_ALL_SITUATION_PLACEHOLDERS = frozenset(w for ws in SITUATION_PLACEHOLDERS.values() for w in ws)


def _situation_placeholders(path: Path_) -> tuple[str, ...]:
    """The extra placeholders of the situation a line belongs to (`lines.clarify@design`
    may use {heard}); none outside `lines`."""
    if len(path) < 2 or path[0] != "lines" or not isinstance(path[1], str):
        return ()
    m = SITUATION_RE.match(path[1])
    return SITUATION_PLACEHOLDERS.get(m.group("base"), ()) if m else ()
