"""Schema tool mode: step schema, message rewriting, JSON -> blocks, streaming, loop guard.

The model side is the real HTTP ``FakeOpenAIServer`` replying with step JSON; no weights.
"""

from __future__ import annotations

import json
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.model import ChatResponse, OpenAIChatModel
from ascope_nb.model._schema_model import SchemaToolModel
from ascope_nb.model._schema_tools import (
    PreviousCall,
    finish_name,
    parse_step,
    previous_call,
    repeat_note,
    schema_messages,
    step_blocks,
    step_schema,
    tools_instruction,
)
from ascope_nb.testing.openai_server import FakeOpenAIServer, FakeReply
from ascope_nb.tool import Toolkit

ADD = {
    "type": "function",
    "function": {
        "name": "add",
        "description": "Add two integers.",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    },
}
NESTED = {
    "type": "function",
    "function": {
        "name": "book",
        "parameters": {
            "type": "object",
            "properties": {"when": {"$ref": "#/$defs/Slot"}},
            "$defs": {"Slot": {"type": "object", "properties": {"day": {"type": "string"}}}},
        },
    },
}


def step(name: str, thought: str = "", **rest: Any) -> str:
    return json.dumps({"thought": thought, "name": name, **rest})


# ----------------------------------------------------------------- schema
def test_schema_has_one_choice_per_tool_and_finish() -> None:
    schema = step_schema([ADD, NESTED])
    choices = schema["anyOf"]
    assert [c["properties"]["name"]["const"] for c in choices] == ["add", "book", "finish"]
    add = choices[0]
    # the arguments sit beside the name (fewer tokens); nothing generated to be dropped
    assert list(add["properties"]) == ["name", "a", "b"]
    assert add["required"] == ["name", "a", "b"] and add["additionalProperties"] is False
    assert choices[2]["required"] == ["name", "answer"]
    # nested $defs are hoisted to the root and references renamed to match
    ref = choices[1]["properties"]["when"]["$ref"]
    assert ref.startswith("#/$defs/")
    assert ref.removeprefix("#/$defs/") in schema["$defs"]
    assert "$defs" not in choices[1]
    # the caller's schemas are not modified
    assert "additionalProperties" not in ADD["function"]["parameters"]


