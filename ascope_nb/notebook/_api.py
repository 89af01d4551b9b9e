"""The Python API behind the magics: ``make_agent``, ``show``, and small display objects.

Every magic is a thin shell over these; they work in any notebook without ``%load_ext``.

Example:
    >>> agent = make_agent("Friday", "You are Friday.", model="demo", tools=["view_text_file"])
    >>> AgentCard(agent).text()
    "ReActAgent 'Friday' · model demo · tools ['view_text_file'] · max_iters 10"
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigError

if TYPE_CHECKING:
    from ..agent import AgentBase, ReActAgent
    from ..model import ChatModelBase
    from ..run import Run

BUILTIN_TOOLS = (
    "execute_python_code",
    "execute_shell_command",
    "view_text_file",
    "write_text_file",
    "insert_text_file",
)


def resolve_tool(name: str, namespace: Mapping[str, Any] | None = None) -> Callable[..., Any]:
    """A tool function by name: a callable in ``namespace`` first, then a built-in tool."""
    if namespace is not None and name in namespace:
        found = namespace[name]
        if not callable(found):
            raise ConfigError(f"tool {name!r} is a {type(found).__name__}, not a function")
        return found  # type: ignore[no-any-return]
    if name in BUILTIN_TOOLS:
        from .. import tool

        return getattr(tool, name)  # type: ignore[no-any-return]
    import difflib

    known = list(BUILTIN_TOOLS) + [k for k, v in (namespace or {}).items() if callable(v)]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"tool {name!r} is neither a function in the notebook nor a built-in tool "
        f"({', '.join(BUILTIN_TOOLS)}){hint}"
    )


def _register_mcp_server(toolkit: Any, server: str) -> list[str]:
    from ..mcp import registry
    from ..mcp._loop import run_sync

    client = registry.get(server)  # one-line ConfigError for an unknown name
    return list(run_sync(toolkit.register_mcp_client(client)))


def make_agent(
    name: str,
    sys_prompt: str = "",
    *,
    model: ChatModelBase | str | None = None,
    tools: Iterable[Callable[..., Any] | str] = (),
    max_iters: int = 10,
    parallel: bool = False,
    require_approval: str | Sequence[str] | None = None,
    mcp: Iterable[str] = (),
    namespace: Mapping[str, Any] | None = None,
    warm: bool = True,
    plan: bool = False,
    approve_plan: bool = False,
    memory: Any = None,
) -> ReActAgent:
    """Make a ``ReActAgent`` the way ``%%agent`` does.

    Args:
        name: The agent's name.
        sys_prompt: Its system prompt.
        model: A model, a variable name in ``namespace``, a spec such as
            ``"openai:gpt-4o-mini"``, or None for the default model (``%ascope model``).
        tools: Functions, or names of functions in ``namespace`` or of built-in tools.
        max_iters: The most reasoning steps per reply.
        parallel: Run the tool calls of one step concurrently.
        require_approval: Tool names whose calls wait for approve/deny, or ``"all"``.
        mcp: Names of MCP servers added with ``%mcp add`` (``ascope_nb.mcp.registry``);
            the agent gets all their tools, marked with the server's name.
        namespace: Where names are looked up (the notebook's ``user_ns`` for magics).
        warm: Prepare a model that supports it (the embedded model) in the background:
            server, client and the system prompt + tools prefix (``ascope_nb.warm``).
        plan: Give the agent a ``PlanNotebook`` (its tools and hints; ``run.plan`` edits).
        approve_plan: With ``plan``, each new plan waits for a person's approval.
        memory: The agent's memory (a ``MemoryBase``), or None for an ``InMemoryMemory``.
    """
    from ..agent import ReActAgent
    from ..model._default import resolve_model
    from ..tool import Toolkit

    chat_model = resolve_model(model, namespace)
    toolkit = Toolkit()
    names: list[str] = []
    for item in tools:
        func = resolve_tool(item, namespace) if isinstance(item, str) else item
        toolkit.register_tool_function(func)
        names.append(getattr(func, "__name__", str(item)))
    for server in mcp:
        names.extend(_register_mcp_server(toolkit, server))
    approval = require_approval
    if approval is not None and not isinstance(approval, str):
        approval = list(approval)
        unknown = [t for t in approval if t not in names]
        if unknown:
            raise ConfigError(f"--approve names tools the agent does not have: {unknown!r}")
    agent = ReActAgent(
        name=name,
        sys_prompt=sys_prompt,
        model=chat_model,
        toolkit=toolkit,
        max_iters=max_iters,
        parallel_tool_calls=parallel,
        require_approval=approval,
        plan_notebook=_plan_notebook(plan, approve_plan),
        memory=memory,
    )
    if warm:
        from ..model._warm import warm as warm_agent

        warm_agent(agent)
    return agent


def _plan_notebook(plan: bool, approve_plan: bool) -> Any:
    if not plan:
        return None
    from ..plan import PlanNotebook

    return PlanNotebook(require_approval=approve_plan)


def display_card(agent: AgentBase) -> AgentCard:
    """Display ``agent``'s card; while its model warms, the card updates to "ready"."""
    from IPython.display import display

    card = AgentCard(agent)
    handle = display(card, display_id=True)
    warming = getattr(getattr(agent, "model", None), "warming", None)
    if handle is not None and warming is not None and not warming.done():
        warming.add_done_callback(lambda _done: handle.update(card))
    return card


class NoRun:
    """What ``_`` holds after a failed ``%%ask`` / ``%%hub``: no run was started, and using it
    as one (``await run``, ``run.stop()``) says so instead of a confusing ``TypeError``.

    Example:
        >>> NoRun("%%ask", "%%ask: no agent named 'Fridy'")
        NoRun(the %%ask cell failed: %%ask: no agent named 'Fridy')
    """

    def __init__(self, magic: str, reason: str) -> None:
        self.magic = magic
        self.reason = reason

    def _why(self) -> str:
        return f"no run: the {self.magic} cell failed: {self.reason}"

    def __await__(self) -> Any:
        raise ConfigError(self._why())

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(f"{name!r}: {self._why()}")

    def __repr__(self) -> str:
        return f"NoRun(the {self.magic} cell failed: {self.reason})"


class AgentCard:
    """A small summary of an agent, shown by ``%%agent`` (stable text, simple HTML)."""

    def __init__(self, agent: AgentBase) -> None:
        self.agent = agent

    def fields(self) -> dict[str, Any]:
        agent = self.agent
        model = getattr(agent, "model", None)
        toolkit = getattr(agent, "toolkit", None)
        tools = [s["function"]["name"] for s in toolkit.get_json_schemas()] if toolkit else []
        out: dict[str, Any] = {
            "class": type(agent).__name__,
            "name": agent.name,
            "model": getattr(model, "model_name", "") if model is not None else "",
            "tools": tools,
        }
        state = getattr(model, "state", None)
        if isinstance(state, str) and state != "cold":
            out["state"] = state
        if hasattr(agent, "max_iters"):
            out["max_iters"] = agent.max_iters
        control = getattr(agent, "control", None)
        policy = getattr(control, "require_approval", None)
        if policy:
            out["approve"] = policy if isinstance(policy, str) else sorted(policy)
        if getattr(agent, "parallel_tool_calls", False):
            out["parallel"] = True
        skills = getattr(toolkit, "skills", None)
        if skills:
            out["skills"] = list(skills)
        notebook = getattr(agent, "plan_notebook", None)
        if notebook is not None:
            out["plan"] = "approve" if notebook.require_approval else "on"
        return out

    def text(self) -> str:
        f = self.fields()
        parts = [f"{f['class']} {f['name']!r}", f"model {f['model']}", f"tools {f['tools']!r}"]
        parts += [f"{k} {f[k]!r}" if k == "approve" else f"{k} {f[k]}" for k in list(f)[4:]]
        return " · ".join(parts)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        f = self.fields()
        prompt = str(getattr(self.agent, "sys_prompt", ""))
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
            f"<td>{html.escape(str(v))}</td></tr>"
            for k, v in f.items()
            if k not in ("class", "name")
        )
        short = prompt if len(prompt) <= 300 else prompt[:297] + "..."
        body = (
            f"<div class='ascope-agent-card' style='border:1px solid #ccc;border-radius:6px;"
            f"padding:6px 10px;display:inline-block'><b>{html.escape(f['name'])}</b> "
            f"<span style='opacity:.7'>{html.escape(f['class'])}</span>"
            f"<table style='margin-top:4px'>{rows}</table>"
            f"<div style='opacity:.8;white-space:pre-wrap'>{html.escape(short)}</div></div>"
        )
        return {"text/plain": self.text(), "text/html": body}

    def __repr__(self) -> str:
        return self.text()


