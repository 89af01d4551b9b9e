"""``NotebookUserInput``: a ``UserAgent`` asks through the inline box of its run's live view.

The agent awaits a future that the view's ``{"cmd": "input", ...}`` message resolves
(``Run.submit_input``); nothing blocks the kernel's event loop meanwhile.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from ..agent import TerminalUserInput, UserInputBase, UserInputData
from ..events import current_run


class NotebookUserInput(UserInputBase):
    """Input from the live view's text box (installed for every UserAgent by ``%load_ext``).

    Outside a run (``await user()`` typed directly in a cell) there is no view to ask
    through, so it falls back to ``fallback`` (the kernel's input prompt by default).

    Example:
        >>> from ascope_nb.agent import UserAgent
        >>> UserAgent.override_class_input_method(NotebookUserInput())  # doctest: +SKIP
    """

    def __init__(self, fallback: UserInputBase | None = None) -> None:
        self.fallback = fallback if fallback is not None else TerminalUserInput()

    async def __call__(
        self,
        agent_id: str,
        agent_name: str,
        *args: Any,
        structured_model: type[BaseModel] | None = None,
        **kwargs: Any,
    ) -> UserInputData:
        from ..run import get_run

        context = current_run.get()
        run = get_run(context.run_id) if context is not None else None
        request_id = kwargs.get("request_id")
        if run is None or not isinstance(request_id, str):
            return await self.fallback(
                agent_id, agent_name, *args, structured_model=structured_model, **kwargs
            )
        text = await run.wait_for_input(request_id)
        structured = None
        if structured_model is not None:
            structured = structured_model.model_validate(json.loads(text)).model_dump(mode="json")
        return UserInputData([{"type": "text", "text": text}], structured)