def test_a_tool_with_a_name_parameter_keeps_its_arguments_nested() -> None:
    """A parameter called ``name`` cannot sit beside the tool's name: that tool's step is
    ``{"name": ..., "arguments": {...}}``, in the schema, the prompt and the reply."""
    greet = {
        "type": "function",
        "function": {
            "name": "greet",
            "parameters": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
    }
    choices = step_schema([ADD, greet])["anyOf"]
    assert list(choices[1]["properties"]) == ["name", "arguments"]
    assert '"arguments"' in tools_instruction([ADD, greet])
    blocks = step_blocks('{"name": "greet", "arguments": {"name": "Ada"}}')
    assert blocks[-1]["name"] == "greet" and blocks[-1]["input"] == {"name": "Ada"}
    flat = step_blocks('{"name": "add", "a": 1, "b": 2}')
    assert flat[-1]["name"] == "add" and flat[-1]["input"] == {"a": 1, "b": 2}


def test_schema_required_and_named_tool_choice() -> None:
    forced = step_schema([ADD, NESTED], allow_finish=False)
    assert [c["properties"]["name"]["const"] for c in forced["anyOf"]] == ["add", "book"]
    only = step_schema([ADD, NESTED], only="book")
    assert [c["properties"]["name"]["const"] for c in only["anyOf"]] == ["book"]


def test_finish_name_avoids_a_tool_called_finish() -> None:
    tool = {"type": "function", "function": {"name": "finish", "parameters": {}}}
    name = finish_name([tool])
    assert name != "finish"
    assert [c["properties"]["name"]["const"] for c in step_schema([tool])["anyOf"]] == [
        "finish",
        name,
    ]


# ----------------------------------------------------------------- messages
def test_schema_messages_rewrites_tool_calls_and_results() -> None:
    messages = [
        {"role": "system", "content": "You are Friday."},
        {"role": "user", "content": "What is 2 + 3?"},
        {
            "role": "assistant",
            "content": "Let me add.",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "name": "add", "content": "5"},
    ]
    out = schema_messages(messages, [ADD])
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user"]
    assert out[0]["content"].startswith("You are Friday.")
    assert "add" in out[0]["content"] and "finish" in out[0]["content"]
    assert json.loads(out[2]["content"]) == {"name": "add", "a": 2, "b": 3}
    assert "tool_calls" not in out[2]
    assert out[3]["content"].endswith("5")
    assert messages[0]["content"] == "You are Friday."  # input untouched


def test_prompt_is_lean_first_paragraph_and_no_defaulted_options() -> None:
    from ascope_nb.tool import Toolkit, execute_python_code

    toolkit = Toolkit()
    toolkit.register_tool_function(execute_python_code)
    text = schema_messages([{"role": "user", "content": "x"}], toolkit.get_json_schemas())[0][
        "content"
    ]
    assert "Execute Python code in a fresh interpreter" in text
    assert "ASCOPE_TOOLS_KEEP_SECRETS" not in text  # the long description stays out
    assert '"code"' in text and "timeout" not in text  # the model leaves the default alone
    assert "thought" not in text


def test_own_replies_go_back_byte_for_byte() -> None:
    raw = '{"name":"add",  "arguments": {"b": 3, "a": 2}}'
    calls = [{"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}}]
    messages = [
        {"role": "user", "content": "2 + 3?"},
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "tool", "tool_call_id": "c1", "name": "add", "content": "5"},
        {"role": "assistant", "content": "5"},
    ]
    said = {"call:c1": raw, "text:5": '{"name": "finish", "answer": "5"}'}
    out = schema_messages(messages, [ADD], said=said)
    assert out[2]["content"] == raw
    assert out[4]["content"] == said["text:5"]
    assert schema_messages(messages, [ADD])[4]["content"] == "5"  # unknown: as is


# ----------------------------------------------------------------- reply -> blocks
def test_tool_choice_becomes_thinking_and_tool_use() -> None:
    blocks = step_blocks(step("add", "I add.", arguments={"a": 2, "b": 3}))
    assert [b["type"] for b in blocks] == ["thinking", "tool_use"]
    call = blocks[1]
    assert (call["name"], call["input"]) == ("add", {"a": 2, "b": 3})
    assert json.loads(call["raw_input"]) == {"a": 2, "b": 3}
    assert call["id"]
    assert blocks[0]["thinking"] == "I add."


def test_finish_becomes_text_and_empty_thought_is_dropped() -> None:
    assert step_blocks(step("finish", answer="391")) == [{"type": "text", "text": "391"}]


def test_fenced_and_trailing_garbage_replies_parse() -> None:
    fenced = "```json\n" + step("add", arguments={"a": 1, "b": 1}) + "\n```"
    assert step_blocks(fenced)[-1]["input"] == {"a": 1, "b": 1}
    assert parse_step(step("finish", answer="x") + " trailing")["answer"] == "x"


def test_non_step_reply_is_kept_as_text() -> None:
    assert step_blocks("Just prose.") == [{"type": "text", "text": "Just prose."}]


def test_partial_json_yields_streaming_text_only() -> None:
    full = step("finish", "Multiply them.", answer="17 * 23 = 391")
    seen = []
    for end in range(1, len(full) + 1):
        blocks = step_blocks(full[:end], final=False)
        assert all(b["type"] != "tool_use" for b in blocks)
        seen.append(blocks)
    thoughts = [b[0]["thinking"] for b in seen if b]
    assert thoughts and all(full.count(t) for t in thoughts)
    # cumulative: each shown text extends the previous one
    answers = [b[-1]["text"] for b in seen if b and b[-1]["type"] == "text"]
    assert answers[-1] == "17 * 23 = 391"
    assert all(b.startswith(a) for a, b in zip(answers, answers[1:], strict=False))
    partial_call = step("add", "x", arguments={"a": 1, "b": 2})[:-5]
    assert [b["type"] for b in step_blocks(partial_call, final=False)] == ["thinking"]


# ----------------------------------------------------------------- loop guard
CALL_MSGS = [
    {"role": "user", "content": "add"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}
        ],
    },
    {"role": "tool", "tool_call_id": "c1", "name": "add", "content": "42"},
]


