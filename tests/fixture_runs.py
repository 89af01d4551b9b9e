"""Fixture event lists: a simulated ReAct run with two tool calls (one approved with edits).

The shapes are those the ReActAgent emits. Ids and timestamps are deterministic, so the
JSON written for the JS tests (``tests/js/fixture_run.json``) is reproducible:

    python tests/fixture_runs.py   # rewrites tests/js/fixture_run.json
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from ascope_nb.events import (
    ApprovalRequested,
    ApprovalResolved,
    Event,
    HintInjected,
    InputRequested,
    MessageCompleted,
    MessageObserved,
    ModelCallEnded,
    ModelCallStarted,
    ReplyEnded,
    ReplyStarted,
    RunEnded,
    RunStarted,
    StatusChanged,
    StepEnded,
    StepStarted,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolResult,
)

USER_TEXT = "Weather in Paris? <script>alert('x')</script>"
FINAL_TEXT = "It is sunny in Paris: 21 °C (70 °F)."
PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def _chunks(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _msg(mid: str, name: str, role: str, content: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "name": name,
        "role": role,
        "content": content,
        "metadata": {},
        "timestamp": "2025-01-01 00:00:00.000",
    }


def react_run(*, live: bool = False, agent: str = "Friday", run_id: str = "run1") -> list[Event]:
    """A run of ``agent``: 3 steps, tools ``get_weather`` and ``run_python`` (needs approval).

    With ``live=True`` the list stops while ``run_python`` waits for approval.
    """
    clock = itertools.count()
    out: list[Event] = []
    r = "reply1"

    def emit(ev: Event) -> None:
        ev.run_id, ev.agent, ev.seq, ev.ts = run_id, agent, len(out), 1000.0 + next(clock) * 0.25
        if not isinstance(ev, (RunStarted, RunEnded)):
            ev.reply_id = r
        out.append(ev)

    user = _msg("m_user", "user", "user", USER_TEXT)
    emit(RunStarted(input=[user], title="weather", model="scripted"))
    emit(ReplyStarted(input=[user]))

    # step 0: think, speak, call get_weather
    emit(StepStarted(step=0))
    emit(ModelCallStarted(step=0, model="scripted", msg_id="m1", n_messages=2))
    thinking, text0 = "The user wants the weather.", "Let me check the weather."
    for d in _chunks(thinking):
        emit(ThinkingDelta(msg_id="m1", block_id="b_think", delta=d))
    for d in _chunks(text0):
        emit(TextDelta(msg_id="m1", block_id="b_text", delta=d))
    args0 = {"city": "Paris", "units": "metric"}
    emit(ToolCall(step=0, msg_id="m1", tool_call_id="call_1", name="get_weather", input=args0))
    emit(
        ModelCallEnded(
            step=0,
            model="scripted",
            msg_id="m1",
            usage={"input_tokens": 120, "output_tokens": 30, "time": 0.5, "type": "chat"},
            latency=0.5,
        )
    )
    emit(
        MessageCompleted(
            msg=_msg(
                "m1",
                agent,
                "assistant",
                [
                    {"type": "thinking", "thinking": thinking},
                    {"type": "text", "text": text0},
                    {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": args0},
                ],
            )
        )
    )
    result0 = [{"type": "text", "text": "Sunny, 21 °C"}]
    emit(
        ToolResult(
            step=0,
            msg_id="m_r1",
            tool_call_id="call_1",
            name="get_weather",
            output=result0,
            duration=0.2,
        )
    )
    emit(
        MessageCompleted(
            msg=_msg(
                "m_r1",
                "system",
                "system",
                [{"type": "tool_result", "id": "call_1", "name": "get_weather", "output": result0}],
            )
        )
    )
    emit(StepEnded(step=0))

    emit(HintInjected(text="Also give Fahrenheit", source="human", step=1))

    # step 1: call run_python, which needs approval
    emit(StepStarted(step=1))
    emit(ModelCallStarted(step=1, model="scripted", msg_id="m2", n_messages=4))
    for d in _chunks("Converting."):
        emit(TextDelta(msg_id="m2", block_id="b_text2", delta=d))
    args1 = {"code": "print(21 * 9 / 5 + 32)"}
    emit(ToolCall(step=1, msg_id="m2", tool_call_id="call_2", name="run_python", input=args1))
    emit(
        ModelCallEnded(
            step=1,
            model="scripted",
            msg_id="m2",
            usage={"input_tokens": 160, "output_tokens": 20, "time": 0.4, "type": "chat"},
            latency=0.4,
        )
    )
    emit(
        MessageCompleted(
            msg=_msg(
                "m2",
                agent,
                "assistant",
                [
                    {"type": "text", "text": "Converting."},
                    {"type": "tool_use", "id": "call_2", "name": "run_python", "input": args1},
                ],
            )
        )
    )
    emit(StatusChanged(status="waiting_approval", detail="run_python"))
    emit(ApprovalRequested(tool_call_id="call_2", name="run_python", input=args1))
    if live:
        return out
    edited = {"code": "print(round(21 * 9 / 5 + 32))"}
    emit(
        ApprovalResolved(
            tool_call_id="call_2",
            name="run_python",
            decision="edited",
            input=edited,
            original_input=args1,
        )
    )
    emit(StatusChanged(status="running"))
    result1 = [
        {"type": "text", "text": "70"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_1PX}},
    ]
    emit(
        ToolResult(
            step=1,
            msg_id="m_r2",
            tool_call_id="call_2",
            name="run_python",
            output=result1,
            duration=0.1,
        )
    )
    emit(
        MessageCompleted(
            msg=_msg(
                "m_r2",
                "system",
                "system",
                [{"type": "tool_result", "id": "call_2", "name": "run_python", "output": result1}],
            )
        )
    )
    emit(StepEnded(step=1))

    # step 2: the answer
    emit(StepStarted(step=2))
    emit(ModelCallStarted(step=2, model="scripted", msg_id="m3", n_messages=6))
    for d in _chunks(FINAL_TEXT):
        emit(TextDelta(msg_id="m3", block_id="b_text3", delta=d))
    emit(
        ModelCallEnded(
            step=2,
            model="scripted",
            msg_id="m3",
            usage={"input_tokens": 200, "output_tokens": 15, "time": 0.3, "type": "chat"},
            latency=0.3,
        )
    )
    final = _msg("m3", agent, "assistant", [{"type": "text", "text": FINAL_TEXT}])
    emit(MessageCompleted(msg=final))
    emit(StepEnded(step=2))
    emit(ReplyEnded(msg_id="m3"))
    emit(RunEnded(status="completed", output=final))
    return out


def hub_run() -> list[Event]:
    """A MsgHub round: Alice and Bob reply in turn and each observes the other."""
    out: list[Event] = []

    def emit(ev: Event, agent: str, reply: str = "") -> None:
        ev.run_id, ev.agent, ev.reply_id, ev.seq, ev.ts = (
            "hub1",
            agent,
            reply,
            len(out),
            2000.0 + len(out),
        )
        out.append(ev)

    topic = _msg("m0", "host", "user", "Topic: pick a <b>restaurant</b>")
    emit(RunStarted(input=[topic], title="dinner"), "hub")
    for i, (name, other, text) in enumerate(
        [("Alice", "Bob", "Let us try Thai."), ("Bob", "Alice", "Fine by me!")]
    ):
        reply, mid = f"rep{i}", f"m{i + 1}"
        emit(ReplyStarted(), name, reply)
        emit(StepStarted(step=0), name, reply)
        emit(ModelCallStarted(step=0, msg_id=mid), name, reply)
        for d in _chunks(text):
            emit(TextDelta(msg_id=mid, block_id="b", delta=d), name, reply)
        emit(
            ModelCallEnded(step=0, msg_id=mid, usage={"input_tokens": 10, "output_tokens": 5}),
            name,
            reply,
        )
        msg = _msg(mid, name, "assistant", [{"type": "text", "text": text}])
        emit(MessageCompleted(msg=msg), name, reply)
        emit(StepEnded(step=0), name, reply)
        emit(ReplyEnded(msg_id=mid), name, reply)
        emit(MessageObserved(observer=other, msg=msg), other)
    emit(InputRequested(request_id="req1", prompt="Your pick?"), "user")
    return out


def wire(events: list[Event]) -> list[dict[str, Any]]:
    """The events as wire dicts."""
    return [e.to_dict() for e in events]


def fixture_json() -> str:
    """The JSON the JS tests read."""
    data = {"run": wire(react_run()), "live": wire(react_run(live=True)), "hub": wire(hub_run())}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


FIXTURE_PATH = Path(__file__).parent / "js" / "fixture_run.json"

if __name__ == "__main__":
    FIXTURE_PATH.write_text(fixture_json(), encoding="utf-8")
    print(f"wrote {FIXTURE_PATH}")
