"""The saved spaCy pipeline (bot.language.pipeline) and the Rasa CueAnnotator (no training)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language import pipeline as nlp_mod
from bot.language.tidy import tidy_entities
from bot.rasa_ext.nlu import CueAnnotator

ROOT = Path(__file__).resolve().parents[1]


def test_build_pipeline_components() -> None:
    nlp = nlp_mod.build_pipeline()
    assert nlp.pipe_names == ["entity_ruler", "cue_detector"]
    doc = nlp("Maybe a ten-minute walk after breakfast on Monday, what do you think?")
    assert {(e.label_, e.text) for e in doc.ents} >= {
        ("duration", "ten-minute"), ("time_of_day", "after breakfast"), ("day", "on Monday")}
    assert doc._.cues["question"] == "open"
    assert doc._.cues["tentative"] is True


def test_saved_pipeline_loads_by_path_in_fresh_process(tmp_path: Path) -> None:
    target = nlp_mod.save_pipeline(tmp_path / "hw_en-test")
    script = (
        "import json, spacy, bot.language.cues\n"
        f"nlp = spacy.load({str(target)!r}, disable=['parser'])\n"
        "doc = nlp('You need to do your homework every day at home with your sister')\n"
        "print(json.dumps({'cues': doc._.cues, "
        "'ents': [[e.label_, e.text] for e in doc.ents]}))\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=120, check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["cues"]["directive"] is True
    assert result["cues"]["homework_term"] is True
    assert ["frequency", "every day"] in result["ents"]
    assert ["place", "at home"] in result["ents"]
    assert ["person", "your sister"] in result["ents"]


def test_build_is_idempotent_and_hashed(tmp_path: Path) -> None:
    path, written = nlp_mod.build(tmp_path)
    assert written and path.name.startswith("hw_en-") and len(path.name) == len("hw_en-") + 10
    mtime = (path / "config.cfg").stat().st_mtime_ns
    again, written_again = nlp_mod.build(tmp_path)
    assert again == path and not written_again
    assert (path / "config.cfg").stat().st_mtime_ns == mtime
    assert (tmp_path / "hw_en").resolve() == path.resolve()
    assert (tmp_path / "CURRENT").read_text().strip() == str(path)


def test_hash_changes_with_patterns(monkeypatch) -> None:
    before = nlp_mod.content_hash()
    extra = [{"label": "place", "pattern": [{"LOWER": "narnia"}]}]
    monkeypatch.setattr(nlp_mod, "patterns", lambda: extra)
    assert nlp_mod.content_hash() != before


def _annotator() -> CueAnnotator:
    return CueAnnotator(CueAnnotator.get_default_config())


def test_component_sets_cues_on_original_text() -> None:
    message = Message(data={TEXT: "Make sure you do the Homework, OK?"})
    _annotator().process([message])
    cues = message.get("cues")
    assert cues["directive"] is True and cues["homework_term"] is True
    assert cues["question"] == "closed"
    assert "cues" in message.as_dict(only_output_properties=True)


def test_component_without_text_gives_empty_cues() -> None:
    message = Message(data={TEXT: ""})
    _annotator().process([message])
    assert message.get("cues")["question"] == "none"


def test_component_normalises_and_deduplicates_entities() -> None:
    text = "a short walk every morning for ten minutes"
    ruler = [
        {"entity": "frequency", "value": "every morning", "start": 13, "end": 26,
         "confidence": None, "extractor": "SpacyEntityExtractor"},
        {"entity": "duration", "value": "ten minutes", "start": 31, "end": 42,
         "confidence": None, "extractor": "SpacyEntityExtractor"},
    ]
    diet = [
        {"entity": "activity", "value": "a short walk", "start": 0, "end": 12,
         "confidence_entity": 0.98, "extractor": "DIETClassifier"},
        {"entity": "duration", "value": "ten minutes", "start": 31, "end": 42,
         "confidence_entity": 0.9, "extractor": "DIETClassifier"},
    ]
    message = Message(data={TEXT: text, ENTITIES: ruler + diet})
    _annotator().process([message])
    got = [(e["entity"], e["value"], e["extractor"]) for e in message.get(ENTITIES)]
    assert got == [
        ("activity", "a short walk", "DIETClassifier"),
        ("frequency", "daily", "SpacyEntityExtractor"),
        ("time_of_day", "morning", "SpacyEntityExtractor"),
        ("duration", "10 minutes", "SpacyEntityExtractor"),
    ]
    assert message.get(ENTITIES)[1]["text"] == "every morning"


def test_tidy_keeps_entities_without_offsets() -> None:
    ents = [{"entity": "day", "value": "monday"}, {"entity": "day", "value": "Monday"},
            {"entity": "weird", "value": None}]
    assert [e["value"] for e in tidy_entities(ents)] == ["Monday", None]


def test_config_places_intent_ensemble_between_diet_and_fallback() -> None:
    import yaml

    doc = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in doc["pipeline"]]
    ens = names.index("bot.rasa_ext.nlu.IntentEnsemble")
    assert names.index("DIETClassifier") < ens < names.index("FallbackClassifier")
    weight = next(c for c in doc["pipeline"] if c["name"].endswith("IntentEnsemble"))
    assert 0.0 <= float(weight.get("diet_weight", 0.3)) <= 1.0