def test_previous_call_and_repeat_note() -> None:
    prev = previous_call(CALL_MSGS)
    assert prev == PreviousCall("add", {"a": 1}, "42")
    same = step_blocks(step("add", arguments={"a": 1}))
    other = step_blocks(step("add", arguments={"a": 2}))
    note = repeat_note(same, prev)
    assert note is not None and note.endswith("42")
    assert repeat_note(other, prev) is None
    # a new user question resets the guard
    assert previous_call([*CALL_MSGS, {"role": "user", "content": "again"}]) is None


# ----------------------------------------------------------------- over HTTP
def wrap(server: FakeOpenAIServer, *, stream: bool) -> SchemaToolModel:
    inner = OpenAIChatModel("fake", stream=stream, client_kwargs={"base_url": server.base_url})
    return SchemaToolModel(inner)


async def test_request_carries_schema_and_no_native_tools(server: FakeOpenAIServer) -> None:
    server.add_reply(step("add", "Adding.", arguments={"a": 2, "b": 3}))
    model = wrap(server, stream=False)
    response = await model([{"role": "user", "content": "2+3?"}], tools=[ADD])
    body = server.requests[0]
    assert "tools" not in body and "tool_choice" not in body
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["schema"] == step_schema([ADD])
    assert body["messages"][0]["role"] == "system"
    assert isinstance(response, ChatResponse)
    assert [b["type"] for b in response.content] == ["thinking", "tool_use"]
    assert response.content[1]["input"] == {"a": 2, "b": 3}


async def test_without_tools_is_plain_chat(server: FakeOpenAIServer) -> None:
    server.add_reply("hello")
    response = await wrap(server, stream=False)([{"role": "user", "content": "hi"}])
    assert "response_format" not in server.requests[0]
    assert isinstance(response, ChatResponse)
    assert response.content == [{"type": "text", "text": "hello"}]


async def test_required_tool_choice_drops_finish(server: FakeOpenAIServer) -> None:
    server.add_reply(step("add", arguments={"a": 1, "b": 1}))
    await wrap(server, stream=False)(
        [{"role": "user", "content": "x"}], tools=[ADD], tool_choice="required"
    )
    schema = server.requests[0]["response_format"]["json_schema"]["schema"]
    assert [c["properties"]["name"]["const"] for c in schema["anyOf"]] == ["add"]


async def test_stream_emits_cumulative_text_then_tool_use(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(text=step("add", "I will add.", arguments={"a": 2, "b": 3})))
    chunks = [
        c
        async for c in await wrap(server, stream=True)(
            [{"role": "user", "content": "x"}], tools=[ADD]
        )
    ]  # type: ignore[union-attr]
    *partials, final = chunks
    assert partials, "the thought should stream before the final chunk"
    assert all(b["type"] == "thinking" for c in partials for b in c.content)
    texts = [c.content[0]["thinking"] for c in partials if c.content]
    assert all(b.startswith(a) for a, b in zip(texts, texts[1:], strict=False))
    assert [b["type"] for b in final.content] == ["thinking", "tool_use"]
    assert final.content[0]["thinking"] == "I will add."


async def test_repeated_call_becomes_finish(server: FakeOpenAIServer) -> None:
    server.add_reply(step("add", arguments={"a": 1}))
    response = await wrap(server, stream=False)(CALL_MSGS, tools=[ADD])
    assert isinstance(response, ChatResponse)
    assert [b["type"] for b in response.content] == ["text"]
    assert "42" in response.content[0]["text"]


def add(a: int, b: int) -> Any:
    """Add two integers.

    Args:
        a: The first.
        b: The second.
    """
    from ascope_nb.tool import ToolResponse

    return ToolResponse(content=[{"type": "text", "text": str(a + b)}])


async def test_react_agent_runs_through_schema_mode(server: FakeOpenAIServer) -> None:
    first = '{"name": "add",\n "arguments": {"b": 23, "a": 17}}'  # spacing as a model may write it
    server.add_reply(first, step("finish", "Done.", answer="17 + 23 = 40"))
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are Friday.",
        model=wrap(server, stream=True),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    reply = await agent(Msg("user", "What is 17 + 23?", "user"))
    assert reply.get_text_content() == "17 + 23 = 40"
    second = server.requests[1]["messages"]
    assert second[-2]["content"] == first  # the model's own reply, byte for byte (prompt cache)
    assert second[-1]["role"] == "user" and second[-1]["content"].endswith("40")
