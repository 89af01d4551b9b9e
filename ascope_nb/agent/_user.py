"""``UserAgent``: the person in the conversation."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from .._ids import new_id
from ..events import InputRequested, MessageCompleted, StatusChanged
from ..message import Msg
from ._base import AgentBase
from ._user_input import TerminalUserInput, UserInputBase


class UserAgent(AgentBase):
    """An agent whose replies come from a person through an input method.

    The input is awaited, never read with a blocking call on the event loop. In a notebook
    (``%load_ext ascope_nb``) the input method is an inline text box.

    Example:
        >>> from ascope_nb.agent import ScriptedUserInput
        >>> user = UserAgent("user")
        >>> user.override_instance_input_method(ScriptedUserInput(["exit"]))
    """

    _input_method: ClassVar[UserInputBase] = TerminalUserInput()

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._instance_input_method: UserInputBase | None = None

    def override_instance_input_method(self, input_method: UserInputBase) -> None:
        """Use ``input_method`` for this agent only."""
        if not isinstance(input_method, UserInputBase):
            raise TypeError(
                f"input method must be a UserInputBase, got {type(input_method).__name__}"
            )
        self._instance_input_method = input_method

    @classmethod
    def override_class_input_method(cls, input_method: UserInputBase) -> None:
        """Use ``input_method`` for every UserAgent."""
        if not isinstance(input_method, UserInputBase):
            raise TypeError(
                f"input method must be a UserInputBase, got {type(input_method).__name__}"
            )
        cls._input_method = input_method

    @property
    def input_method(self) -> UserInputBase:
        return self._instance_input_method or type(self)._input_method

    async def reply(
        self, msg: Msg | list[Msg] | None = None, structured_model: type[BaseModel] | None = None
    ) -> Msg:
        """Wait for the person's input and return it as a user message."""
        request_id = new_id()
        prompt = msg.get_text_content() or "" if isinstance(msg, Msg) else ""
        self._emit(InputRequested(request_id=request_id, prompt=prompt))
        self._emit(StatusChanged(status="waiting_input", detail=request_id))
        data = await self.input_method(
            agent_id=self.id,
            agent_name=self.name,
            structured_model=structured_model,
            request_id=request_id,
        )
        self._emit(StatusChanged(status="running"))
        blocks: Any = data.blocks_input
        if len(blocks) == 1 and blocks[0].get("type") == "text":
            blocks = blocks[0]["text"]
        reply = Msg(self.name, blocks, "user", metadata=data.structured_input or {})
        self._emit(MessageCompleted(msg=reply.to_dict(), added_to_memory=False))
        return reply
