"""``FileAgentCardResolver``: an agent card from a JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._base import AgentCardResolverBase


class FileAgentCardResolver(AgentCardResolverBase):
    """Loads an ``AgentCard`` from a JSON file (A2A 1.0 form, or the 0.3 form with ``url``).

    Example:
        >>> card = await FileAgentCardResolver("friday_card.json").get_agent_card()  # doctest: +SKIP
    """

    def __init__(self, file_path: str) -> None:
        self._file_path = file_path

    async def get_agent_card(self) -> Any:
        """The card in the file.

        Raises:
            FileNotFoundError: no such file.
            ValueError: the path is not a file, or its JSON is not an agent card.
        """
        from ..agent._a2a_stream import coerce_card
        from ..formatter._a2a import sdk_is_v03

        path = Path(self._file_path)
        if not path.exists():
            raise FileNotFoundError(f"Agent card file not found: {self._file_path}")
        if not path.is_file():
            raise ValueError(f"Path is not a file: {self._file_path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"Agent card file {self._file_path} is not JSON: {exc}") from None
        if sdk_is_v03():
            from a2a.types import AgentCard

            return AgentCard.model_validate(data)
        try:
            return coerce_card(data)
        except ValueError as exc:
            raise ValueError(f"Agent card file {self._file_path}: {exc}") from None


__all__ = ["FileAgentCardResolver"]
