"""A Werewolf day on the embedded model, with one llama.cpp slot and with several.

The tutorial's game (``notebooks/werewolf_game.py``: nine ``ReActAgent`` players, night and
day in ``MsgHub``s, votes by ``fanout_pipeline`` with structured output) is played on
``model_from_spec("local")`` with the same seed, temperature 0 and a 160-token turn, once per
slot count, each in a fresh process (a process keeps one server per weights file). Reported:
the wall time of roles + night 1 and of day 1 (nine speeches one after another, then nine
votes at once), each with the time spent in the ``fanout_pipeline`` votes, and the game's log (the same seed and temperature 0: the same game, up to
the numerics of batched decoding). Only the parts that run at once (the votes, the
wolves' night vote) can gain from slots; the speeches are sequential by the game's rules.

Target (issue 33): the day phase's wall time before (one slot, the old server) and after
(several slots), measured side by side. Run it on a quiet machine.

Example:
    $ python benchmarks/werewolf_day_bench.py                 # 1 slot vs 4 slots, 1.5B
    $ python benchmarks/werewolf_day_bench.py --slots 1,2 --size 0.5b --max-tokens 48
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import asyncio, json, sys, time
sys.path.insert(0, {notebooks!r})
import werewolf_game
from ascope_nb.agent import ReActAgent
from ascope_nb.model import model_from_spec

voting = {{"s": 0.0}}
_fanout = werewolf_game.fanout_pipeline

async def timed_fanout(*args, **kwargs):
    started = time.monotonic()
    try:
        return await _fanout(*args, **kwargs)
    finally:
        voting["s"] += time.monotonic() - started

werewolf_game.fanout_pipeline = timed_fanout

async def main():
    kwargs = {{"generate_kwargs": {{"temperature": 0, "max_tokens": {max_tokens}}}}}
    players = []
    for i in range(1, 10):
        model = model_from_spec({spec!r}, **kwargs)
        agent = ReActAgent(f"P{{i}}", "You play Werewolf. Be brief.", model, max_iters=3)
        agent.set_console_output_enabled(False)
        players.append(agent)
    game = werewolf_game.Werewolf(players, seed={seed})
    started = time.monotonic()
    await game.tell_roles()
    await game.night()
    night_s, night_votes_s = time.monotonic() - started, voting["s"]
    day_started = time.monotonic()
    out = await game.day() if game.winner is None else None
    day_s = time.monotonic() - day_started
    print(json.dumps({{"night_s": night_s, "day_s": day_s, "night_votes_s": night_votes_s,
                      "day_votes_s": voting["s"] - night_votes_s, "voted_out": out,
                      "log": game.log}}))

asyncio.run(main())
"""


def play(slots: int, *, size: str, max_tokens: int, seed: int) -> dict[str, object]:
    """One game's night and day in a fresh process with ``slots`` llama.cpp slots."""
    spec = "local" if size == "1.5b" else f"local:{size}"
    code = CHILD.format(
        notebooks=str(ROOT / "notebooks"), spec=spec, max_tokens=max_tokens, seed=seed
    )
    env = dict(os.environ, ASCOPE_LOCAL_SLOTS=str(slots))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{slots} slot(s): the game failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result |= {"slots": slots, "process_s": time.monotonic() - started}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slots", default="1,4", help="slot counts, comma-separated")
    parser.add_argument("--size", default="1.5b", help="embedded model size (0.5b, 1.5b)")
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", type=Path, help="also write every result here")
    args = parser.parse_args()
    results = []
    for slots in [int(s) for s in args.slots.split(",")]:
        load = (
            Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
        )
        result = play(slots, size=args.size, max_tokens=args.max_tokens, seed=args.seed)
        result["load_before"] = load
        results.append(result)
        print(
            f"slots {slots}: roles+night {result['night_s']:.1f} s "
            f"(wolves' vote {result['night_votes_s']:.1f} s), day {result['day_s']:.1f} s "
            f"(votes {result['day_votes_s']:.1f} s), load before {load}; log: {result['log']}",
            flush=True,
        )
    if len(results) > 1:
        base = results[0]
        for other in results[1:]:
            print(
                f"day phase: {base['slots']} slot(s) {base['day_s']:.1f} s -> "
                f"{other['slots']} slots {other['day_s']:.1f} s "
                f"({base['day_s'] / other['day_s']:.2f}x)"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
