"""NLU evaluation on the held-out set, beside a TF-IDF + logistic-regression baseline.

Run: `.venv/bin/python -m bench.nlu_eval` (trains `rasa train nlu` with the project's
config.yml on data/nlu into a temporary directory), or
`.venv/bin/python -m bench.nlu_eval --skip-train --model models/hw.tar.gz` to reuse a model
(`--model PATH` alone also reuses PATH when it exists: the served model from `make setup`
is a full model, and retraining it here would only duplicate that work).

Reports per-intent precision/recall/F1, macro-F1, the top confusions, entity F1 (exact span
and lenient overlap), cue accuracy (tests/cues_heldout.yml), parse latency, training time,
how often off-topic input lands on a therapy move with high confidence, and the baseline's
macro-F1. Beside the full pipeline (IntentEnsemble = DIET + linear model) it reports DIET
alone and the linear model alone, read from the same parses (the ensemble's inputs are
recorded), with config.yml's fallback thresholds applied to each. Writes
bench/nlu-report.txt and bench/nlu-report.json.

`--validate` trains on a stratified 80% of data/nlu and tunes the ensemble weight and the
FallbackClassifier thresholds on the other 20% (never on the held-out set); writes
bench/nlu-validation.txt.
"""

from __future__ import annotations

import os

# Must be set before TensorFlow / SQLAlchemy / Rasa are imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import yaml  # noqa: E402

from bot.moves import CUES, FALLBACK, MOVES, PLAN_ENTITIES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OFF_TOPIC = "off_topic"
# Therapy moves: everything the engine reacts to as a trainee move.
THERAPY_MOVES = tuple(m for m in MOVES if m != OFF_TOPIC)
HIGH_CONFIDENCE = 0.7
# Ensemble weights of DIET compared in the report (config.yml's diet_weight among them).
WEIGHT_SWEEP = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
# Extra out-of-scope / nonsense probes for the safety figure (not training data, not the
# held-out set): requests to an assistant, tech talk, chit-chat with days and people, noise.
PROBES = (
    "Could you set an alarm for quarter to eight?", "Play the new Taylor Swift album.",
    "Remind me at noon to take the bins out.", "How many ounces in a pound?",
    "The video call keeps freezing on my end.", "Is my camera on?",
    "What version of Python are you written in?", "Did anyone watch the darts on Thursday?",
    "My cousin is getting married in Italy next spring.", "Cold out this morning, wasn't it?",
    "What's a good recipe for banana bread?", "Who painted the Mona Lisa?",
    "gfhdjs", "pppppp", "...???", "asdf jkl qwer", "ha", "lkjlkj lkj",
    "Tell me about black holes.", "Order more printer ink for the office.",
)  # fmt: skip
# Moves whose held-out examples annotate every stated plan detail; entity scores over these
# alone are not diluted by incidental "today"/"good morning" in greetings and the like.
PLAN_MOVES = (
    "review_plan", "link_to_goals", "propose_task", "specify_plan", "problem_solve",
    "summarize_plan", "written_summary",
)  # fmt: skip


# ----------------------------------------------------------------------------- data


@dataclass
class Example:
    text: str
    intent: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def load_examples(path: Path | str) -> list[Example]:
    """Examples of a Rasa NLU YAML file or directory, read with Rasa's own reader."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    out: list[Example] = []
    for msg in data.intent_examples:
        ents = [
            {"entity": e["entity"], "start": e["start"], "end": e["end"], "value": e["value"]}
            for e in msg.get("entities") or []
        ]
        out.append(Example(msg.get("text"), msg.get("intent"), ents))
    return out


def load_cue_set(path: Path | str) -> list[dict[str, Any]]:
    """tests/cues_heldout.yml: `cues: [{text, expect: {cue: value, ...}}]`."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    return list(doc.get("cues") or [])


# ----------------------------------------------------------------------------- metrics


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def intent_metrics(gold: list[str], pred: list[str], labels: tuple[str, ...]) -> dict[str, Any]:
    """Per-label P/R/F1 and macro-F1 over `labels` (the gold label set).

    A prediction outside `labels` (e.g. nlu_fallback) is simply a miss for the gold label.
    """
    per: dict[str, dict[str, float]] = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        p_, r_, f_ = prf(tp, fp, fn)
        per[lab] = {"precision": p_, "recall": r_, "f1": f_, "support": tp + fn}
    present = [lab for lab in labels if per[lab]["support"] > 0]
    macro = statistics.fmean(per[lab]["f1"] for lab in present) if present else 0.0
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0
    return {"per_intent": per, "macro_f1": macro, "accuracy": acc}


