"""The ``%%agent``, ``%%ask``/``%%chat``, ``%%hub``, ``%agent_memory`` and ``%ascope``
magics (``%runs`` and ``%export`` are in ``store_magics``): thin shells over ``make_agent``,
``start``, ``start_hub`` and ``show``.

Mistakes (unknown options, missing agents, bad values, unknown ``{var}``) are one line on
stderr (IPython's ``UsageError``), never a traceback, with a "did you mean" where one is
close. Every magic takes ``--help``. ``{today}`` and ``{now}`` are filled in even when the
notebook defines no such variable.

``%%ask`` and ``%%hub`` show one output, the live view, and set ``_`` to the ``Run`` (so
``run = _`` works); when they fail, ``_`` is a ``NoRun`` that says why when awaited.

Example (in a notebook)::

    %load_ext ascope_nb
    %%agent Friday --tools execute_python_code --approve all
    You are Friday, a helpful assistant.

    %%ask Friday --out run
    What is 6 * 7? Use Python.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import sys
from collections import ChainMap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class
from traitlets import Unicode, observe

from ..exceptions import AscopeError
from . import _args
from ._interpolate import interpolate

if TYPE_CHECKING:
    from ..agent import AgentBase
    from ..run import Run

F = TypeVar("F", bound=Callable[..., Any])


def _memory_option(url: str | None, session_id: str) -> Any:
    """``%%agent --memory URL``: the memory for that URL and session (None: in memory)."""
    if url is None:
        return None
    from ..memory import memory_from_url

    return memory_from_url(url, session_id=session_id)


def _one_line(method: F) -> F:
    """Turn our configuration errors into a one-line ``UsageError``; ``--help`` returns."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except _args.HelpShown:
            return None
        except AscopeError as exc:
            raise UsageError(str(exc)) from None

    return wrapper  # type: ignore[return-value]


