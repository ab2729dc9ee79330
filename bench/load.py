"""Load benchmark: the product against plain Rasa with the same NLU, in one run.

`make load` (full, writes bench/load-report.txt) or `make load QUICK=1` (a short
run for CI-sized checks; prints only). Everything runs on 127.0.0.1, every loop
is bounded in turns and seconds.

Two measurements per target, each over HTTP through the REST channel:

- capacity: a closed loop of CONCURRENT trainees, each sending the turns of a
  scripted rehearsal (tests/rehearsals/*.yml) back to back, for a fixed time;
  sustained turns per second and latency percentiles.
- realistic load: N trainees (10, 50, 200), each one scripted rehearsal of
  15-20 turns with an exponential think time (mean 2 s, seeded) before every
  turn; latency percentiles, errors, the peak resident memory and the CPU time
  per turn of each server process.

Targets:
- baseline: the same NLU pipeline and training data served by plain Rasa,
  RulePolicy and one `utter_` response, no custom action, in-memory tracker
  store. Built in build/baseline/ from config.yml (policies replaced) and a
  generated domain and rules, trained once and cached by the hash of the
  product model's inputs (models/.inputs-sha) and of this generator.
- product: actions + Rasa, embedded SQLite (bench/servers.py).
- cluster (--cluster): scripts/cluster.sh, the turns going through nginx.

Requests: start message, the script's turns, end message; all are counted (the
start creates the session and the end scores it, both part of a rehearsal).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from bench.servers import ROOT, VENV_BIN, Servers, account_token, free_port, server_pids

REPORT = ROOT / "bench" / "load-report.txt"
BASELINE_DIR = ROOT / "build" / "baseline"
# Bump when the generated baseline project changes, so the cached model is rebuilt.
BASELINE_VERSION = "1"
THINK_MEAN_S = 2.0
# Rasa worker processes of the product, as `make run` starts it (scripts/run.sh's
# RASA_WORKERS default; tests/test_run_script.py holds the two equal).
PRODUCT_WORKERS = 2
REQUEST_TIMEOUT_S = 60.0
FAILURE_TEXT = "something went wrong"  # actions/actions.py's message for a failed turn


@dataclass(frozen=True)
class Mode:
    """How long and how wide one run is."""

    capacity_trainees: int
    capacity_seconds: float
    warmup_seconds: float
    levels: tuple[int, ...]
    level_cap_seconds: float  # a realistic level stops sending after this long


FULL = Mode(capacity_trainees=10, capacity_seconds=20, warmup_seconds=5,
            levels=(10, 50, 200), level_cap_seconds=75)
QUICK = Mode(capacity_trainees=4, capacity_seconds=8, warmup_seconds=2,
             levels=(5,), level_cap_seconds=60)


# -- scripts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Script:
    persona: str
    name: str
    turns: tuple[str, ...]


def load_scripts(min_turns: int = 15, max_turns: int = 20) -> list[Script]:
    """The scripted rehearsals of 15-20 turns, in a stable order."""
    scripts = []
    for path in sorted((ROOT / "tests" / "rehearsals").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        for item in data["scripts"]:
            turns = tuple(str(t["text"]) for t in item["turns"])[:max_turns]
            if len(turns) >= min_turns:
                scripts.append(Script(data["persona"], item["name"], turns))
    return scripts


def start_message(persona: str, trainee: str) -> str:
    return "/start_rehearsal" + json.dumps({"persona": persona, "trainee": trainee})


# -- measuring ----------------------------------------------------------------------


@dataclass
class Tally:
    """Latencies (ms) of answered requests, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    not_sent: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass(frozen=True)
class Target:
    """Where turns go and which processes serve them."""

    name: str
    urls: tuple[str, ...]  # REST webhook URLs; a trainee's turns go round them in turn
    pids: dict[str, int]  # server name -> pid (for memory and CPU)
    headers: dict[str, str] = field(default_factory=dict)


