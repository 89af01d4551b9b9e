"""The ``execute_python_code`` tool."""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

from ...message import TextBlock
from ...redact import tool_environment
from .._response import ToolResponse
from ._subprocess import format_result, result_metadata, run_process


async def execute_python_code(code: str, timeout: float = 300, **kwargs: Any) -> ToolResponse:
    """Execute Python code in a fresh interpreter and return its return code, stdout and stderr.

    You must ``print`` what you want to see. The code runs from a temporary file that is
    removed afterwards.

    What it may do: the code runs as the kernel's user, in the kernel's working directory,
    with its network access, so it can read and write whatever that user can. Environment
    variables that hold secrets (names with KEY, TOKEN, SECRET, PASSWORD, provider keys) are
    removed unless ``ASCOPE_TOOLS_KEEP_SECRETS=1``; the process and everything it starts are
    killed on timeout or Stop, and nothing it started outlives the call. To review each call first, register it with approval
    (``%%agent ... --approve execute_python_code``).

    Args:
        code: The Python code to execute.
        timeout: The maximum time in seconds the code may run.

    Returns:
        ``<returncode>...</returncode><stdout>...</stdout><stderr>...</stderr>`` as text.

    Example:
        >>> import asyncio
        >>> asyncio.run(execute_python_code("print(6 * 7)")).content[0]["text"]
        '<returncode>0</returncode><stdout>42\\n</stdout><stderr></stderr>'
    """
    env = tool_environment({"PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"})
    with tempfile.TemporaryDirectory(prefix="ascope_py_") as tmp:
        path = os.path.join(tmp, "code.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(code)
        result = await run_process(sys.executable, "-u", path, timeout=timeout, env=env)
    note = f"TimeoutError: The code execution exceeded the timeout of {timeout} seconds."
    return ToolResponse(
        content=[TextBlock(type="text", text=format_result(result, timeout_note=note))],
        metadata=result_metadata(result, note),
    )
