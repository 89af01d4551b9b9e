"""MCP (Model Context Protocol) clients whose tools become agent tools (AgentScope 1.x API).

Built on the official ``mcp`` SDK. Stateful clients keep one session (stdio subprocess or
HTTP); the stateless client opens a connection per call.

Example:
    >>> from ascope_nb.mcp import StdIOStatefulClient
    >>> client = StdIOStatefulClient("time", command="mcp-server-time")
    >>> # await client.connect()
    >>> # func = await client.get_callable_function("get_current_time")
    >>> # toolkit.register_tool_function(func)   or   await toolkit.register_mcp_client(client)
"""

from . import registry
from ._client_base import MCPClientBase
from ._convert import content_to_blocks, result_to_response
from ._errors import MCPConnectionError, MCPError, MCPServerError
from ._http import HttpStatefulClient
from ._stateful import StatefulClientBase
from ._stateless import HttpStatelessClient
from ._stdio import StdIOStatefulClient
from ._tool_function import MCPToolFunction

__all__ = [
    "MCPClientBase",
    "StatefulClientBase",
    "StdIOStatefulClient",
    "HttpStatefulClient",
    "HttpStatelessClient",
    "MCPToolFunction",
    "MCPError",
    "MCPConnectionError",
    "MCPServerError",
    "content_to_blocks",
    "result_to_response",
    "registry",
]
