"""Tools run in the background (``register_tool_function(..., async_execution=True)``).

The call returns at once with a task id; ``view_task``, ``wait_task`` and ``cancel_task``
(register them as tools to let the model use them) report on the task.
"""

from __future__ import annotations

import asyncio
from typing import Any

import shortuuid

from ..message import TextBlock, ToolUseBlock
from ._call import exception_text, run_tool
from ._response import ToolResponse
from ._types import RegisteredToolFunction


def _text(text: str) -> ToolResponse:
    return ToolResponse(content=[TextBlock(type="text", text=text)])


def _unknown(task_id: str) -> ToolResponse:
    return _text(f"InvalidTaskIdError: Cannot find async task with ID {task_id}.")


class BackgroundTasks:
    """The background-task part of ``Toolkit``: tasks by id, and their finished results.

    Example:
        >>> import asyncio
        >>> asyncio.run(BackgroundTasks().view_task("nope")).content[0]["text"][:18]
        'InvalidTaskIdError'
    """

    def __init__(self) -> None:
        super().__init__()
        self._async_tasks: dict[str, asyncio.Task[ToolResponse]] = {}
        self._async_results: dict[str, ToolResponse] = {}

    def _start_background(
        self,
        record: RegisteredToolFunction,
        tool_call: ToolUseBlock,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> ToolResponse:
        task_id = shortuuid.uuid()
        # a background tool is one expected to take long: it never runs on the loop
        calls = run_tool(record, tool_call, args, kwargs, sync_tools="thread")
        task = asyncio.ensure_future(_final(calls))
        self._async_tasks[task_id] = task
        task.add_done_callback(lambda done: self._store(task_id, done))
        return _text(
            f"<system-reminder>Tool '{record.name}' is executing asynchronously. "
            f"Task ID: {task_id}. Use view_task('{task_id}') to check status, "
            f"wait_task('{task_id}') to wait for completion, or cancel_task('{task_id}') "
            "to cancel the task.</system-reminder>"
        )

    def _store(self, task_id: str, task: asyncio.Task[ToolResponse]) -> None:
        if self._async_tasks.pop(task_id, None) is None or task.cancelled():
            return
        error = task.exception()
        self._async_results[task_id] = _text(exception_text(error)) if error else task.result()

    async def view_task(self, task_id: str) -> ToolResponse:
        """View the status of an async tool task by its task ID.

        Args:
            task_id: The task ID returned when the tool started.
        """
        await asyncio.sleep(0)  # let a task that just finished store its result
        if task_id in self._async_results:
            return self._async_results.pop(task_id)
        if task_id in self._async_tasks:
            return _text(f"Task {task_id} is still running.")
        return _unknown(task_id)

    async def wait_task(self, task_id: str, timeout: float = 10) -> ToolResponse:
        """Wait for an async tool task to complete, at most ``timeout`` seconds (keep it
        small; check again later if it is still running).

        Args:
            task_id: The task ID returned when the tool started.
            timeout: The most seconds to wait.
        """
        task = self._async_tasks.get(task_id)
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=timeout)
            except asyncio.TimeoutError:
                return _text(
                    f"Task {task_id} is still running after waiting for {timeout} seconds."
                )
            except Exception:  # noqa: BLE001 - the result holds the error text
                pass
        return await self.view_task(task_id)

    async def cancel_task(self, task_id: str) -> ToolResponse:
        """Cancel an async tool task by its task ID.

        Args:
            task_id: The task ID returned when the tool started.
        """
        task = self._async_tasks.pop(task_id, None)
        if task is None:
            if self._async_results.pop(task_id, None) is not None:
                return _text(f"Task {task_id} has already completed and cannot be cancelled.")
            return _unknown(task_id)
        task.cancel()
        return _text(f"Task {task_id} has been cancelled.")


async def _final(chunks: Any) -> ToolResponse:
    final: ToolResponse | None = None
    async for chunk in chunks:
        final = chunk
    return final or ToolResponse(content=[])
