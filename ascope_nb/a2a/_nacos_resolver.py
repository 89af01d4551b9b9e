"""``NacosAgentCardResolver``: an agent card registered in Nacos (needs ``nacos-sdk-python``)."""

from __future__ import annotations

import logging
from typing import Any

from ._base import AgentCardResolverBase

_log = logging.getLogger("ascope_nb.a2a")


class NacosAgentCardResolver(AgentCardResolverBase):
    """Fetches the card of ``remote_agent_name`` from a Nacos server.

    Args:
        remote_agent_name: The agent's name in Nacos.
        nacos_client_config: A ``v2.nacos.common.client_config.ClientConfig``.
        version: The card version (None: the latest).

    Example:
        >>> resolver = NacosAgentCardResolver("Friday", config)  # doctest: +SKIP
    """

    def __init__(
        self, remote_agent_name: str, nacos_client_config: Any, version: str | None = None
    ) -> None:
        if not remote_agent_name:
            raise ValueError("The remote_agent_name cannot be empty.")
        if not nacos_client_config:
            raise ValueError("The nacos_client_config cannot be None.")
        self._nacos_client_config = nacos_client_config
        self._remote_agent_name = remote_agent_name
        self._version = version

    async def get_agent_card(self) -> Any:
        """The card from Nacos (a fresh Nacos client, shut down afterwards).

        Raises:
            ImportError: ``nacos-sdk-python`` is not installed.
        """
        try:
            from v2.nacos.ai.model.ai_param import GetAgentCardParam
            from v2.nacos.ai.nacos_ai_service import NacosAIService
        except ImportError as exc:
            raise ImportError(
                "Please install the nacos sdk by running `pip install "
                "nacos-sdk-python>=3.0.0` first."
            ) from exc
        client = None
        try:
            client = await NacosAIService.create_ai_service(self._nacos_client_config)
            await client.start()
            return await client.get_agent_card(
                GetAgentCardParam(agent_name=self._remote_agent_name, version=self._version)
            )
        finally:
            if client is not None:
                try:
                    await client.shutdown()
                except Exception as exc:
                    _log.warning("Failed to shutdown Nacos client: %s", exc)


__all__ = ["NacosAgentCardResolver"]
