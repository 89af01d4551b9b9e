"""Parse magic command lines like a shell command line; every mistake is one clear line.

Example:
    >>> parse_agent("Friday --tools f,g --max-iters 3").tools
    ['f', 'g']
"""

from __future__ import annotations

import argparse
import builtins
import difflib
import keyword
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..exceptions import ConfigError


class MagicUsageError(ConfigError):
    """A magic's command line is wrong (shown as one line, without a traceback)."""


class HelpShown(Exception):
    """``--help`` was given: the help text was printed, nothing else is to be done."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, magic: str, description: str) -> None:
        super().__init__(prog=magic, description=description, allow_abbrev=False, add_help=True)

    def error(self, message: str) -> NoReturn:
        raise MagicUsageError(
            f"{self.prog}: {message}{self._suggest(message)} (see {self.prog} --help)"
        )

    def _suggest(self, message: str) -> str:
        """``; did you mean --tools?`` for a mistyped option, else nothing."""
        if not message.startswith("unrecognized arguments:"):
            return ""
        options = [o for o in self._option_string_actions if o.startswith("--")]
        for word in message.split(":", 1)[1].split():
            if word.startswith("-"):
                close = difflib.get_close_matches(word.split("=")[0], options, n=1, cutoff=0.6)
                if close:
                    return f"; did you mean {close[0]}?"
        return ""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status:
            raise MagicUsageError(f"{self.prog}: {(message or 'bad arguments').strip()}")
        raise HelpShown()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _name_list(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated names, got nothing")
    return names


def identifier(text: str) -> str:
    """``text`` if it can name a notebook variable, else an ``ArgumentTypeError``."""
    if not text.isidentifier() or keyword.iskeyword(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid Python name")
    return text


# IPython's own names in every notebook namespace (rebinding one breaks the session).
IPYTHON_NAMES = frozenset(
    {"In", "Out", "get_ipython", "exit", "quit", "display", "_", "__", "___"}
    | {"_i", "_ii", "_iii", "_ih", "_oh", "_dh", "_sh"}
)
_NUMBERED = re.compile(r"_i?\d+")  # _1, _i1: IPython's numbered outputs and inputs


def new_name(text: str) -> str:
    """``text`` if a magic may bind it in the notebook (``%%agent NAME``, ``--out VAR``).

    Refuses names that would shadow a Python built-in or one of IPython's own names.

    Example:
        >>> new_name("Friday")
        'Friday'
    """
    name = identifier(text)
    if name.startswith("__") and name.endswith("__"):
        raise argparse.ArgumentTypeError(f"{name!r} is a special Python name; choose another")
    if hasattr(builtins, name):
        raise argparse.ArgumentTypeError(
            f"{name!r} would shadow Python's built-in {name}; choose another name"
        )
    if name in IPYTHON_NAMES or _NUMBERED.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"{name!r} is one of IPython's own names (In, Out, _, get_ipython, exit, ...); "
            "choose another name"
        )
    return name


def split_line(magic: str, line: str) -> list[str]:
    """Split a magic's line into arguments with shell quoting rules."""
    try:
        return shlex.split(line, posix=True)
    except ValueError as exc:
        raise MagicUsageError(f"{magic}: cannot parse the line: {exc}") from None


def _parse(parser: _Parser, line: str) -> dict[str, Any]:
    return vars(parser.parse_args(split_line(parser.prog, line)))


@dataclass
class AgentArgs:
    """``%%agent NAME [--model M] [--tools f,g] [--mcp S] [--max-iters N] [--parallel]
    [--approve ...] [--plan] [--approve-plan]``."""

    name: str
    model: str | None = None
    tools: list[str] = field(default_factory=list)
    max_iters: int = 10
    parallel: bool = False
    approve: list[str] = field(default_factory=list)
    mcp: list[str] = field(default_factory=list)
    raw: bool = False
    plan: bool = False
    approve_plan: bool = False
    memory: str | None = None
    session: str | None = None

    @property
    def require_approval(self) -> str | list[str] | None:
        if not self.approve:
            return None
        return "all" if "all" in self.approve else list(self.approve)


