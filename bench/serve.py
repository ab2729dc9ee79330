"""Serving figures: start-up time, first answer, turn latency, resident memory.

Run with `make bench` (or `.venv/bin/python -m bench.serve`). Starts a real pair
of servers on free ports with a throwaway database, holds rehearsals over the
REST channel, prints the figures and writes bench/serve-report.txt.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.servers import ROOT, Servers

TURNS = [
    "Hi Maya, good to see you.",
    "How did the walks go this week?",
    "What did you notice on the days you walked?",
    "That sounds like a hard week.",
    "What do you think might be worth trying this week?",
    "Maybe a ten-minute walk after breakfast on Monday and Thursday?",
    "What might get in the way?",
    "How does that sound to you?",
    "So to recap: a ten minute walk after breakfast on Monday and Thursday.",
    "I'll write it on a card for you.",
]


def post(url: str, sender: str, message: str, headers: dict[str, str]) -> float:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, data=body, headers=headers)
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as reply:
        reply.read()
    return (time.perf_counter() - t0) * 1000


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(Path(tmp))
        t0 = time.monotonic()
        servers.start("actions")
        servers.start("rasa")
        servers.wait_ready()
        ready_s = time.monotonic() - t0
        url = f"{servers.url}/webhooks/rest/webhook"
        headers = servers.headers()  # an API token for the bench's trainee account
        first_ms = post(url, "bench-0", '/start_rehearsal{"persona": "maya"}', headers)
        first_s = time.monotonic() - t0
        latencies: list[float] = []
        for i in range(5):
            sender = f"bench-{i}"
            if i:
                post(url, sender, '/start_rehearsal{"persona": "maya"}', headers)
            latencies += [post(url, sender, text, headers) for text in TURNS]
            post(url, sender, "/end_rehearsal", headers)
        rss = {name: rss_mb(proc.pid) for name, proc in servers.procs.items()}
        servers.stop()
    lat = sorted(latencies)
    lines = [
        "Serving benchmark (2 servers, SQLite, one user at a time)",
        f"servers ready after          {ready_s:6.1f} s",
        f"first answer after start     {first_s:6.1f} s  (opening line took {first_ms:.0f} ms)",
        f"turn latency median          {statistics.median(lat):6.1f} ms",
        f"turn latency p95             {lat[int(0.95 * (len(lat) - 1))]:6.1f} ms",
        f"turns measured               {len(lat):6d}",
    ] + [f"resident memory {name:<12} {mb:6.0f} MB" for name, mb in rss.items()]
    report = "\n".join(lines)
    print(report)
    (ROOT / "bench" / "serve-report.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