class Sampler:
    """Peak resident memory and CPU seconds of the server processes during a phase."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak_mb = dict.fromkeys(pids, 0.0)
        self.cpu_start = {name: cpu_seconds(pid) for name, pid in pids.items()}
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self.peak_mb[name] = max(self.peak_mb[name], rss_mb(pid))
            await asyncio.sleep(0.25)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> dict[str, float]:
        if self._task:
            self._task.cancel()
        return {n: cpu_seconds(p) - self.cpu_start[n] for n, p in self.pids.items()}


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its reaped children), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


async def send(session: aiohttp.ClientSession, target: Target, url: str, sender: str,
               message: str, tally: Tally | None) -> bool:
    """One turn; records its latency or its failure. False when the turn failed."""
    t0 = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message},
                                headers=target.headers) as reply:
            body = await reply.text()
            status = reply.status
    except asyncio.TimeoutError:
        if tally:
            tally.error("timeout")
        return False
    except aiohttp.ClientError as exc:
        if tally:
            tally.error(type(exc).__name__)
        return False
    ms = (time.perf_counter() - t0) * 1000
    if status != 200:
        kind = f"http {status}"
    else:
        try:
            texts = [m.get("text", "") for m in json.loads(body)]
        except (ValueError, AttributeError):
            texts = []
        kind = ("no reply" if not texts
                else "failed turn" if any(FAILURE_TEXT in t for t in texts) else "")
    if tally is not None:
        if kind:
            tally.error(kind)
        else:
            tally.latencies.append(ms)
    return not kind


def client_session() -> aiohttp.ClientSession:
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    return aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0))


def rehearsal(script: Script, trainee: str) -> list[str]:
    return [start_message(script.persona, trainee), *script.turns, "/end_rehearsal"]


@dataclass
class Capacity:
    turns_per_s: float
    tally: Tally
    cpu_ms_per_turn: dict[str, float]


async def capacity(target: Target, mode: Mode, scripts: list[Script], run_id: str) -> Capacity:
    """Closed loop: each trainee sends turns back to back, rehearsal after rehearsal."""
    tally = Tally()
    measuring = {"on": False}
    stop_at = time.monotonic() + mode.warmup_seconds + mode.capacity_seconds

    async def trainee(i: int, session: aiohttp.ClientSession) -> None:
        n = 0
        while time.monotonic() < stop_at:
            script = scripts[(i + n * mode.capacity_trainees) % len(scripts)]
            sender = f"{run_id}-cap-{i}-{n}"
            for k, message in enumerate(rehearsal(script, f"t{i:03d}")):
                if time.monotonic() >= stop_at:
                    return
                url = target.urls[k % len(target.urls)]
                await send(session, target, url, sender, message,
                           tally if measuring["on"] else None)
            n += 1

    async with client_session() as session:
        tasks = [asyncio.ensure_future(trainee(i, session))
                 for i in range(mode.capacity_trainees)]
        await asyncio.sleep(mode.warmup_seconds)
        measuring["on"] = True
        sampler = Sampler(target.pids)
        t0 = time.monotonic()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - t0
        cpu = sampler.stop()
    done = len(tally.latencies)
    return Capacity(done / elapsed, tally,
                    {n: 1000 * s / max(done, 1) for n, s in cpu.items()})


@dataclass
class Level:
    trainees: int
    tally: Tally
    seconds: float
    peak_mb: dict[str, float]
    cpu_ms_per_turn: dict[str, float]


async def realistic(target: Target, trainees: int, mode: Mode, scripts: list[Script],
                    run_id: str, seed: int = 13) -> Level:
    """N trainees, one scripted rehearsal each, exponential think time before each turn."""
    tally = Tally()
    deadline = time.monotonic() + mode.level_cap_seconds

    async def trainee(i: int, session: aiohttp.ClientSession) -> None:
        rng = random.Random(seed * 100_003 + i)
        script = scripts[i % len(scripts)]
        messages = rehearsal(script, f"t{i:03d}")
        sender = f"{run_id}-n{trainees}-{i}"
        for k, message in enumerate(messages):
            await asyncio.sleep(rng.expovariate(1 / THINK_MEAN_S))
            if time.monotonic() >= deadline:
                tally.not_sent += len(messages) - k
                return
            url = target.urls[k % len(target.urls)]
            if not await send(session, target, url, sender, message, tally) and k == 0:
                tally.not_sent += len(messages) - 1  # no session: the rest is pointless
                return

    sampler = Sampler(target.pids)
    sampler.start()
    t0 = time.monotonic()
    async with client_session() as session:
        await asyncio.gather(*(trainee(i, session) for i in range(trainees)))
    seconds = time.monotonic() - t0
    cpu = sampler.stop()
    done = max(len(tally.latencies), 1)
    return Level(trainees, tally, seconds, dict(sampler.peak_mb),
                 {n: 1000 * s / done for n, s in cpu.items()})


async def single(target: Target, scripts: list[Script], run_id: str) -> Tally:
    """One trainee alone, back to back: the latency of an unloaded server."""
    tally = Tally()
    async with client_session() as session:
        for n, script in enumerate(scripts[:2]):
            sender = f"{run_id}-single-{n}"
            for k, message in enumerate(rehearsal(script, "t-single")):
                await send(session, target, target.urls[k % len(target.urls)], sender,
                           message, tally)
    return tally


# -- the baseline -------------------------------------------------------------------


def baseline_model() -> Path:
    """The plain-Rasa model with the product's NLU; trained once per input hash."""
    inputs_sha = (ROOT / "models" / ".inputs-sha").read_text().strip()
    key = hashlib.sha256(f"{inputs_sha}:{BASELINE_VERSION}".encode()).hexdigest()[:16]
    model = BASELINE_DIR / f"baseline-{key}.tar.gz"
    if model.exists():
        return model
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    intents = [*domain["intents"], "nlu_fallback"]
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config["policies"] = [{"name": "RulePolicy"}]
    work = Path(tempfile.mkdtemp(prefix="baseline-"))
    try:
        (work / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
        (work / "domain.yml").write_text(yaml.safe_dump({
            "version": "3.1",
            "intents": domain["intents"],
            "entities": domain["entities"],
            "responses": {"utter_reply": [{"text": "I see. Go on."}]},
        }, sort_keys=False))
        rules = [{"rule": "answer every message",
                  "steps": [{"or": [{"intent": i} for i in intents]},
                            {"action": "utter_reply"}]}]
        (work / "rules.yml").write_text(yaml.safe_dump({"version": "3.1", "rules": rules}))
        BASELINE_DIR.mkdir(parents=True, exist_ok=True)
        print(f"==> training the baseline model once (cached as {model.name})", flush=True)
        # cwd=ROOT: config.yml names the spaCy pipeline by a path relative to the project.
        subprocess.run(
            [str(VENV_BIN / "rasa"), "train", "--config", str(work / "config.yml"),
             "--domain", str(work / "domain.yml"), "--data", str(ROOT / "data" / "nlu"),
             str(work / "rules.yml"), "--out", str(BASELINE_DIR),
             "--fixed-model-name", model.name.removesuffix(".tar.gz")],
            cwd=ROOT, env=Servers(work).env(), check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for old in BASELINE_DIR.glob("baseline-*.tar.gz"):
        if old != model:
            old.unlink()
    return model


class BaselineServer:
    """Plain Rasa: stock REST channel, in-memory tracker store, no action server."""

    def __init__(self, workdir: Path, model: Path) -> None:
        self.workdir, self.model, self.port = workdir, model, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        credentials = self.workdir / "credentials.yml"
        credentials.write_text("rest:\n")
        log = open(self.workdir / "baseline.log", "ab")  # noqa: SIM115 - kept by the child
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--interface", "127.0.0.1", "--port",
             str(self.port), "--model", str(self.model), "--credentials", str(credentials)],
            cwd=ROOT, env=Servers(self.workdir).env(), stdout=log, stderr=subprocess.STDOUT)
        wait_http(f"http://127.0.0.1:{self.port}/", self.proc)

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def target(self) -> Target:
        assert self.proc
        return Target("baseline", (f"http://127.0.0.1:{self.port}/webhooks/rest/webhook",),
                      {"rasa": self.proc.pid})


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 240) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited while starting ({url})")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server not ready: {url}")


