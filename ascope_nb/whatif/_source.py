"""What a what-if starts from: a run's events, its fold, and an agent rebuilt from them.

A run is a ``Run`` of this process, a ``StoredRun`` (``load_run``) or a stored run id. The
agent is rebuilt from the ``RunStarted`` metadata (system prompt, tool schemas, max_iters);
tools resolve to real callables: the live agent's when the run is in this process, else by
name from the notebook namespace or ascope_nb's built-in tools.

Example:
    >>> from ascope_nb.tool import Toolkit
    >>> resolve_tools([], given=None).get_json_schemas()
    []
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..agent._react import FINISH_FUNCTION
from ..exceptions import AscopeError, ConfigError
from ..fold import RunFold
from ..fold._conversation import ModelCallState, ReplyState

if TYPE_CHECKING:
    from ..agent import ReActAgent
    from ..events import Event
    from ..formatter import FormatterBase
    from ..model import ChatModelBase
    from ..run import Run
    from ..store import RunStore
    from ..tool import Toolkit

ToolMap = Mapping[str, Callable[..., Any]]


@dataclass
class Source:
    """One run to fork or replay: its events, their fold and its ``Run`` if in this process."""

    run_id: str
    events: list[Event]
    fold: RunFold
    live: Run | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        self.fold.sync()
        return dict(self.fold.run_info.get("metadata") or {})

    @property
    def agent_name(self) -> str:
        self.fold.sync()
        return str(self.fold.run_info.get("agent") or self.fold.agent or "")

    def main_reply(self) -> ReplyState:
        """The first reply of the run's agent (the one ``start()`` ran)."""
        self.fold.sync()
        for reply in self.fold.replies.values():
            if reply.agent == self.agent_name:
                return reply
        raise ConfigError(f"run {self.run_id!r} has no reply of agent {self.agent_name!r}")

    def call_at(self, step: int) -> ModelCallState:
        """The model call of the main reply at ``step``."""
        if isinstance(step, bool) or not isinstance(step, int):
            raise ConfigError(f"step must be an int, got {step!r}")
        calls = self.main_reply().calls
        for call in calls:
            if call.step == step:
                return call
        last = max((c.step for c in calls), default=-1)
        raise ConfigError(f"run {self.run_id!r} has no step {step} (its steps are 0..{last})")

    def live_agent(self) -> ReActAgent | None:
        from ..agent import ReActAgent

        if self.live is None:
            return None
        for agent in self.live.agents:
            if agent.name == self.agent_name and isinstance(agent, ReActAgent):
                return agent
        return None

    def check_local(self, step: int) -> None:
        """Refuse a step of a remote (A2A) agent: its model, memory and tools are elsewhere."""
        for event in self.events:
            wire: Any = event if isinstance(event, dict) else vars(event)
            kind = wire.get("kind") if isinstance(event, dict) else event.kind
            remote = wire.get("remote") if kind == "reply_started" else ""
            if remote and wire.get("agent") == self.agent_name:
                raise ConfigError(
                    f"step {step} of run {self.run_id!r} ran on the remote A2A agent "
                    f"{self.agent_name!r} at {remote}: a remote step cannot be forked here "
                    "(its model, memory and tools are on that server)"
                )

    def check_react(self) -> None:
        meta = self.metadata
        if not isinstance(meta.get("sys_prompt"), str):
            cls = meta.get("agent_class") or "a hub"
            raise ConfigError(
                f"run {self.run_id!r} is not a ReActAgent run ({cls}): only those can be "
                "forked or replayed"
            )


def source_of(run: Any, *, store: RunStore | None = None) -> Source:
    """The ``Source`` of a ``Run``, a ``StoredRun`` or a run id (this process first, then
    the store)."""
    from ..run import Run, get_run

    if isinstance(run, Run):
        events = list(run.events)
        return Source(run.run_id, events, RunFold().extend(events), live=run)
    stored_events = getattr(run, "events", None)
    run_id = getattr(run, "run_id", run)
    if not isinstance(run_id, str) or not run_id:
        raise ConfigError(f"expected a Run, a StoredRun or a run id, got {type(run).__name__}")
    if stored_events is not None:
        return Source(run_id, list(stored_events), RunFold().extend(stored_events))
    live = get_run(run_id)
    if live is not None:
        return source_of(live)
    return Source(run_id, *_stored(run_id, store))


