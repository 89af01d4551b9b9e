"""Processes for the store's exit and full-disk tests (``python -m tests.support.store_exit``).

``agents N``: runs N agents through ``ascope_nb.start`` on the default store
(``$ASCOPE_STORE``), prints each run's events as one JSON line and the agents that
``ascope_nb.runs()`` lists, and exits normally without closing anything.

``disk-full DIR``: on a small filesystem mounted at DIR (the store is ``DIR/runs.sqlite``),
runs an agent, then one whose tool fills the disk mid-run and whose next steps return big
results, then a whole run while the disk is full, then frees the disk and runs one more.
Prints each run's events as JSON lines and the store's state at each stage as
``state <name> <json>``; exits normally.

``full-at-exit DIR``: like ``disk-full`` but exits while the disk is still full.

``file-size-limit DIR``: a store in DIR whose files may not grow for a while (RLIMIT_FSIZE).
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import sys
from collections.abc import Callable

from ascope_nb.agent import ReActAgent
from ascope_nb.run import Run, start
from ascope_nb.testing import tool_call
from tests.support.agents import scripted_agent

BIG = 200_000  # characters of one big tool result (more than the -wal file holds)


def _agent(name: str, replies: list, tools: list) -> ReActAgent:
    return scripted_agent(replies, *tools, name=name, sys_prompt="You help.")


def add(a: int, b: int) -> str:
    """Add two numbers.

    Args:
        a: One number.
        b: Another.
    """
    return str(a + b)


def big(n: int) -> str:
    """Return a long text.

    Args:
        n: A label.
    """
    return f"{n}:" + "x" * BIG


def _print_run(run: Run) -> None:
    print("run " + json.dumps([e.to_dict() for e in run.events]), flush=True)


async def _agents(n: int) -> None:
    import ascope_nb

    for i in range(n):
        agent = _agent(f"Agent{i}", [[tool_call("add", a=i, b=1)], f"the answer is {i + 1}"], [add])
        run = start(agent, f"add {i} and 1")
        await run
        _print_run(run)
    print("listed " + json.dumps(sorted(ascope_nb.runs().agent)), flush=True)


def _filler(directory: str) -> Callable[[], str]:
    filler = os.path.join(directory, "filler")

    def fill_disk() -> str:
        """Fill the disk.

        Returns:
            What happened.
        """
        with open(filler, "wb") as out:
            chunk = b"\0" * 65536
            try:
                while True:
                    out.write(chunk)
                    out.flush()
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
        return "the disk is full"

    return fill_disk


async def _disk_full(directory: str) -> None:
    from ascope_nb.store import default_store

    fill_disk = _filler(directory)
    filler = os.path.join(directory, "filler")
    store = default_store()

    def state(name: str) -> None:
        print(f"state {name} " + json.dumps({"degraded": store.degraded}), flush=True)

    before = start(_agent("Before", [[tool_call("add", a=1, b=1)], "2"], [add]), "1+1")
    await before
    _print_run(before)
    state("before")

    filling = _agent(
        "Filling",
        [[tool_call("fill_disk")], [tool_call("big", n=1)], [tool_call("big", n=2)], "done"],
        [fill_disk, big],
    )
    during = start(filling, "fill the disk, then read big files")
    await during
    _print_run(during)
    print(f"state flush-while-full {json.dumps(store.flush(10))}", flush=True)
    state("full")

    whole = start(_agent("WhileFull", [[tool_call("big", n=3)], "ok"], [big]), "read")
    await whole
    _print_run(whole)
    state("still-full")

    os.remove(filler)
    print(f"state flush-after-free {json.dumps(store.flush(30))}", flush=True)
    state("freed")

    after = start(_agent("After", [[tool_call("add", a=2, b=2)], "4"], [add]), "2+2")
    await after
    _print_run(after)


async def _full_at_exit(directory: str) -> None:
    before = start(_agent("Before", [[tool_call("add", a=1, b=1)], "2"], [add]), "1+1")
    await before
    _print_run(before)
    filling = _agent(
        "Filling",
        [[tool_call("fill_disk")], [tool_call("big", n=1)], "done"],
        [_filler(directory), big],
    )
    during = start(filling, "fill the disk, then read a big file")
    await during
    _print_run(during)  # and exit with the disk still full


def _file_size_limit(directory: str) -> None:
    """A store whose files may not grow (RLIMIT_FSIZE: writes fail with EFBIG, a "disk I/O
    error" rather than a full disk), then may again."""
    import resource
    import signal

    from ascope_nb.events import ToolResult
    from ascope_nb.store import RunStore
    from tests.support.store_runs import synthetic_run

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing us
    store = RunStore(os.path.join(directory, "runs.sqlite"))
    first = synthetic_run("small", n_steps=1)
    store.append(first)
    print(f"state flush-first {json.dumps(store.flush(10))}", flush=True)
    names = [os.path.join(directory, n) for n in os.listdir(directory)]
    limit = max(os.path.getsize(n) for n in names) + 4096
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    second = synthetic_run("large", n_steps=3)
    for event in second:
        if isinstance(event, ToolResult):
            event.output = [{"type": "text", "text": "y" * 100_000}]
    store.append(second)
    print(f"state flush-limited {json.dumps(store.flush(10))}", flush=True)
    print("state limited " + json.dumps({"degraded": store.degraded}), flush=True)
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    print(f"state flush-unlimited {json.dumps(store.flush(30))}", flush=True)
    print("state unlimited " + json.dumps({"degraded": store.degraded}), flush=True)
    store.close()
    for run in (first, second):
        print("run " + json.dumps([e.to_dict() for e in run]), flush=True)


def main(argv: list[str]) -> None:
    if argv[0] == "agents":
        asyncio.run(_agents(int(argv[1])))
    elif argv[0] == "disk-full":
        asyncio.run(_disk_full(argv[1]))
    elif argv[0] == "file-size-limit":
        _file_size_limit(argv[1])
    elif argv[0] == "full-at-exit":
        asyncio.run(_full_at_exit(argv[1]))
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