# -- running and reporting ----------------------------------------------------------


@dataclass
class Result:
    target: str
    single: Tally
    capacity: Capacity
    levels: list[Level]
    load: str  # the machine's load average when this target's measurement began


async def measure(target: Target, mode: Mode, scripts: list[Script]) -> Result:
    run_id = uuid.uuid4().hex[:8]
    load = loadavg()
    print(f"==> {target.name}: one trainee", flush=True)
    one = await single(target, scripts, run_id)
    print(f"==> {target.name}: capacity, {mode.capacity_trainees} trainees back to back "
          f"for {mode.capacity_seconds:.0f} s", flush=True)
    cap = await capacity(target, mode, scripts, run_id)
    levels = []
    for n in mode.levels:
        print(f"==> {target.name}: {n} trainees with think time", flush=True)
        levels.append(await realistic(target, n, mode, scripts, run_id))
    return Result(target.name, one, cap, levels, load)


def run_target(name: str, mode: Mode, scripts: list[Script], workdir: Path) -> Result:
    if name == "baseline":
        server = BaselineServer(workdir, baseline_model())
        print("==> starting the baseline server", flush=True)
        server.start()
        try:
            return asyncio.run(measure(server.target(), mode, scripts))
        finally:
            server.stop()
    if name in ("product", "unpatched"):
        servers = Servers(workdir, rasa_workers=PRODUCT_WORKERS)
        label = "embedded"
        if name == "unpatched":
            # The product as it was before bot/rasa_ext/speedups.py and tracker_store.py.
            servers = Servers(workdir, tracker_store="SQL", extra_env={"RASA_SPEEDUPS": "off"},
                              rasa_workers=1)
            label = "unpatched"
        print(f"==> starting the product ({label}: actions + Rasa, SQLite)", flush=True)
        servers.start("actions")
        servers.start("rasa")
        try:
            servers.wait_ready()
            pids = server_pids(servers)
            target = Target(label, (f"{servers.url}/webhooks/rest/webhook",), pids,
                            auth_headers(servers))
            return asyncio.run(measure(target, mode, scripts))
        finally:
            servers.stop()
    if name == "cluster":
        return run_cluster(mode, scripts, workdir)
    raise ValueError(name)


