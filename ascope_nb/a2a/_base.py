"""``AgentCardResolverBase``: where an A2A agent card comes from (AgentScope 1.x API)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any


class AgentCardResolverBase:
    """Fetches an ``a2a.types.AgentCard`` from some source; subclasses implement
    ``get_agent_card``.

    Example:
        >>> class Fixed(AgentCardResolverBase):
        ...     def __init__(self, card): self.card = card
        ...     async def get_agent_card(self): return self.card
    """

    @abstractmethod
    async def get_agent_card(self, *args: Any, **kwargs: Any) -> Any:
        """The resolved agent card."""


__all__ = ["AgentCardResolverBase"]
