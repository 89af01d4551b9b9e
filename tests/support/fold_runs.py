"""Real agent runs from scripts, for the fold's property test and golden fixtures.

A ``Session`` is one ReActAgent answering several questions (each its own run, follow-ups
seeing the earlier turns) or a MsgHub of agents; the model is a ``FunctionModel`` that
answers each turn from its script and records what it was sent. Scripts can call tools that
succeed, fail (division by zero), steer the agent (``nudge``) or stop it (``halt``), need
approval (approved, denied or edited), run in parallel, break the model, or exceed
``max_iters``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.events import Event, subscribe
from ascope_nb.exceptions import ModelCallError
from ascope_nb.formatter import OpenAIChatFormatter, OpenAIMultiAgentFormatter
from ascope_nb.message import Msg
from ascope_nb.pipeline import MsgHub
from ascope_nb.testing import FunctionModel, Reply, tool_call
from ascope_nb.tool import Toolkit


@dataclass
class CallSpec:
    """One scripted tool call and the person's decision on it (None: no approval asked)."""

    name: str  # add | divide | nudge | halt
    args: dict[str, Any]
    decision: str | None = None  # approved | denied | edited
    edit: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReplySpec:
    """One scripted model answer."""

    text: str = ""
    thinking: str = ""
    calls: list[CallSpec] = field(default_factory=list)
    error: bool = False


@dataclass
class Session:
    """What happened: the events, what each turn returned, what the models were sent."""

    events: list[Event]
    returned: list[Msg | BaseException]
    models: dict[str, FunctionModel]
    agents: dict[str, ReActAgent]
    memory_added: list[list[Msg]]  # per turn of a one-agent session: memory it added


def _toolkit(agent_ref: list[ReActAgent]) -> Toolkit:
    def add(a: int, b: int) -> str:
        """Add two integers.

        Args:
            a: The first number.
            b: The second number.
        """
        return str(a + b)

    def divide(a: int, b: int) -> str:
        """Divide a by b.

        Args:
            a: Dividend.
            b: Divisor.
        """
        return str(a / b)

    def nudge(text: str) -> str:
        """Ask the agent to reconsider.

        Args:
            text: The guidance.
        """
        agent_ref[0].steer(text)
        return "noted"

    async def halt() -> str:
        """Stop the agent."""
        await agent_ref[0].interrupt()
        await asyncio.sleep(5)
        return "not reached"

    toolkit = Toolkit()
    for fn in (add, divide, nudge, halt):
        toolkit.register_tool_function(fn)
    return toolkit


class _Script:
    """The answers of one agent's model, turn by turn; ``ok.`` when a turn's script ends."""

    def __init__(self, prefix: str = "call") -> None:
        self.queue: list[ReplySpec] = []
        self.n = 0
        self.prefix = prefix

    def __call__(self, messages: list[dict[str, Any]], tools: Any) -> Reply:
        if not self.queue:
            return Reply(text="ok.")
        spec = self.queue.pop(0)
        if spec.error:
            return Reply(error=ModelCallError("scripted model failure"))
        calls = []
        for c in spec.calls if tools else ():  # no tools offered (max-iters summary): no calls
            self.n += 1
            calls.append(tool_call(c.name, id=f"{self.prefix}_{self.n}", **c.args))
        return Reply(text=spec.text, thinking=spec.thinking, tool_calls=calls)


def _decide(agent: ReActAgent, script: _Script, replies: list[ReplySpec]) -> None:
    """Decide every scripted call before it is asked (ids are predictable)."""
    n = script.n
    for spec in replies:
        for c in spec.calls:
            n += 1
            call_id = f"{script.prefix}_{n}"
            if c.decision == "denied":
                agent.control.deny(call_id, "not this one")
            elif c.decision == "edited":
                agent.control.approve(call_id, c.edit)
            else:
                agent.control.approve(call_id)


def run_session(
    turns: list[tuple[str, list[ReplySpec]]],
    *,
    parallel: bool = False,
    stream: bool = True,
    max_iters: int = 6,
    approval: bool = False,
) -> Session:
    """One agent answering each ``(question, replies)`` turn as its own run."""
    script = _Script()
    model = FunctionModel(script, stream=stream, model_name="scripted-fn")
    ref: list[ReActAgent] = []
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are Friday.",
        model=model,
        formatter=OpenAIChatFormatter(),
        toolkit=_toolkit(ref),
        parallel_tool_calls=parallel,
        max_iters=max_iters,
        require_approval="all" if approval else None,
    )
    ref.append(agent)
    agent.set_console_output_enabled(False)
    events: list[Event] = []
    returned: list[Msg | BaseException] = []
    added: list[list[Msg]] = []

    async def go() -> None:
        with subscribe(events.append):
            for question, replies in turns:
                script.queue = list(replies)
                if approval:
                    _decide(agent, script, replies)
                before = len(await agent.memory.get_memory())
                try:
                    returned.append(await agent(Msg("user", question, "user")))
                except ModelCallError as exc:
                    returned.append(exc)
                added.append((await agent.memory.get_memory())[before:])

    asyncio.run(go())
    return Session(events, returned, {"Friday": model}, {"Friday": agent}, added)


def run_hub(scripts: dict[str, list[ReplySpec]], *, rounds: int, stream: bool = True) -> Session:
    """Agents taking turns in a MsgHub (one run), each answering from its script."""
    agents: dict[str, ReActAgent] = {}
    models: dict[str, FunctionModel] = {}
    for name, replies in scripts.items():
        script = _Script(prefix=f"call_{name}")
        script.queue = list(replies)
        ref: list[ReActAgent] = []
        models[name] = FunctionModel(script, stream=stream, model_name=f"fn-{name}")
        agent = ReActAgent(
            name=name,
            sys_prompt=f"You are {name}.",
            model=models[name],
            formatter=OpenAIMultiAgentFormatter(),
            toolkit=_toolkit(ref),
        )
        ref.append(agent)
        agent.set_console_output_enabled(False)
        agents[name] = agent
    events: list[Event] = []
    returned: list[Msg | BaseException] = []

    async def go() -> None:
        with subscribe(events.append):
            topic = Msg("Host", "Plan a picnic together.", "user")
            async with MsgHub(list(agents.values()), announcement=topic):
                for _ in range(rounds):
                    for agent in agents.values():
                        try:
                            returned.append(await agent())
                        except ModelCallError as exc:
                            returned.append(exc)

    asyncio.run(go())
    return Session(events, returned, models, agents, [])


__all__ = ["CallSpec", "ReplySpec", "Session", "run_session", "run_hub"]
