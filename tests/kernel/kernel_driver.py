"""Drive a real ipykernel through ``jupyter_client``, the way a notebook frontend does.

``KernelDriver.execute(code)`` runs a cell and collects its iopub messages;
``click(comm_id, content)`` sends the ``comm_msg`` a widget button sends from the browser.
"""

from __future__ import annotations

import json
import os
import queue
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Execution:
    """What one executed cell produced."""

    reply: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)

    def _of(self, msg_type: str) -> list[dict[str, Any]]:
        return [m["content"] for m in self.messages if m["header"]["msg_type"] == msg_type]

    @property
    def status(self) -> str:
        return str(self.reply["content"]["status"])

    @property
    def stdout(self) -> str:
        return "".join(c["text"] for c in self._of("stream") if c["name"] == "stdout")

    @property
    def stderr(self) -> str:
        return "".join(c["text"] for c in self._of("stream") if c["name"] == "stderr")

    @property
    def errors(self) -> list[dict[str, Any]]:
        """``error`` messages (a traceback shown to the user)."""
        return self._of("error")

    @property
    def comm_opens(self) -> list[dict[str, Any]]:
        return self._of("comm_open")

    @property
    def outputs(self) -> list[dict[str, Any]]:
        """``data`` dicts of display_data and execute_result messages, in order."""
        return [c["data"] for c in self._of("display_data") + self._of("execute_result")]

    @property
    def result(self) -> dict[str, Any] | None:
        results = self._of("execute_result")
        return results[-1]["data"] if results else None

    def value(self) -> Any:
        """The cell's ``text/plain`` result parsed as JSON (cells end with ``json.dumps(...)``)."""
        assert self.result is not None, f"no result; stderr={self.stderr!r}; errors={self.errors}"
        return json.loads(eval(self.result["text/plain"]))  # the repr of a str

    def widget_state(self, comm_id: str) -> dict[str, Any]:
        """A widget's synced state: its ``comm_open`` state with later updates applied."""
        state: dict[str, Any] = {}
        for m in self.messages:
            c = m["content"]
            if c.get("comm_id") != comm_id:
                continue
            if m["header"]["msg_type"] == "comm_open":
                state.update(c["data"].get("state", {}))
            elif m["header"]["msg_type"] == "comm_msg" and c["data"].get("method") == "update":
                state.update(c["data"].get("state", {}))
        return state

    def widget_comm(self, trait: str) -> str:
        """The comm id of the (first) widget opened whose state has ``trait``."""
        for c in self.comm_opens:
            state = c.get("data", {}).get("state", {})
            if trait in state:
                return str(c["comm_id"])
        raise AssertionError(f"no widget with trait {trait!r} opened: {self.comm_opens}")


class KernelDriver:
    """One started kernel and its blocking client."""

    def __init__(self, python: str, *, extra_env: dict[str, str] | None = None) -> None:
        from jupyter_client.kernelspec import KernelSpecManager

        self._specs = tempfile.TemporaryDirectory(prefix="ascope_kernelspec_")
        spec_dir = Path(self._specs.name) / "ascope-test"
        spec_dir.mkdir()
        argv = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        spec = {"argv": argv, "display_name": "ascope test", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec))
        env = {**os.environ, "PYTHONPATH": str(REPO), **(extra_env or {})}
        env.pop("ASCOPE_MODEL", None)
        ksm = KernelSpecManager(kernel_dirs=[self._specs.name], ensure_native_kernel=False)
        self.km = KernelManager(kernel_name="ascope-test", kernel_spec_manager=ksm)
        self.km.start_kernel(env=env, cwd=str(REPO))
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def execute(self, code: str, *, timeout: float = 30) -> Execution:
        """Run ``code`` as a cell; wait for its reply and for the kernel to go idle."""
        return self._collect(self.kc.execute(code, allow_stdin=False), timeout)

    def _collect(self, msg_id: str, timeout: float) -> Execution:
        deadline = time.monotonic() + timeout
        messages: list[dict[str, Any]] = []
        idle = False
        while not idle:
            msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            idle = (
                msg["header"]["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            )
        reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        return Execution(reply, messages)

    def ok(self, code: str, *, timeout: float = 30) -> Execution:
        """``execute`` and assert the cell ran without any error."""
        ex = self.execute(code, timeout=timeout)
        assert ex.status == "ok" and not ex.errors, (
            f"cell failed: {ex.errors or ex.reply['content']}\nstderr: {ex.stderr}"
        )
        return ex

    def click(
        self, comm_id: str, content: dict[str, Any], *, subshell_id: str | None = None
    ) -> None:
        """Send the comm message of a widget button click (``model.send(content)`` in JS);
        with ``subshell_id`` it goes to that kernel subshell (another thread, ipykernel 7)."""
        msg = self.kc.session.msg(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": content}}
        )
        if subshell_id is not None:
            msg["header"]["subshell_id"] = subshell_id
        self.kc.shell_channel.send(msg)

    def create_subshell(self) -> str:
        """Create a kernel subshell (ipykernel 7, JEP 91); returns its id."""
        msg = self.kc.session.msg("create_subshell_request", {})
        self.kc.control_channel.send(msg)
        while True:
            reply = self.kc.get_control_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return str(reply["content"]["subshell_id"])

    def start_execute(self, code: str) -> str:
        """Send a cell without waiting for it (``finish_execute`` collects it)."""
        return str(self.kc.execute(code, allow_stdin=False))

    def finish_execute(self, msg_id: str, *, timeout: float = 30) -> Execution:
        """Collect the messages and reply of a cell sent with ``start_execute``."""
        return self._collect(msg_id, timeout)

    def drain_iopub(self) -> None:
        """Drop iopub messages already received (background output of earlier cells)."""
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                return

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        self._specs.cleanup()
