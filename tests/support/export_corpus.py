"""A corpus of real runs for the export tests, made through the public API only.

``await build_corpus(store)`` runs ReActAgents and a 3-agent MsgHub with ``ascope_nb.start``
/ ``start_hub`` and steers them through their ``Run`` handles (deny, edit, steer, stop,
feedback), as a person at the notebook would. The only fake is the model (``ScriptedModel``),
which records every request: ``Corpus.seen[run_id]`` holds what the model received per call.

Scenarios (``Corpus.runs`` by name): ``parallel`` (two calls in one message, Chinese text,
thumbs up), ``tool_error`` (a tool raises; thumbs down), ``deny``, ``edit``, ``steer``,
``stop`` (stopped mid-stream), ``hub`` (3 agents, announcement and topic, a speaker's tool
call after another speaker's text), ``first`` / ``followup`` (a follow-up question to the same
agent), ``deny_then_stop`` (a denial whose next action is stopped), ``deny_and_edit`` (a
denial and an edit in one parallel message), ``max_iters``, ``error`` (the model fails).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.events import ApprovalRequested, Event
from ascope_nb.formatter import OpenAIChatFormatter, OpenAIMultiAgentFormatter
from ascope_nb.message import Msg
from ascope_nb.run import Run, start, start_hub
from ascope_nb.testing import Reply, ScriptedModel, tool_call
from ascope_nb.tool import Toolkit

ZH_QUESTION = "北京今天的天气怎么样？顺便算一下 2 加 3。"
ZH_ANSWER = "北京今天晴，气温 21 度；2 加 3 等于 5。"


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


def search(query: str) -> str:
    """Search the web.

    Args:
        query: What to look for.
    """
    return f"results for {query}"


def delete_file(path: str) -> str:
    """Delete a file.

    Args:
        path: The file to delete.
    """
    return f"deleted {path}"


def flaky(n: int) -> str:
    """A tool that fails.

    Args:
        n: Any number.
    """
    raise RuntimeError(f"flaky failed on {n}")


async def slow_search(query: str) -> str:
    """Search slowly.

    Args:
        query: What to look for.
    """
    await asyncio.sleep(30)
    return "never"


@dataclass
class Corpus:
    """The runs by scenario name, their agents' models, and the store they were saved in."""

    store: Any
    runs: dict[str, Run] = field(default_factory=dict)
    models: dict[str, ScriptedModel] = field(default_factory=dict)

    def run_id(self, name: str) -> str:
        return self.runs[name].run_id

    def events(self, name: str) -> list[Event]:
        return self.store.events(self.run_id(name))


def agent(
    name: str,
    replies: list[Any],
    *,
    tools: tuple[Any, ...] = (add, search, delete_file, flaky, slow_search),
    multi: bool = False,
    token_delay: float = 0.0,
    **kwargs: Any,
) -> ReActAgent:
    toolkit = Toolkit()
    for fn in tools:
        toolkit.register_tool_function(fn)
    made = ReActAgent(
        name=name,
        sys_prompt=f"You are {name}, a careful assistant.",
        model=ScriptedModel(replies, stream=True, token_delay=token_delay),
        formatter=OpenAIMultiAgentFormatter() if multi else OpenAIChatFormatter(),
        toolkit=toolkit,
        **kwargs,
    )
    made.set_console_output_enabled(False)
    return made


def decide_by_name(run: Run, decisions: dict[str, tuple[str, Any]]) -> None:
    """Answer approval requests as a person clicking the buttons: by tool name."""

    def on_event(event: Event) -> None:
        if isinstance(event, ApprovalRequested) and event.name in decisions:
            action, arg = decisions[event.name]
            if action == "deny":
                run.deny(event.tool_call_id, arg)
            else:
                run.approve(event.tool_call_id, arg)

    run.subscribe(on_event)


