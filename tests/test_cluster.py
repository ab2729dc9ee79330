"""The multi-instance mode under faults: scripts/cluster.sh with real PostgreSQL, Redis
and nginx, two Rasa servers and two action servers.

Concurrent scripted rehearsals send their turns to the two Rasa replicas in turn
(addressed directly); part-way through, one Rasa replica and one action server are
killed. A turn refused by the dead replica goes through nginx instead. Checked: every
turn that got a reply is stored exactly once and in order with that reply; the
client's state carries on across replicas (the stored state counts every stored
turn); and every rehearsal goes on after the kill and ends with a scorecard.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.servers import ROOT, account_token

pytestmark = pytest.mark.integration

TRAINEES = 6
FAILURE_TEXT = "something went wrong"  # actions/actions.py's message for a failed turn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict[str, Any]]:
    # PostgreSQL runs as the postgres user when we are root: a world-traversable dir.
    base = Path(tempfile.mkdtemp(prefix="rehearsal-cluster-", dir="/tmp"))
    base.chmod(0o755)
    env = dict(os.environ, CLUSTER_DIR=str(base / "var"), CLUSTER_PORT=str(_free_port()),
               CLUSTER_SKIP_SETUP="1")
    log = open(base / "cluster.log", "wb")  # noqa: SIM115 - kept open by the child
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "cluster.sh")], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ready = base / "var" / "ready"
    try:
        deadline = time.monotonic() + 660
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the cluster did not start:\n"
                            + (base / "cluster.log").read_text(errors="replace")[-3000:])
            time.sleep(1)
        info = json.loads(ready.read_text())
        info["token"] = account_token(info["db_url"], "cluster-trainee")
        yield info
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()
        shutil.rmtree(base, ignore_errors=True)


class Refused(Exception):
    """The replica refused the connection: the turn never reached it."""


def post(url: str, token: str, sender: str, message: str, timeout: float = 90
         ) -> list[str] | None:
    """The reply texts, or None when the turn got no (usable) reply."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            texts = [m.get("text", "") for m in json.load(reply)]
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ConnectionRefusedError):
            raise Refused(url) from exc
        return None
    except (OSError, ValueError):
        return None  # e.g. the connection reset by a replica killed mid-turn
    if not texts or any(FAILURE_TEXT in t for t in texts):
        return None
    return texts


def scripts() -> list[tuple[str, list[str]]]:
    out = []
    for path in sorted((ROOT / "tests" / "rehearsals").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        for item in data["scripts"]:
            if len(item["turns"]) >= 15:
                out.append((data["persona"], [t["text"] for t in item["turns"]]))
    return out


@dataclass
class Rehearsal:
    sender: str
    sent: list[tuple[str, str | None]] = field(default_factory=list)  # (text, reply or None)
    answered_after_kill: int = 0
    started: bool = False
    ended: bool = False
    via_nginx: int = 0


def run_rehearsal(cluster: dict[str, Any], index: int, persona: str, turns: list[str],
                  killed: threading.Event, out: Rehearsal) -> None:
    replicas, token = cluster["rasa"], cluster["token"]

    def say(k: int, message: str) -> list[str] | None:
        try:
            return post(replicas[k % len(replicas)], token, out.sender, message)
        except Refused:
            # That replica is gone and never saw this turn: the balancer finds a live one.
            # A turn cut off mid-way is not sent again (it may have been stored already;
            # sending it again would store it twice).
            out.via_nginx += 1
            try:
                return post(cluster["url"], token, out.sender, message)
            except Refused:
                return None

    start = "/start_rehearsal" + json.dumps({"persona": persona, "trainee": f"t{index}"})
    out.started = say(index, start) is not None
    if not out.started:
        return
    for k, text in enumerate(turns, start=index + 1):
        texts = say(k, text)
        out.sent.append((text, texts[0] if texts else None))
        if texts is not None:
            out.answered_after_kill += killed.is_set()
    out.ended = say(len(turns) + index + 1, "/end_rehearsal") is not None


def test_rehearsals_survive_a_dead_rasa_replica_and_a_dead_action_server(
        cluster: dict[str, Any]) -> None:
    from bot.store import Store

    chosen = scripts()[:TRAINEES]
    run_id = f"cl{int(time.time())}"
    results = [Rehearsal(f"{run_id}-{i}") for i in range(len(chosen))]
    killed = threading.Event()
    threads = [threading.Thread(target=run_rehearsal,
                                args=(cluster, i, persona, turns, killed, results[i]))
               for i, (persona, turns) in enumerate(chosen)]
    for t in threads:
        t.start()
    total = sum(len(turns) for _, turns in chosen)
    deadline = time.monotonic() + 120
    while sum(len(r.sent) for r in results) < total // 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    victims = {name: cluster["pids"][name] for name in ("rasa-2", "actions-1")}
    for pid in victims.values():
        os.kill(pid, signal.SIGKILL)
    killed.set()
    for t in threads:
        t.join(timeout=240)
    assert not any(t.is_alive() for t in threads), "a rehearsal hung"

    store = Store(cluster["db_url"])
    answered = [t for r in results for t in r.sent if t[1] is not None]
    counts = {"rehearsals": len(results), "turns sent": total, "answered": len(answered),
              "unanswered": total - len(answered),
              "answered after the kill": sum(r.answered_after_kill for r in results),
              "sent again through nginx": sum(r.via_nginx for r in results)}
    try:
        stored_without_reply = 0
        for r in results:
            assert r.started, f"{r.sender} did not start"
            session = store.get_session(r.sender)
            assert session is not None, r.sender
            stored = session["turns"]
            assert [t["n"] for t in stored] == list(range(1, len(stored) + 1))
            stored_without_reply += _check_stored_once_in_order(r, stored)
            # The client's state carried on across replicas: it counted every stored turn.
            assert [t["client_state"]["turn"] for t in stored] == list(range(1, len(stored) + 1))
            assert r.answered_after_kill > 0, f"{r.sender} did not go on after the kill"
            assert r.ended and session["ended_at"] is not None and session["score"]
        counts["stored without a reply"] = stored_without_reply
    finally:
        store.dispose()
        print("cluster fault test:", json.dumps(counts))
    # Only turns in flight at the two kills go unanswered, and a conversation whose lock the
    # killed replica held waits for Redis to expire it: at most three per trainee.
    assert counts["unanswered"] <= 3 * TRAINEES


def _check_stored_once_in_order(r: Rehearsal, stored: list[dict[str, Any]]) -> int:
    """Stored turns are the sent turns, in order, each at most once; every answered turn
    is stored with the reply that was sent. Returns how many stored turns got no reply
    (cut off by the kill after they were stored). Scripts may repeat a line, so turns
    are matched in sequence rather than by text."""
    i, without_reply = 0, 0
    for turn in stored:
        while i < len(r.sent) and r.sent[i][0] != turn["trainee"]:
            assert r.sent[i][1] is None, f"{r.sender}: answered {r.sent[i][0]!r} not stored"
            i += 1
        assert i < len(r.sent), f"{r.sender}: {turn['trainee']!r} stored but not sent (twice?)"
        reply = r.sent[i][1]
        if reply is None:
            without_reply += 1
        else:
            assert turn["client"] == reply, f"{r.sender}: turn {turn['n']} stored another reply"
        i += 1
    missing = [text for text, reply in r.sent[i:] if reply is not None]
    assert not missing, f"{r.sender}: answered but not stored: {missing}"
    return without_reply
