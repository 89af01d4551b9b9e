"""``MCPToolFunction``: one tool of an MCP server as an async Python callable."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Protocol

from ..tool._call import error_response
from ..tool._response import ToolResponse
from ._convert import result_to_response
from ._errors import MCPError, one_line
from ._signature import build_signature

if TYPE_CHECKING:
    import mcp.types


class MCPClientBase(Protocol):
    """What a tool function asks of its client (``ascope_nb.mcp.MCPClientBase``)."""

    name: str

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> Any: ...


class MCPToolFunction:
    """A server's tool: ``await func(**arguments)``, or register it with a ``Toolkit``.

    Calls go through the client, so a function obtained before a reconnect keeps working
    after it. With ``wrap_tool_result=True`` (default) the call returns a ``ToolResponse``
    and never raises for server-side problems: an ``isError`` result, a dead server or a
    protocol error come back with ``metadata={"success": False, "error": ...}``. With
    ``wrap_tool_result=False`` it returns the SDK's ``CallToolResult`` and raises
    ``MCPServerError`` when the server is gone.

    Attributes:
        name: The tool's name on the server.
        mcp_name: The name of the client (the server) the tool belongs to.
        description: The tool's description.
        json_schema: The OpenAI function schema (``{"type": "function", "function": ...}``).

    Example:
        >>> # func = await client.get_callable_function("get_current_time")
        >>> # await func(timezone="UTC")            # a ToolResponse
        >>> # toolkit.register_tool_function(func)  # or offer it to an agent
    """

    def __init__(
        self, client: MCPClientBase, tool: mcp.types.Tool, *, wrap_tool_result: bool = True
    ) -> None:
        self.client = client
        self.mcp_name = client.name
        self.name = tool.name
        self.description = tool.description or ""
        self.wrap_tool_result = wrap_tool_result
        self.input_schema: dict[str, Any] = copy.deepcopy(dict(tool.inputSchema))
        self.input_schema.setdefault("type", "object")
        self.input_schema.setdefault("properties", {})
        self.__name__ = tool.name
        self.__qualname__ = tool.name
        self.__doc__ = self.description
        self.__signature__ = build_signature(self.input_schema)

    @property
    def json_schema(self) -> dict[str, Any]:
        """The tool's OpenAI function schema, with the server's input schema as parameters."""
        function: dict[str, Any] = {
            "name": self.name,
            "parameters": copy.deepcopy(self.input_schema),
        }
        if self.description:
            function["description"] = self.description
        return {"type": "function", "function": function}

    async def __call__(self, **kwargs: Any) -> Any:
        """Call the tool with keyword arguments; see the class docstring for what it returns."""
        if not self.wrap_tool_result:
            return await self.client.call_tool(self.name, kwargs)
        try:
            result = await self.client.call_tool(self.name, kwargs)
        except MCPError as exc:
            return error_response(f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # protocol errors (McpError), transport errors
            return error_response(
                f"MCPToolError: tool {self.name!r} of server "
                f"{self.mcp_name!r} failed: {one_line(exc)}"
            )
        response: ToolResponse = result_to_response(result)
        return response

    def __repr__(self) -> str:
        return f"MCPToolFunction(name={self.name!r}, mcp_name={self.mcp_name!r})"
