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
from ._sync_tools import always_in_thread
from ._toolkit import Toolkit
from ._types import RegisteredToolFunction, ToolFunction, ToolGroup
from ._validate import configure_output

_MULTIMODAL = (
    "dashscope_image_to_text",
    "dashscope_text_to_audio",
    "dashscope_text_to_image",
    "openai_text_to_image",
    "openai_text_to_audio",
    "openai_edit_image",
    "openai_create_image_variation",
    "openai_image_to_text",
    "openai_audio_to_text",
)


def __getattr__(name: str) -> object:
    """The multimodal tools load on first use (they import ``requests``)."""
    if name in _MULTIMODAL:
        from . import _multi_modality

        return getattr(_multi_modality, name)
    raise AttributeError(f"module 'ascope_nb.tool' has no attribute {name!r}")


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
    "always_in_thread",
    *_MULTIMODAL,
]
