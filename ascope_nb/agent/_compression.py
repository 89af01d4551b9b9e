"""Memory compression for ``ReActAgent(compression_config=...)`` (AgentScope 1.x).

When the not-yet-compressed part of the memory grows past ``trigger_threshold`` tokens,
the model writes a structured summary of it (all but the ``keep_recent`` newest messages,
keeping tool calls with their results); the summary is stored in the memory
(``update_compressed_summary``), shown first in later prompts, and the summarised messages
are marked ``"compressed"`` so later prompts leave them out.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from ..message import Msg
from ..token import TokenCounterBase


class ReActAgent(Protocol):
    """What compression asks of an agent (``ascope_nb.agent.ReActAgent``)."""

    name: Any
    sys_prompt: Any
    compression_config: Any
    memory: Any
    model: Any
    formatter: Any


logger = logging.getLogger(__name__)

COMPRESSED_MARK = "compressed"


class SummarySchema(BaseModel):
    """The structured summary the model writes when the memory is compressed."""

    task_overview: str = Field(description="The task the user asked for and its requirements.")
    current_state: str = Field(description="What has been done so far and what was produced.")
    important_discoveries: str = Field(
        description="Findings, constraints and failed approaches worth remembering."
    )
    next_steps: str = Field(description="The concrete actions that remain to finish the task.")
    context_to_preserve: str = Field(
        description="Details (names, values, user preferences) needed to continue."
    )


class CompressionConfig(BaseModel):
    """When and how ``ReActAgent`` compresses its memory.

    Example:
        >>> from ascope_nb.token import CharTokenCounter
        >>> CompressionConfig(enable=True, agent_token_counter=CharTokenCounter(),
        ...                   trigger_threshold=8000).keep_recent
        3
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    enable: bool
    agent_token_counter: TokenCounterBase
    trigger_threshold: int
    keep_recent: int = 3
    compression_prompt: str = (
        "<system-hint>You have been working on the task described above but have not yet "
        "completed it. Now write a continuation summary that will allow you to resume work "
        "efficiently in a future context window where the conversation history will be "
        "replaced with this summary. Your summary should be structured, concise, and "
        "actionable.</system-hint>"
    )
    summary_template: str = (
        "<system-info>Here is a summary of your previous work\n"
        "# Task Overview\n{task_overview}\n\n"
        "# Current State\n{current_state}\n\n"
        "# Important Discoveries\n{important_discoveries}\n\n"
        "# Next Steps\n{next_steps}\n\n"
        "# Context to Preserve\n{context_to_preserve}</system-info>"
    )
    summary_schema: type[BaseModel] = SummarySchema
    compression_model: Any = None
    """A ``ChatModelBase`` for the summary; the agent's model when None."""
    compression_formatter: Any = None
    """The formatter for ``compression_model``; the agent's formatter when None."""


def _to_compress(msgs: list[Msg], keep_recent: int) -> list[Msg]:
    """All but the ``keep_recent`` newest messages; a kept tool result keeps its call."""
    kept, open_calls = 0, set[str]()
    for i in range(len(msgs) - 1, -1, -1):
        open_calls.update(b["id"] for b in msgs[i].get_content_blocks("tool_result"))
        open_calls.difference_update(b["id"] for b in msgs[i].get_content_blocks("tool_use"))
        if not open_calls:
            kept += 1
        if kept >= keep_recent:
            return msgs[:i]
    return []


async def compress_memory_if_needed(agent: ReActAgent) -> None:
    """Summarise and mark the older memory of ``agent`` when it is over the threshold."""
    config = agent.compression_config
    if config is None or not config.enable:
        return
    msgs = _to_compress(
        await agent.memory.get_memory(exclude_mark=COMPRESSED_MARK, prepend_summary=False),
        config.keep_recent,
    )
    if not msgs:
        return
    system = Msg("system", agent.sys_prompt, "system")
    n_tokens = await config.agent_token_counter.count(await agent.formatter.format([system, *msgs]))
    if n_tokens <= config.trigger_threshold:
        return
    formatter = config.compression_formatter or agent.formatter
    model = config.compression_model or agent.model
    prompt = await formatter.format([system, *msgs, Msg("user", config.compression_prompt, "user")])
    response = await model(prompt, structured_model=config.summary_schema)
    if not hasattr(response, "metadata"):  # a stream: its last chunk is the whole answer
        async for chunk in response:
            last = chunk
        response = last
    if not response.metadata:
        logger.warning(
            "%s: the model gave no structured summary; memory not compressed", agent.name
        )
        return
    await agent.memory.update_compressed_summary(
        config.summary_template.format(**response.metadata)
    )
    await agent.memory.update_messages_mark(new_mark=COMPRESSED_MARK, msg_ids=[m.id for m in msgs])