def auth_headers(servers: Servers) -> dict[str, str]:
    """The REST channel needs an account: one trainee's bearer token for every trainee."""
    return {"Authorization": f"Bearer {servers.token('load-trainee')}"}


def run_cluster(mode: Mode, scripts: list[Script], workdir: Path) -> Result:
    """scripts/cluster.sh in the background; turns through nginx (round robin)."""
    var = workdir / "cluster"
    # PostgreSQL runs as the postgres user when we are root: the path must be traversable.
    for parent in (workdir.parent, workdir):
        parent.chmod(0o755)
    env = dict(os.environ, CLUSTER_DIR=str(var), CLUSTER_PORT=str(free_port()),
               CLUSTER_SKIP_SETUP="1")
    log = open(workdir / "cluster.log", "ab")  # noqa: SIM115 - kept by the child
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "cluster.sh")], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ready = var / "ready"
        deadline = time.monotonic() + 660
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"cluster did not start; see {workdir / 'cluster.log'}")
            time.sleep(1)
        info = json.loads(ready.read_text())
        token = account_token(info["db_url"], "load-trainee")
        target = Target("cluster", (f"{info['url']}/webhooks/rest/webhook",),
                        {k: int(v) for k, v in info["pids"].items()},
                        {"Authorization": f"Bearer {token}"})
        return asyncio.run(measure(target, mode, scripts))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def fmt_ms(x: float) -> str:
    return f"{x:7.0f}" if x == x else "      -"