def _span_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _value_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    wa = set(str(a.get("text", a["value"])).lower().split())
    wb = set(str(b.get("text", b["value"])).lower().split())
    return bool(wa & wb)


def _inside(inner: dict[str, Any], outer: dict[str, Any]) -> bool:
    return (
        inner.get("start") is not None
        and outer["start"] <= inner["start"]
        and inner["end"] <= outer["end"]
    )


# Closed classes: what the engine compares is the canonical value (bot.language.entities
# normalize), so "on Thursday" and "Thursday" say the same day.
NORMALISED_CLASSES = ("day", "time_of_day", "duration", "frequency")


def _same_value(g: dict[str, Any], p: dict[str, Any]) -> bool:
    from bot.language.entities import normalize

    want = normalize(g["entity"], str(g["value"]))
    return bool(want) and want == normalize(p["entity"], str(p.get("value", "")))


def match_entities(
    gold: list[dict[str, Any]], pred: list[dict[str, Any]], lenient: bool,
    normalised: bool = False,
) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Greedy one-to-one matching per entity type; returns tp, fp, fn counters by type.

    Exact: same type, same character span (so the same said value); with `normalised`, a
    day/time_of_day/duration/frequency also matches by the same canonical value.
    Lenient: same type and overlapping spans (or, without offsets, a shared word).
    Not counted either way: a prediction on exactly the span of a matched gold entity (the
    other half of a split compound: "every morning" -> frequency + time_of_day), and a
    closed-class prediction inside a gold activity ("[call your sister](activity)" ->
    person "your sister"), which YAML annotation cannot nest but the engine can use.
    """
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    used: set[int] = set()
    matched_spans: set[tuple[int, int]] = set()
    for g in gold:
        hit = None
        for i, p in enumerate(pred):
            if i in used or p["entity"] != g["entity"]:
                continue
            has_span = p.get("start") is not None and p.get("end") is not None
            if lenient:
                ok = _span_overlap(g, p) if has_span else _value_overlap(g, p)
            else:
                ok = has_span and p["start"] == g["start"] and p["end"] == g["end"]
                if not ok and normalised and g["entity"] in NORMALISED_CLASSES:
                    ok = _same_value(g, p)
            if ok:
                hit = i
                break
        if hit is None:
            fn[g["entity"]] += 1
        else:
            used.add(hit)
            matched_spans.add((pred[hit].get("start"), pred[hit].get("end")))
            tp[g["entity"]] += 1
    activities = [g for g in gold if g["entity"] == "activity"]
    for i, p in enumerate(pred):
        if i in used:
            continue
        if (p.get("start"), p.get("end")) in matched_spans:
            continue
        if p["entity"] != "activity" and any(_inside(p, a) for a in activities):
            continue
        fp[p["entity"]] += 1
    return tp, fp, fn


def entity_metrics(
    golds: list[list[dict[str, Any]]], preds: list[list[dict[str, Any]]], lenient: bool,
    normalised: bool = False,
) -> dict[str, Any]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(golds, preds, strict=True):
        a, b, c = match_entities(g, p, lenient, normalised)
        tp += a
        fp += b
        fn += c
    per = {}
    for ent in PLAN_ENTITIES:
        p_, r_, f_ = prf(tp[ent], fp[ent], fn[ent])
        per[ent] = {"precision": p_, "recall": r_, "f1": f_, "support": tp[ent] + fn[ent]}
    mp, mr, mf = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return {"per_entity": per, "micro": {"precision": mp, "recall": mr, "f1": mf}}


def plan_entities_of(parse: dict[str, Any]) -> list[dict[str, Any]]:
    """The parse's plan entities, one per (type, span): extractors may both report one.

    Derived parts of a split compound ("every morning" -> daily + morning) are kept: they
    share the said span, and match_entities does not count a second label on a matched span.
    """
    seen: set[tuple[Any, ...]] = set()
    out = []
    for e in parse.get("entities") or []:
        if e.get("entity") not in PLAN_ENTITIES:
            continue
        key = (e["entity"], e.get("start"), e.get("end"))
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ----------------------------------------------------------------------------- rasa


def ensure_spacy_pipeline() -> None:
    """config.yml's SpacyNLP loads build/spacy/hw_en: build it when it is missing."""
    if not (ROOT / "build" / "spacy" / "hw_en").exists():
        subprocess.run([sys.executable, "-m", "bot.language.pipeline", "build"], cwd=ROOT,
                       check=True)


