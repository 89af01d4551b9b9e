"""``to_a2a_app``: an ASGI app serving an ascope_nb agent over A2A 1.0 (JSON-RPC at ``/``,
REST beside it, the card at ``/.well-known/agent-card.json``), for any ASGI server.

Example:
    >>> app = to_a2a_app(friday, url="http://127.0.0.1:9999")  # doctest: +SKIP
    >>> # uvicorn.run(app, port=9999)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..exceptions import ConfigError

SkillSpec = "str | dict[str, Any] | AgentSkill"


def _probe_agent(agent_or_factory: Any) -> Any:
    """The agent itself, or None for a factory (not called just to name the card)."""
    from ..agent import AgentBase

    return agent_or_factory if isinstance(agent_or_factory, AgentBase) else None


def build_card(
    agent_or_factory: Any,
    *,
    url: str,
    name: str | None = None,
    description: str | None = None,
    skills: Sequence[Any] | None = None,
    version: str = "1.0.0",
) -> Any:
    """The ``AgentCard`` of a served agent: JSON-RPC and HTTP+JSON interfaces at ``url``,
    streaming on, the steering extension (guidance, Pause, Step from ascope_nb callers); skills from ``skills`` (names, dicts or ``AgentSkill``) or the agent's tools.
    """
    from a2a.types import (
        AgentCapabilities,
        AgentCard,
        AgentExtension,
        AgentInterface,
        AgentSkill,
    )

    from ..agent._a2a_control import STEERING_EXTENSION

    agent = _probe_agent(agent_or_factory)
    card_name = name or (agent.name if agent is not None else "") or "agent"
    if description is None:
        description = f"{card_name}, an ascope_nb agent"
    skill_list: list[Any] = []
    for skill in skills if skills is not None else _tool_names(agent):
        if isinstance(skill, AgentSkill):
            skill_list.append(skill)
        elif isinstance(skill, str):
            skill_list.append(AgentSkill(id=skill, name=skill, description=skill, tags=["tool"]))
        elif isinstance(skill, dict):
            data = {"description": skill.get("name", ""), "tags": ["skill"], **skill}
            data.setdefault("id", data.get("name", ""))
            skill_list.append(AgentSkill(**data))
        else:
            raise ConfigError(f"a skill is a name, a dict or an AgentSkill, got {skill!r}")
    if not skill_list:
        skill_list.append(
            AgentSkill(id="chat", name="chat", description=description, tags=["chat"])
        )
    return AgentCard(
        name=card_name,
        description=description,
        version=version,
        supported_interfaces=[
            AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version="1.0"),
            AgentInterface(url=url, protocol_binding="HTTP+JSON", protocol_version="1.0"),
        ],
        capabilities=AgentCapabilities(
            streaming=True,
            extensions=[
                AgentExtension(
                    uri=STEERING_EXTENSION,
                    description="takes guidance, Pause, Step and Resume for a running task "
                    "(message metadata 'ascope_control_json', on the task's context)",
                    required=False,
                )
            ],
        ),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=skill_list,
    )


def _tool_names(agent: Any) -> list[str]:
    toolkit = getattr(agent, "toolkit", None)
    tools = getattr(toolkit, "tools", None)
    return sorted(tools) if isinstance(tools, dict) else []


def to_a2a_app(
    agent_or_factory: Any,
    *,
    url: str,
    name: str | None = None,
    description: str | None = None,
    skills: Sequence[Any] | None = None,
) -> Any:
    """An ASGI (Starlette) app serving ``agent_or_factory`` over A2A at ``url``.

    ``agent_or_factory``: one agent (requests take turns) or a callable returning a new
    agent, called once per A2A context. Needs the ``a2a`` extra.
    """
    try:
        from a2a.server.routes import (
            create_agent_card_routes,
            create_jsonrpc_routes,
            create_rest_routes,
        )
        from a2a.server.tasks import InMemoryTaskStore
        from starlette.applications import Starlette
        from starlette.routing import Route
    except ImportError as exc:
        raise ConfigError(
            f"serving over A2A needs a2a-sdk 1.x: pip install 'ascope_nb[a2a]' ({exc})"
        ) from None
    from ..formatter._a2a_spans import gate_a2a_sdk_spans
    from ._executor import AgentRunExecutor
    from ._fast import FastPath, handler_class

    gate_a2a_sdk_spans()  # the SDK's spans only while tracing is on (half a round trip's CPU)
    card = build_card(agent_or_factory, url=url, name=name, description=description, skills=skills)
    executor = AgentRunExecutor(agent_or_factory, name=card.name)
    handler = handler_class()(
        agent_executor=executor, task_store=InMemoryTaskStore(), agent_card=card
    )
    jsonrpc = create_jsonrpc_routes(handler, rpc_url="/")
    # new streamed tasks take the short path (_fast.py); every other request goes to the SDK
    fast = FastPath(executor=executor, handler=handler, sdk_rpc=jsonrpc[0].endpoint)
    handler.fast = fast
    routes = [
        *create_agent_card_routes(card),
        Route("/", fast.rpc, methods=["POST"]),
        *jsonrpc,
        *create_rest_routes(handler),
    ]
    app = Starlette(routes=routes)
    app.state.agent_card = card
    app.state.executor = executor
    app.state.fast_path = fast
    return app


__all__ = ["to_a2a_app", "build_card"]
