"""Shared fixtures. The `servers` fixture starts real Rasa and action servers once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from bench.servers import MODEL, ROOT, Servers
from tests.helpers.browser import make_people, open_browser


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}; run `make test` (it trains first)")
    workdir = tmp_path_factory.mktemp("servers")
    pair = Servers(workdir)
    # Migrate once before two processes open the same database.
    subprocess.run([sys.executable, "-m", "bot", "upgrade-db"], cwd=ROOT, env=pair.env(),
                   check=True)
    pair.start("actions")
    pair.start("rasa")
    try:
        pair.wait_ready()
        yield pair
    finally:
        pair.stop()


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """A headless Chromium for the browser tests of one module."""
    with open_browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def people(servers: Servers) -> dict[str, dict[str, str]]:
    """Two trainees and an instructor, with passwords for the sign-in page."""
    return make_people(servers)
