"""A browser agent on Playwright's MCP server (``@playwright/mcp`` from npm, headless system
Chromium, isolated profile) against a local page served on 127.0.0.1: navigate, click, read.

The model is a ``FunctionModel`` that reads the page snapshots it is given (the element refs
come from the real page), so the browser, the MCP server and the page are all real.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.mcp import StdIOStatefulClient
from ascope_nb.message import Msg
from ascope_nb.testing import FunctionModel, tool_call
from ascope_nb.tool import Toolkit

CLI = Path(__file__).parent / "mcp_node" / "node_modules" / "@playwright" / "mcp" / "cli.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGE = b"""<!doctype html><html><head><title>Heron dashboard</title></head><body>
<h1>Buoy status</h1><p id="status">Buoys online: unknown</p>
<button onclick="document.getElementById('status').textContent='Buoys online: 8 of 8'">
Refresh status</button></body></html>"""

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def browser_client(workdir: Path) -> StdIOStatefulClient:
    assert CLI.exists(), "run `npm ci` in tests/mcp_node (scripts/test.sh does)"
    assert Path(CHROMIUM).exists(), "apt-get install -y chromium"
    args = [str(CLI), "--headless", "--isolated", "--executable-path", CHROMIUM]
    args += ["--output-dir", str(workdir)]  # snapshots and screenshots: not in the repo
    if os.geteuid() == 0:  # Chromium refuses to run as root with its sandbox (CI containers)
        args.append("--no-sandbox")
    return StdIOStatefulClient("browser", "node", args, cwd=workdir, timeout=120)


def last_tool_text(messages: list[dict[str, Any]]) -> str:
    tool = [m for m in messages if m.get("role") == "tool"]
    if not tool:
        return ""
    content = tool[-1].get("content")
    if isinstance(content, str):
        return content
    return "\n".join(str(b.get("text", "")) for b in content or [] if isinstance(b, dict))


async def test_browser_agent_navigates_clicks_and_reads(page_url: str, tmp_path: Path) -> None:
    client = browser_client(tmp_path)
    await client.connect()
    try:
        toolkit = Toolkit()
        names = await toolkit.register_mcp_client(client)
        assert {"browser_navigate", "browser_click", "browser_snapshot"} <= set(names)

        seen_last: list[str] = []

        def model(messages: list[dict[str, Any]], tools: Any) -> Any:
            done = sum(1 for m in messages if m.get("role") == "tool")
            seen = last_tool_text(messages)
            if done == 0:
                return tool_call("browser_navigate", url=page_url)
            if done == 1:
                return tool_call("browser_snapshot")
            if done == 2:
                ref = re.search(r'button "Refresh status" \[ref=(\w+)\]', seen)
                assert ref, seen[-2000:]
                return tool_call("browser_click", element="Refresh status", target=ref.group(1))
            if done == 3:
                seen_last.append(seen)  # the click's result
                return tool_call("browser_snapshot")
            seen_last.append(seen)
            status = re.search(r"Buoys online: \d+ of \d+", seen)
            return f"The page says: {status.group(0) if status else 'nothing new'}"

        agent = ReActAgent("Surfer", "You use a browser.", FunctionModel(model), toolkit=toolkit)
        agent.set_console_output_enabled(False)
        reply = await agent(Msg("user", "How many buoys are online?", "user"))
        assert reply.get_text_content() == "The page says: Buoys online: 8 of 8", seen_last
        memory = await agent.memory.get_memory()
        results = [b for m in memory for b in m.get_content_blocks("tool_result")]
        names = [r["name"] for r in results]
        assert names == [
            "browser_navigate",
            "browser_snapshot",
            "browser_click",
            "browser_snapshot",
        ]
        before = str(results[1]["output"])
        assert "Heron dashboard" in before and "Buoys online: unknown" in before
        # a screenshot comes back as an image block (the live view draws it in the result)
        call = tool_call("browser_take_screenshot", scale="css", type="png")
        shot = await toolkit.call_tool_function(call).last()
        images = [b for b in shot.content if b["type"] == "image"]
        assert images and images[0]["source"]["media_type"] == "image/png"
        assert base64.b64decode(images[0]["source"]["data"])[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        await client.close()


async def test_unreachable_page_is_a_tool_result_not_a_crash(tmp_path: Path) -> None:
    client = browser_client(tmp_path)
    await client.connect()
    try:
        toolkit = Toolkit()
        await toolkit.register_mcp_client(client, enable_funcs=["browser_navigate"])
        call = tool_call("browser_navigate", url="http://127.0.0.1:9/")
        response = await toolkit.call_tool_function(call).last()
        text = " ".join(str(b.get("text", "")) for b in response.content)
        assert "ERR_CONNECTION_REFUSED" in text or "Error" in text, text[:500]
    finally:
        await client.close()
