"""Start a real pair of servers (actions + Rasa) on free ports, for tests and benchmarks.

The REST channel and /api need an account: `servers.token(name, role)` creates the
account (first time) and an API token for it, and `servers.say(...)` /
`servers.get(...)` send requests with that token. Tests and benchmarks drive
rehearsals only through these helpers.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import MODEL_PATH, PROJECT_ROOT

# Names the tests and benchmarks import from here.
ROOT = PROJECT_ROOT
MODEL = MODEL_PATH
VENV_BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
TRACKER_STORE = "bot.rasa_ext.tracker_store.RehearsalTrackerStore"  # as endpoints.yml

# The accounts the helpers use unless told otherwise.
TRAINEE = "t01"
INSTRUCTOR = "bench-instructor"


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a Rasa server's Sanic workers), from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return sorted(out)


def server_pids(servers: Servers) -> dict[str, int]:
    """Server name -> pid for memory and CPU figures; a Rasa server started with several
    workers is counted as its workers (`rasa-w1`, `rasa-w2`; the parent only waits)."""
    out: dict[str, int] = {}
    for which, proc in servers.procs.items():
        workers = child_pids(proc.pid) if which == "rasa" and servers.rasa_workers > 1 else []
        if workers:
            out.update({f"rasa-w{i}": pid for i, pid in enumerate(workers, start=1)})
        else:
            out[which] = proc.pid
    return out


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


def account_token(db_url: str, name: str = TRAINEE, role: str = "trainee") -> str:
    """A new API token for `name` in the database at `db_url`, creating the account
    (with `role`) the first time. Also for servers started elsewhere (the cluster)."""
    from bot.accounts import AccountError, Accounts
    from bot.store import Store

    store = Store(db_url)
    try:
        store.upgrade()
        accounts = Accounts(store)
        if accounts.get(name) is None:
            try:
                accounts.add(name, role)
            except AccountError:
                pass  # created meanwhile by another process
        return accounts.new_token(name)
    finally:
        store.dispose()


@dataclass
class Servers:
    """A running pair of servers with their own ports and databases."""

    workdir: Path
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    # Rasa's HTTP API (/model/parse) is on, behind a fresh random token (loopback only).
    api_token: str = field(default_factory=lambda: secrets.token_hex(16))  # never starts with "-"
    tracker_store: str = TRACKER_STORE  # "SQL": Rasa's own (bench/load.py's "before")
    extra_env: dict[str, str] = field(default_factory=dict)
    # Rasa worker processes (scripts/run.sh's RASA_WORKERS). Tests use one (each worker
    # loads the model); the load benchmark and the workers' own test use two.
    rasa_workers: int = 1

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
            REHEARSAL_SECRET_FILE=str(self.workdir / "session-secret"),
            # rasa_sdk reads its bind address from here (default: every interface).
            SANIC_HOST=LOOPBACK,
        )
        env.update(self.extra_env)
        return env

    # -- accounts and requests ------------------------------------------------------------

    def token(self, name: str = TRAINEE, role: str = "trainee") -> str:
        """An API token for `name`, creating the account (with `role`) the first time."""
        if name not in self.tokens:
            self.tokens[name] = account_token(self.db_url, name, role)
        return self.tokens[name]

    def password(self, name: str, role: str = "trainee") -> str:
        """A fresh password for `name` (for signing in through the pages), creating the
        account the first time."""
        from bot.accounts import Accounts
        from bot.store import Store

        store = Store(self.db_url)
        try:
            store.upgrade()
            accounts = Accounts(store)
            if accounts.get(name) is None:
                return accounts.add(name, role)
            return accounts.reset_password(name)
        finally:
            store.dispose()

    def headers(self, name: str = TRAINEE, role: str | None = None) -> dict[str, str]:
        """JSON headers with `Authorization: Bearer` for the account `name`."""
        role = role or ("instructor" if name == INSTRUCTOR else "trainee")
        return {"Content-Type": "application/json", "Accept": "application/json",
                "Authorization": f"Bearer {self.token(name, role)}"}

    def post(self, path: str, body: Any, *, account: str | None = TRAINEE,
             timeout: float = 60) -> tuple[int, Any]:
        """POST JSON (with the account's token; account=None sends none): (status, body)."""
        headers = self.headers(account) if account else {"Content-Type": "application/json"}
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, headers=headers)
        return _send(request, timeout)

    def get(self, path: str, *, account: str | None = INSTRUCTOR,
            timeout: float = 30) -> tuple[int, Any]:
        """GET as `account` (an instructor by default: it may read every session)."""
        headers = self.headers(account) if account else {}
        return _send(urllib.request.Request(f"{self.url}{path}", headers=headers), timeout)

    def say(self, sender: str, message: str, *, account: str = TRAINEE,
            metadata: dict[str, Any] | None = None) -> list[str]:
        """One message over the REST channel as `account`; the reply texts."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        status, replies = self.post("/webhooks/rest/webhook", body, account=account)
        if status != 200:
            raise RuntimeError(f"REST channel answered {status}: {replies}")
        return [m.get("text", "") for m in replies]

    def endpoints(self) -> Path:
        path = self.workdir / "endpoints.yml"
        path.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.action_port}/webhook"\n'
            f"tracker_store:\n  type: {self.tracker_store}\n  dialect: sqlite\n"
            f"  db: {self.workdir / 'rasa.db'}\n"
            "lock_store:\n  type: bot.rasa_ext.lock_store.SQLiteLockStore\n"
            f"  db: {self.workdir / 'locks.db'}\n"
        )
        return path

    def start(self, which: str) -> None:
        log = open(self.workdir / f"{which}.log", "ab")  # noqa: SIM115 - kept open by the child
        if which == "actions":
            cmd = [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.action_port),
                   "--actions", "actions"]
        else:
            cmd = [str(VENV_BIN / "rasa"), "run", "--port", str(self.rasa_port),
                   "--interface", LOOPBACK,
                   "--model", str(MODEL), "--credentials", str(ROOT / "credentials.yml"),
                   "--endpoints", str(self.endpoints()),
                   "--enable-api", "--auth-token", self.api_token]
        env = self.env()
        if which == "rasa":
            env["SANIC_WORKERS"] = str(self.rasa_workers)
        self.procs[which] = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
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


def _send(request: urllib.request.Request, timeout: float) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            raw = reply.read()
            status = reply.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")
