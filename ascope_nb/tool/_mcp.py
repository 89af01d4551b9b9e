"""Toolkit integration of MCP clients: register all (or some) tools of a server at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..exceptions import ConfigError

if TYPE_CHECKING:
    from ..mcp import MCPClientBase


class Toolkit(Protocol):
    """What MCP registration asks of a toolkit (``ascope_nb.tool.Toolkit``)."""

    tools: dict[str, Any]

    def register_tool_function(self, tool_func: Any, *args: Any, **kwargs: Any) -> None: ...

    def remove_tool_function(self, tool_name: str, *args: Any, **kwargs: Any) -> Any: ...


async def register_mcp_client(
    toolkit: Toolkit,
    client: MCPClientBase,
    group_name: str | None = None,
    enable_funcs: list[str] | None = None,
    disable_funcs: list[str] | None = None,
    preset_kwargs_mapping: dict[str, dict[str, Any]] | None = None,
    *,
    namesake_strategy: Literal["raise", "override", "skip", "rename"] = "raise",
) -> list[str]:
    """Register the tools of an MCP server; each keeps the server's name as its ``source``.

    Args:
        toolkit: The toolkit to add the tools to.
        client: A connected stateful client or a stateless client.
        group_name: The tool group (default ``"basic"``); create other groups first.
        enable_funcs: Register only these tools.
        disable_funcs: Skip these tools.
        preset_kwargs_mapping: ``{tool_name: {arg: value}}``: arguments hidden from the model.
        namesake_strategy: What to do when a tool name is already registered.

    Returns:
        The names under which the tools were registered.

    Raises:
        ConfigError: Unknown tool names in ``enable_funcs``, ``disable_funcs`` or
            ``preset_kwargs_mapping``, or an unknown group.

    Example:
        >>> # await register_mcp_client(toolkit, client, enable_funcs=["get_current_time"])
    """
    from ..mcp import MCPToolFunction

    tools = await client.list_tools()
    available = [t.name for t in tools]
    for label, names in (
        ("enable_funcs", enable_funcs),
        ("disable_funcs", disable_funcs),
        ("preset_kwargs_mapping", list(preset_kwargs_mapping or {})),
    ):
        unknown = [n for n in names or [] if n not in available]
        if unknown:
            raise ConfigError(
                f"{label}: MCP server {client.name!r} has no tools {unknown!r}; "
                f"available: {available!r}."
            )
    registered: list[str] = []
    for tool in tools:
        if enable_funcs is not None and tool.name not in enable_funcs:
            continue
        if disable_funcs is not None and tool.name in disable_funcs:
            continue
        func = MCPToolFunction(client, tool)
        before = set(toolkit.tools)
        toolkit.register_tool_function(
            func,
            group_name=group_name or "basic",
            preset_kwargs=(preset_kwargs_mapping or {}).get(tool.name),
            json_schema=func.json_schema,
            func_name=tool.name,
            namesake_strategy=namesake_strategy,
            source=client.name,
        )
        added = set(toolkit.tools) - before
        registered.extend(sorted(added) or ([tool.name] if namesake_strategy == "override" else []))
    return registered


def remove_mcp_clients(toolkit: Toolkit, client_names: str | list[str]) -> list[str]:
    """Remove every tool that came from the named MCP servers; returns the removed names.

    Example:
        >>> from ascope_nb.tool import Toolkit
        >>> remove_mcp_clients(Toolkit(), ["time"])
        []
    """
    names = {client_names} if isinstance(client_names, str) else set(client_names)
    removed = [n for n, t in toolkit.tools.items() if t.source in names]
    for name in removed:
        toolkit.remove_tool_function(name)
    return removed
