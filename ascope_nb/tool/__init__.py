"""Tools: the Toolkit, ToolResponse and built-in tools."""

from ._response import ToolResponse

__all__ = ["ToolResponse"]
