"""A2A (Agent-to-Agent) both ways: card resolvers for remote agents (AgentScope 1.x API;
``ascope_nb.agent.A2AAgent`` calls them), and ``serve`` / ``to_a2a_app`` to serve any
ascope_nb agent. Needs the ``a2a`` extra (a2a-sdk 1.x) when used.

Example:
    >>> from ascope_nb.a2a import serve, WellKnownAgentCardResolver  # doctest: +SKIP
    >>> server = serve(friday)                                       # doctest: +SKIP
    >>> card = await WellKnownAgentCardResolver(server.url).get_agent_card()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ._base import AgentCardResolverBase
from ._file_resolver import FileAgentCardResolver
from ._nacos_resolver import NacosAgentCardResolver
from ._well_known_resolver import WellKnownAgentCardResolver

_SERVING = {"serve": "._server", "A2AServer": "._server", "to_a2a_app": "._app"}

__all__ = [
    "AgentCardResolverBase",
    "FileAgentCardResolver",
    "WellKnownAgentCardResolver",
    "NacosAgentCardResolver",
    "serve",
    "A2AServer",
    "to_a2a_app",
]


def __getattr__(name: str) -> Any:
    if name in _SERVING:  # the server side imports a2a-sdk's server parts: load on use
        import importlib

        return getattr(importlib.import_module(_SERVING[name], __name__), name)
    raise AttributeError(f"module 'ascope_nb.a2a' has no attribute {name!r}")
