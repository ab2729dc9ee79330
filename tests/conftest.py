"""Shared fixtures. The `servers` fixture starts real Rasa and action servers once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from bench.servers import MODEL, ROOT, Servers


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
