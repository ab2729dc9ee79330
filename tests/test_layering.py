"""What may import what (docs/architecture.md draws the same rules).

The imports of every module under bot/ are read with `ast` (including imports inside
functions, and relative imports), so a lazy import cannot slip past the rules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"

# The frameworks and the storage layer: the domain (engine, scorer) never needs them.
FRAMEWORKS = ("rasa", "rasa_sdk", "sanic", "sqlalchemy", "alembic")
STORAGE_AND_SERVING = ("bot.store", "bot.service", "bot.rasa_ext", "bot.accounts",
                       "bot.training", "bot.migrations", "bot.cli")
# Serving: what only the adapters and the command line sit on top of.
SERVING = ("rasa", "rasa_sdk", "sanic", "bot.service", "bot.rasa_ext", "bot.cli")


@dataclass(frozen=True)
class Rule:
    """Modules named `owner` (a package or module, with its submodules) may not import
    anything named in `forbidden` (each with its submodules)."""

    owner: str
    forbidden: tuple[str, ...]
    why: str


RULES: tuple[Rule, ...] = (
    Rule("bot.client", FRAMEWORKS + STORAGE_AND_SERVING + ("bot.drills", "bot.debrief"),
         "the client simulator is pure and replayable: no Rasa, no database, no serving"),
    Rule("bot.scoring", FRAMEWORKS + STORAGE_AND_SERVING + ("bot.drills", "bot.debrief"),
         "the scorer is pure: it reads a transcript, it does not fetch or store one"),
    Rule("bot.drills", FRAMEWORKS + STORAGE_AND_SERVING,
         "drills are pure practice on the client simulator: no Rasa, no database"),
    Rule("bot.debrief", FRAMEWORKS + STORAGE_AND_SERVING + ("bot.drills",),
         "a debrief is built from a stored session handed to it: no Rasa, no database"),
    Rule("bot.store", ("bot.scoring", "bot.client", "bot.drills", "bot.debrief",
                       "bot.accounts", "bot.training") + SERVING,
         "the store keeps scores and states, it does not compute them; the packages that "
         "store more (accounts, training) build on it, not the other way round"),
    Rule("bot.accounts", SERVING + ("bot.scoring", "bot.client", "bot.training"),
         "accounts are storage: no Rasa, no rehearsal logic"),
    Rule("bot.training", SERVING + ("bot.accounts",),
         "the training loop's storage serves the routes, it does not call them"),
    Rule("bot.language", ("bot.client", "bot.scoring", "bot.store", "bot.service",
                          "bot.rasa_ext", "bot.drills", "bot.debrief", "bot.training",
                          "sqlalchemy", "alembic"),
         "the language layer reads text; the engine and the scorer build on it, not back"),
    Rule("bot.persona", ("bot.client", "bot.scoring", "bot.store", "bot.service",
                         "bot.rasa_ext", "bot.drills", "bot.debrief", "bot.training")
         + FRAMEWORKS,
         "the persona format is data and its checks; everything else reads it"),
    Rule("bot.moves", ("bot.",) + FRAMEWORKS,
         "the vocabulary is the bottom layer: it imports nothing of the project"),
    Rule("bot.config", ("bot.",) + FRAMEWORKS,
         "settings are the bottom layer: they import nothing of the project"),
    Rule("bot", ("actions",),
         "actions/ are thin Rasa SDK adapters over bot/, never the other way round"),
)


def _within(name: str, prefix: str) -> bool:
    if prefix.endswith("."):  # "bot." means any module of the project's package
        return name.startswith(prefix)
    return name == prefix or name.startswith(prefix + ".")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(module: str, source: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`, relative ones resolved.

    `from a import b` yields both `a` and `a.b` (b may be a submodule)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    out = []
    for line, name in imported_modules(module, source, is_package):
        for rule in RULES:
            if not _within(module, rule.owner):
                continue
            for bad in rule.forbidden:
                if _within(name, bad) and not _within(name, rule.owner):
                    out.append(f"{module} (line {line}) imports {name}: {rule.why}")
    return sorted(set(out))


def bot_modules() -> list[Path]:
    return sorted(p for p in BOT.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_keeps_to_the_layers() -> None:
    problems = []
    paths = bot_modules()
    assert len(paths) > 30 and BOT / "store.py" in paths  # the walk found the package
    for path in paths:
        problems += violations(module_name(path), path.read_text(encoding="utf-8"),
                               path.name == "__init__.py")
    assert problems == []


def test_the_rules_cover_the_parts() -> None:
    # A new top-level part of bot/ should get its rule here (and its box in the drawing).
    parts = {module_name(p).split(".")[1] for p in bot_modules() if module_name(p) != "bot"}
    ruled = {r.owner.split(".")[1] for r in RULES if r.owner != "bot"}
    # The top of the drawing: they may use everything below them.
    unruled = {"service", "cli", "__main__", "rasa_ext", "migrations"}
    assert parts - ruled - unruled == set()


@pytest.mark.parametrize(
    ("module", "source", "culprit"),
    [
        ("bot.client.fake", "import sqlalchemy\n", "sqlalchemy"),
        ("bot.client.fake", "from rasa.shared.nlu import constants\n", "rasa.shared.nlu"),
        ("bot.scoring.fake", "def f():\n    from bot.store import Store\n", "bot.store"),
        ("bot.scoring.fake", "from ..service import RehearsalService\n", "bot.service"),
        ("bot.client.fake", "from bot import store\n", "bot.store"),
        ("bot.store", "from bot.scoring.rubric import DIMENSION_NAMES\n", "bot.scoring"),
        ("bot.store", "from .client import engine\n", "bot.client"),
        ("bot.language.fake", "from bot.client.tuning import TUNING\n", "bot.client"),
        ("bot.persona.fake", "import bot.scoring.rubric\n", "bot.scoring"),
        ("bot.service", "from actions.actions import service\n", "actions"),
    ],
)
def test_the_checker_catches_a_bad_import(module: str, source: str, culprit: str) -> None:
    found = violations(module, source)
    assert found and any(f"imports {culprit}" in v for v in found), found


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("bot.client.fake", "from bot.persona.model import Persona\nimport re\n"),
        ("bot.scoring.fake", "from bot.client.state import ClientState\n"),
        ("bot.store", "from bot.config import database_url\nimport sqlalchemy\n"),
        ("bot.service", "from bot.store import Store\nfrom bot.scoring import scorecard\n"),
        ("bot.client.fake", "from . import tuning\n"),
    ],
)
def test_the_checker_allows_the_permitted_direction(module: str, source: str) -> None:
    assert violations(module, source) == []


def test_no_test_file_imports_another() -> None:
    # Shared test code lives in tests/helpers/; a test module imported by another would
    # also run its tests (and fixtures) twice, and hides what is shared.
    found = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for line, name in imported_modules(module_name(path), path.read_text(encoding="utf-8")):
            if name.startswith("tests.test_"):
                found.append(f"{path.name}:{line} imports {name}")
    assert found == []
    assert imported_modules("tests.test_x", "from tests.test_y import helper\n")[0][1] == (
        "tests.test_y")
