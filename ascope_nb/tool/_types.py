"""Records kept by the Toolkit: registered tool functions and tool groups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..message import ToolUseBlock
from ._response import ToolResponse

if TYPE_CHECKING:
    from pydantic import BaseModel

ToolFunction = Callable[..., Any]
"""Any callable tool: sync or async, plain or (async) generator."""

PostprocessFunc = Callable[
    [ToolUseBlock, ToolResponse], "ToolResponse | None | Awaitable[ToolResponse | None]"
]
"""Called with the tool call and each response chunk; a returned response replaces the chunk."""

ToolKind = Literal["sync", "async", "generator", "async_generator"]


@dataclass
class ToolGroup:
    """A named set of tools that is switched on and off together.

    Example:
        >>> ToolGroup(name="browser", description="Web browsing tools").active
        False
    """

    name: str
    description: str
    active: bool = False
    notes: str | None = None


@dataclass
class RegisteredToolFunction:
    """One tool as the Toolkit keeps it.

    ``source`` is ``"python"`` for functions registered from Python; an MCP integration sets
    it to the server name so that all tools of one server can be found and removed together.

    Example:
        >>> def ping() -> str:
        ...     return "pong"
        >>> rec = RegisteredToolFunction(name="ping", group="basic", original_func=ping,
        ...     json_schema={"type": "function", "function": {"name": "ping", "parameters": {}}})
        >>> rec.source
        'python'
    """

    name: str
    group: str
    original_func: ToolFunction
    json_schema: dict[str, Any]
    preset_kwargs: dict[str, Any] = field(default_factory=dict)
    source: str = "python"
    original_name: str | None = None
    postprocess_func: PostprocessFunc | None = None
    extended_model: type[BaseModel] | None = None
    params_model: type[BaseModel] | None = None
    """Validates the model's arguments (built from the signature; None for explicit schemas)."""
    accepts_extra: bool = False
    """Whether arguments outside the schema are accepted (the function takes ``**kwargs``)."""
    var_positional: str | None = None
    var_keyword: str | None = None
    async_execution: bool = False
    """Each call runs in the background and answers with a task id (see ``BackgroundTasks``)."""

    @property
    def extended_json_schema(self) -> dict[str, Any]:
        """The JSON schema with the fields of ``extended_model`` merged into its parameters."""
        if self.extended_model is None:
            return self.json_schema
        from ._schema import merge_extended_model

        return merge_extended_model(self.json_schema, self.extended_model)
