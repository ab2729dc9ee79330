"""bot.config: the paths point into this repository, and environment settings are read
when asked (so a running test can change them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import config

ROOT = Path(__file__).resolve().parent.parent


def test_paths_are_the_repositorys_own() -> None:
    assert config.PROJECT_ROOT == ROOT
    for folder in (config.PERSONA_DIR, config.DRILL_DIR, config.MIGRATIONS_DIR, config.WEB_DIR):
        assert folder.is_dir(), folder
        assert ROOT in folder.parents
    assert (config.PERSONA_DIR / "maya.yml").is_file()
    assert (config.MIGRATIONS_DIR / "env.py").is_file()
    assert (config.WEB_DIR / "index.html").is_file()
    assert config.MODEL_PATH.parent == ROOT / "models"


def test_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.DB_URL_ENV, raising=False)
    assert config.database_url() == f"sqlite:///{ROOT / 'var' / 'rehearsals.db'}"
    monkeypatch.setenv(config.DB_URL_ENV, "postgresql://someone@localhost/rehearsals")
    assert config.database_url() == "postgresql://someone@localhost/rehearsals"


def test_sign_in_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(config.SECRET_FILE_ENV, raising=False)
    monkeypatch.delenv(config.ALLOWED_ORIGINS_ENV, raising=False)
    monkeypatch.delenv(config.SECURE_COOKIE_ENV, raising=False)
    assert config.secret_file() == ROOT / "var" / "session-secret"
    assert config.allowed_origins() == set()  # closed by default: the page's own origin only
    assert config.secure_cookies() is False
    monkeypatch.setenv(config.SECRET_FILE_ENV, str(tmp_path / "key"))
    monkeypatch.setenv(config.ALLOWED_ORIGINS_ENV, "https://a.example/, https://b.example")
    monkeypatch.setenv(config.SECURE_COOKIE_ENV, "1")
    assert config.secret_file() == tmp_path / "key"
    assert config.allowed_origins() == {"https://a.example", "https://b.example"}
    assert config.secure_cookies() is True


def test_speedups_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.SPEEDUPS_ENV, raising=False)
    assert config.speedups_enabled()
    monkeypatch.setenv(config.SPEEDUPS_ENV, "OFF")
    assert not config.speedups_enabled()


def test_load_benchmark_runs_the_product_with_make_runs_workers() -> None:
    """bench/load.py measures the product as `make run` starts it."""
    import re

    from bench.load import PRODUCT_WORKERS
    from bot.config import PROJECT_ROOT

    script = (PROJECT_ROOT / "scripts" / "run.sh").read_text()
    default = re.search(r"RASA_WORKERS=\$\{RASA_WORKERS:-(\d+)\}", script)
    assert default is not None, "scripts/run.sh no longer sets RASA_WORKERS' default"
    assert int(default.group(1)) == PRODUCT_WORKERS