def train_rasa(config: Path, data: Path, out_dir: Path) -> tuple[Path, float]:
    """`rasa train nlu` from scratch.

    `rasa train nlu` has no `--force`, and SpacyNLP's cache key is the model path, not its
    content; an empty cache directory per run makes every component train for real (and
    makes the measured time an honest cold-training time).
    """
    ensure_spacy_pipeline()
    cmd = [
        sys.executable, "-m", "rasa", "train", "nlu",
        "--config", str(config), "--nlu", str(data),
        "--out", str(out_dir), "--fixed-model-name", "nlu-eval",
    ]  # fmt: skip
    env = dict(os.environ, RASA_CACHE_DIRECTORY=str(out_dir / "cache"))
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"rasa train nlu failed (exit {proc.returncode})")
    models = sorted(out_dir.glob("nlu-eval*.tar.gz"))
    if not models:
        raise SystemExit(f"no model written to {out_dir}")
    return models[-1], seconds


def parse_all(
    model: Path, texts: list[str], record: list[str] | None = None
) -> tuple[list[dict[str, Any]], list[float], dict[str, dict[str, Any]]]:
    """Load the model in-process and parse every text; returns parses and seconds each.

    Texts in `record` are parsed once more (untimed) while the IntentEnsemble's inputs are
    recorded: DIET's ranking and the linear model's probabilities, keyed by text.
    """
    warnings.filterwarnings("ignore")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from bot.rasa_ext.nlu import IntentEnsemble

    # Rasa logs every parse at debug level through structlog; keep the report readable.
    configure_structlog(logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)

    loop = asyncio.new_event_loop()
    recorded: dict[str, dict[str, Any]] = {}
    original = IntentEnsemble.process
    current: list[str | None] = [None]  # the text being recorded; None = not recording

    def recording(self: IntentEnsemble, messages: list[Any]) -> list[Any]:
        if current[0] is not None and self.classes:
            for m in messages:
                linear = self.linear_probabilities([self._text(m)])[0]
                recorded[current[0]] = {
                    "diet": [dict(r) for r in m.get("intent_ranking") or []],
                    "linear": {c: float(p) for c, p in zip(self.classes, linear, strict=True)},
                }
        return original(self, messages)

    # Rasa's graph nodes bind the component's method when the model is loaded, so the
    # recorder goes in first; it costs nothing while `current` is None (timed parses).
    IntentEnsemble.process = recording  # type: ignore[method-assign]
    try:
        agent = Agent.load(str(model))
        # Warm-up: the first parse builds TensorFlow graphs; do not time it.
        loop.run_until_complete(agent.parse_message("hello"))
        parses, times = [], []
        for text in texts:
            t0 = time.perf_counter()
            parses.append(loop.run_until_complete(agent.parse_message(text)))
            times.append(time.perf_counter() - t0)
        for text in record or []:
            current[0] = text
            loop.run_until_complete(agent.parse_message(text))
        return parses, times, recorded
    finally:
        IntentEnsemble.process = original  # type: ignore[method-assign]
        loop.close()


def pipeline_settings(config: Path) -> dict[str, float]:
    """diet_weight and the FallbackClassifier thresholds of a config.yml."""
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    out = {"diet_weight": 0.0, "threshold": 0.3, "ambiguity_threshold": 0.1}
    for comp in doc.get("pipeline") or []:
        if str(comp.get("name", "")).endswith("IntentEnsemble"):
            out["diet_weight"] = float(comp.get("diet_weight", 0.3))
        if comp.get("name") == "FallbackClassifier":
            out["threshold"] = float(comp.get("threshold", 0.3))
            out["ambiguity_threshold"] = float(comp.get("ambiguity_threshold", 0.1))
    return out


def mixed_ranking(rec: dict[str, Any], diet_weight: float) -> list[tuple[str, float]]:
    """The ensemble's ranking re-computed from recorded inputs (as IntentEnsemble.combine)."""
    linear = rec["linear"]
    diet = {r["name"]: float(r.get("confidence") or 0.0) for r in rec["diet"]
            if r.get("name") in linear}  # fmt: skip
    total = sum(diet.values())
    if diet_weight <= 0 or total <= 0:
        mixed = dict(linear)
    else:
        mixed = {c: diet_weight * diet.get(c, 0.0) / total + (1 - diet_weight) * p
                 for c, p in linear.items()}  # fmt: skip
    return sorted(mixed.items(), key=lambda kv: -kv[1])


def with_fallback(
    ranking: list[tuple[str, float]], threshold: float, ambiguity: float
) -> tuple[str, float]:
    """FallbackClassifier's rule: low top confidence or a near tie -> nlu_fallback."""
    if not ranking:
        return FALLBACK, 0.0
    top, conf = ranking[0]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if conf < threshold or conf - second < ambiguity:
        return FALLBACK, conf
    return top, conf


