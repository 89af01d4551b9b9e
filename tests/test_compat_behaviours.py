"""AgentScope 1.x behaviours a user relies on (issue 15), checked from the user's side."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic import BaseModel

from ascope_nb.agent import AgentBase, ReActAgent
from ascope_nb.agent._compression import SummarySchema
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.memory import InMemoryMemory
from ascope_nb.message import Msg, ToolUseBlock
from ascope_nb.model import ChatModelBase, ChatResponse
from ascope_nb.pipeline import sequential_pipeline, stream_printing_messages
from ascope_nb.session import JSONSession
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.token import CharTokenCounter
from ascope_nb.tool import Toolkit, ToolResponse


def call(name: str, **kwargs: Any) -> ToolUseBlock:
    return {"type": "tool_use", "id": "c1", "name": name, "input": kwargs}


def text(resp: ToolResponse) -> str:
    return "".join(b["text"] for b in resp.content if b["type"] == "text")


class Recorder(AgentBase):
    def __init__(self) -> None:
        super().__init__(name="rec")
        self.set_console_output_enabled(False)
        self.seen: list[str] = []

    async def reply(self, *args: Any, **kwargs: Any) -> Msg:
        msg = args[0] if args else kwargs.get("msg")
        return Msg(self.name, f"args={len(args)} kwargs={sorted(kwargs)} {msg.content}", "user")

    async def observe(self, msg: Msg | list[Msg] | None) -> None:
        self.seen.append(msg.content if isinstance(msg, Msg) else "")


class Silent(AgentBase):
    async def reply(self, msg: Msg | None = None) -> None:
        await self.print(Msg(self.name, "thinking aloud", "assistant"))
        return None


async def test_observe_hooks_run_for_a_direct_call_and_get_deep_copies() -> None:
    agent = Recorder()
    calls: list[str] = []

    def pre(_agent: AgentBase, kwargs: dict[str, Any]) -> None:
        calls.append("pre")
        kwargs["msg"].content = "edited in place"  # a copy: the caller's Msg is unchanged

    agent.register_instance_hook("pre_observe", "p", pre)
    agent.register_instance_hook("post_observe", "q", lambda *_: calls.append("post"))
    msg = Msg("user", "original", "user")
    await agent.observe(msg)
    assert calls == ["pre", "post"]
    assert msg.content == "original" and agent.seen == ["original"]


async def test_var_args_reply_keeps_its_positional_message_with_hooks() -> None:
    agent = Recorder()
    agent.register_instance_hook("pre_reply", "noop", lambda *_: None)
    out = await agent(Msg("user", "hi", "user"))
    assert out.content == "args=1 kwargs=[] hi"


async def test_a_reply_of_none_passes_through_sequential_pipeline() -> None:
    first, second = Silent(name="a"), Silent(name="b")
    for agent in (first, second):
        agent.set_console_output_enabled(False)
    assert await sequential_pipeline([first, second], Msg("user", "go", "user")) is None


async def test_stream_printing_messages_yields_printed_messages_then_raises() -> None:
    agent = Silent(name="s")
    agent.set_console_output_enabled(False)
    got = [(m.content, last) async for m, last in stream_printing_messages([agent], agent())]
    assert got == [("thinking aloud", True)]

    class Failing(AgentBase):
        async def reply(self) -> Msg:
            await self.print(Msg(self.name, "before", "assistant"))
            raise ValueError("boom")

    failing = Failing()
    failing.set_console_output_enabled(False)
    seen: list[str] = []
    try:
        async for m, _ in stream_printing_messages([failing], failing()):
            seen.append(m.content)
    except ValueError as exc:
        assert str(exc) == "boom"
    else:
        raise AssertionError("the agent's error was swallowed")
    assert seen == ["before"]


async def test_tool_chunks_come_back_unchanged_and_cancellation_is_a_result() -> None:
    first = ToolResponse(content=[{"type": "text", "text": "1"}], stream=True, is_last=False)
    second = ToolResponse(content=[{"type": "text", "text": "12"}], stream=True, is_last=True)

    async def count() -> Any:
        """Count."""
        yield first
        yield second

    async def stopped() -> ToolResponse:
        """Stops itself."""
        raise asyncio.CancelledError

    toolkit = Toolkit()
    toolkit.register_tool_function(count)
    toolkit.register_tool_function(stopped)
    assert [c async for c in await toolkit.call_tool_function(call("count"))] == [first, second]
    [chunk] = [c async for c in await toolkit.call_tool_function(call("stopped"))]
    assert chunk.is_interrupted and chunk.is_last
    assert "interrupted by the user" in text(chunk)


async def test_background_tool_tasks_can_be_viewed_waited_and_cancelled() -> None:
    release = asyncio.Event()

    async def slow(label: str) -> ToolResponse:
        """Wait for the release.

        Args:
            label: Echoed back.
        """
        await release.wait()
        return ToolResponse(content=[{"type": "text", "text": f"done {label}"}])

    toolkit = Toolkit()
    toolkit.register_tool_function(slow, async_execution=True)

    async def start(label: str) -> str:
        reply = await toolkit.call_tool_function(call("slow", label=label)).last()
        return text(reply).split("Task ID: ")[1].split(".")[0]

    task_id = await start("a")
    assert "still running" in text(await toolkit.view_task(task_id))
    assert "still running" in text(await toolkit.wait_task(task_id, timeout=0.01))
    release.set()
    assert text(await toolkit.wait_task(task_id, timeout=5)) == "done a"
    assert "InvalidTaskIdError" in text(await toolkit.view_task(task_id))  # result was taken
    release.clear()
    other = await start("b")
    assert "has been cancelled" in text(await toolkit.cancel_task(other))
    assert "InvalidTaskIdError" in text(await toolkit.cancel_task(other))


async def test_middlewares_wrap_tool_calls_in_onion_order() -> None:
    def tag(name: str) -> Any:
        async def middleware(kwargs: dict[str, Any], next_handler: Any) -> Any:
            kwargs["tool_call"]["input"]["s"] += f"<{name}"
            async for chunk in await next_handler(**kwargs):
                chunk.content[0]["text"] += f"{name}>"
                yield chunk

        return middleware

    def echo(s: str) -> ToolResponse:
        """Echo.

        Args:
            s: Text.
        """
        return ToolResponse(content=[{"type": "text", "text": s}])

    toolkit = Toolkit()
    toolkit.register_tool_function(echo)
    toolkit.register_middleware(tag("1"))
    toolkit.register_middleware(tag("2"))
    result = await toolkit.call_tool_function(call("echo", s="x")).last()
    assert text(result) == "x<1<22>1>"


async def test_reset_equipped_tools_reports_groups_and_notes() -> None:
    def browse() -> str:
        """Browse."""
        return "ok"

    toolkit = Toolkit()
    toolkit.create_tool_group("web", "Web tools.", notes="Be polite.")
    toolkit.register_tool_function(browse, group_name="web")
    toolkit.register_tool_function(toolkit.reset_equipped_tools)
    reply = await toolkit.call_tool_function(call("reset_equipped_tools", web=True)).last()
    assert text(reply) == (
        "Now tool groups 'web' are activated. You MUST follow these notes to use these "
        "tools:\n<notes>## About Tool Group 'web'\nBe polite.</notes>"
    )
    reply = await toolkit.call_tool_function(call("reset_equipped_tools")).last()
    assert text(reply) == "All tool groups are now deactivated currently."
    denied = await toolkit.call_tool_function(call("browse")).last()
    assert "calling 'reset_equipped_tools' first" in text(denied)


class Verdict(BaseModel):
    answer: int


async def test_structured_reply_gets_its_text_from_one_more_call_without_tools() -> None:
    model = ScriptedModel([[tool_call("generate_response", answer=4)], "It is 4."], stream=False)
    agent = ReActAgent(name="calc", sys_prompt="Add.", model=model, formatter=OpenAIChatFormatter())
    agent.set_console_output_enabled(False)
    reply = await agent(Msg("user", "2+2?", "user"), structured_model=Verdict)
    assert (reply.get_text_content(), reply.metadata["answer"]) == ("It is 4.", 4)
    assert [c.tool_choice for c in model.calls] == ["required", "none"]
    # the finish tool is offered in both calls, without pydantic titles (AgentScope's request)
    for made in model.calls:
        [finish] = made.tools or []
        assert finish["function"]["parameters"] == {
            "properties": {"answer": {"type": "integer"}},
            "required": ["answer"],
            "type": "object",
        }
    hint = model.calls[1].messages[-1]["content"]
    assert "Now generate a text response" in str(hint)
    assert agent.finish_function_name == "generate_response"
    assert "generate_response" not in agent.toolkit.tools


class SummaryModel(ChatModelBase):
    """Answers the summary request with structured fields, anything else with text."""

    def __init__(self) -> None:
        super().__init__("summary", stream=False)
        self.prompts: list[list[dict[str, Any]]] = []

    async def __call__(self, messages: list[dict[str, Any]], **kwargs: Any) -> ChatResponse:
        self.prompts.append(messages)
        fields = dict.fromkeys(SummarySchema.model_fields, "x")
        if kwargs.get("structured_model") is None:
            return ChatResponse(content=[{"type": "text", "text": "done"}])
        return ChatResponse(content=[{"type": "text", "text": "ok"}], metadata=fields)


async def test_compression_summarises_old_messages_once_over_the_threshold() -> None:
    model = SummaryModel()
    config = ReActAgent.CompressionConfig(
        enable=True, agent_token_counter=CharTokenCounter(), trigger_threshold=200, keep_recent=1
    )
    agent = ReActAgent(
        name="a",
        sys_prompt="S",
        model=model,
        formatter=OpenAIChatFormatter(),
        compression_config=config,
    )
    agent.set_console_output_enabled(False)
    await agent([Msg("user", "old " * 100, "user"), Msg("user", "new", "user")])
    assert len(model.prompts) == 2  # the summary call, then the answer
    answer_prompt = [m["content"] for m in model.prompts[1]]
    assert "old old" not in str(answer_prompt) and "Here is a summary" in str(answer_prompt)
    kept = await agent.memory.get_memory(exclude_mark="compressed", prepend_summary=False)
    assert [m.get_text_content() for m in kept] == ["new", "done"]


async def test_in_memory_summary_comes_first_and_survives_state_round_trip() -> None:
    memory = InMemoryMemory()
    await memory.add(Msg("user", "hi", "user"))
    await memory.update_compressed_summary("earlier: greetings")
    assert [m.content for m in await memory.get_memory()] == ["earlier: greetings", "hi"]
    assert len(await memory.get_memory(prepend_summary=False)) == 1
    copy = InMemoryMemory()
    copy.load_state_dict(memory.state_dict())
    assert [m.content for m in await copy.get_memory()] == ["earlier: greetings", "hi"]


async def test_session_files_interchange_with_agentscope_layout(tmp_path: Any) -> None:
    # the file AgentScope 1.0.21 writes for a ReActAgent (keys and nesting)
    saved = {
        "friday": {
            "name": "Friday",
            "_sys_prompt": "You are Friday.",
            "memory": {
                "_compressed_summary": "",
                "content": [[Msg("user", "hi", "user").to_dict(), []]],
            },
            "toolkit": {"active_groups": []},
        }
    }
    (tmp_path / "u1_s1.json").write_text(json.dumps(saved))
    agent = ReActAgent(name="x", sys_prompt="?", model=ScriptedModel(["ok"]))
    session = JSONSession(save_dir=str(tmp_path))
    await session.load_session_state("s1", user_id="u1", friday=agent)
    assert (agent.name, agent.sys_prompt) == ("Friday", "You are Friday.")
    assert [m.content for m in await agent.memory.get_memory()] == ["hi"]
    await session.save_session_state("s2", friday=agent)
    written = json.loads((tmp_path / "s2.json").read_text())
    assert set(written["friday"]) == set(saved["friday"])  # AgentScope can load it back


def test_mcp_results_keep_embedded_text_resources_as_json() -> None:
    import mcp.types as t

    from ascope_nb.mcp._convert import result_to_response

    resource = t.TextResourceContents(uri="file:///a.txt", mimeType="text/plain", text="body")
    result = t.CallToolResult(content=[t.EmbeddedResource(type="resource", resource=resource)])
    response = result_to_response(result)
    assert response.metadata is None
    assert json.loads(response.content[0]["text"])["text"] == "body"


def test_ollama_model_defaults_follow_agentscope() -> None:
    from ascope_nb.model import DashScopeChatModel, OllamaChatModel

    model = OllamaChatModel("qwen3:8b", options={"num_ctx": 4096}, enable_thinking=True)
    assert (model.stream, model.options, model.think, model.keep_alive) == (
        False,
        {"num_ctx": 4096},
        True,
        "5m",
    )
    assert DashScopeChatModel("qwen-max", api_key="sk-1").api_key == "sk-1"


def test_mcp_tool_registered_plainly_offers_the_server_schema_verbatim() -> None:
    from types import SimpleNamespace

    import mcp.types as t

    from ascope_nb.mcp import MCPToolFunction

    schema = {
        "title": "addArguments",
        "type": "object",
        "properties": {"a": {"title": "A", "type": "integer"}},
        "required": ["a"],
    }
    tool = t.Tool(name="add", description="Add.", inputSchema=schema)
    toolkit = Toolkit()
    toolkit.register_tool_function(MCPToolFunction(SimpleNamespace(name="srv"), tool))
    [offered] = toolkit.get_json_schemas()
    assert offered["function"]["parameters"] == schema
    assert toolkit.tools["add"].params_model is not None  # arguments are still checked
