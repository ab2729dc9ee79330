"""Start a real pair of servers (actions + Rasa) on free ports, for tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "hw.tar.gz"
VENV_BIN = Path(sys.executable).parent
TRACKER_STORE = "bot.rasa_ext.tracker_store.RehearsalTrackerStore"  # as endpoints.yml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except OSError:
        return False


@dataclass
class Servers:
    """A running pair of servers with their own ports and databases."""

    workdir: Path
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    tracker_store: str = TRACKER_STORE  # "SQL": Rasa's own (bench/load.py's "before")
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.workdir / 'rehearsals.db'}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            REHEARSAL_DB_URL=self.db_url,
            PYTHONPATH=str(ROOT),
            TF_CPP_MIN_LOG_LEVEL="3",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            RASA_TELEMETRY_ENABLED="false",
            SANIC_HOST="127.0.0.1",  # rasa_sdk's bind address (it has no flag for it)
        )
        env.update(self.extra_env)
        return env

    def endpoints(self) -> Path:
        path = self.workdir / "endpoints.yml"
        path.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.action_port}/webhook"\n'
            f"tracker_store:\n  type: {self.tracker_store}\n  dialect: sqlite\n"
            f"  db: {self.workdir / 'rasa.db'}\n"
        )
        return path

    def start(self, which: str) -> None:
        log = open(self.workdir / f"{which}.log", "ab")  # noqa: SIM115 - kept open by the child
        if which == "actions":
            cmd = [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.action_port),
                   "--actions", "actions"]
        else:
            cmd = [str(VENV_BIN / "rasa"), "run", "--interface", "127.0.0.1",
                   "--port", str(self.rasa_port),
                   "--model", str(MODEL), "--credentials", str(ROOT / "credentials.yml"),
                   "--endpoints", str(self.endpoints())]
        self.procs[which] = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        checks = {
            "actions": f"http://127.0.0.1:{self.action_port}/health",
            "rasa": f"{self.url}/",
        }
        pending = {k: v for k, v in checks.items() if k in self.procs}
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if self.procs[name].poll() is not None:
                    raise RuntimeError(f"{name} server exited: {self.log_tail(name)}")
                if _ready(url):
                    pending.pop(name)
            time.sleep(0.5)
        if pending:
            raise RuntimeError(f"servers not ready: {sorted(pending)}")

    def kill(self, which: str) -> None:
        proc = self.procs.pop(which)
        proc.kill()
        proc.wait(timeout=30)

    def stop(self) -> None:
        for which in list(self.procs):
            proc = self.procs.pop(which)
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def log_tail(self, which: str) -> str:
        path = self.workdir / f"{which}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""