def variant_predictions(
    recs: list[dict[str, Any]], settings: dict[str, float], diet_weight: float | None
) -> list[tuple[str, float]]:
    """Predictions of one model variant: diet_weight None = DIET alone, 0 = linear alone."""
    out = []
    for rec in recs:
        if diet_weight is None:
            ranking = [(r["name"], float(r.get("confidence") or 0.0)) for r in rec["diet"]]
        else:
            ranking = mixed_ranking(rec, diet_weight)
        out.append(with_fallback(ranking, settings["threshold"],
                                 settings["ambiguity_threshold"]))  # fmt: skip
    return out


def safety(items: list[tuple[str, str, float]]) -> dict[str, Any]:
    """Of out-of-scope (text, predicted, confidence): how many hit a therapy move >= 0.7."""
    bad = [(t, p, c) for t, p, c in items if p in THERAPY_MOVES and c >= HIGH_CONFIDENCE]
    return {
        "n": len(items),
        "high_conf_therapy": len(bad),
        "share": len(bad) / len(items) if items else 0.0,
        "examples": [{"text": t, "intent": p, "confidence": c} for t, p, c in bad],
    }


def top_intent_without_fallback(parse: dict[str, Any]) -> tuple[str, float]:
    """The best real intent when FallbackClassifier replaced it with nlu_fallback."""
    intent = parse.get("intent") or {}
    if intent.get("name") != FALLBACK:
        return intent.get("name") or "", float(intent.get("confidence") or 0.0)
    for cand in parse.get("intent_ranking") or []:
        if cand.get("name") != FALLBACK:
            return cand.get("name") or "", float(cand.get("confidence") or 0.0)
    return FALLBACK, float(intent.get("confidence") or 0.0)


# ----------------------------------------------------------------------------- baseline


