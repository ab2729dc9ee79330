"""The JSON Schema of the persona format, generated from the field table.

`python -m bot personas schema > schema/persona.schema.json`; editors use it to complete
and check persona files. tests/test_validate.py checks that the committed file is current.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.moves import BANDS, FIXED_SITUATIONS, PHASES, PLACEHOLDERS, SITUATION_PLACEHOLDERS
from bot.persona.fields import PERSONA, SITUATION_BASES, Spec


def _line_pattern(extra: tuple[str, ...] = ()) -> str:
    names = "|".join(PLACEHOLDERS + extra)
    return rf"^(?:[^{{}}]|\{{(?:{names})\}})*$"


def _situation_lines(base: str) -> dict[str, Any]:
    """The lines of a situation with placeholders of its own ({heard} in clarify lines)."""
    lines = spec_schema(PERSONA_LINES_VALUE)
    lines["items"]["pattern"] = _line_pattern(SITUATION_PLACEHOLDERS[base])
    return lines


def _situation_pattern() -> str:
    bases = "|".join(SITUATION_BASES)
    fixed = "|".join(re.escape(s) for s in FIXED_SITUATIONS)
    return (rf"^(?:(?:{bases})(?:@(?:{'|'.join(PHASES)}))?(?:\.(?:{'|'.join(BANDS)}))?"
            rf"|{fixed})$")


def spec_schema(spec: Spec) -> dict[str, Any]:
    """JSON Schema of one Spec (recursive)."""
    s: dict[str, Any] = {"description": spec.desc} if spec.desc else {}
    t = spec.type
    if t in ("text", "line"):
        s["type"] = "string"
        s["minLength"] = 1
        if spec.enum is not None:
            s["enum"] = list(spec.enum)
        if spec.pattern is not None:
            s["pattern"] = spec.pattern
        if t == "line":
            s["pattern"] = _line_pattern()
    elif t in ("int", "number"):
        s["type"] = "integer" if t == "int" else "number"
        if spec.minimum is not None:
            s["minimum"] = spec.minimum
        if spec.maximum is not None:
            s["maximum"] = spec.maximum
    elif t == "bool":
        s["type"] = "boolean"
    elif t == "list":
        s["type"] = "array"
        s["items"] = spec_schema(spec.item or Spec("text"))
        if spec.nonempty:
            s["minItems"] = 1
    elif t == "map":
        s["type"] = "object"
        s["properties"] = {f.name: spec_schema(f.spec) for f in spec.fields}
        required = [f.name for f in spec.fields if f.required]
        if required:
            s["required"] = required
        s["additionalProperties"] = False
    elif t == "dict":
        s["type"] = "object"
        if spec.situation_keys:
            s["propertyNames"] = {"pattern": _situation_pattern()}
        elif spec.key is not None and spec.key.enum is not None:
            s["propertyNames"] = {"enum": list(spec.key.enum)}
            # Listing the keys lets editors complete them.
            s["properties"] = {k: spec_schema(spec.value or Spec("text")) for k in spec.key.enum}
        s["additionalProperties"] = spec_schema(spec.value or Spec("text"))
    return s


def persona_schema() -> dict[str, Any]:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://example.invalid/homework-rehearsal/persona.schema.json",
        "title": "Persona",
    }
    schema.update(spec_schema(PERSONA))
    # Situation keys are open-ended; list the plain ones so editors can complete them.
    lines = schema["properties"]["lines"]
    lines["properties"] = {k: _situation_lines(k) if k in SITUATION_PLACEHOLDERS
                           else spec_schema(PERSONA_LINES_VALUE)
                           for k in SITUATION_BASES + FIXED_SITUATIONS}
    qualifiers = rf"(?:@(?:{'|'.join(PHASES)}))?(?:\.(?:{'|'.join(BANDS)}))?"
    lines["patternProperties"] = {rf"^{base}{qualifiers}$": _situation_lines(base)
                                  for base in SITUATION_PLACEHOLDERS}
    return schema


PERSONA_LINES_VALUE: Spec = next(f.spec for f in PERSONA.fields if f.name == "lines").value or Spec(
    "list"
)


def schema_json() -> str:
    return json.dumps(persona_schema(), indent=2, ensure_ascii=False) + "\n"
