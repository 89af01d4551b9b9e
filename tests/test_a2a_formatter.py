"""``A2AChatFormatter`` both ways, on a2a-sdk 1.x protobuf types and on 0.3's pydantic types
(``a2a.compat.v0_3.types``), with our own cases."""

from __future__ import annotations

import ast
import asyncio

import pytest

pytest.importorskip("a2a.types", reason="needs the a2a extra")

from ascope_nb.formatter import A2AChatFormatter
from ascope_nb.formatter._a2a import build_message_v03
from ascope_nb.message import Msg

WAV = "UklGRigAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA="
BLOCKS = [
    {"type": "text", "text": "Hello"},
    {"type": "thinking", "thinking": "hmm"},
    {"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 1, "b": 2.5}},
    {"type": "tool_result", "id": "c1", "name": "add", "output": "3.5"},
    {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}},
    {"type": "audio", "source": {"type": "base64", "media_type": "audio/wav", "data": WAV}},
]
BACK = [
    {"type": "text", "text": "Hello"},
    {"type": "text", "text": "hmm"},
    BLOCKS[2],
    BLOCKS[3],
    BLOCKS[4],
    BLOCKS[5],
]


def test_round_trip_on_protobuf_types() -> None:
    from a2a.types import Role

    formatter = A2AChatFormatter()
    message = asyncio.run(
        formatter.format([Msg("user", BLOCKS[:3], "user"), Msg("u", BLOCKS[3:], "user")])
    )  # type: ignore[arg-type]
    assert message.role == Role.ROLE_USER and len(message.parts) == 6
    assert message.parts[4].url == "https://example.com/cat.png"
    assert message.parts[5].media_type == "audio/wav"
    back = asyncio.run(formatter.format_a2a_message("Friday", message))
    assert back.role == "user" and back.name == "Friday"
    assert back.get_content_blocks() == BACK  # ints stay ints, floats stay floats
    empty = asyncio.run(formatter.format([]))
    assert list(empty.parts) == []


def test_round_trip_on_a2a_0_3_types() -> None:
    from a2a.compat.v0_3 import types as v03

    message = build_message_v03(v03, BLOCKS)
    assert isinstance(message, v03.Message) and message.role == v03.Role.user
    assert [p.root.kind for p in message.parts] == ["text", "text", "data", "data", "file", "file"]
    back = asyncio.run(A2AChatFormatter().format_a2a_message("Friday", message))
    assert back.get_content_blocks() == BACK


def test_task_with_status_message_and_artifacts() -> None:
    from a2a.types import Artifact, Message, Part, Role, Task, TaskState, TaskStatus
    from google.protobuf import json_format, struct_pb2

    data = json_format.ParseDict({"type": "other", "x": 1}, struct_pb2.Value())
    task = Task(
        id="t",
        context_id="c",
        status=TaskStatus(
            state=TaskState.TASK_STATE_COMPLETED,
            message=Message(message_id="m", role=Role.ROLE_AGENT, parts=[Part(text="done")]),
        ),
        artifacts=[Artifact(artifact_id="a", parts=[Part(text="result"), Part(data=data)])],
    )
    msgs = asyncio.run(A2AChatFormatter().format_a2a_task("Friday", task))
    assert len(msgs) == 1 and msgs[0].role == "assistant"
    blocks = msgs[0].get_content_blocks()
    assert blocks[:2] == [{"type": "text", "text": "done"}, {"type": "text", "text": "result"}]
    assert blocks[2]["type"] == "text"  # not a tool block: its data as text
    assert ast.literal_eval(blocks[2]["text"]) == {"type": "other", "x": 1}
    user_status = Task(
        id="t",
        status=TaskStatus(message=Message(role=Role.ROLE_USER, parts=[Part(text="q")])),
        artifacts=[Artifact(artifact_id="a", parts=[Part(text="r")])],
    )
    two = asyncio.run(A2AChatFormatter().format_a2a_task("F", user_status))
    assert [m.role for m in two] == ["user", "assistant"]


def test_bad_parts_and_roles() -> None:
    from a2a.types import Message, Part

    formatter = A2AChatFormatter()
    with pytest.raises(ValueError, match="Unsupported role"):
        asyncio.run(formatter.format_a2a_message("F", Message(parts=[Part(text="x")])))
    with pytest.raises(ValueError, match="Unsupported Part type"):
        asyncio.run(formatter._format_a2a_part(Part()))
    with pytest.raises(ValueError, match="Unsupported source type"):
        bad = {"type": "image", "source": {"type": "ftp", "url": "x"}}
        asyncio.run(formatter.format([Msg("u", [bad], "user")]))  # type: ignore[list-item]
    with pytest.raises(TypeError):
        asyncio.run(formatter.format("not a list"))  # type: ignore[arg-type]
    assert A2AChatFormatter._guess_type("a.mp4") == "video"
    assert A2AChatFormatter._guess_type(mime_type="application/pdf") == "unknown"
