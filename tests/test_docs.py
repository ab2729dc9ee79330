"""The repository speaks for itself: its docs link only to files inside it, and no file
names a path outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Generated, installed or local-only folders are not the repository's text.
SKIP_DIRS = {".git", ".venv", "models", "build", "var", "__pycache__", ".ruff_cache",
             ".pytest_cache", "node_modules"}
TEXT_SUFFIXES = {".py", ".md", ".yml", ".yaml", ".sh", ".txt", ".toml", ".cfg", ".ini",
                 ".js", ".html", ".css", ".json", ".mako", ""}
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# Paths outside the repository: the folder this checkout sits in (where the project was
# built, its machine's own path), home folders, and the specs beside the repository.
# (A checkout directly under "/" has no such folder to look for.)
_PARENT = str(ROOT.parent).rstrip("/")
OUTSIDE_RE = re.compile(
    (r"(?<![\w.])" + re.escape(_PARENT + "/") + "|" if _PARENT else "")
    + r"(?<![\w.])/(?:root|home/\w+)/|\.\./shared/|(?<![\w/])shared/spec/")


def repository_files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS for part in rel.parts) or not path.is_file():
            continue
        if path.suffix in TEXT_SUFFIXES and path.stat().st_size < 2_000_000:
            out.append(path)
    return out


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_resolve_inside_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    broken = []
    for target in LINK_RE.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor on the same page
        path = (doc.parent / target.split("#")[0]).resolve()
        if not path.exists() or ROOT not in path.parents:
            broken.append(target)
    assert broken == []


def test_the_architecture_page_has_its_parts() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for heading in ("## The parts", "## What may import what",
                    "## One rehearsal turn, from HTTP to the stored turn",
                    "## One turn of the client"):
        assert heading in text


def test_no_file_names_a_path_outside_the_repository() -> None:
    files = repository_files()
    assert len(files) > 100  # the walk found the repository
    hits = []
    for path in files:
        if path == Path(__file__).resolve():
            continue  # this file spells the patterns it looks for
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                 .splitlines(), 1):
            if OUTSIDE_RE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert hits == []


def test_the_checks_catch_what_they_look_for() -> None:
    if _PARENT:
        assert OUTSIDE_RE.search(f"see {ROOT.parent / 'checkout' / '.venv'}")
    assert OUTSIDE_RE.search("installed under /root/.pyenv")
    assert OUTSIDE_RE.search("those of `../shared/spec/api.md`")
    assert OUTSIDE_RE.search("rubric of shared/spec/rubric.md")
    assert not OUTSIDE_RE.search("after my shift at work/home")
    assert LINK_RE.findall("[api](docs/api.md) and [x](https://example.org)") == [
        "docs/api.md", "https://example.org"]
