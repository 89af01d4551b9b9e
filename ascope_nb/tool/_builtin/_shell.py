"""The ``execute_shell_command`` tool."""

from __future__ import annotations

from typing import Any

from ...message import TextBlock
from ...redact import tool_environment
from .._response import ToolResponse
from ._subprocess import format_result, result_metadata, run_process


async def execute_shell_command(command: str, timeout: int = 300, **kwargs: Any) -> ToolResponse:
    """Execute a shell command and return its return code, stdout and stderr.

    The result is wrapped in ``<returncode></returncode>``, ``<stdout></stdout>`` and
    ``<stderr></stderr>`` tags.

    What it may do: the command runs as the kernel's user, in the kernel's working
    directory, with its network access. Environment variables that hold secrets (names with
    KEY, TOKEN, SECRET, PASSWORD, provider keys) are removed unless
    ``ASCOPE_TOOLS_KEEP_SECRETS=1``. The command gets its own process group: on timeout or
    Stop the whole group is killed; background processes (``cmd &``) are not waited for and
    do not outlive the call (start long-lived servers outside the agent). To review each
    call first, register it with approval (``%%agent ... --approve execute_shell_command``).

    Args:
        command: The shell command to execute.
        timeout: The maximum time in seconds the command may run.

    Example:
        >>> import asyncio
        >>> asyncio.run(execute_shell_command("echo hi")).content[0]["text"]
        '<returncode>0</returncode><stdout>hi\\n</stdout><stderr></stderr>'
    """
    result = await run_process(command, shell=True, timeout=timeout, env=tool_environment())
    note = f"TimeoutError: The command execution exceeded the timeout of {timeout} seconds."
    return ToolResponse(
        content=[TextBlock(type="text", text=format_result(result, timeout_note=note))],
        metadata=result_metadata(result, note),
    )