class RunsTable:
    """The runs of this kernel as a table (``%runs``); ``to_dataframe()`` needs pandas."""

    columns = ("index", "run_id", "title", "kind", "status", "steps", "events")

    def __init__(self, runs: Sequence[Run]) -> None:
        self.runs = list(runs)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "index": i,
                "run_id": r.run_id,
                "title": r.title,
                "kind": r.kind,
                "status": r.status,
                "steps": sum(1 for e in r.events if e.kind == "step_started"),
                "events": len(r.events),
            }
            for i, r in enumerate(self.runs)
        ]

    def to_dataframe(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=list(self.columns))

    def text(self) -> str:
        if not self.runs:
            return "no runs yet"
        shown = [c for c in self.columns if c != "run_id"]
        lines = ["  ".join(shown)]
        lines += ["  ".join(str(row[c]) for c in shown) for row in self.rows()]
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        head = "".join(f"<th>{c}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in self.columns) + "</tr>"
            for row in self.rows()
        )
        table = f"<table class='ascope-runs'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        return {"text/plain": self.text(), "text/html": table}

    def __repr__(self) -> str:
        return f"RunsTable(runs={len(self.runs)})"


def show(obj: Any) -> Any:
    """Display ``obj`` live: a ``Run`` (its view), a list of runs (a table), an agent or a
    memory (a ``MemoryView``). Returns the table or view it displayed; None for a ``Run``
    (its live view is the cell's one output: no second ``Run(...)`` line under it).

    Example:
        >>> run = ascope_nb.start(agent, "Hi")  # doctest: +SKIP
        >>> ascope_nb.show(run)                 # doctest: +SKIP
    """
    from IPython.display import display

    from ..run import Run

    if isinstance(obj, Run):
        obj.display()
        return None
    if isinstance(obj, (list, tuple)) and all(isinstance(r, Run) for r in obj):
        table = RunsTable(obj)
        display(table)
        return table
    memory = getattr(obj, "memory", None)
    title = getattr(obj, "name", "") if memory is not None else ""
    source = memory if memory is not None else obj
    if hasattr(source, "to_rows") or hasattr(source, "content"):
        from ..views import MemoryView

        prompt = getattr(obj, "sys_prompt", "") if memory is not None else ""
        view = MemoryView(source, title=str(title), sys_prompt=str(prompt or ""))
        display(view)
        return view
    raise ConfigError(
        f"show() displays a Run, a list of runs, an agent or a memory, not {type(obj).__name__}"
    )
