"""Built-in tools: code execution and text files (AgentScope 1.x names and result texts)."""

from ._python import execute_python_code
from ._shell import execute_shell_command
from ._text_file import insert_text_file, view_text_file, write_text_file

__all__ = [
    "execute_python_code",
    "execute_shell_command",
    "view_text_file",
    "write_text_file",
    "insert_text_file",
]