def report(results: list[Result], mode: Mode, seconds: float, load_before: str,
           load_after: str) -> str:
    by = {r.target: r for r in results}
    lines = [
        "Load benchmark (bench/load.py): REST channel over 127.0.0.1, one run",
        f"machine: {os.cpu_count()} cores; load average before {load_before}, "
        f"after {load_after}; the load generator runs on the same cores",
        f"run took {seconds:.0f} s; think time exponential, mean {THINK_MEAN_S:.0f} s, seeded; "
        f"a realistic level stops sending after {mode.level_cap_seconds:.0f} s",
        "every rehearsal: start message, 15-20 scripted turns (tests/rehearsals), end message",
        "load average (1, 5, 15 min) when each target began: "
        + "; ".join(f"{r.target} {r.load}" for r in results),
        "",
        "One trainee, back to back (ms)",
        "target       p50     p95   turns",
    ]
    for r in results:
        lines.append(f"{r.target:<10}{fmt_ms(r.single.percentile(.5))}"
                     f"{fmt_ms(r.single.percentile(.95))} {len(r.single.latencies):7d}")
    lines += ["", f"Capacity: {mode.capacity_trainees} trainees back to back for "
              f"{mode.capacity_seconds:.0f} s (after {mode.warmup_seconds:.0f} s warm-up)",
              "target     turns/s  ratio     p50     p95     p99  errors  CPU ms/turn"]
    base = by.get("baseline")
    for r in results:
        c = r.capacity
        ratio = (f"{c.turns_per_s / base.capacity.turns_per_s:6.2f}"
                 if base and base.capacity.turns_per_s else "     -")
        cpu = ", ".join(f"{k} {v:.0f}" for k, v in c.cpu_ms_per_turn.items())
        lines.append(f"{r.target:<10}{c.turns_per_s:8.1f} {ratio}{fmt_ms(c.tally.percentile(.5))}"
                     f"{fmt_ms(c.tally.percentile(.95))}{fmt_ms(c.tally.percentile(.99))}"
                     f"{c.tally.error_count:8d}  {cpu}")
    lines += ["", "Realistic load: N trainees, one rehearsal each, think time before every turn",
              "target       N  turns  secs     p50     p95     p99  errors  unsent  "
              "peak RSS MB / CPU ms per turn"]
    for r in results:
        for lv in r.levels:
            t = lv.tally
            mem = ", ".join(f"{k} {lv.peak_mb[k]:.0f}/{lv.cpu_ms_per_turn[k]:.0f}"
                            for k in lv.peak_mb)
            lines.append(f"{r.target:<10}{lv.trainees:4d} {len(t.latencies):6d} {lv.seconds:5.0f}"
                         f"{fmt_ms(t.percentile(.5))}{fmt_ms(t.percentile(.95))}"
                         f"{fmt_ms(t.percentile(.99))}{t.error_count:8d}{t.not_sent:8d}  {mem}")
    errors = {f"{r.target} N={lv.trainees}": lv.tally.errors
              for r in results for lv in r.levels if lv.tally.errors}
    errors.update({f"{r.target} capacity": r.capacity.tally.errors
                   for r in results if r.capacity.tally.errors})
    if errors:
        lines += ["", "errors by kind: " + json.dumps(errors)]
    return "\n".join(lines)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short CI-sized run; no report")
    parser.add_argument("--targets", default="baseline,product",
                        help="comma-separated: baseline, product, unpatched (the product "
                        "without the Rasa speed-ups), cluster")
    parser.add_argument("--report", type=Path, default=None,
                        help=f"write the report here (default for a full run: {REPORT})")
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    scripts = load_scripts()
    load_before, t0 = loadavg(), time.monotonic()
    results: list[Result] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        for name in args.targets.split(","):
            workdir = Path(tmp) / name
            workdir.mkdir()
            try:
                results.append(run_target(name.strip(), mode, scripts, workdir))
            except Exception as exc:  # noqa: BLE001 - report the targets that did run
                print(f"==> {name} failed: {exc}", flush=True)
                failed.append(f"{name}: {exc}")
            # The figures so far, in case a later target fails or the run is cut short.
            print(report(results, mode, time.monotonic() - t0, load_before, loadavg()),
                  flush=True)
    text = report(results, mode, time.monotonic() - t0, load_before, loadavg())
    if failed:
        text += "\n\ntargets that failed: " + "; ".join(failed)
    print(text)
    out = args.report or (None if args.quick else REPORT)
    if out:
        out.write_text(text + "\n")
        print(f"==> written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
