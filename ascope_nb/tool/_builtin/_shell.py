"""The ``execute_shell_command`` tool."""

from __future__ import annotations

from typing import Any

from ...message import TextBlock
from .._response import ToolResponse
from ._subprocess import format_result, result_metadata, run_process


async def execute_shell_command(command: str, timeout: int = 300, **kwargs: Any) -> ToolResponse:
    """Execute a shell command and return its return code, stdout and stderr.

    The result is wrapped in ``<returncode></returncode>``, ``<stdout></stdout>`` and
    ``<stderr></stderr>`` tags.

    Args:
        command: The shell command to execute.
        timeout: The maximum time in seconds the command may run.

    Example:
        >>> import asyncio
        >>> asyncio.run(execute_shell_command("echo hi")).content[0]["text"]
        '<returncode>0</returncode><stdout>hi\\n</stdout><stderr></stderr>'
    """
    result = await run_process(command, shell=True, timeout=timeout)
    note = f"TimeoutError: The command execution exceeded the timeout of {timeout} seconds."
    return ToolResponse(
        content=[TextBlock(type="text", text=format_result(result, timeout_note=note))],
        metadata=result_metadata(result, note),
    )