async def _until(predicate: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise TimeoutError("the scripted run did not reach the expected point")
        await asyncio.sleep(0.01)


async def build_corpus(store: Any) -> Corpus:
    """Run every scenario (stored in ``store``, attached for the duration) and return them."""
    corpus = Corpus(store=store)
    store.attach()
    try:
        await _build(corpus)
        await store.aflush()
    finally:
        store.detach()
    return corpus


async def _run(corpus: Corpus, name: str, run: Run, model: ScriptedModel | None) -> Run:
    corpus.runs[name] = run
    if model is not None:
        corpus.models[name] = model
    try:
        await asyncio.wait_for(run.wait(), 10)
    except Exception:  # an errored run raises from wait(); its status says so
        pass
    return run


async def _build(corpus: Corpus) -> None:
    # ReAct with two parallel calls, Chinese text, thumbs up
    a = agent(
        "Friday",
        [
            ["我来查一下。", tool_call("search", query="北京天气"), tool_call("add", a=2, b=3)],
            ZH_ANSWER,
        ],
        parallel_tool_calls=True,
    )
    run = await _run(corpus, "parallel", start(a, ZH_QUESTION), a.model)
    run.feedback(label="up", comment="很好")

    # a tool error, then an answer; thumbs down
    a = agent("Friday", [[tool_call("flaky", n=1)], "The tool failed, sorry."])
    run = await _run(corpus, "tool_error", start(a, "Try the flaky tool."), a.model)
    run.feedback(label="down", comment="gave up too soon")

    # a denied delete_file, then a search, then the answer
    a = agent(
        "Friday",
        [
            ["Deleting it.", tool_call("delete_file", path="/etc/passwd")],
            [tool_call("search", query="how to clean up safely")],
            "Use the cleanup guide.",
        ],
        require_approval=["delete_file"],
    )
    run = start(a, "Clean up my disk.")
    decide_by_name(run, {"delete_file": ("deny", "never delete system files")})
    await _run(corpus, "deny", run, a.model)

    # an edited add
    a = agent("Friday", [[tool_call("add", a=1, b=2)], "It is 6."], require_approval=["add"])
    run = start(a, "What is 1 + 5?")
    decide_by_name(run, {"add": ("approve", {"a": 1, "b": 5})})
    await _run(corpus, "edit", run, a.model)

    # guidance while a tool runs
    holder: dict[str, Run] = {}

    def steering_search(query: str) -> str:
        """Search while a person steers.

        Args:
            query: What to look for.
        """
        holder["run"].steer("Use the add tool instead.")
        return "nothing useful"

    a = agent(
        "Friday",
        [[tool_call("steering_search", query="2+2")], [tool_call("add", a=2, b=2)], "4"],
        tools=(add, steering_search),
    )
    holder["run"] = run = start(a, "2 + 2?")
    await _run(corpus, "steer", run, a.model)

    # stopped mid-stream
    long_text = " ".join(f"word{i}" for i in range(400))
    a = agent("Friday", [long_text], token_delay=0.005)
    run = start(a, "Tell me a long story.")
    await _until(lambda: sum(e.kind == "text_delta" for e in run.events) > 3)
    run.stop()
    await _run(corpus, "stop", run, a.model)

    # a 3-agent hub: announcement and topic; Bob calls a tool after Alice's text
    alice = agent("Alice", ["I prefer tea."], multi=True)
    bob = agent("Bob", [[tool_call("search", query="coffee vs tea")], "Coffee wins."], multi=True)
    carol = agent("Carol", ["Both are fine."], multi=True)
    run = start_hub(
        [alice, bob, carol],
        "Tea or coffee?",
        announcement="Debate: each of you gives one opinion.",
    )
    await _run(corpus, "hub", run, None)
    for name, member in (("hub:Alice", alice), ("hub:Bob", bob), ("hub:Carol", carol)):
        corpus.models[name] = member.model  # type: ignore[assignment]
    run.feedback(label="up")

    # a question, then a follow-up to the same agent (the model sees the first turn again)
    a = agent("Friday", [[tool_call("add", a=2, b=2)], "2 + 2 = 4.", "And 4 + 4 = 8."])
    await _run(corpus, "first", start(a, "What is 2 + 2?"), a.model)
    await _run(corpus, "followup", start(a, Msg("user", "And 4 + 4?", "user")), a.model)

    # a denial whose next action is stopped
    a = agent(
        "Friday",
        [[tool_call("delete_file", path="/tmp/x")], [tool_call("slow_search", query="x")]],
        require_approval=["delete_file"],
    )
    run = start(a, "Remove /tmp/x.")
    decide_by_name(run, {"delete_file": ("deny", "no")})
    await _until(lambda: any(e.kind == "tool_call" and e.name == "slow_search" for e in run.events))
    await asyncio.sleep(0.05)
    run.stop()
    await _run(corpus, "deny_then_stop", run, a.model)

    # a denial and an edit in one parallel message
    a = agent(
        "Friday",
        [
            [tool_call("delete_file", path="/home"), tool_call("add", a=1, b=1)],
            [tool_call("search", query="disk usage")],
            "Done.",
        ],
        parallel_tool_calls=True,
        require_approval=["delete_file", "add"],
    )
    run = start(a, "Free space and add 1 + 2.")
    decide_by_name(run, {"delete_file": ("deny", "no"), "add": ("approve", {"a": 1, "b": 2})})
    await _run(corpus, "deny_and_edit", run, a.model)

    # max iters: the model keeps calling tools, then summarises
    a = agent(
        "Friday",
        [[tool_call("search", query="more")], "I ran out of steps."],
        max_iters=1,
    )
    await _run(corpus, "max_iters", start(a, "Search forever."), a.model)

    # the model fails mid-run
    a = agent("Friday", [[tool_call("add", a=1, b=1)], Reply(error=RuntimeError("backend down"))])
    await _run(corpus, "error", start(a, "Add 1 + 1."), a.model)


__all__ = ["Corpus", "build_corpus", "ZH_QUESTION", "ZH_ANSWER"]
