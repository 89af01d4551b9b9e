"""The ``%session`` line magic: save and load the notebook's agents (memory, prompt, state).

::

    %session save NAME [--to DIR | redis://... | sqlite:///... | postgresql://...] [--agents a,b]
    %session load NAME [--from ...] [--agents a,b]

Without ``--to``/``--from`` sessions are JSON files in ``.ascope/sessions/`` next to the run
store. Every agent variable of the notebook is saved under its variable name (or only those in
``--agents``). A store that is down, or a session that does not exist, is one line.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from IPython.core.magic import Magics, line_magic, magics_class

from ..exceptions import AscopeError, ConfigError

_USAGE = (
    "%session save NAME [--to DIR|URL] [--agents a,b] [--user U] | "
    "%session load NAME [--from DIR|URL] [--agents a,b] [--user U]"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"%session: {message} (usage: {_USAGE})")


def _parser() -> _Parser:
    p = _Parser(prog="%session", add_help=False)
    p.add_argument("action", choices=["save", "load"])
    p.add_argument("name")
    p.add_argument("--to", "--from", dest="where", default=None)
    p.add_argument("--agents", default="")
    p.add_argument("--user", default="default_user")
    return p


def default_session_dir() -> str:
    """``sessions/`` next to the run store (``.ascope/sessions``)."""
    from ..memory._long_term import ascope_dir

    return str(ascope_dir() / "sessions")


def open_session(where: str | None) -> Any:
    """A session store for ``where``: a folder (JSON files), ``redis://...`` or a SQL URL.
    Call it inside the event loop that will use it."""
    from ..session import JSONSession

    target = where or default_session_dir()
    scheme = target.partition("://")[0].lower() if "://" in target else ""
    if scheme in ("redis", "rediss", "unix"):
        from ..memory._redis import import_redis
        from ..session import RedisSession

        pool = import_redis().ConnectionPool.from_url(target, decode_responses=True)
        return RedisSession(connection_pool=pool, socket_connect_timeout=5)
    if scheme:
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        from ..memory._from_url import async_sql_url
        from ..session import AsyncSQLAlchemySession

        return AsyncSQLAlchemySession(
            create_async_engine(async_sql_url(target), poolclass=NullPool)
        )
    return JSONSession(save_dir=target)


def _where_text(where: str | None) -> str:
    from ..memory._from_url import redact_url

    return redact_url(where) if where else default_session_dir()


@magics_class
class SessionMagics(Magics):
    """``%session save|load NAME``."""

    @line_magic
    def session(self, line: str) -> str:
        """%session save|load NAME [--to/--from DIR|URL] [--agents a,b] [--user U]."""
        from IPython.core.error import UsageError

        try:
            return self._session(line)
        except AscopeError as exc:
            raise UsageError(str(exc)) from None

    def _session(self, line: str) -> str:
        from ..agent import AgentBase
        from ..memory._stored import run_sync

        try:
            args = _parser().parse_args(shlex.split(line))
        except ValueError as exc:
            raise ConfigError(f"%session: {exc} (usage: {_USAGE})") from None
        ns = self.shell.user_ns if self.shell is not None else {}
        wanted = [a for a in args.agents.split(",") if a]
        missing = [a for a in wanted if not isinstance(ns.get(a), AgentBase)]
        if missing:
            raise ConfigError(f"%session: no agent variable named {missing[0]!r}")
        names = wanted or sorted(
            k for k, v in ns.items() if isinstance(v, AgentBase) and not k.startswith("_")
        )
        if not names:
            raise ConfigError("%session: the notebook has no agents to save or load")
        agents = {name: ns[name] for name in names}
        where = _where_text(args.where)

        def work() -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                store = open_session(args.where)
                try:
                    if args.action == "save":
                        await store.save_session_state(args.name, args.user, **agents)
                    else:
                        await store.load_session_state(
                            args.name, args.user, allow_not_exist=False, **agents
                        )
                finally:
                    close = getattr(store, "close", None)
                    if close is not None:
                        await close()

            return run

        try:
            run_sync(work())
        except (FileNotFoundError, ValueError) as exc:
            raise ConfigError(f"%session {args.action} {args.name!r} ({where}): {exc}") from None
        verb = "saved" if args.action == "save" else "loaded"
        print(f"{verb} {', '.join(names)} {'to' if verb == 'saved' else 'from'} {where}")
        return verb


def register_session_magics(ipython: Any) -> None:
    """Register ``%session`` (called by ``load_ipython_extension``)."""
    ipython.register_magics(SessionMagics)
