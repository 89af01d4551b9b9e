"""``warm(agent)``: prepare an agent's model before the first question (embedded model)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any


def warm(
    agent: Any, *, wait: bool = False, on_done: Callable[[Any], None] | None = None
) -> concurrent.futures.Future[None] | None:
    """Warm ``agent``'s model with its system prompt and tools, in the background.

    For a model with a ``warm`` method (the embedded ``LocalModel``): start the server,
    create the client and process the prefix every request of this agent starts with,
    so the first question only pays for its own tokens. Other models: nothing to do,
    returns None. ``make_agent`` and ``%%agent`` call it for you.

    Args:
        agent: A ``ReActAgent`` (anything with ``model``, ``formatter``, ``sys_prompt``).
        wait: Block until the model is ready (raises what warming raised).
        on_done: Called with the model when warming ends (``model.state`` says how).

    Example:
        >>> import ascope_nb
        >>> agent = ascope_nb.make_agent("Friday", "Be brief.", model="demo")
        >>> ascope_nb.warm(agent) is None
        True
    """
    model = getattr(agent, "model", None)
    warm_model = getattr(model, "warm", None)
    if not callable(warm_model):
        return None
    toolkit = getattr(agent, "toolkit", None)
    tools = toolkit.get_json_schemas() if toolkit is not None else None

    async def prefix() -> list[dict[str, Any]]:
        system = agent._system_msg() if hasattr(agent, "_system_msg") else None
        if system is None:
            return []
        return list(await agent.formatter.format([system]))

    future: concurrent.futures.Future[None] = warm_model(
        prefix, tools=tools or None, on_done=on_done
    )
    if wait:
        future.result()
    return future
