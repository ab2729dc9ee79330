"""`make run`'s script on an empty database: it prints the first instructor's password
once, both servers listen on loopback only, and that password signs in."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.servers import MODEL, ROOT, free_port

pytestmark = pytest.mark.integration


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, state = fields[1], fields[3]
            host, _, port_hex = address.partition(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(host)
    return found


LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it


def test_run_script_binds_loopback_and_prints_the_first_password_once(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}; run `make test` (it trains first)")
    rasa_port, action_port = free_port(), free_port()
    env = dict(os.environ)
    for name in ("HOST", "ALLOWED_ORIGINS", "ACTION_HOST"):
        env.pop(name, None)  # the defaults are what is under test
    env.update(RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
               REHEARSAL_DB_URL=f"sqlite:///{tmp_path / 'rehearsals.db'}",
               REHEARSAL_SECRET_FILE=str(tmp_path / "session-secret"),
               LOG_DIR=str(tmp_path / "log"))
    out_path = tmp_path / "run.out"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 600  # includes set-up, which trains if inputs changed
        while "==> ready" not in out_path.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, out_path.read_text()[-3000:]
            time.sleep(1)
        text = out_path.read_text()
        assert "==> ready" in text, text[-3000:]

        for port in (rasa_port, action_port):
            assert listening_addresses(port) == {LOOPBACK_V4}, (port, listening_addresses(port))

        passwords = re.findall(r"with the password\s+(\S+)", text)
        assert len(passwords) == 1, text
        origin = f"http://127.0.0.1:{rasa_port}"
        request = urllib.request.Request(
            f"{origin}/api/signin", method="POST",
            data=json.dumps({"name": "instructor", "password": passwords[0]}).encode(),
            headers={"Content-Type": "application/json", "Origin": origin})
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert json.load(reply)["role"] == "instructor"
        # The cookie-signing key was generated on first use, readable by its owner only.
        assert stat_mode(tmp_path / "session-secret") == 0o600
    finally:
        stop(proc)

    # A second start on the same database prints no password again.
    again = subprocess.run([sys.executable, "-m", "bot", "users", "init"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert again.returncode == 0 and "password" not in again.stdout


def stop(proc: subprocess.Popen[bytes]) -> None:
    """TERM to the script's own process group: run.sh then stops both servers."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
