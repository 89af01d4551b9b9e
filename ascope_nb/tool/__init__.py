"""Tools: the Toolkit, ToolResponse and built-in tools (AgentScope 1.x compatible)."""

from ._builtin import (
    execute_python_code,
    execute_shell_command,
    insert_text_file,
    view_text_file,
    write_text_file,
)
from ._response import ToolResponse
from ._stream import ToolCallStream
from ._toolkit import Toolkit
from ._types import RegisteredToolFunction, ToolFunction, ToolGroup
from ._validate import configure_output

__all__ = [
    "Toolkit",
    "ToolResponse",
    "ToolCallStream",
    "ToolGroup",
    "RegisteredToolFunction",
    "ToolFunction",
    "execute_python_code",
    "execute_shell_command",
    "view_text_file",
    "write_text_file",
    "insert_text_file",
    "configure_output",
]
