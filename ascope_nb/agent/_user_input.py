"""Where a ``UserAgent`` gets its input: pluggable, always awaited (never blocking the loop)."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..message import ContentBlock


@dataclass
class UserInputData:
    """What a person entered: content blocks and, optionally, structured fields."""

    blocks_input: list[ContentBlock] = field(default_factory=list)
    structured_input: dict[str, Any] | None = None


class UserInputBase(ABC):
    """An input method: ``await method(agent_id, agent_name, structured_model=...)``."""

    @abstractmethod
    async def __call__(
        self,
        agent_id: str,
        agent_name: str,
        *args: Any,
        structured_model: type[BaseModel] | None = None,
        **kwargs: Any,
    ) -> UserInputData:
        """Return what the person entered."""


class TerminalUserInput(UserInputBase):
    """Reads a line from the terminal in a worker thread, so the event loop keeps running.

    AgentScope 1.x called ``input()`` on the event loop, freezing every other agent and
    the notebook's buttons while waiting; this one does not.
    """

    def __init__(self, input_hint: str = "User Input: ") -> None:
        self.input_hint = input_hint

    async def __call__(
        self,
        agent_id: str,
        agent_name: str,
        *args: Any,
        structured_model: type[BaseModel] | None = None,
        **kwargs: Any,
    ) -> UserInputData:
        text = await asyncio.to_thread(input, self.input_hint)
        structured = None
        if structured_model is not None:
            structured = {}
            for name in structured_model.model_fields:
                structured[name] = await asyncio.to_thread(input, f"{name}: ")
            structured = structured_model.model_validate(structured).model_dump(mode="json")
        return UserInputData([{"type": "text", "text": text}], structured)


class ScriptedUserInput(UserInputBase):
    """Answers from a list of strings, in order (for tests and tutorials).

    Example:
        >>> method = ScriptedUserInput(["hello", "exit"])
    """

    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)

    async def __call__(
        self,
        agent_id: str,
        agent_name: str,
        *args: Any,
        structured_model: type[BaseModel] | None = None,
        **kwargs: Any,
    ) -> UserInputData:
        if not self.answers:
            raise RuntimeError(f"ScriptedUserInput for {agent_name!r} has no answers left")
        return UserInputData([{"type": "text", "text": self.answers.pop(0)}])
