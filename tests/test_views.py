"""RunView / HubView / MemoryView with a recording comm: folding, coalescing, commands, reprs."""

from __future__ import annotations

import asyncio
import heapq
import json
import re
from collections import Counter
from typing import Any

import pytest
from fixture_runs import FINAL_TEXT, FIXTURE_PATH, fixture_json, hub_run, react_run, wire

from ascope_nb.events import RunEnded, RunStarted, TextDelta, event_from_dict
from ascope_nb.views import RunController
from ascope_nb.views._coalesce import Coalescer
from ascope_nb.views.run_view import RUN_MIME, RunView


class RecordingComm:
    """Stands in for the kernel comm: records what the widget sends."""

    comm_id = "c0ffee"
    kernel = object()

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, data: dict[str, Any], buffers: Any = None, **kw: Any) -> None:
        self.sent.append(json.loads(json.dumps(data)))  # what would go over the wire

    def on_msg(self, callback: Any) -> None:
        self.handler = callback

    def close(self, *a: Any, **kw: Any) -> None:
        pass

    def custom(self) -> list[dict[str, Any]]:
        return [m["content"] for m in self.sent if m.get("method") == "custom"]

    def state_updates(self) -> list[dict[str, Any]]:
        return [m["state"] for m in self.sent if m.get("method") == "update"]

    def click(self, content: dict[str, Any]) -> None:
        """Deliver a comm message exactly as a browser button sends it."""
        self.handler({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


class RecordingController:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _rec(self, name: str, *args: Any, **kw: Any) -> None:
        self.calls.append((name, args, kw))

    def stop(self) -> None:
        self._rec("stop")

    def steer(self, text: str) -> None:
        self._rec("steer", text)

    def approve(self, tool_call_id: str, input: dict[str, Any] | None = None) -> None:
        self._rec("approve", tool_call_id, input)

    def deny(self, tool_call_id: str, reason: str = "") -> None:
        self._rec("deny", tool_call_id, reason)

    def pause(self) -> None:
        self._rec("pause")

    def step(self) -> None:
        self._rec("step")

    def resume(self) -> None:
        self._rec("resume")

    def feedback(
        self, *, score: float | None = None, label: str | None = None, comment: str = ""
    ) -> None:
        self._rec("feedback", score=score, label=label, comment=comment)

    def submit_input(self, request_id: str, text: str) -> None:
        self._rec("submit_input", request_id, text)


def attach(view: Any) -> RecordingComm:
    comm = RecordingComm()
    view.comm = comm
    return comm


def test_fixture_json_is_current() -> None:
    assert FIXTURE_PATH.read_text(encoding="utf-8") == fixture_json()


def test_fold_summary_traits_of_a_finished_run() -> None:
    events = react_run()
    view = RunView.from_events(events)
    assert (view.status, view.agent, view.n_steps, view.step) == ("completed", "Friday", 3, 2)
    assert view.tokens == {"input": 480, "output": 65}
    assert view.elapsed == pytest.approx(events[-1].ts - events[0].ts)
    assert view.pending_approvals == [] and view.live is False and view.interactive is False
    # deltas are merged per block in the stored list and rebuild the streamed text
    texts = [e for e in view.events if e["kind"] == "text_delta" and e["msg_id"] == "m3"]
    assert [e["delta"] for e in texts] == [FINAL_TEXT]
    assert len(view.events) < len(events)


def test_live_summary_has_pending_approval_and_controls() -> None:
    view = RunView(controller=RecordingController(), events=react_run(live=True))
    assert view.status == "waiting_approval"
    assert view.pending_approvals == [
        {
            "tool_call_id": "call_2",
            "name": "run_python",
            "input": {"code": "print(21 * 9 / 5 + 32)"},
        }
    ]
    assert view.live and view.interactive
    assert isinstance(view.controller, RunController)


def test_push_streams_events_and_state_to_the_browser() -> None:
    view = RunView(controller=RecordingController())
    comm = attach(view)
    for ev in react_run():
        view.push(ev)
    view.flush()
    sent = [e for m in comm.custom() if m["type"] == "events" for e in m["events"]]
    assert [e["seq"] for e in sent] == [e["seq"] for e in view.events]
    assert sent[-1]["kind"] == "run_ended"
    last_state: dict[str, Any] = {}
    for update in comm.state_updates():
        last_state.update(update)
    assert last_state["status"] == "completed" and last_state["n_steps"] == 3
    assert last_state["live"] is False
    assert view.messages_sent == len(comm.sent)


class FakeLoop:
    """A controllable clock with call_later, for the coalescer."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, Any]] = []
        self._n = 0

    def clock(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Any) -> Any:
        self._n += 1
        entry = [self.now + delay, self._n, callback]
        heapq.heappush(self._timers, entry)  # type: ignore[arg-type]

        class H:
            def cancel(self_inner) -> None:
                entry[2] = None

        return H()

    def advance(self, to: float) -> None:
        while self._timers and self._timers[0][0] <= to:
            when, _, cb = heapq.heappop(self._timers)
            self.now = when
            if cb is not None:
                cb()
        self.now = to


def test_coalescing_5000_deltas_at_1000_per_second() -> None:
    loop = FakeLoop()
    view = RunView(controller=RecordingController())
    comm = attach(view)
    view._coalescer = Coalescer(view._send_batch, clock=loop.clock, scheduler=loop.call_later)
    sends: list[float] = []
    orig = view._send

    def timed(msg: dict[str, Any], buffers: Any = None) -> None:
        sends.append(loop.now)
        orig(msg, buffers)

    view._send = timed  # type: ignore[method-assign]
    view.push(RunStarted(agent="A"))
    tokens = [f"t{i} " for i in range(5000)]
    for i, tok in enumerate(tokens):
        loop.advance(i / 1000)
        view.push(TextDelta(agent="A", msg_id="m", block_id="b", delta=tok, seq=i + 1))
    loop.advance(5.1)
    per_second = Counter(int(t) for t in sends)
    assert per_second and max(per_second.values()) <= 35
    assert len(sends) >= 5 * 25  # still streaming smoothly, not one message at the end
    sent = [e for m in comm.custom() if m["type"] == "events" for e in m["events"]]
    assert "".join(e["delta"] for e in sent if e["kind"] == "text_delta") == "".join(tokens)
    assert view.messages_sent == len(comm.sent)


async def test_coalescing_on_a_real_loop() -> None:
    view = RunView(controller=RecordingController())
    comm = attach(view)
    tokens = [f"w{i}" for i in range(400)]
    loop = asyncio.get_running_loop()
    started = loop.time()
    for tok in tokens:
        view.push(TextDelta(msg_id="m", block_id="b", delta=tok))
        await asyncio.sleep(0.001)
    elapsed = loop.time() - started  # on a loaded machine the stream lasts longer
    for _ in range(100):  # the last timer fires
        if view._coalescer.pending == 0:
            break
        await asyncio.sleep(0.02)
    batches = [m for m in comm.custom() if m["type"] == "events"]
    assert "".join(e["delta"] for m in batches for e in m["events"]) == "".join(tokens)
    assert len(batches) <= 35 * elapsed + 2  # at most ~30 messages per second of streaming
    assert len(batches) < len(tokens) / 4  # and really coalesced
    assert view._coalescer.pending == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"cmd": "stop"}, ("stop", (), {})),
        ({"cmd": "steer", "text": "use metric"}, ("steer", ("use metric",), {})),
        ({"cmd": "approve", "tool_call_id": "call_2"}, ("approve", ("call_2", None), {})),
        (
            {"cmd": "approve", "tool_call_id": "call_2", "input": {"code": "1"}},
            ("approve", ("call_2", {"code": "1"}), {}),
        ),
        (
            {"cmd": "deny", "tool_call_id": "call_2", "reason": "unsafe"},
            ("deny", ("call_2", "unsafe"), {}),
        ),
        ({"cmd": "deny", "tool_call_id": "call_2"}, ("deny", ("call_2", ""), {})),
        ({"cmd": "pause"}, ("pause", (), {})),
        ({"cmd": "step"}, ("step", (), {})),
        ({"cmd": "resume"}, ("resume", (), {})),
        (
            {"cmd": "feedback", "label": "up", "comment": "good"},
            ("feedback", (), {"score": None, "label": "up", "comment": "good"}),
        ),
        (
            {"cmd": "feedback", "score": 1},
            ("feedback", (), {"score": 1.0, "label": None, "comment": ""}),
        ),
        (
            {"cmd": "input", "request_id": "req1", "text": "Thai"},
            ("submit_input", ("req1", "Thai"), {}),
        ),
    ],
)
def test_commands_call_the_controller(content: dict[str, Any], expected: tuple[Any, ...]) -> None:
    ctrl = RecordingController()
    view = RunView(controller=ctrl, events=react_run(live=True))
    comm = attach(view)
    comm.click(content)
    assert ctrl.calls == [expected]


@pytest.mark.parametrize(
    "content",
    [
        {"cmd": "launch_missiles"},
        {"cmd": "steer"},
        {"cmd": "steer", "text": 3},
        {"cmd": "approve", "tool_call_id": ""},
        {"cmd": "approve", "tool_call_id": "c", "input": [1]},
        {"cmd": "feedback", "label": "meh"},
        ["stop"],
    ],
)
def test_bad_commands_are_logged_and_ignored(
    content: Any, caplog: pytest.LogCaptureFixture
) -> None:
    ctrl = RecordingController()
    view = RunView(controller=ctrl)
    comm = attach(view)
    comm.click(content)
    assert ctrl.calls == []
    assert len([r for r in caplog.records if r.name == "ascope_nb.notebook"]) == 1


def test_commands_on_a_read_only_view_send_a_notice() -> None:
    view = RunView.from_events(react_run())
    comm = attach(view)
    comm.click({"cmd": "stop"})
    assert comm.custom() == [{"type": "notice", "text": "stop: this run is not live"}]


async def test_async_controller_methods_are_scheduled() -> None:
    done: list[str] = []

    class AsyncCtrl(RecordingController):
        async def stop(self) -> None:  # type: ignore[override]
            done.append("stopped")

    view = RunView(controller=AsyncCtrl())
    attach(view).click({"cmd": "stop"})
    await asyncio.sleep(0)
    assert done == ["stopped"]


def test_snapshot_reply_has_every_event_and_flushes_first() -> None:
    view = RunView(controller=RecordingController())
    comm = attach(view)
    events = react_run()
    for ev in events[:-1]:
        view.push(ev)
    comm.click({"cmd": "snapshot", "nonce": "n1"})
    msgs = comm.custom()
    snap = [m for m in msgs if m["type"] == "snapshot"]
    assert len(snap) == 1 and snap[0]["nonce"] == "n1" and snap[0]["first"] and snap[0]["done"]
    assert snap[0]["events"] == view.events
    # nothing pending was sent after the snapshot: the batch before it holds the tail
    assert msgs[-1]["type"] == "snapshot" and view._coalescer.pending == 0
    rebuilt = [event_from_dict(e) for e in snap[0]["events"]]
    assert [e.kind for e in rebuilt][:3] == ["run_started", "reply_started", "step_started"]


def test_snapshot_is_chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    import ascope_nb.views.run_view as rv

    monkeypatch.setattr(rv, "SNAPSHOT_CHUNK", 10)
    view = RunView.from_events(react_run())
    comm = attach(view)
    comm.click({"cmd": "snapshot", "nonce": "x"})
    snaps = [m for m in comm.custom() if m["type"] == "snapshot"]
    assert len(snaps) == -(-len(view.events) // 10)
    assert [s["first"] for s in snaps] == [True] + [False] * (len(snaps) - 1)
    assert [s["done"] for s in snaps] == [False] * (len(snaps) - 1) + [True]
    assert [e for s in snaps for e in s["events"]] == view.events


def test_mimebundle_live_then_ended() -> None:
    view = RunView(controller=RecordingController(), title="weather")
    events = react_run()
    for ev in events[:-1]:
        view.push(ev)
    data, _ = view._repr_mimebundle_()
    assert set(data) == {"text/plain", "application/vnd.jupyter.widget-view+json"}
    assert data["text/plain"] == "weather (Friday): running, 3 steps"
    view.push(events[-1])
    data, _ = view._repr_mimebundle_()
    assert data["text/plain"] == "weather (Friday): completed, 3 steps"
    assert not re.search(r"0x[0-9a-f]{6,}", data["text/plain"])
    assert data[RUN_MIME]["version"] == 1
    assert [event_from_dict(e).kind for e in data[RUN_MIME]["events"]] == [
        e["kind"] for e in view.events
    ]
    assert data["text/html"].count("<details") == 3
    json.dumps(data[RUN_MIME])  # JSON-serialisable as saved in the .ipynb


def test_from_events_accepts_wire_dicts() -> None:
    a = RunView.from_events(wire(react_run()))
    b = RunView.from_events(react_run())
    assert a.events == b.events and repr(a) == repr(b)


def test_status_error_and_interrupted() -> None:
    view = RunView.from_events(
        [RunStarted(agent="A"), RunEnded(agent="A", status="error", error="boom")]
    )
    assert (view.status, view.error) == ("error", "boom")
    view = RunView.from_events([RunStarted(agent="A"), RunEnded(agent="A", status="interrupted")])
    assert view.status == "interrupted"


def test_hub_run_fixture_folds_with_observers() -> None:
    view = RunView.from_events(hub_run())
    assert view.n_steps == 2
    assert view.pending_input == {"request_id": "req1", "prompt": "Your pick?", "agent": "user"}
    assert view.status == "waiting_input"


def test_hub_view_reprs_and_saved_outputs() -> None:
    from ascope_nb.views import HubView
    from ascope_nb.views.hub_view import HUB_MIME

    events = hub_run()
    view = HubView(controller=RecordingController(), title="dinner")
    comm = attach(view)
    for ev in events:
        view.push(ev)
    view.flush()
    assert repr(view) == "HubView(agents=['Alice', 'Bob'], status='waiting_input', messages=2)"
    assert view.pending_input is not None and view.pending_input["request_id"] == "req1"
    comm.click({"cmd": "input", "request_id": "req1", "text": "Thai"})
    assert view.controller.calls == [("submit_input", ("req1", "Thai"), {})]  # type: ignore[union-attr]
    assert HUB_MIME not in view._repr_mimebundle_()[0]
    view.push(RunEnded(agent="hub"))
    data, _ = view._repr_mimebundle_()
    assert [e["kind"] for e in data[HUB_MIME]["events"]] == [e["kind"] for e in view.events]
    assert "Fine by me!" in data["text/html"]


def test_memory_view_from_memory_msgs_and_rows() -> None:
    from ascope_nb.memory import InMemoryMemory
    from ascope_nb.message import Msg
    from ascope_nb.views import MemoryView
    from ascope_nb.views.memory_view import MEMORY_MIME

    mem = InMemoryMemory()
    msgs = [
        Msg("user", "hi <b>", "user"),
        Msg(
            "Friday",
            [
                {"type": "text", "text": "calling"},
                {"type": "tool_use", "id": "c", "name": "add", "input": {}},
            ],
            "assistant",
        ),
    ]
    asyncio.run(mem.add(msgs[0], marks="hint"))
    asyncio.run(mem.add(msgs[1]))
    view = MemoryView(mem, title="Friday")
    assert [(r["name"], r["text"], r["marks"]) for r in view.rows] == [
        ("user", "hi <b>", ["hint"]),
        ("Friday", "calling\n-> add({})", []),
    ]
    assert view.rows[1]["tool_calls"] == ["add"]
    from_msgs = MemoryView(msgs).rows
    assert [(r["id"], r["text"], r["tool_calls"]) for r in from_msgs] == [
        (r["id"], r["text"], r["tool_calls"]) for r in view.rows
    ]
    assert MemoryView([m.to_dict() for m in msgs]).rows == from_msgs

    comm = attach(view)
    asyncio.run(mem.add(Msg("user", "more", "user")))
    view.refresh()
    assert comm.state_updates()[-1]["rows"][-1]["text"] == "more"
    assert view.messages_sent == len(comm.sent) == 1
    data, _ = view._repr_mimebundle_()
    assert data["text/plain"] == "MemoryView(title='Friday', rows=3)"
    assert [r["text"] for r in data[MEMORY_MIME]["rows"]] == [
        "hi <b>",
        "calling\n-> add({})",
        "more",
    ]
    assert "hi &lt;b&gt;" in data["text/html"]
    with pytest.raises(TypeError, match="'int'"):
        MemoryView([3])


KERNEL_SETUP = """
import sys
sys.path.insert(0, {tests!r})
from fixture_runs import react_run
from ascope_nb.views import RunView
class Ctrl:
    calls = []
    def __getattr__(self, name):
        return lambda *a, **k: Ctrl.calls.append((name, a, k))
view = RunView(controller=Ctrl())
for ev in react_run(live=True):
    view.push(ev)
print(view.model_id)
"""


@pytest.mark.kernel
def test_a_browser_click_reaches_the_controller_in_a_real_kernel() -> None:
    import os
    from pathlib import Path

    from jupyter_client.manager import start_new_kernel

    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": f"{repo}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    km, kc = start_new_kernel(kernel_name="python3", env=env)
    try:

        def run(code: str) -> str:
            reply = kc.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(m))
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream")

        out: list[dict[str, Any]] = []
        model_id = run(KERNEL_SETUP.format(tests=str(repo / "tests"))).strip()
        for content in (
            {"cmd": "approve", "tool_call_id": "call_2", "input": {"code": "1"}},
            {"cmd": "snapshot", "nonce": "k"},
        ):
            msg = kc.session.msg(
                "comm_msg", {"comm_id": model_id, "data": {"method": "custom", "content": content}}
            )
            kc.shell_channel.send(msg)
        snaps: list[dict[str, Any]] = []
        while not snaps:  # the widget's reply, as the browser receives it (get_msg times out)
            m = kc.iopub_channel.get_msg(timeout=30)
            data = m["content"].get("data", {}) if m["msg_type"] == "comm_msg" else {}
            if data.get("method") == "custom" and data["content"].get("type") == "snapshot":
                snaps.append(data["content"])
        assert snaps[0]["nonce"] == "k" and snaps[0]["events"][-1]["kind"] == "approval_requested"
        out.clear()
        printed = run("print(Ctrl.calls)")
        assert printed.strip() == "[('approve', ('call_2', {'code': '1'}), {})]"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_display_handle_is_updated_when_the_run_ends() -> None:
    class Handle:
        updates: list[dict[str, Any]] = []

        def update(self, obj: Any, raw: bool = False) -> None:
            assert raw  # a raw bundle, not the widget
            self.updates.append(obj)

    view = RunView(controller=RecordingController())
    attach(view)
    view._display = Handle()  # what display() stores (an IPython DisplayHandle)
    events = react_run()
    for ev in events[:-1]:
        view.push(ev)
    view.flush()
    assert Handle.updates == []
    view.push(events[-1])
    view.flush()
    assert len(Handle.updates) == 1 and RUN_MIME in Handle.updates[0]
    # kernel-free only: a reopened notebook must not pick a dead widget over the transcript
    assert set(Handle.updates[0]) == {RUN_MIME, "text/html", "text/plain"}
    view.close()
    assert view.comm is None