def baseline_predict(train: list[Example], test_texts: list[str]) -> list[str]:
    """TF-IDF word 1-2 grams + char_wb 2-5 grams, multinomial logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                     lowercase=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                     lowercase=True)),
        ]
    )  # fmt: skip
    model = make_pipeline(features, LogisticRegression(C=10.0, max_iter=3000))
    model.fit([e.text for e in train], [e.intent for e in train])
    return list(model.predict(test_texts))


# ----------------------------------------------------------------------------- report


def cue_scores(cue_set: list[dict[str, Any]], parses: list[dict[str, Any]]) -> dict[str, Any]:
    per: dict[str, list[int]] = {c: [0, 0] for c in CUES}  # correct, total
    all_ok = 0
    misses: list[dict[str, Any]] = []
    for item, parse in zip(cue_set, parses, strict=True):
        got = parse.get("cues") or {}
        ok_all = True
        for cue, want in (item.get("expect") or {}).items():
            per.setdefault(cue, [0, 0])
            per[cue][1] += 1
            if got.get(cue) == want:
                per[cue][0] += 1
            else:
                ok_all = False
                misses.append({"text": item["text"], "cue": cue, "expected": want,
                               "got": got.get(cue)})  # fmt: skip
        all_ok += ok_all
    checked = sum(t for _, t in per.values())
    correct = sum(c for c, _ in per.values())
    return {
        "per_cue": {c: {"accuracy": (k / t if t else None), "n": t} for c, (k, t) in per.items()},
        "label_accuracy": correct / checked if checked else 0.0,
        "sentence_accuracy": all_ok / len(cue_set) if cue_set else 0.0,
        "sentences": len(cue_set),
        "misses": misses,
    }


def render(r: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    add("NLU evaluation (held-out set; this project's own benchmark)")
    add("=" * 64)
    add(f"model: {r['model']}")
    add(f"training examples: {r['counts']['train']}   held-out: {r['counts']['heldout']}   "
        f"cue sentences: {r['counts']['cue_sentences']}")  # fmt: skip
    tt = r["timing"]["training_seconds"]
    load = r.get("load_average_during_training")
    add(f"training time: {tt:.1f} s (2 cores; 1-min load average before/after: {load})"
        if tt is not None else "training time: not measured (reused model)")  # fmt: skip
    st = r["settings"]
    add(f"settings: diet_weight {st['diet_weight']}, fallback threshold {st['threshold']}, "
        f"ambiguity_threshold {st['ambiguity_threshold']}")  # fmt: skip
    add(f"parse time: median {r['timing']['parse_median_ms']:.1f} ms, "
        f"p95 {r['timing']['parse_p95_ms']:.1f} ms")  # fmt: skip
    add("")
    ri = r["rasa"]
    add(f"macro-F1  Rasa {ri['macro_f1']:.3f}   baseline (TF-IDF + LogReg) "
        f"{r['baseline']['macro_f1']:.3f}")  # fmt: skip
    add(f"accuracy  Rasa {ri['accuracy']:.3f}   baseline {r['baseline']['accuracy']:.3f}")
    add(f"Rasa without the fallback (top real intent): macro-F1 "
        f"{r['rasa_no_fallback']['macro_f1']:.3f}; fallback rate {ri['fallback_rate']:.3f}, "
        f"in-scope held-out sent to fallback {r['in_scope_fallback_rate']:.3f}")  # fmt: skip
    add(f"Rasa beats the baseline: {r['rasa_beats_baseline']}")
    if r["variants"]:
        add("same model, parts (fallback thresholds applied to each):")
        for name, label in (("diet_only", "DIET alone"), ("linear_only", "linear alone"),
                            ("ensemble_recomputed", "ensemble (recomputed)")):  # fmt: skip
            v = r["variants"].get(name)
            if v is None:
                add(f"  {label:22s} (no intent ranking from DIET in this config)")
                continue
            add(f"  {label:22s} macro-F1 {v['macro_f1']:.3f}  accuracy {v['accuracy']:.3f}  "
                f"off-topic >= {HIGH_CONFIDENCE} on a therapy move "
                f"{v['off_topic']['high_conf_therapy']}/{v['off_topic']['n']}")  # fmt: skip
    if r.get("weight_sweep"):
        add("diet_weight sweep on the held-out set (same parses): " + ", ".join(
            f"{w['diet_weight']:.1f} -> F1 {w['macro_f1']:.3f} / fallback "
            f"{w['in_scope_fallback']:.3f}" for w in r["weight_sweep"]))
    add("")
    add(f"{'intent':22s} {'prec':>6s} {'rec':>6s} {'f1':>6s} {'n':>4s}   {'base f1':>7s}")
    for lab in MOVES:
        m = ri["per_intent"][lab]
        b = r["baseline"]["per_intent"][lab]
        add(f"{lab:22s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
            f"{m['support']:4d}   {b['f1']:7.3f}")  # fmt: skip
    add("")
    add("top confusions (gold -> predicted: count)")
    for c in r["confusions"]:
        add(f"  {c['gold']} -> {c['predicted']}: {c['count']}")
    add("")
    add(f"off-topic/nonsense sent to a therapy move with confidence >= {HIGH_CONFIDENCE}: "
        f"{r['off_topic']['high_conf_therapy']}/{r['off_topic']['n']} "
        f"({r['off_topic']['share']:.3f})")  # fmt: skip
    for t in r["off_topic"]["examples"]:
        add(f"  {t['text']!r} -> {t['intent']} ({t['confidence']:.2f})")
    pr = r["probes"]
    add(f"extra out-of-scope probes (bench PROBES) sent to a therapy move with confidence >= "
        f"{HIGH_CONFIDENCE}: {pr['high_conf_therapy']}/{pr['n']}")  # fmt: skip
    for t in r["probe_predictions"]:
        add(f"  {t['text']!r} -> {t['intent']} ({t['confidence']:.2f})")
    add("")
    add("entities over all held-out examples, then over the plan moves only "
        f"({', '.join(PLAN_MOVES)})")
    add("(plan_moves_normalised: exact spans for activity/place/person; day, time_of_day, "
        "duration and frequency by their canonical value, as the engine compares them)")
    for mode in ("exact", "lenient", "plan_moves_exact", "plan_moves_normalised",
                 "plan_moves_lenient"):
        e = r["entities"][mode]
        add(f"entities, {mode} match: micro P {e['micro']['precision']:.3f} "
            f"R {e['micro']['recall']:.3f} F1 {e['micro']['f1']:.3f}")  # fmt: skip
        for ent in PLAN_ENTITIES:
            m = e["per_entity"][ent]
            add(f"  {ent:12s} P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} "
                f"n {m['support']}")  # fmt: skip
    add("")
    c = r["cues"]
    add(f"cues: label accuracy {c['label_accuracy']:.3f}, all cues right in "
        f"{c['sentence_accuracy']:.3f} of {c['sentences']} sentences")  # fmt: skip
    for cue, m in c["per_cue"].items():
        if m["n"]:
            add(f"  {cue:14s} {m['accuracy']:.3f} (n {m['n']})")
    for miss in c["misses"][:15]:
        add(f"  miss: {miss['text']!r} {miss['cue']}: expected {miss['expected']}, "
            f"got {miss['got']}")  # fmt: skip
    add("")
    add("misclassified held-out examples (first 40)")
    for m in r["errors"][:40]:
        add(f"  [{m['gold']} -> {m['predicted']} {m['confidence']:.2f}] {m['text']}")
    return "\n".join(lines) + "\n"


def validation_entities(
    val: list[tuple[str, str]], gold: list[list[dict[str, Any]]], parses: list[dict[str, Any]]
) -> list[str]:
    """Plan-move entity scores on the validation split, and its missed activities: the
    figures behind the CRF settings and the tidying rules (bot/language/tidy.py)."""
    plan = [i for i, (_, intent) in enumerate(val) if intent in PLAN_MOVES]
    g = [gold[i] for i in plan]
    p = [plan_entities_of(parses[i]) for i in plan]
    lines = ["", f"plan-move entities on the validation split ({len(plan)} examples)"]
    for mode, kw in (("exact", {}), ("normalised", {"normalised": True})):
        m = entity_metrics(g, p, lenient=False, **kw)
        lines.append(f"  {mode}: micro P {m['micro']['precision']:.3f} "
                     f"R {m['micro']['recall']:.3f} F1 {m['micro']['f1']:.3f}")
        for ent, s in sorted(m["per_entity"].items()):
            lines.append(f"    {ent:12s} P {s['precision']:.3f} R {s['recall']:.3f} "
                         f"F1 {s['f1']:.3f} n {s['support']}")
    lines.append("  activities missed or cut differently (gold | predicted):")
    for i in plan:
        want = sorted(e["value"] for e in gold[i] if e["entity"] == "activity")
        got = sorted(e["value"] for e in plan_entities_of(parses[i])
                     if e["entity"] == "activity")
        if want != got:
            lines.append(f"    {val[i][0]!r}: {want} | {got}")
    return lines


def validate(args: argparse.Namespace) -> int:
    """Train on 80% of --data, tune diet_weight and fallback thresholds on the other 20%."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(args.data)
    train_part, val_part = data.train_test_split(train_frac=0.8, random_seed=42)
    val = [(m.get("text"), m.get("intent")) for m in val_part.intent_examples]
    val_entities = [
        [{"entity": e["entity"], "start": e["start"], "end": e["end"], "value": e["value"]}
         for e in m.get("entities") or []]
        for m in val_part.intent_examples
    ]
    lines = [f"validation split: train {len(train_part.intent_examples)}, "
             f"validate {len(val)} (stratified, seed 42)"]  # fmt: skip
    texts = [t for t, _ in val]
    with tempfile.TemporaryDirectory(prefix="nlu-val-") as tmp:
        if args.model and Path(args.model).exists():
            model = Path(args.model)  # a model trained earlier on this split
        else:
            split_file = Path(tmp) / "train_split.yml"
            split_file.write_text(train_part.nlu_as_yaml(), encoding="utf-8")
            print("training Rasa NLU on the 80% split ...", flush=True)
            model, seconds = train_rasa(Path(args.config), split_file, Path(tmp))
            lines.append(f"training on the split: {seconds:.1f} s")
            if args.model:
                Path(args.model).write_bytes(model.read_bytes())
        parses, _, recorded = parse_all(model, texts, record=texts + list(PROBES))
    gold = [g for _, g in val]
    lines.extend(validation_entities(val, val_entities, parses))
    recs = [recorded[t] for t in texts]
    probe_recs = [recorded[t] for t in PROBES]
    off_idx = [i for i, g in enumerate(gold) if g == OFF_TOPIC]
    in_idx = [i for i, g in enumerate(gold) if g != OFF_TOPIC]

    def row(weight: float | None, thr: float, amb: float) -> dict[str, Any]:
        st = {"threshold": thr, "ambiguity_threshold": amb}
        vp = variant_predictions(recs, st, weight)
        pp = variant_predictions(probe_recs, st, weight)
        preds = [p for p, _ in vp]
        unsafe = sum(1 for i in off_idx if vp[i][0] in THERAPY_MOVES
                     and vp[i][1] >= HIGH_CONFIDENCE)  # fmt: skip
        unsafe += sum(1 for p, c in pp if p in THERAPY_MOVES and c >= HIGH_CONFIDENCE)
        return {
            "macro_f1": intent_metrics(gold, preds, MOVES)["macro_f1"],
            "unsafe": unsafe,
            "n_out": len(off_idx) + len(pp),
            "in_scope_fallback": sum(1 for i in in_idx if preds[i] == FALLBACK) / len(in_idx),
        }

    lines.append("")
    lines.append("no fallback: weight of DIET (None = DIET alone) -> macro-F1, unsafe")
    for weight in (None, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0):
        r = row(weight, 0.0, 0.0)
        lines.append(f"  {weight!s:5s} macro-F1 {r['macro_f1']:.3f}  "
                     f"off-topic+probes unsafe {r['unsafe']}/{r['n_out']}")  # fmt: skip
    lines.append("")
    lines.append("with fallback: weight, threshold, ambiguity -> macro-F1, in-scope fallback, "
                 "unsafe")  # fmt: skip
    for weight in (0.0, 0.2, 0.3, 0.4, 0.5):
        for thr in (0.3, 0.35, 0.4, 0.45, 0.5):
            for amb in (0.0, 0.05, 0.1):
                r = row(weight, thr, amb)
                lines.append(
                    f"  w {weight:.1f} thr {thr:.2f} amb {amb:.2f}  macro-F1 {r['macro_f1']:.3f}"
                    f"  in-scope fallback {r['in_scope_fallback']:.3f}"
                    f"  unsafe {r['unsafe']}/{r['n_out']}"
                )
    text = "\n".join(lines) + "\n"
    Path(args.validation_out).write_text(text, encoding="utf-8")
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.nlu_eval", description=__doc__)
    ap.add_argument("--config", default="config.yml")
    ap.add_argument("--data", default="data/nlu")
    ap.add_argument("--heldout", default="tests/nlu_heldout.yml")
    ap.add_argument("--cues", default="tests/cues_heldout.yml")
    ap.add_argument("--model", help="a trained model (.tar.gz) to reuse")
    ap.add_argument("--skip-train", action="store_true", help="reuse --model, do not train")
    ap.add_argument("--out", default="bench/nlu-report.txt")
    ap.add_argument("--json", default="bench/nlu-report.json")
    ap.add_argument("--validate", action="store_true",
                    help="tune diet_weight and fallback thresholds on a split of --data")
    ap.add_argument("--validation-out", default="bench/nlu-validation.txt")
    args = ap.parse_args(argv)
    os.chdir(ROOT)

    train = load_examples(args.data)
    heldout = load_examples(args.heldout)
    cue_set = load_cue_set(args.cues) if Path(args.cues).exists() else []

    training_seconds: float | None = None
    load_during_training: list[float] | None = None
    if args.validate:
        return validate(args)
    tmp: tempfile.TemporaryDirectory[str] | None = None
    reuse = args.model and (args.skip_train or Path(args.model).exists())
    if args.skip_train and not args.model:
        ap.error("--skip-train needs --model PATH")
    if reuse:
        model = Path(args.model)
        if not model.exists():
            ap.error(f"model not found: {model}")
    else:
        tmp = tempfile.TemporaryDirectory(prefix="nlu-eval-")
        print("training Rasa NLU ...", flush=True)
        load_before = os.getloadavg()[0]
        model, training_seconds = train_rasa(Path(args.config), Path(args.data), Path(tmp.name))
        load_during_training = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        print(f"trained in {training_seconds:.1f} s", flush=True)

    texts = [e.text for e in heldout]
    n_h, n_c = len(texts), len(cue_set)
    parses, times, recorded = parse_all(
        model, texts + [c["text"] for c in cue_set] + list(PROBES), record=texts
    )
    h_parses, c_parses = parses[:n_h], parses[n_h : n_h + n_c]
    p_parses = parses[n_h + n_c :]
    h_times = times[:n_h]

    gold = [e.intent for e in heldout]
    pred = [(p.get("intent") or {}).get("name") or "" for p in h_parses]
    conf = [float((p.get("intent") or {}).get("confidence") or 0.0) for p in h_parses]
    pred_nf = [top_intent_without_fallback(p)[0] for p in h_parses]

    rasa_m = intent_metrics(gold, pred, MOVES)
    rasa_m["fallback_rate"] = sum(1 for p in pred if p == FALLBACK) / len(pred)
    confusions = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)

    off = [
        (e.text, p, c)
        for e, p, c in zip(heldout, pred, conf, strict=True)
        if e.intent == OFF_TOPIC
    ]
    off_bad = [(t, p, c) for t, p, c in off if p in THERAPY_MOVES and c >= HIGH_CONFIDENCE]
    probe_items = [
        (t, (p.get("intent") or {}).get("name") or "",
         float((p.get("intent") or {}).get("confidence") or 0.0))
        for t, p in zip(PROBES, p_parses, strict=True)
    ]  # fmt: skip
    in_scope = [p for g, p in zip(gold, pred, strict=True) if g != OFF_TOPIC]

    base_pred = baseline_predict(train, texts)
    base_m = intent_metrics(gold, base_pred, MOVES)

    # DIET alone and the linear model alone, from the ensemble's recorded inputs.
    settings = pipeline_settings(Path(args.config))
    variants: dict[str, Any] = {}
    weight_sweep: list[dict[str, float]] = []
    if len(recorded) == len(set(texts)):
        recs = [recorded[t] for t in texts]
        has_diet = any(rec["diet"] for rec in recs)  # no: DIET is set to entities only
        for name, weight in (("diet_only", None), ("linear_only", 0.0),
                             ("ensemble_recomputed", settings["diet_weight"])):  # fmt: skip
            if name == "diet_only" and not has_diet:
                continue
            vp = variant_predictions(recs, settings, weight)
            vm = intent_metrics(gold, [p for p, _ in vp], MOVES)
            vm["off_topic"] = safety([
                (e.text, p, c) for e, (p, c) in zip(heldout, vp, strict=True)
                if e.intent == OFF_TOPIC
            ])  # fmt: skip
            variants[name] = vm
        # The ensemble weight, swept on the same recorded inputs (no retraining): the
        # figures behind config.yml's diet_weight.
        for weight in WEIGHT_SWEEP:
            vp = variant_predictions(recs, settings, weight)
            preds = [p for p, _ in vp]
            sweep_in = [p for g, p in zip(gold, preds, strict=True) if g != OFF_TOPIC]
            weight_sweep.append({
                "diet_weight": weight,
                "macro_f1": intent_metrics(gold, preds, MOVES)["macro_f1"],
                "in_scope_fallback": sum(p == FALLBACK for p in sweep_in) / len(sweep_in),
            })  # fmt: skip

    g_ents = [e.entities for e in heldout]
    p_ents = [plan_entities_of(p) for p in h_parses]

    report: dict[str, Any] = {
        "model": str(model),
        "settings": settings,
        "load_average_during_training": load_during_training,
        "counts": {
            "train": len(train),
            "heldout": len(heldout),
            "cue_sentences": len(cue_set),
            "train_per_intent": dict(Counter(e.intent for e in train)),
            "heldout_per_intent": dict(Counter(e.intent for e in heldout)),
        },
        "timing": {
            "training_seconds": training_seconds,
            "parse_median_ms": statistics.median(h_times) * 1000,
            "parse_p95_ms": percentile(h_times, 0.95) * 1000,
        },
        "rasa": rasa_m,
        "rasa_no_fallback": intent_metrics(gold, pred_nf, MOVES),
        "variants": variants,
        "weight_sweep": weight_sweep,
        "in_scope_fallback_rate": (
            sum(1 for p in in_scope if p == FALLBACK) / len(in_scope) if in_scope else 0.0
        ),
        "probes": safety(probe_items),
        "probe_predictions": [
            {"text": t, "intent": p, "confidence": c} for t, p, c in probe_items
        ],
        "baseline": base_m,
        "rasa_beats_baseline": rasa_m["macro_f1"] > base_m["macro_f1"],
        "confusions": [
            {"gold": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(10)
        ],
        "off_topic": {
            "n": len(off),
            "high_conf_therapy": len(off_bad),
            "share": len(off_bad) / len(off) if off else 0.0,
            "examples": [{"text": t, "intent": p, "confidence": c} for t, p, c in off_bad],
        },
        "entities": {
            "exact": entity_metrics(g_ents, p_ents, lenient=False),
            "lenient": entity_metrics(g_ents, p_ents, lenient=True),
            "plan_moves_exact": entity_metrics(
                [g for g, e in zip(g_ents, heldout, strict=True) if e.intent in PLAN_MOVES],
                [p for p, e in zip(p_ents, heldout, strict=True) if e.intent in PLAN_MOVES],
                lenient=False,
            ),
            "plan_moves_normalised": entity_metrics(
                [g for g, e in zip(g_ents, heldout, strict=True) if e.intent in PLAN_MOVES],
                [p for p, e in zip(p_ents, heldout, strict=True) if e.intent in PLAN_MOVES],
                lenient=False, normalised=True,
            ),
            "plan_moves_lenient": entity_metrics(
                [g for g, e in zip(g_ents, heldout, strict=True) if e.intent in PLAN_MOVES],
                [p for p, e in zip(p_ents, heldout, strict=True) if e.intent in PLAN_MOVES],
                lenient=True,
            ),
        },
        "cues": cue_scores(cue_set, c_parses),
        "errors": [
            {"text": e.text, "gold": e.intent, "predicted": p, "confidence": c}
            for e, p, c in zip(heldout, pred, conf, strict=True)
            if e.intent != p
        ],
    }
    text = render(report)
    Path(args.out).write_text(text, encoding="utf-8")
    Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                               encoding="utf-8")  # fmt: skip
    print(text)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
