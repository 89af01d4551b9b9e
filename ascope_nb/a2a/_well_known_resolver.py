"""``WellKnownAgentCardResolver``: an agent card from ``URL/.well-known/agent-card.json``."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from ._base import AgentCardResolverBase

_log = logging.getLogger("ascope_nb.a2a")


class WellKnownAgentCardResolver(AgentCardResolverBase):
    """Fetches the card an A2A server publishes at its well-known path.

    Args:
        base_url: The server's URL (a path in it is kept: ``http://h:1/agents/friday``).
        agent_card_path: The card's path (default ``/.well-known/agent-card.json``).
        timeout: Seconds to wait for the server.

    Example:
        >>> resolver = WellKnownAgentCardResolver("http://127.0.0.1:9999")
        >>> card = await resolver.get_agent_card()  # doctest: +SKIP
    """

    def __init__(
        self, base_url: str, agent_card_path: str | None = None, *, timeout: float = 600.0
    ) -> None:
        self._base_url = base_url
        self._agent_card_path = agent_card_path
        self._timeout = timeout

    async def get_agent_card(self) -> Any:
        """The card the server publishes.

        Raises:
            RuntimeError: one line naming the URL: unreachable, an HTTP error, or a card that
                does not parse (``ValueError`` for a malformed URL inside it).
        """
        import httpx
        from a2a.client import A2ACardResolver
        from a2a.utils import AGENT_CARD_WELL_KNOWN_PATH

        try:
            parsed = urlparse(self._base_url)
            if not parsed.scheme or not parsed.netloc:
                raise ValueError(f"Invalid URL format: {self._base_url}")
            card_path = (
                self._agent_card_path
                if self._agent_card_path is not None
                else AGENT_CARD_WELL_KNOWN_PATH
            )
            async with httpx.AsyncClient(timeout=httpx.Timeout(timeout=self._timeout)) as http:
                resolver = A2ACardResolver(
                    httpx_client=http,
                    base_url=f"{parsed.scheme}://{parsed.netloc}",
                    agent_card_path=card_path,
                )
                return await resolver.get_agent_card(relative_card_path=parsed.path or None)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
            _log.debug("agent card from %s failed: %s", self._base_url, reason)
            raise RuntimeError(
                f"Failed to resolve AgentCard from URL {self._base_url}: {reason}"
            ) from exc


__all__ = ["WellKnownAgentCardResolver"]
