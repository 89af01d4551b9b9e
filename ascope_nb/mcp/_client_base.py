"""``MCPClientBase``: what every MCP client offers (tools as callables)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigError, ToolNotFoundError
from ._tool_function import MCPToolFunction

if TYPE_CHECKING:
    import mcp.types


class MCPClientBase(ABC):
    """An MCP client named after its server; subclasses choose the transport and lifetime.

    Example:
        >>> # func = await client.get_callable_function("get_current_time")
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"An MCP client needs a non-empty name, got {name!r}.")
        self.name = name

    @abstractmethod
    async def list_tools(self) -> list[mcp.types.Tool]:
        """The server's tools (the SDK's ``Tool`` objects)."""

    @abstractmethod
    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None = None
    ) -> mcp.types.CallToolResult:
        """Call a tool and return the SDK's raw ``CallToolResult``."""

    async def get_callable_function(
        self, func_name: str, wrap_tool_result: bool = True
    ) -> MCPToolFunction:
        """One tool of the server as an async callable (``await func(**kwargs)``).

        Args:
            func_name: The tool's name on the server.
            wrap_tool_result: Return ``ToolResponse`` objects (default) instead of the SDK's
                ``CallToolResult``.

        Raises:
            ToolNotFoundError: The server has no tool of that name.
        """
        tools = await self.list_tools()
        for tool in tools:
            if tool.name == func_name:
                return MCPToolFunction(self, tool, wrap_tool_result=wrap_tool_result)
        available = ", ".join(repr(t.name) for t in tools) or "none"
        raise ToolNotFoundError(
            f"MCP server {self.name!r} has no tool {func_name!r}; available: {available}."
        )

    async def get_callable_functions(
        self, *, wrap_tool_result: bool = True
    ) -> list[MCPToolFunction]:
        """Every tool of the server as an async callable."""
        tools = await self.list_tools()
        return [MCPToolFunction(self, t, wrap_tool_result=wrap_tool_result) for t in tools]

    @property
    def target(self) -> str:
        """What the client talks to (a command line or a URL), for listings."""
        return ""
