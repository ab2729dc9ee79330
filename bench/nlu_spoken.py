"""Long spoken therapist turns through the trained NLU: parts, reflections, question cue.

Run: `.venv/bin/python -m bench.nlu_spoken` (loads models/hw.tar.gz in-process; `make eval`
runs it after bench.nlu_eval). Reads tests/nlu_spoken_heldout.yml (never trained on): each
utterance lists the move of every part a listener hears and the question cue of the whole
message. Reports
- part intents: the parse's `parts` intents aligned in order with the expected ones
  (longest matching subsequence), as a share of expected parts; how often the number of
  parts is right; how often the last part (the one the client answers) is right;
- reflections heard as `reflect`: expected reflect parts matched by a reflect part, and
  pure-reflection utterances whose every part (and top-level intent) is `reflect`;
- the question cue of the whole message (cues.question) against the expected one;
- parts sent to nlu_fallback, and parse latency on these long turns.
Writes bench/nlu-spoken-report.txt. The bars are in bench/nlu_targets.py;
tests/test_nlu_thresholds.py asserts them on the trained model.
"""

from __future__ import annotations

import os

# Must be set before TensorFlow / SQLAlchemy / Rasa are imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import argparse  # noqa: E402
import statistics  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from difflib import SequenceMatcher  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import yaml  # noqa: E402

from bench import nlu_targets as targets  # noqa: E402
from bot.moves import FALLBACK  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "hw.tar.gz"
HELDOUT = ROOT / "tests" / "nlu_spoken_heldout.yml"
REPORT = ROOT / "bench" / "nlu-spoken-report.txt"
REFLECT = "reflect"

# The bars (bench/nlu_targets.py): reflections >= 60%, question cue >= 85%; part intents and
# fallback are watched so that splitting does not cost accuracy.
TARGETS: dict[str, float] = {
    "reflect_parts": targets.SPOKEN_REFLECT_PARTS,
    "pure_reflections": targets.SPOKEN_PURE_REFLECTIONS,
    "question_cue": targets.SPOKEN_QUESTION_CUE,
    "part_intents": targets.SPOKEN_PART_INTENTS,
    "max_part_fallback": targets.SPOKEN_PART_FALLBACK_MAX,
}


@dataclass
class Utterance:
    text: str
    parts: list[str]
    question: str


@dataclass
class Scored:
    utterance: Utterance
    got_parts: list[str]
    top_intent: str
    question: str
    matched: int
    reflect_hits: int
    ms: float
    part_texts: list[str] = field(default_factory=list)


def load(path: Path | str = HELDOUT) -> list[Utterance]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [Utterance(str(u["text"]), [str(p) for p in u["parts"]], str(u["question"]))
            for u in doc.get("utterances") or []]  # fmt: skip


def part_intents(parse: dict[str, Any]) -> list[str]:
    """The intent of each part of a parse (the top-level intent when there are no parts)."""
    parts = parse.get("parts") or []
    if not parts:
        return [str((parse.get("intent") or {}).get("name") or "")]
    return [str((p.get("intent") or {}).get("name") or "") for p in parts]


def score(utt: Utterance, parse: dict[str, Any], seconds: float) -> Scored:
    got = part_intents(parse)
    blocks = SequenceMatcher(a=utt.parts, b=got, autojunk=False).get_matching_blocks()
    matched = sum(b.size for b in blocks)
    reflect_hits = sum(
        1 for b in blocks for k in range(b.size) if utt.parts[b.a + k] == REFLECT
    )
    return Scored(
        utt, got, str((parse.get("intent") or {}).get("name") or ""),
        str((parse.get("cues") or {}).get("question") or "none"), matched, reflect_hits,
        seconds * 1000, [str(p.get("text", "")) for p in parse.get("parts") or []],
    )  # fmt: skip


def figures(scored: list[Scored]) -> dict[str, float]:
    expected = sum(len(s.utterance.parts) for s in scored)
    reflect_parts = sum(s.utterance.parts.count(REFLECT) for s in scored)
    pure = [s for s in scored if set(s.utterance.parts) == {REFLECT}]
    got_parts = [p for s in scored for p in s.got_parts]
    return {
        "utterances": len(scored),
        "expected_parts": expected,
        "part_intents": sum(s.matched for s in scored) / max(1, expected),
        "part_count_right": sum(len(s.got_parts) == len(s.utterance.parts)
                                for s in scored) / max(1, len(scored)),  # fmt: skip
        "last_part_right": sum(s.got_parts[-1:] == s.utterance.parts[-1:]
                               for s in scored) / max(1, len(scored)),  # fmt: skip
        "reflect_parts": sum(s.reflect_hits for s in scored) / max(1, reflect_parts),
        "reflect_parts_n": reflect_parts,
        "pure_reflections": sum(set(s.got_parts) == {REFLECT} and s.top_intent == REFLECT
                                for s in pure) / max(1, len(pure)),  # fmt: skip
        "pure_reflections_n": len(pure),
        "question_cue": sum(s.question == s.utterance.question
                            for s in scored) / max(1, len(scored)),  # fmt: skip
        "max_part_fallback": sum(p == FALLBACK for p in got_parts) / max(1, len(got_parts)),
        "parse_median_ms": statistics.median(s.ms for s in scored) if scored else 0.0,
    }


def render(fig: dict[str, float], scored: list[Scored]) -> str:
    lines = [
        "Spoken therapist turns through the trained NLU (tests/nlu_spoken_heldout.yml)",
        "=" * 76,
        f"utterances {fig['utterances']}, expected parts {fig['expected_parts']}",
        f"part intents right (aligned in order):   {fig['part_intents']:.3f}   "
        f"(target >= {TARGETS['part_intents']:.2f})",
        f"number of parts right:                   {fig['part_count_right']:.3f}",
        f"last part right (the one answered):      {fig['last_part_right']:.3f}",
        f"reflect parts heard as reflect:          {fig['reflect_parts']:.3f}   "
        f"(n {fig['reflect_parts_n']}; target >= {TARGETS['reflect_parts']:.2f})",
        f"pure reflections heard as reflect:       {fig['pure_reflections']:.3f}   "
        f"(n {fig['pure_reflections_n']}; every part and the top-level intent; "
        f"target >= {TARGETS['pure_reflections']:.2f})",
        f"question cue right:                      {fig['question_cue']:.3f}   "
        f"(target >= {TARGETS['question_cue']:.2f})",
        f"parts sent to nlu_fallback:              {fig['max_part_fallback']:.3f}   "
        f"(target <= {TARGETS['max_part_fallback']:.2f})",
        f"parse time on these long turns: median {fig['parse_median_ms']:.1f} ms",
        "",
        "misheard utterances (expected parts -> parsed parts; question expected/got)",
    ]
    for s in scored:
        if s.got_parts != s.utterance.parts or s.question != s.utterance.question:
            lines.append(f"  {s.utterance.parts} -> {s.got_parts}; question "
                         f"{s.utterance.question}/{s.question}: {s.utterance.text}")
    return "\n".join(lines) + "\n"


def run(model: Path | str = MODEL) -> tuple[dict[str, float], list[Scored]]:
    from bench.nlu_eval import parse_all

    utts = load()
    parses, times, _ = parse_all(Path(model), [u.text for u in utts])
    scored = [score(u, p, t) for u, p, t in zip(utts, parses, times, strict=True)]
    return figures(scored), scored


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(MODEL))
    ap.add_argument("--out", default=str(REPORT))
    args = ap.parse_args(argv)
    fig, scored = run(args.model)
    text = render(fig, scored)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
