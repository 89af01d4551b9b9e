"""The ``%a2a`` line magic: serve a notebook agent over A2A, or add a remote A2A agent.

::

    %a2a serve Friday --port 9999      # prints the URL and the card; serves in the background
    %a2a stop Friday
    %a2a add Remote http://127.0.0.1:9999   # Remote is an A2AAgent: %%ask Remote, %%hub ...
    %a2a list

Mistakes (unknown agent, port in use, unreachable URL, a card that does not parse) are one
line, no traceback. Servers stop when the kernel shuts down.
"""

from __future__ import annotations

import argparse
import atexit
import shlex
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..exceptions import AscopeError, ConfigError

_USAGE = (
    "%a2a serve NAME [--port N] [--host H] [--description TEXT] | %a2a stop NAME | "
    "%a2a add NAME URL [--timeout S] | %a2a list"
)
_SERVERS: dict[str, Any] = {}  # agent name -> A2AServer


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"%a2a: {message} (usage: {_USAGE})")


def _serve_parser() -> _Parser:
    parser = _Parser(prog="%a2a serve", add_help=False, allow_abbrev=False)
    parser.add_argument("name")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--description", default=None)
    return parser


def _add_parser() -> _Parser:
    parser = _Parser(prog="%a2a add", add_help=False, allow_abbrev=False)
    parser.add_argument("name")
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=600.0)
    return parser


def fetch_card(url: str, *, timeout: float = 10.0) -> Any:
    """The agent card at ``url`` (its well-known path), fetched without an event loop.

    Raises:
        ConfigError: one line naming the URL (unreachable, HTTP error, not a card).
    """
    import httpx
    from a2a.client.card_resolver import parse_agent_card
    from a2a.utils import AGENT_CARD_WELL_KNOWN_PATH

    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError(f"%a2a add: {url!r} is not an http(s) URL")
    where = f"{base}{AGENT_CARD_WELL_KNOWN_PATH}"
    try:
        response = httpx.get(where, timeout=timeout)
        response.raise_for_status()
        data = response.json()
    except httpx.HTTPStatusError as exc:
        raise ConfigError(f"%a2a add: {where} answered {exc.response.status_code}") from None
    except httpx.HTTPError as exc:
        raise ConfigError(f"%a2a add: cannot reach {where} ({type(exc).__name__})") from None
    except ValueError:
        raise ConfigError(f"%a2a add: {where} did not return JSON") from None
    try:
        return parse_agent_card(data)
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"%a2a add: the card at {where} does not parse ({reason})") from None


def card_text(card: Any) -> str:
    """A short plain description of a card: name, description, URL, skills."""
    skills = ", ".join(s.name for s in card.skills) or "-"
    url = card.supported_interfaces[0].url if card.supported_interfaces else ""
    return f"{card.name}: {card.description}\n  url: {url}\n  skills: {skills}"


@magics_class
class A2AMagics(Magics):  # type: ignore[misc]  # IPython's Magics is untyped
    """``%a2a serve|stop|add|list``."""

    @line_magic
    def a2a(self, line: str) -> Any:
        """%a2a serve NAME [--port N] | stop NAME | add NAME URL | list"""
        try:
            return self._run(line)
        except AscopeError as exc:
            raise UsageError(str(exc)) from None

    def _run(self, line: str) -> Any:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise ConfigError(f"%a2a: cannot parse the line ({exc})") from None
        action, rest = (words[0], words[1:]) if words else ("", [])
        if action in ("", "-h", "--help", "help"):
            print(f"usage: {_USAGE}")
            return None
        if action == "serve":
            return self._serve(_serve_parser().parse_args(rest))
        if action == "stop":
            if len(rest) != 1:
                raise ConfigError("%a2a stop takes one agent name")
            server = _SERVERS.pop(rest[0], None)
            if server is None:
                raise ConfigError(f"%a2a stop: {rest[0]!r} is not being served")
            server.close()
            print(f"stopped serving {rest[0]!r} at {server.url}")
            return None
        if action == "add":
            return self._add(_add_parser().parse_args(rest))
        if action == "list":
            for name, server in _SERVERS.items():
                print(f"{name}: {server.url}")
            if not _SERVERS:
                print("no agents served")
            return None
        raise ConfigError(f"%a2a: unknown action {action!r} (usage: {_USAGE})")

    def _ns(self) -> dict[str, Any]:
        shell = self.shell
        if shell is None:
            raise ConfigError("%a2a needs an IPython shell")
        namespace: dict[str, Any] = shell.user_ns
        return namespace

    def _serve(self, opts: argparse.Namespace) -> None:
        from ..a2a import serve
        from ..agent import AgentBase

        agent = self._ns().get(opts.name)
        if not isinstance(agent, AgentBase):
            raise ConfigError(f"%a2a serve: no agent named {opts.name!r}")
        if opts.name in _SERVERS:
            raise ConfigError(
                f"%a2a serve: {opts.name!r} is served at {_SERVERS[opts.name].url}; "
                f"%a2a stop {opts.name} first"
            )
        server = serve(agent, host=opts.host, port=opts.port, description=opts.description)
        _SERVERS[opts.name] = server
        print(f"serving {opts.name!r} at {server.url}")
        print(card_text(server.card))

    def _add(self, opts: argparse.Namespace) -> None:
        from ..agent import A2AAgent

        if not opts.name.isidentifier():
            raise ConfigError(f"%a2a add: the name must be an identifier, got {opts.name!r}")
        card = fetch_card(opts.url, timeout=min(opts.timeout, 30.0))
        agent = A2AAgent(card, timeout=opts.timeout)
        agent.name = opts.name
        self._ns()[opts.name] = agent
        print(f"{opts.name} -> remote A2A agent {card.name!r} at {agent.url}")


def stop_all() -> None:
    """Stop every server started by ``%a2a serve``."""
    while _SERVERS:
        _, server = _SERVERS.popitem()
        server.close()


_hooked: set[int] = set()


def register_a2a_magics(ipython: Any) -> None:
    """Register ``%a2a``; its servers stop when the kernel shuts down."""
    ipython.register_magics(A2AMagics)
    kernel = getattr(ipython, "kernel", None)
    if kernel is None or id(kernel) in _hooked:
        return
    original = kernel.do_shutdown

    def do_shutdown(restart: bool) -> Any:
        stop_all()
        return original(restart)

    kernel.do_shutdown = do_shutdown
    _hooked.add(id(kernel))


atexit.register(stop_all)