@magics_class
class AgentMagics(Magics):  # type: ignore[misc]  # IPython's Magics is untyped
    """Agent magics. Configure with ``%config AgentMagics.default_model = "openai:gpt-4o-mini"``."""

    default_model = Unicode(
        "",
        help="Model spec used when %%agent has no --model ('demo', 'openai:gpt-4o-mini', ...); "
        "empty: $ASCOPE_MODEL, else the offline demo model.",
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        if self.default_model:
            self._apply_default_model(self.default_model)

    @observe("default_model")
    def _default_model_changed(self, change: dict[str, Any]) -> None:
        try:
            self._apply_default_model(change["new"])
        except AscopeError as exc:  # from %config: one line, and the old value stays
            print(f"AgentMagics.default_model: {exc}", file=sys.stderr)
            self.set_trait("default_model", change["old"])

    @staticmethod
    def _apply_default_model(spec: str) -> None:
        from ..model._default import set_default_model

        set_default_model(spec or None)

    # ------------------------------------------------------------------ helpers
    @property
    def _ns(self) -> dict[str, Any]:
        shell: Any = self.shell
        return shell.user_ns  # type: ignore[no-any-return]

    def _body(self, cell: str, *, raw: bool, where: str) -> str:
        text = cell.strip("\n")
        if raw:
            return text
        now = datetime.datetime.now()
        defaults = {"today": now.date().isoformat(), "now": now.isoformat(timespec="minutes")}
        return interpolate(text, ChainMap(self._ns, defaults), where=where)

    def _set_last(self, value: Any) -> None:
        """Make ``value`` the cell's ``_`` (and ``Out[n]``) without printing a second output."""
        hook = getattr(self.shell, "displayhook", None)
        if hook is not None and hasattr(hook, "update_user_ns"):
            hook.update_user_ns(value)

    def _start(self, magic: str, start: Callable[[], Run]) -> None:
        """Show the run live (its one output) and make it ``_``; on failure ``_`` says why."""
        from ._api import NoRun

        try:
            run = start()
        except (AscopeError, UsageError) as exc:
            self._set_last(NoRun(magic, str(exc)))
            raise
        run.display()
        self._set_last(run)

    def _agent(self, name: str, magic: str) -> AgentBase:
        from ..agent import AgentBase

        if name not in self._ns:
            agents = [k for k, v in self._ns.items() if isinstance(v, AgentBase)]
            close = difflib.get_close_matches(name, agents, n=1, cutoff=0.6)
            if close:
                raise UsageError(f"{magic}: no agent named {name!r}; did you mean {close[0]!r}?")
            raise UsageError(f"{magic}: no agent named {name!r} (make one with %%agent {name})")
        agent = self._ns[name]
        if not isinstance(agent, AgentBase):
            raise UsageError(f"{magic}: {name!r} is a {type(agent).__name__}, not an agent")
        return agent

    # ------------------------------------------------------------------ cell magics
    @cell_magic
    @_one_line
    def agent(self, line: str, cell: str) -> None:
        """%%agent NAME [--model M] [--tools f,g] [--mcp server,...] [--max-iters N]
        [--parallel] [--approve tool,...|all] [--plan] [--approve-plan] -- the cell body is
        the system prompt."""
        from ._api import display_card, make_agent

        args = _args.parse_agent(line)
        agent = make_agent(
            args.name,
            self._body(cell, raw=args.raw, where="%%agent"),
            model=args.model,
            tools=args.tools,
            max_iters=args.max_iters,
            parallel=args.parallel,
            require_approval=args.require_approval,
            mcp=args.mcp,
            namespace=self._ns,
            plan=args.plan or args.approve_plan,
            approve_plan=args.approve_plan,
            memory=_memory_option(args.memory, args.session or args.name),
        )
        self._ns[args.name] = agent
        display_card(agent)  # "warming…", then "ready" for the embedded model

    @cell_magic
    @_one_line
    def ask(self, line: str, cell: str) -> None:
        """%%ask NAME [--out VAR] -- start a run; the cell body is the user message."""
        self._start("%%ask", lambda: self._ask(line, cell, "%%ask"))

    @cell_magic
    @_one_line
    def chat(self, line: str, cell: str) -> None:
        """%%chat NAME [--out VAR] -- the same as %%ask."""
        self._start("%%chat", lambda: self._ask(line, cell, "%%chat"))

    def _ask(self, line: str, cell: str, magic: str) -> Run:
        from ..run import start

        args = _args.parse_ask(line, magic=magic)
        agent = self._agent(args.name, magic)
        text = self._body(cell, raw=args.raw, where=magic)
        run = start(agent, text or None)
        if args.out:
            self._ns[args.out] = run
        return run

    @line_cell_magic
    @_one_line
    def hub(self, line: str, cell: str | None = None) -> None:
        """%%hub A B C [--announce TEXT] [--rounds N] [--out VAR] -- a MsgHub conversation;
        the cell body is the opening message (``%hub ...`` on one line: no opening message)."""
        self._start("%%hub", lambda: self._hub(line, cell))

    def _hub(self, line: str, cell: str | None) -> Run:
        from ..run import start_hub

        args = _args.parse_hub(line)
        agents = [self._agent(name, "%%hub") for name in args.names]
        topic = self._body(cell, raw=args.raw, where="%%hub") if cell else ""
        announce = args.announce
        if announce and not args.raw:
            announce = interpolate(announce, self._ns, where="%%hub --announce")
        run = start_hub(agents, topic or None, announcement=announce or None, rounds=args.rounds)
        if args.out:
            self._ns[args.out] = run
        return run

    # ------------------------------------------------------------------ line magics
    @line_magic
    @_one_line
    def agent_memory(self, line: str) -> Any:
        """%agent_memory NAME -- the agent's memory as a table."""
        from ._api import show

        name = _args.parse_name("%agent_memory", line)
        agent = self._agent(name, "%agent_memory")
        if getattr(agent, "memory", None) is None:
            raise UsageError(f"%agent_memory: {name!r} has no memory")
        show(agent)

    @line_magic
    @_one_line
    def ascope(self, line: str) -> Any:
        """%ascope [model SPEC | trace URL|off] -- show the settings, set the default model,
        or send runs to an OpenTelemetry collector."""
        from ..model._default import default_model_spec, set_default_model

        try:
            args = _args.parse_ascope(line)
        except _args.HelpShown:
            print(_args.ASCOPE_HELP)
            return None
        if args.setting == "model":
            if args.value is None:
                print(f"model: {default_model_spec()}")
                return None
            value: Any = args.value
            if value.isidentifier() and value in self._ns:
                value = self._ns[value]
            set_default_model(value)  # validates: a bad spec or missing key is one line
            if isinstance(value, str):
                self.default_model = value
            print(f"default model: {default_model_spec()}")
            return None
        if args.setting == "trace":
            from ..tracing._magic import trace_setting

            print(trace_setting(args.value))
            return None
        print(f"model: {default_model_spec()}")
        return None
