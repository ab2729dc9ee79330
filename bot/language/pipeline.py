"""The project's spaCy pipeline for Rasa's SpacyNLP: blank English + entity ruler + cues.

Nothing can be downloaded, so the pipeline is built in code from `spacy.blank("en")`:
an `entity_ruler` with the closed-class plan patterns of bot/entities.py and the
`cue_detector` of bot/cues.py.

`python -m bot.language.pipeline build` writes it to `build/spacy/hw_en-<hash>` (hash of the
patterns, the cue/entity/pipeline source and the spaCy version; Rasa fingerprints SpacyNLP by
the model *path*, so a changed pipeline gets a new path), points the stable symlink
`build/spacy/hw_en` at it and records the hashed path in `build/spacy/CURRENT`.
Building is idempotent: an existing directory with the same hash is left alone.

Loading needs the `cue_detector` factory registered before `spacy.load`; importing
`bot.language.cues` does that, and Rasa imports `bot.rasa_ext.nlu` (which imports
bot.language.cues) while it resolves the config, before SpacyNLP loads the model.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import spacy
from spacy.language import Language

from bot.language import cues as _cues  # noqa: F401  (registers the cue_detector factory)
from bot.language.entities import patterns

PIPELINE_VERSION = "1"
DEFAULT_DIR = Path("build/spacy")
BASE_NAME = "hw_en"
_SOURCES = ("cues.py", "entities.py", "pipeline.py")


def build_pipeline() -> Language:
    """Blank English with the plan entity ruler and the cue detector."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe(
        "entity_ruler",
        config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER", "validate": True},
    )
    ruler.add_patterns(patterns())  # type: ignore[attr-defined]
    nlp.add_pipe("cue_detector")
    nlp.meta["name"] = BASE_NAME
    nlp.meta["version"] = f"{PIPELINE_VERSION}.0.0"
    nlp.meta["description"] = "Homework rehearsal: plan entity ruler + linguistic cues"
    return nlp


def content_hash() -> str:
    """Short hash of everything that shapes the saved pipeline's behaviour."""
    h = hashlib.sha256()
    h.update(PIPELINE_VERSION.encode())
    h.update(spacy.__version__.encode())
    h.update(json.dumps(patterns(), sort_keys=True).encode())
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:10]


def pipeline_dir(base: Path | str = DEFAULT_DIR) -> Path:
    return Path(base) / f"{BASE_NAME}-{content_hash()}"


def save_pipeline(path: Path | str) -> Path:
    """Write the pipeline to `path` with `to_disk`; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_pipeline().to_disk(path)
    return path


def build(base: Path | str = DEFAULT_DIR) -> tuple[Path, bool]:
    """Write the hashed pipeline under `base` unless present; (path, written)."""
    base = Path(base)
    target = pipeline_dir(base)
    written = False
    if not (target / "config.cfg").exists():
        tmp = target.with_name(target.name + f".tmp{os.getpid()}")
        save_pipeline(tmp)
        os.replace(tmp, target)
        written = True
    link = base / BASE_NAME
    if link.is_symlink() or link.exists():
        if not link.is_symlink() or os.readlink(link) != target.name:
            if link.is_dir() and not link.is_symlink():
                raise RuntimeError(f"{link} is a real directory; remove it")
            link.unlink()
    if not link.is_symlink():
        link.symlink_to(target.name)  # relative, so the tree can move
    (base / "CURRENT").write_text(str(target) + "\n", encoding="utf-8")
    return target, written


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in {"build", "path"}:
        print("usage: python -m bot.language.pipeline build [DIR] | path [DIR]", file=sys.stderr)
        return 2
    base = Path(args[1]) if len(args) > 1 else DEFAULT_DIR
    if args[0] == "path":
        print(pipeline_dir(base))
        return 0
    target, _ = build(base)
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
