"""The seed article's programs, with ``agentscope.`` replaced by ``ascope_nb.``, against a
real HTTP server on 127.0.0.1 (DashScope's native API through the real ``dashscope`` SDK,
or OpenAI's) that streams a tool call, then an answer."""

from __future__ import annotations

import json

from ascope_nb.agent import ReActAgent, ScriptedUserInput, UserAgent
from ascope_nb.formatter import DashScopeChatFormatter, DashScopeMultiAgentFormatter
from ascope_nb.memory import InMemoryMemory
from ascope_nb.message import Msg
from ascope_nb.model import DashScopeChatModel, OpenAIChatModel
from ascope_nb.pipeline import MsgHub, sequential_pipeline
from ascope_nb.testing import FakeOpenAIServer
from ascope_nb.testing.openai_server import FakeReply, FakeToolCall
from ascope_nb.tool import Toolkit, execute_python_code


async def test_hello_agentscope_friday_loop(monkeypatch, capsys) -> None:
    code = "print(6 * 7)"
    replies = [
        FakeReply(text="Hi, I am Friday. How can I help?"),
        FakeReply(
            text="Let me run that.",
            tool_calls=[
                FakeToolCall(name="execute_python_code", arguments={"code": code}, id="call_py")
            ],
        ),
        # the model's second answer quotes what the tool printed: computed from the request
        lambda body: FakeReply(
            text="The code printed "
            + body["input"]["messages"][-1]["content"]
            .split("<stdout>")[1]
            .split("</stdout>")[0]
            .strip()
        ),
    ]
    with FakeOpenAIServer(replies) as server:
        monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test-key")

        # ---- the seed program, imports changed; the base URL points at the local server
        toolkit = Toolkit()
        toolkit.register_tool_function(execute_python_code)
        agent = ReActAgent(
            name="Friday",
            sys_prompt="You're a helpful assistant named Friday.",
            model=DashScopeChatModel(
                model_name="qwen-max",
                api_key=__import__("os").environ["DASHSCOPE_API_KEY"],
                stream=True,
                base_http_api_url=server.base_url,
            ),
            memory=InMemoryMemory(),
            formatter=DashScopeChatFormatter(),
            toolkit=toolkit,
        )
        user = UserAgent(name="user")
        user.override_instance_input_method(ScriptedUserInput(["Compute 6 * 7 in Python", "exit"]))

        msg = None
        turns = 0
        while True:
            msg = await agent(msg)
            msg = await user(msg)
            turns += 1
            if msg.get_text_content() == "exit":
                break
        # ----
    assert turns == 2 and len(server.requests) == 3
    requests = server.requests
    # the code really ran and its output reached the model (DashScope's native request body)
    tool_msg = requests[2]["input"]["messages"][-1]
    assert tool_msg["role"] == "tool" and tool_msg["tool_call_id"] == "call_py"
    assert "<stdout>42" in tool_msg["content"].replace("\n", "")
    assert requests[0]["input"]["messages"][0] == {
        "role": "system",
        "content": "You're a helpful assistant named Friday.",
    }
    assert server.headers[0]["x-dashscope-sse"] == "enable"  # stream=True
    assert requests[0]["parameters"]["incremental_output"] is True
    assert requests[0]["parameters"]["tools"][0]["function"]["name"] == "execute_python_code"
    assert server.headers[0].get("authorization") == "Bearer sk-test-key"
    memory = await agent.memory.get_memory()
    assert memory[-1].get_text_content() == "The code printed 42"
    assert [m.get_text_content() for m in memory if m.role == "user"] == ["Compute 6 * 7 in Python"]
    printed = capsys.readouterr().out
    assert "Friday: Let me run that." in printed and "user: Compute 6 * 7 in Python" in printed


async def test_msghub_snippet_introductions() -> None:
    def intro(body: dict) -> FakeReply:
        system = json.dumps(body["messages"][0]["content"])
        name = system.split("named ")[1].split(".")[0]
        return FakeReply(text=f"Hi, I am {name}.")

    with FakeOpenAIServer([intro, intro, intro]) as server:

        def make(name: str) -> ReActAgent:
            agent = ReActAgent(
                name=name,
                sys_prompt=f"You are an agent named {name}.",
                model=OpenAIChatModel(
                    "gpt-test", api_key="k", client_kwargs={"base_url": server.base_url}
                ),
                formatter=DashScopeMultiAgentFormatter(),
            )
            agent.set_console_output_enabled(False)
            return agent

        agent1, agent2, agent3 = make("Alice"), make("Bob"), make("Carol")
        # ---- the seed snippet
        async with MsgHub(
            participants=[agent1, agent2, agent3],
            announcement=Msg("Host", "Introduce yourselves.", "assistant"),
        ) as hub:
            await sequential_pipeline([agent1, agent2, agent3])
        # ----
        assert hub.participants == [agent1, agent2, agent3]
    # Carol's request saw the announcement and both earlier introductions
    carol_prompt = json.dumps(server.requests[2]["messages"])
    assert "Introduce yourselves." in carol_prompt
    assert "Hi, I am Alice." in carol_prompt and "Hi, I am Bob." in carol_prompt
    # every agent observed the others: memory = announcement + 3 introductions
    for agent in (agent1, agent2, agent3):
        names = [m.name for m in await agent.memory.get_memory()]
        assert names == ["Host", "Alice", "Bob", "Carol"]
    # after the hub, broadcasting stops
    assert agent1._subscribers == {}