def parse_agent(line: str) -> AgentArgs:
    """Parse the line of ``%%agent``."""
    p = _Parser("%%agent", "Make a ReActAgent; the cell body is its system prompt.")
    p.add_argument("name", type=new_name, help="the variable the agent is bound to")
    p.add_argument("--model", help="a variable holding a model, or a spec like openai:gpt-4o")
    p.add_argument("--tools", type=_name_list, default=[], help="comma-separated tool names")
    p.add_argument("--max-iters", type=_positive_int, default=10, dest="max_iters")
    p.add_argument("--parallel", action="store_true", help="run tool calls concurrently")
    p.add_argument(
        "--approve", type=_name_list, default=[], help="tools that need approval, or 'all'"
    )
    p.add_argument(
        "--mcp", type=_name_list, default=[], help="MCP servers (from %%mcp add) whose tools to use"
    )
    p.add_argument("--raw", action="store_true", help="do not interpolate {var} in the body")
    p.add_argument("--plan", action="store_true", help="give the agent a PlanNotebook")
    p.add_argument(
        "--approve-plan",
        action="store_true",
        dest="approve_plan",
        help="with a plan: wait for a person to approve each new plan",
    )
    p.add_argument("--memory", help="where the memory lives: redis://..., sqlite:///..., ...")
    p.add_argument("--session", help="the memory's session id (default: the agent's name)")
    return AgentArgs(**_parse(p, line))


@dataclass
class AskArgs:
    """``%%ask NAME [--out VAR]``."""

    name: str
    out: str | None = None
    raw: bool = False


def parse_ask(line: str, *, magic: str = "%%ask") -> AskArgs:
    """Parse the line of ``%%ask`` (or its alias ``%%chat``)."""
    p = _Parser(magic, "Start a run of an agent; the cell body is the user message.")
    p.add_argument("name", type=identifier, help="the agent's variable")
    p.add_argument("--out", type=new_name, help="also bind the Run handle to this variable")
    p.add_argument("--raw", action="store_true", help="do not interpolate {var} in the body")
    return AskArgs(**_parse(p, line))


@dataclass
class HubArgs:
    """``%%hub A B C [--announce TEXT] [--rounds N] [--out VAR]``."""

    names: list[str]
    announce: str | None = None
    rounds: int = 1
    out: str | None = None
    raw: bool = False


def parse_hub(line: str) -> HubArgs:
    """Parse the line of ``%%hub``."""
    p = _Parser("%%hub", "A MsgHub conversation; the cell body is the opening message.")
    p.add_argument("names", type=identifier, nargs="+", help="the agents, in speaking order")
    p.add_argument("--announce", help="broadcast to every participant first")
    p.add_argument("--rounds", type=_positive_int, default=1)
    p.add_argument("--out", type=new_name, help="also bind the Run handle to this variable")
    p.add_argument("--raw", action="store_true", help="do not interpolate {var} in the body")
    return HubArgs(**_parse(p, line))


def parse_name(magic: str, line: str, *, what: str = "the agent's variable") -> str:
    """Parse a line that is exactly one variable name (``%agent_memory NAME``)."""
    p = _Parser(magic, f"{magic} NAME")
    p.add_argument("name", type=identifier, help=what)
    return str(_parse(p, line)["name"])


@dataclass
class AscopeArgs:
    """``%ascope`` (show settings) or ``%ascope model SPEC`` (set the default model)."""

    setting: str | None = None
    value: str | None = None


SETTINGS = ("model", "trace")


def parse_ascope(line: str) -> AscopeArgs:
    """Parse the line of ``%ascope``."""
    words: Sequence[str] = split_line("%ascope", line)
    if not words:
        return AscopeArgs()
    if words[0] in ("-h", "--help"):
        raise HelpShown()
    if words[0] not in SETTINGS:
        raise MagicUsageError(
            f"%ascope: unknown setting {words[0]!r}; use one of {', '.join(SETTINGS)}"
        )
    if len(words) > 2:
        raise MagicUsageError(f"%ascope: {words[0]} takes one value, got {len(words) - 1}")
    return AscopeArgs(words[0], words[1] if len(words) == 2 else None)


ASCOPE_HELP = """%ascope                show the settings
%ascope model SPEC     set the default model: a variable holding a model, 'demo',
                       or 'openai:gpt-4o-mini' / 'dashscope:qwen-max' / 'ollama:qwen2.5'
%ascope trace URL|off  send every run's spans to an OTLP/HTTP collector, or stop"""
