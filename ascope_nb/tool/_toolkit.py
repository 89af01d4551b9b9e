"""``Toolkit``: register tools, group them, hand their schemas to the model, run tool calls."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

import shortuuid

from ..exceptions import ConfigError
from ..message import TextBlock, ToolUseBlock
from ..module import StateModule
from ._background import BackgroundTasks
from ._call import error_response, prepare_arguments, run_tool
from ._response import ToolResponse
from ._skills import AgentSkills
from ._stream import ToolCallStream
from ._sync_tools import SyncToolsMode, check_mode
from ._types import PostprocessFunc, RegisteredToolFunction, ToolFunction, ToolGroup

if TYPE_CHECKING:
    from pydantic import BaseModel

logger = logging.getLogger(__name__)

NamesakeStrategy = Literal["raise", "override", "skip", "rename"]


class InvalidToolSchemaError(ConfigError, AssertionError):
    """An explicit ``json_schema`` is not an OpenAI function schema (also an
    ``AssertionError``, which AgentScope 1.x raises here)."""


Middleware = Callable[..., Any]
"""``async def mw(kwargs: dict, next_handler) -> AsyncGenerator[ToolResponse, None]``."""


def _layer(middleware: Middleware, inner: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    async def handler(**kwargs: Any) -> Any:
        return middleware(kwargs, inner)

    return handler


async def _single(response: ToolResponse) -> AsyncGenerator[ToolResponse, None]:
    yield response


class Toolkit(AgentSkills, BackgroundTasks, StateModule):
    """Registers tool functions, builds their JSON schemas and runs tool calls (AgentScope 1.x API).

    Tools may be sync or async functions, sync or async generators (streaming cumulative
    ``ToolResponse`` chunks), partials or callable objects. Tools in the ``"basic"`` group are
    always offered to the model; other groups only while active.

    Example:
        >>> import asyncio
        >>> def add(a: int, b: int) -> int:
        ...     '''Add two integers.
        ...
        ...     Args:
        ...         a: The first number.
        ...         b: The second number.
        ...     '''
        ...     return a + b
        >>> toolkit = Toolkit()
        >>> toolkit.register_tool_function(add)
        >>> [s["function"]["name"] for s in toolkit.get_json_schemas()]
        ['add']
        >>> call = {"type": "tool_use", "id": "1", "name": "add", "input": {"a": 2, "b": 3}}
        >>> asyncio.run(toolkit.call_tool_function(call).last()).content[0]["text"]
        '5'
    """

    def __init__(
        self,
        agent_skill_instruction: str | None = None,
        agent_skill_template: str | None = None,
        *,
        sync_tools: SyncToolsMode | None = None,
    ) -> None:
        """``agent_skill_instruction`` / ``agent_skill_template`` replace the defaults of the
        skills block (see ``get_agent_skill_prompt``; the template has ``{name}``,
        ``{description}`` and ``{dir}`` placeholders).

        ``sync_tools="thread"`` runs every sync tool in a worker thread on every call;
        ``"adaptive"`` lets a tool whose last 5 calls each took under 1 ms run on the event
        loop (as AgentScope does) until one call holds it over 5 ms; None (the default) reads
        ``ASCOPE_SYNC_TOOLS`` (unset: ``"adaptive"``). See docs/security.md.
        """
        super().__init__()
        self.sync_tools = check_mode(sync_tools)
        self._init_skills(agent_skill_instruction, agent_skill_template)
        self.tools: dict[str, RegisteredToolFunction] = {}
        self.groups: dict[str, ToolGroup] = {}
        self._middlewares: list[Middleware] = []

    # ----------------------------------------------------------------- groups
    def create_tool_group(
        self, group_name: str, description: str, active: bool = False, notes: str | None = None
    ) -> None:
        """Create a group of tools that is activated and deactivated together.

        Args:
            group_name: The group's name (not ``"basic"``, which always exists).
            description: What the tools of the group are for (shown to the model by the
                ``reset_equipped_tools`` meta tool).
            active: Whether the group's tools are offered to the model now.
            notes: Usage notes for the model, collected by ``get_activated_notes``.
        """
        if group_name == "basic" or group_name in self.groups:
            raise ConfigError(f"Tool group {group_name!r} is already registered in the toolkit.")
        self.groups[group_name] = ToolGroup(
            name=group_name, description=description, active=active, notes=notes
        )

    def update_tool_groups(self, group_names: list[str], active: bool) -> None:
        """Activate or deactivate groups; ``"basic"`` is always active, unknown names are ignored."""
        for group_name in group_names:
            if group_name == "basic":
                logger.warning("The 'basic' tool group is always active; skipping it.")
            elif group_name in self.groups:
                self.groups[group_name].active = active

    def remove_tool_groups(self, group_names: str | list[str]) -> None:
        """Remove groups and all their tools. The ``"basic"`` group cannot be removed."""
        names = [group_names] if isinstance(group_names, str) else list(group_names)
        if "basic" in names:
            raise ConfigError("Cannot remove the default 'basic' tool group.")
        for name in names:
            self.groups.pop(name, None)
        for tool_name in [n for n, t in self.tools.items() if t.group in names]:
            del self.tools[tool_name]

    def get_activated_notes(self) -> str:
        """The notes of the active groups, ready to append to a system prompt."""
        return "\n".join(
            f"## About Tool Group '{name}'\n{group.notes}"
            for name, group in self.groups.items()
            if group.active and group.notes
        )

    def _is_active(self, tool: RegisteredToolFunction) -> bool:
        return tool.group == "basic" or (
            tool.group in self.groups and self.groups[tool.group].active
        )

    # ----------------------------------------------------------- registration
    def register_tool_function(
        self,
        tool_func: ToolFunction,
        group_name: str = "basic",
        preset_kwargs: dict[str, Any] | None = None,
        func_description: str | None = None,
        json_schema: dict[str, Any] | None = None,
        include_long_description: bool = True,
        include_var_positional: bool = False,
        include_var_keyword: bool = False,
        postprocess_func: PostprocessFunc | None = None,
        *,
        func_name: str | None = None,
        namesake_strategy: NamesakeStrategy = "raise",
        source: str = "python",
        async_execution: bool = False,
    ) -> None:
        """Register a tool; its JSON schema comes from the signature and Google-style docstring.

        Args:
            tool_func: A function (sync or async, plain or generator), a ``functools.partial``
                (its bound arguments become preset arguments) or a callable object.
            group_name: ``"basic"`` (always active) or a group made by ``create_tool_group``.
            preset_kwargs: Arguments hidden from the model and passed on every call.
            func_description: Replaces the description taken from the docstring.
            json_schema: An explicit OpenAI function schema instead of the derived one.
            include_long_description: Add the docstring's long description.
            include_var_positional: Expose ``*args`` to the model.
            include_var_keyword: Expose ``**kwargs`` to the model.
            postprocess_func: ``f(tool_call, response)`` applied to each chunk; may be async;
                a returned ToolResponse replaces the chunk.
            func_name: The tool's name, if not the function's ``__name__``.
            async_execution: Run each call in the background: the call answers at once
                with a task id for ``view_task`` / ``wait_task`` / ``cancel_task``.
            namesake_strategy: On a name clash: ``"raise"`` (default), ``"override"``,
                ``"skip"`` or ``"rename"`` (adds a random suffix).
            source: ``"python"``, or the MCP server name for tools of an MCP server.

        Raises:
            ConfigError: Unknown group, a name clash with ``"raise"``, or an invalid schema.
        """
        if group_name != "basic" and group_name not in self.groups:
            raise ConfigError(f"Tool group {group_name!r} not found; create it first.")
        if json_schema is not None and not (
            isinstance(json_schema, dict)
            and json_schema.get("type") == "function"
            and isinstance(json_schema.get("function"), dict)
        ):
            raise InvalidToolSchemaError(
                "json_schema must look like {'type': 'function', 'function': {'name': ..., "
                f"'parameters': {{...}}}}, got {json_schema!r}."
            )

        from ._schema import parse_tool_function, remove_parameters

        if source == "python":  # a function taken from an MCP client keeps its server's name
            source = getattr(tool_func, "mcp_name", None) or "python"
        preset = dict(preset_kwargs or {})
        func: Any = tool_func
        if isinstance(tool_func, functools.partial):
            func = tool_func.func
            positional = list(inspect.signature(func).parameters)
            bound = dict(zip(positional, tool_func.args, strict=False))
            preset = {**bound, **tool_func.keywords, **preset}

        default_name = (json_schema or {}).get("function", {}).get("name") or getattr(
            func, "__name__", None
        )
        name = func_name or default_name
        if not name:
            raise ConfigError(
                f"Cannot name the tool {tool_func!r}: pass func_name= or a json_schema with a name."
            )

        parsed = None
        try:
            parsed = parse_tool_function(
                func,
                name=name,
                exclude=frozenset(preset),
                include_long_description=include_long_description,
                include_var_positional=include_var_positional,
                include_var_keyword=include_var_keyword,
            )
        except (TypeError, ValueError) as exc:  # no inspectable signature
            if json_schema is None:
                raise ConfigError(f"Cannot build a JSON schema for {name!r}: {exc}") from exc

        own_schema = getattr(tool_func, "mcp_name", None) and getattr(
            tool_func, "json_schema", None
        )
        if json_schema is None and isinstance(own_schema, dict) and parsed is not None:
            # an MCP tool: offer the server's schema verbatim (titles too, as AgentScope does),
            # and still check arguments with the model built from its signature
            schema = remove_parameters(own_schema, set(preset))
            accepts_extra = parsed.accepts_extra
        elif json_schema is not None:
            schema = remove_parameters(json_schema, set(preset))
            accepts_extra = (schema["function"].get("parameters") or {}).get(
                "additionalProperties", parsed.accepts_extra if parsed else True
            ) is not False
        else:
            assert parsed is not None
            schema = parsed.json_schema
            accepts_extra = parsed.accepts_extra
        schema["function"]["name"] = name
        if func_description:
            schema["function"]["description"] = func_description

        record = RegisteredToolFunction(
            name=name,
            group=group_name,
            original_func=func,
            json_schema=schema,
            preset_kwargs=preset,
            source=source,
            original_name=default_name if func_name and func_name != default_name else None,
            postprocess_func=postprocess_func,
            params_model=parsed.params_model if parsed and json_schema is None else None,
            accepts_extra=accepts_extra,
            var_positional=parsed.var_positional if parsed and json_schema is None else None,
            var_keyword=parsed.var_keyword if parsed and json_schema is None else None,
            async_execution=async_execution,
        )
        self._add(record, namesake_strategy)

    def _add(self, record: RegisteredToolFunction, strategy: NamesakeStrategy) -> None:
        name = record.name
        if name not in self.tools or strategy == "override":
            self.tools[name] = record
            return
        if strategy == "skip":
            logger.warning("A tool named %r is already registered; skipping.", name)
            return
        if strategy == "rename":
            new_name = name
            while new_name in self.tools:
                new_name = f"{name}_{shortuuid.uuid()[:5]}"
            record.original_name = record.original_name or name
            record.name = new_name
            record.json_schema["function"]["name"] = new_name
            self.tools[new_name] = record
            return
        raise ConfigError(
            f"A tool named {name!r} is already registered in the toolkit "
            "(pass func_name=... or namesake_strategy='override'/'rename'/'skip')."
        )

    def remove_tool_function(self, tool_name: str, allow_not_exist: bool = True) -> None:
        """Remove a tool by name; unknown names raise only with ``allow_not_exist=False``."""
        if tool_name not in self.tools and not allow_not_exist:
            raise ConfigError(f"Tool function {tool_name!r} does not exist in the toolkit.")
        self.tools.pop(tool_name, None)

    def clear(self) -> None:
        """Remove every tool and group."""
        self.tools.clear()
        self.groups.clear()

    def set_extended_model(self, func_name: str, model: type[BaseModel] | None) -> None:
        """Add the fields of a pydantic model to a tool's parameters (``None`` removes them)."""
        from pydantic import BaseModel

        if model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ConfigError(f"The extended model must be a pydantic BaseModel, got {model!r}.")
        if func_name not in self.tools:
            raise ConfigError(f"Tool function {func_name!r} not found in the toolkit.")
        self.tools[func_name].extended_model = model

    # ---------------------------------------------------------------- schemas
    def get_json_schemas(self) -> list[dict[str, Any]]:
        """The OpenAI function schemas of the tools in active groups (preset arguments hidden)."""
        if "reset_equipped_tools" in self.tools:
            from pydantic import Field, create_model

            fields: dict[str, Any] = {
                name: (bool, Field(default=False, description=group.description))
                for name, group in self.groups.items()
            }
            self.tools["reset_equipped_tools"].extended_model = create_model(  # type: ignore[call-overload]
                "_GroupSwitches", **fields
            )
        return [t.extended_json_schema for t in self.tools.values() if self._is_active(t)]

    def reset_equipped_tools(self, **kwargs: Any) -> ToolResponse:
        """This function allows you to activate or deactivate tool groups
        dynamically based on your current task requirements.
        **Important: Each call sets the absolute final state of ALL tool
        groups, not incremental changes**. Any group not explicitly set to True
        will be deactivated, regardless of its previous state.

        **Best practice**: Actively manage your tool groups——activate only
        what you need for the current task, and promptly deactivate groups as
        soon as they are no longer needed to conserve context space.

        The function will return the usage instructions for the activated tool
        groups, which you **MUST pay attention to and follow**. You can also
        reuse this function to check the notes of the tool groups."""
        # The docstring is the tool's description for the model: AgentScope 1.x's wording.
        to_activate = []
        for key, value in kwargs.items():
            if not isinstance(value, bool):
                text = f"Invalid arguments: the argument {key!r} should be a bool, got {value!r}."
                return error_response(text)
            if key not in self.groups:
                return error_response(f"Invalid arguments: unknown tool group {key!r}.")
            if value:
                to_activate.append(key)
        self.update_tool_groups(list(self.groups), active=False)
        self.update_tool_groups(to_activate, active=True)
        if not to_activate:
            text = "All tool groups are now deactivated currently."
        else:
            text = "Now tool groups " + ", ".join(f"'{g}'" for g in to_activate) + " are activated."
            notes = self.get_activated_notes()
            if notes:
                text += f" You MUST follow these notes to use these tools:\n<notes>{notes}</notes>"
        return ToolResponse(content=[TextBlock(type="text", text=text)])

    # ------------------------------------------------------------------- call
    def register_middleware(self, middleware: Middleware) -> None:
        """Wrap every ``call_tool_function`` in ``middleware`` (onion order: the first
        registered is the outermost). A middleware is ``async def mw(kwargs, next_handler)``
        yielding ToolResponse chunks; ``kwargs["tool_call"]`` is the call, and
        ``async for chunk in await next_handler(**kwargs)`` runs the inner layers.

        Example:
            >>> async def log(kwargs, next_handler):
            ...     async for chunk in await next_handler(**kwargs):
            ...         yield chunk
            >>> Toolkit().register_middleware(log)
        """
        self._middlewares.append(middleware)

    def call_tool_function(self, tool_call: ToolUseBlock) -> ToolCallStream:
        """Run a tool call through the registered middlewares (see ``_call_tool``)."""
        if not self._middlewares:
            return self._call_tool(tool_call)
        return ToolCallStream(self._through_middlewares(tool_call))

    async def _through_middlewares(
        self, tool_call: ToolUseBlock
    ) -> AsyncGenerator[ToolResponse, None]:
        async def innermost(**kwargs: Any) -> ToolCallStream:
            return self._call_tool(kwargs["tool_call"])

        handler: Callable[..., Awaitable[Any]] = innermost
        for middleware in reversed(self._middlewares):
            handler = _layer(middleware, handler)
        async for chunk in await handler(tool_call=tool_call):
            yield chunk

    def _call_tool(self, tool_call: ToolUseBlock) -> ToolCallStream:
        """Run a tool call; iterate the result (directly or after ``await``) for its chunks.

        Chunks are the tool's own ToolResponses, cumulative. Failures never raise:
        unknown tools, inactive groups, malformed or mismatched arguments and exceptions in
        the tool come back as a response with ``metadata={"success": False, "error": ...}``
        that the model can read. ``asyncio.CancelledError`` ends the stream with an interrupted
        chunk; a sync tool already running in a worker thread cannot be killed.

        Args:
            tool_call: ``{"type": "tool_use", "id", "name", "input": {...}}``, optionally
                with ``raw_input``, the argument string the model produced.
        """
        name = tool_call.get("name")
        record = self.tools.get(name) if isinstance(name, str) else None
        if record is None:
            available = ", ".join(f"'{n}'" for n, t in self.tools.items() if self._is_active(t))
            text = f"FunctionNotFoundError: Cannot find the function named {name!r}."
            text += f" Available tools: {available}." if available else " No tools are available."
            return ToolCallStream(_single(error_response(text)))
        if not self._is_active(record):
            text = (
                f"FunctionInactiveError: The function {name!r} is in the inactive group "
                f"{record.group!r}. Activate the tool group by calling 'reset_equipped_tools' "
                "first to use this tool."
            )
            return ToolCallStream(_single(error_response(text)))
        prepared = prepare_arguments(record, tool_call)
        if isinstance(prepared, str):
            return ToolCallStream(_single(error_response(prepared)))
        args, kwargs = prepared
        if record.async_execution:
            return ToolCallStream(_single(self._start_background(record, tool_call, args, kwargs)))
        return ToolCallStream(run_tool(record, tool_call, args, kwargs, sync_tools=self.sync_tools))

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """``{"active_groups": [...]}``: the groups that are switched on."""
        return {"active_groups": [n for n, g in self.groups.items() if g.active]}

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> None:
        """Restore which groups are active from ``state_dict()`` output."""
        active = state_dict.get("active_groups") if isinstance(state_dict, dict) else None
        if not isinstance(active, list):
            raise ConfigError(
                f"The toolkit state must be {{'active_groups': [...]}}, got {state_dict!r}."
            )
        if strict and set(state_dict) != {"active_groups"}:
            raise ConfigError(f"Unexpected keys in the toolkit state: {sorted(state_dict)}.")
        for name, group in self.groups.items():
            group.active = name in active

    def __repr__(self) -> str:
        return f"Toolkit(tools={list(self.tools)!r}, groups={list(self.groups)!r})"

    # -------------------------------------------------------------------- mcp
    async def register_mcp_client(
        self,
        mcp_client: Any,
        group_name: str | None = None,
        enable_funcs: list[str] | None = None,
        disable_funcs: list[str] | None = None,
        preset_kwargs_mapping: dict[str, dict[str, Any]] | None = None,
        *,
        namesake_strategy: NamesakeStrategy = "raise",
    ) -> list[str]:
        """Register the tools of an MCP server (see ``ascope_nb.tool._mcp.register_mcp_client``)."""
        from ._mcp import register_mcp_client

        return await register_mcp_client(
            self,
            mcp_client,
            group_name,
            enable_funcs,
            disable_funcs,
            preset_kwargs_mapping,
            namesake_strategy=namesake_strategy,
        )

    def remove_mcp_clients(self, client_names: str | list[str]) -> list[str]:
        """Remove every tool that came from the named MCP servers; returns the removed names."""
        from ._mcp import remove_mcp_clients

        return remove_mcp_clients(self, client_names)