def _stored(run_id: str, store: RunStore | None) -> tuple[list[Event], RunFold]:
    from ..store import default_store

    source = store if store is not None else default_store()
    source.flush()
    events = source.events(run_id)
    if not events:
        raise AscopeError(f"no stored run {run_id!r} in {source.target!r}")
    return events, RunFold().extend(events)


def _namespace() -> dict[str, Any]:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        return dict(shell.user_ns)
    main = sys.modules.get("__main__")
    return dict(vars(main)) if main is not None else {}


def resolve_tools(
    schemas: list[dict[str, Any]], *, given: ToolMap | None, run_id: str = ""
) -> Toolkit:
    """A Toolkit with the recorded ``schemas``, each bound to a real callable: from
    ``given``, else the notebook namespace, else ascope_nb's built-in tools."""
    from .. import tool as builtins
    from ..tool import Toolkit

    toolkit = Toolkit()
    namespace: dict[str, Any] | None = None
    for schema in schemas:
        name = str(schema.get("function", {}).get("name", ""))
        func = (given or {}).get(name)
        if func is None:
            namespace = _namespace() if namespace is None else namespace
            func = namespace.get(name) or getattr(builtins, name, None)
        if not callable(func) and name == FINISH_FUNCTION:
            continue  # a structured reply's finish tool: the agent offers its own
        if not callable(func):
            raise ConfigError(
                f"tool {name!r} of run {run_id!r} is not defined here: define it in the "
                f"notebook or pass tools={{{name!r}: fn}}"
            )
        toolkit.register_tool_function(func, json_schema=schema, func_name=name)
    return toolkit


def formatter_for(src: Source) -> FormatterBase:
    """The live agent's formatter, else a new one of the recorded class."""
    from .. import formatter as formatters

    agent = src.live_agent()
    if agent is not None:
        return agent.formatter
    name = src.main_reply().formatter or "OpenAIChatFormatter"
    cls = getattr(formatters, name, None) or formatters.OpenAIChatFormatter
    result: FormatterBase = cls()
    return result


def build_agent(
    src: Source,
    *,
    model: ChatModelBase,
    toolkit: Toolkit,
    max_iters: int,
    formatter: FormatterBase | None = None,
) -> ReActAgent:
    """A ReActAgent with the run's name, system prompt and settings (empty memory)."""
    from ..agent import ReActAgent

    live = src.live_agent()
    agent = ReActAgent(
        name=src.agent_name,
        sys_prompt=str(src.metadata["sys_prompt"]),
        model=model,
        formatter=formatter or formatter_for(src),
        toolkit=toolkit,
        max_iters=max(1, max_iters),
        parallel_tool_calls=live.parallel_tool_calls if live is not None else False,
        require_approval=live.control.require_approval if live is not None else None,
    )
    agent.set_console_output_enabled(False)
    return agent


def tools_for(src: Source, given: ToolMap | None) -> Toolkit:
    """The live agent's toolkit, else the recorded tools resolved to callables."""
    live = src.live_agent()
    if live is not None and given is None:
        return live.toolkit
    return resolve_tools(list(src.metadata.get("tools") or []), given=given, run_id=src.run_id)


def model_for(src: Source, model: ChatModelBase | None) -> ChatModelBase:
    """``model``, else the live agent's model, else the notebook's default model."""
    if model is not None:
        return model
    live = src.live_agent()
    if live is not None:
        return live.model
    from ..model._default import default_model

    return default_model()


__all__ = ["Source", "source_of", "resolve_tools", "build_agent", "tools_for", "model_for"]
