"""Memory backends: N ``add`` calls (one message each) + one ``get_memory``, per backend.

Backends: ``InMemoryMemory``, ``AsyncSQLAlchemyMemory`` on SQLite (a file) and PostgreSQL
(a fresh cluster, asyncpg), ``RedisMemory`` on a real ``redis-server``; ascope_nb and
AgentScope 1.0.21 (its own classes, in ``benchmarks/.venv-agentscope``) on the same servers,
in one run. Each (framework, backend) pair is a fresh process with its own database / key
prefix; messages are built before the clock starts. A pair that passes ``--budget`` seconds
of adds stops and reports a lower bound.

Example:
    $ python benchmarks/memory_backends_bench.py                 # 10,000 adds, both frameworks
    $ python benchmarks/memory_backends_bench.py --n 200 --ours-only   # smoke
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SIDE = r"""
import asyncio, json, sys, time
pkg, backend, url, n, budget, tag = sys.argv[1:7]
n, budget = int(n), float(budget)
memory = __import__(pkg + ".memory", fromlist=["x"])
message = __import__(pkg + ".message", fromlist=["x"])

async def main():
    if backend == "inmemory":
        mem = memory.InMemoryMemory()
    elif backend == "redis":
        host, port = url.split(":")
        mem = memory.RedisMemory(host=host, port=int(port), session_id="bench",
                                 user_id="u", key_prefix=tag + ":")
    else:
        from sqlalchemy.ext.asyncio import create_async_engine
        engine = create_async_engine(url)
        mem = memory.AsyncSQLAlchemyMemory(engine, session_id="bench", user_id="u")
    msgs = [message.Msg("user", f"message number {i} " + "x" * 80, "user") for i in range(n)]
    await mem.add(message.Msg("user", "warm-up", "user"))  # tables, connections
    start = time.perf_counter()
    done = 0
    for msg in msgs:
        await mem.add(msg)
        done += 1
        if done % 100 == 0 and time.perf_counter() - start > budget:
            break
    add_s = time.perf_counter() - start
    start = time.perf_counter()
    got = await mem.get_memory()
    get_s = time.perf_counter() - start
    print(json.dumps({"adds": done, "add_s": add_s, "get_s": get_s, "count": len(got)}))

asyncio.run(main())
"""


def agentscope_python(venv_dir: Path) -> Path:
    """The venv's interpreter; creates it with AgentScope 1.0.21 (from PyPI, or a local
    checkout in ``$AGENTSCOPE_SRC``) and the drivers on first use."""
    python = venv_dir / "bin" / "python"
    probe = "import agentscope, redis, aiosqlite, asyncpg, greenlet"
    if python.exists() and subprocess.run([str(python), "-c", probe]).returncode == 0:
        return python
    import venv

    print(f"installing AgentScope 1.0.21 into {venv_dir} ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True).create(venv_dir)
    source = os.environ.get("AGENTSCOPE_SRC", "agentscope==1.0.21")
    reqs = [source, "mcp<2", "greenlet", "tqdm", "redis", "aiosqlite", "asyncpg"]
    subprocess.run([str(python), "-m", "pip", "install", "-q", *reqs], check=True)
    return python


def start_redis(base: str) -> tuple[subprocess.Popen[bytes], int]:
    from tests.support.redis_server import free_port

    port = free_port()
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    args += ["--appendonly", "no", "--dir", base, "--daemonize", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    for _ in range(200):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout:
            return proc, port
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def run_side(python: str, pkg: str, backend: str, url: str, args: argparse.Namespace) -> Any:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pkg == "ascope_nb":
        env["PYTHONPATH"] = str(ROOT)
    tag = f"{pkg}-{backend}-{time.time_ns()}"
    cmd = [python, "-c", SIDE, pkg, backend, url, str(args.n), str(args.budget), tag]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def cell(result: dict[str, Any], n: int) -> str:
    if "error" in result:
        return f"error: {result['error'][:60]}"
    per_add = result["add_s"] / max(result["adds"], 1) * 1e6
    total = f"{result['add_s']:.2f} s"
    if result["adds"] < n:
        total = f"> {result['add_s'] * n / result['adds']:.0f} s (stopped after {result['adds']})"
    return f"{total}; {per_add:,.0f} µs/add; get {result['get_s'] * 1e3:,.1f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=90.0, help="seconds of adds per pair")
    parser.add_argument("--ours-only", action="store_true")
    parser.add_argument("--venv", type=Path, default=HERE / ".venv-agentscope")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    args = parser.parse_args(argv)

    from tests.support import postgres as pg

    frameworks = [("ascope_nb", sys.executable)]
    if not args.ours_only:
        frameworks.append(("agentscope", str(agentscope_python(args.venv))))
    base = tempfile.mkdtemp(prefix="ascope-membench-")
    redis_proc, redis_port = start_redis(base)
    server = pg.start_server()
    results: dict[str, dict[str, Any]] = {}
    try:
        for backend in ("inmemory", "sqlite", "postgresql", "redis"):
            for pkg, python in frameworks:
                if backend == "sqlite":
                    url = f"sqlite+aiosqlite:///{base}/{pkg}.db"
                elif backend == "postgresql":
                    url = server.new_database().replace("+psycopg", "+asyncpg")
                else:
                    url = f"127.0.0.1:{redis_port}"
                results.setdefault(backend, {})[pkg] = run_side(python, pkg, backend, url, args)
                print(backend, pkg, results[backend][pkg], file=sys.stderr)
    finally:
        redis_proc.kill()
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)

    names = [pkg for pkg, _ in frameworks]
    print(f"\n{args.n:,} adds (one message each) + get_memory; µs per add; get_memory time\n")
    print("| backend | " + " | ".join(names) + (" | ratio |" if len(names) == 2 else " |"))
    print("|---" * (len(names) + 1 + (len(names) == 2)) + "|")
    for backend, row in results.items():
        cells = [cell(row[name], args.n) for name in names]
        ratio = ""
        if len(names) == 2 and all("error" not in row[n] for n in names):
            ours, theirs = (row[n]["add_s"] / max(row[n]["adds"], 1) for n in names)
            ratio = f" {ours / theirs:.3g} |"
        print(f"| {backend} | " + " | ".join(cells) + (f" |{ratio}" if ratio else " |"))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
