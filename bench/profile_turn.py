"""Where one turn's time goes: cProfile of the whole turn, in one process.

`.venv/bin/python -m bench.profile_turn [--turns 60] [--http]`

Loads the trained model into a Rasa Agent with the product's SQLite tracker
store and sends scripted rehearsals through `agent.handle_text`, the same path
as the REST channel minus HTTP. The custom actions run in the same process
(Rasa's action request is answered by rasa_sdk's ActionExecutor, with the JSON
encoded and decoded both ways as over HTTP), so one CPU profile shows every
stage: NLU, policies, tracker load and save, the action call, the engine, the
store. With --http the actions go to a real action server instead, and the
figures are the Rasa process's only (plus the wall time per turn).

Prints CPU ms per turn for each stage and the top functions; writes the raw
profile to build/profile-turn.prof for `python -m pstats`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.load import load_scripts, start_message
from bench.servers import MODEL, ROOT, Servers

# (label, module file suffix, function name): cumulative CPU time per turn of each stage.
STAGES: list[tuple[str, str, str]] = [
    ("whole turn (Agent.handle_text)", "rasa/core/agent.py", "handle_message"),
    ("NLU parse", "rasa/core/processor.py", "parse_message"),
    ("tracker load (SQL retrieve)", "rasa/core/tracker_store.py", "get_or_create_tracker"),
    ("tracker save (SQL)", "rasa/core/tracker_store.py", "save"),
    ("policies (predict next action)", "rasa/core/processor.py",
     "_predict_next_with_tracker"),
    ("action call, Rasa side (payload)", "rasa/core/actions/action.py",
     "_action_call_format"),
    ("action server: whole call", "rasa_sdk/executor.py", "run"),
    ("  rasa_sdk Tracker.from_dict", "rasa_sdk/interfaces.py", "from_dict"),
    ("  RehearsalService.reply", "bot/service.py", "reply"),
    ("    persona registry reload", "bot/persona/model.py", "reload"),
    ("    engine.step", "bot/client/turn.py", "step"),
    ("    store.get_session_row", "bot/store.py", "get_session_row"),
    ("    store.add_turn", "bot/store.py", "add_turn"),
    ("JSON encode", "json/encoder.py", "encode"),
    ("JSON decode", "json/decoder.py", "decode"),
]


def install_in_process_actions() -> None:
    """Answer Rasa's action requests with rasa_sdk in this process (JSON both ways)."""
    from rasa.utils.endpoints import EndpointConfig
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")

    async def request(self: EndpointConfig, method: str = "post", subpath: Any = None,
                      content_type: Any = "application/json", compress: bool = False,
                      **kwargs: Any) -> Any:
        payload = json.loads(json.dumps(kwargs.get("json")))
        result = await executor.run(payload)
        return json.loads(json.dumps(result))

    EndpointConfig.request = request  # type: ignore[method-assign]


def stage_times(stats: pstats.Stats, turns: int) -> list[tuple[str, float, int]]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = []
    for label, suffix, name in STAGES:
        # The largest match: a wrapper of the same name (FailSafeTrackerStore.save around
        # SQLTrackerStore.save) includes the inner call's time.
        total, calls = 0.0, 0
        for (file, _line, func), (_cc, nc, _tt, ct, _callers) in raw.items():
            if func == name and file.endswith(suffix) and ct > total:
                total, calls = ct, nc
        rows.append((label, 1000 * total / turns, calls))
    return rows


async def run(turns: int, http: bool, workdir: Path, unpatched: bool = False
              ) -> tuple[cProfile.Profile, int, float]:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)  # as `rasa run` does by default

    servers = Servers(workdir)
    if unpatched:  # as before bot/rasa_ext/speedups.py and tracker_store.py
        servers = Servers(workdir, tracker_store="SQL", extra_env={"RASA_SPEEDUPS": "off"})
    os.environ.update(servers.env())
    if http:
        servers.start("actions")
        servers.wait_ready()
    else:
        install_in_process_actions()
    try:
        agent = await load_agent(model_path=str(MODEL),
                                 endpoints=AvailableEndpoints.read_endpoints(
                                     str(servers.endpoints())))
        scripts = load_scripts()
        # Warm-up: one rehearsal, not measured (first-use costs, caches).
        warm = scripts[0]
        for text in [start_message(warm.persona, "warm"), *warm.turns]:
            await agent.handle_text(text, sender_id="warm-up")
        profiler = cProfile.Profile(time.process_time)
        done, wall = 0, 0.0
        n = 0
        while done < turns:
            script = scripts[n % len(scripts)]
            sender = f"profile-{n}"
            await agent.handle_text(start_message(script.persona, "p"), sender_id=sender)
            for text in script.turns:
                if done >= turns:
                    break
                t0 = time.perf_counter()
                profiler.enable()
                await agent.handle_text(text, sender_id=sender)
                profiler.disable()
                wall += time.perf_counter() - t0
                done += 1
            n += 1
        return profiler, done, 1000 * wall / done
    finally:
        servers.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--http", action="store_true",
                        help="actions on a real action server (profile the Rasa side only)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--unpatched", action="store_true",
                        help="without the Rasa speed-ups and WAL tracker store (the 'before')")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        profiler, turns, wall_ms = asyncio.run(
            run(args.turns, args.http, Path(tmp), args.unpatched))
    out = ROOT / "build" / "profile-turn.prof"
    out.parent.mkdir(exist_ok=True)
    profiler.dump_stats(out)
    stats = pstats.Stats(profiler)
    print(f"{turns} turns (trainee messages, not start/end); wall time {wall_ms:.1f} ms per turn; "
          f"actions {'on a real action server' if args.http else 'in process'}"
          f"{'; unpatched' if args.unpatched else ''}; CPU figures include cProfile's overhead")
    print(f"{'stage':<38} CPU ms/turn   calls")
    for label, ms, calls in stage_times(stats, turns):
        print(f"{label:<38} {ms:9.1f} {calls:7d}")
    print()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
